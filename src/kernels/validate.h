// Private helpers for the kernels' boundary checks. Dependency-free like the kernels themselves.
#ifndef OPCOST_SRC_KERNELS_VALIDATE_H_
#define OPCOST_SRC_KERNELS_VALIDATE_H_

#include <cstdint>

#include "opcost/kernels/kernel_types.h"

// Returns the Status of `expr` from the calling function if it is not ok.
#define OPCOST_RETURN_IF_ERROR(expr)                  \
  do {                                                \
    const ::opcost::kernels::Status status_ = (expr); \
    if (!status_.ok()) return status_;                \
  } while (0)

namespace opcost::kernels::detail {

// Largest dimension any kernel accepts; keeps every index product far from int64 overflow.
constexpr std::int64_t kMaxDim = std::int64_t{1} << 24;

constexpr Status Ok() { return Status{}; }

constexpr Status Fail(StatusCode code, const char* message, std::int64_t actual) {
  return Status{code, message, actual, 0, false};
}

constexpr Status Fail(StatusCode code, const char* message, std::int64_t actual,
                      std::int64_t expected) {
  return Status{code, message, actual, expected, true};
}

// A dimension must be in [1, kMaxDim].
inline Status CheckDim(std::int64_t value, const char* message) {
  if (value < 1 || value > kMaxDim) return Fail(StatusCode::kInvalidArgument, message, value);
  return Ok();
}

inline Status CheckRange(std::int64_t value, std::int64_t lo, std::int64_t hi,
                         const char* message) {
  if (value < lo || value > hi) return Fail(StatusCode::kInvalidArgument, message, value);
  return Ok();
}

// *out = a * b; false on int64 overflow (never for inputs that passed CheckDim pairwise, but
// products of four dims can).
inline bool CheckedMul(std::int64_t a, std::int64_t b, std::int64_t* out) {
  return !__builtin_mul_overflow(a, b, out);
}

// Product of `n` dims (each already in [1, kMaxDim]) or a kOverflow status.
inline Status Product(const std::int64_t* dims, int n, const char* message, std::int64_t* out) {
  std::int64_t p = 1;
  for (int i = 0; i < n; ++i) {
    if (!CheckedMul(p, dims[i], &p)) return Fail(StatusCode::kOverflow, message, dims[i]);
  }
  *out = p;
  return Ok();
}

// A buffer must hold at least `needed` elements.
template <typename T>
Status CheckBuffer(const Span<T>& span, std::int64_t needed, const char* message) {
  if (span.size < needed || (needed > 0 && span.data == nullptr)) {
    return Fail(StatusCode::kBufferTooSmall, message, span.data == nullptr ? 0 : span.size, needed);
  }
  return Ok();
}

// Zero-point offsets of int8 tensors: input/filter offsets are -zero_point in [-127, 128],
// output offsets are zero_point in [-128, 127].
inline Status CheckInputOffset(std::int64_t offset, const char* message) {
  return CheckRange(offset, -127, 128, message);
}
inline Status CheckOutputOffset(std::int64_t offset, const char* message) {
  return CheckRange(offset, -128, 127, message);
}

inline Status CheckActivation(std::int64_t act_min, std::int64_t act_max) {
  Status s = CheckRange(act_min, -128, 127, "activation_min must be in [-128, 127]");
  if (!s.ok()) return s;
  s = CheckRange(act_max, -128, 127, "activation_max must be in [-128, 127]");
  if (!s.ok()) return s;
  if (act_min > act_max) {
    return Fail(StatusCode::kInvalidArgument, "activation_min must be <= activation_max", act_min,
                act_max);
  }
  return Ok();
}

// One spatial axis of a sliding window: the output size must be one that some trailing padding
// in [0, effective filter) produces from `input`, `pad` (leading) and `stride`, and the leading
// padding must be smaller than the effective filter, so every window overlaps the input.
Status CheckWindowAxis(std::int64_t input, std::int64_t filter, std::int64_t stride,
                       std::int64_t dilation, std::int64_t pad, std::int64_t output,
                       const char* axis_message_pad, const char* axis_message_output);

}  // namespace opcost::kernels::detail

#endif  // OPCOST_SRC_KERNELS_VALIDATE_H_
