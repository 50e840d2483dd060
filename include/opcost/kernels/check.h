// Host-side bridge from the dependency-free kernels to the library's error handling: turns a
// failed kernels::Status into an opcost::Error, and views std::vectors as Spans.
//
//   std::vector<std::int8_t> out(n);
//   kernels::ThrowIfError(kernels::ConvInt8(p, d, kernels::AsSpan(in), ..., kernels::AsSpan(out)),
//                         "conv2d node 'conv1'");
//   // throws opcost::Error: "conv2d node 'conv1': stride_h must be >= 1 (got 0)"
//
// Not for the Cortex-M build (it uses exceptions and std::string).
#ifndef OPCOST_KERNELS_CHECK_H_
#define OPCOST_KERNELS_CHECK_H_

#include <string>
#include <vector>

#include "opcost/error.h"
#include "opcost/kernels/kernel_types.h"

namespace opcost::kernels {

// The ErrorCode for a StatusCode: kInvalidArgument and kBufferTooSmall -> kInvalidArgument,
// kShapeMismatch -> kShapeMismatch, kOverflow -> kOverflow.
ErrorCode ToErrorCode(StatusCode code);

// "<context>: <status.message> (got <actual>[, need <expected>])".
std::string StatusMessage(const Status& status, const std::string& context);

// Does nothing if status.ok(); otherwise throws Error{ToErrorCode(code), StatusMessage(...)}.
void ThrowIfError(const Status& status, const std::string& context);

template <typename T>
Span<const T> AsSpan(const std::vector<T>& v) {
  return Span<const T>(v.data(), static_cast<std::int64_t>(v.size()));
}
template <typename T>
Span<T> AsSpan(std::vector<T>& v) {
  return Span<T>(v.data(), static_cast<std::int64_t>(v.size()));
}

}  // namespace opcost::kernels

#endif  // OPCOST_KERNELS_CHECK_H_
