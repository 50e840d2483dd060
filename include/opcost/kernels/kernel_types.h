// Shared vocabulary of the int8 reference kernels: Span (a non-owning buffer view), Status (what
// a kernel returns) and Requantization (per-tensor or per-channel multiplier and shift).
//
//   std::int8_t out[16];
//   opcost::kernels::Status s = opcost::kernels::MaxPoolInt8(params, dims, {in, 64}, {out, 16});
//   if (!s.ok()) { /* s.message names the field and rule, s.actual the offending value */ }
//
// The kernel headers and their sources depend on nothing but <cstdint> and <cstddef>, so the
// same code compiles for a Cortex-M target: no exceptions, no heap, no I/O. Host code turns a
// failed Status into an opcost::Error with ThrowIfError (kernels/check.h).
#ifndef OPCOST_KERNELS_KERNEL_TYPES_H_
#define OPCOST_KERNELS_KERNEL_TYPES_H_

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace opcost::kernels {

// A view of `size` elements starting at `data`; the kernels never read or write outside it.
// An empty Span (data == nullptr, size == 0) means "absent" where a parameter says so (bias).
template <typename T>
struct Span {
  T* data = nullptr;
  std::int64_t size = 0;

  constexpr Span() = default;
  constexpr Span(T* d, std::int64_t n) : data(d), size(n) {}
  // A Span<const T> can be made from a Span<T>.
  template <typename U, typename = std::enable_if_t<std::is_convertible_v<U*, T*>>>
  constexpr Span(const Span<U>& other) : data(other.data), size(other.size) {}
  constexpr bool empty() const { return size == 0; }
  constexpr T& operator[](std::int64_t i) const { return data[i]; }
};

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // a parameter is outside its documented domain (zero stride, bad shift)
  kShapeMismatch,    // dimensions that must agree do not (groups, output size, array lengths)
  kBufferTooSmall,   // a Span holds fewer elements than the dimensions require
  kOverflow,         // a size or an int32 accumulator would overflow
};

// The result of a kernel. On failure `message` is a static string naming the field and the rule
// (e.g. "stride_h must be >= 1"), `actual` the offending value and, when has_expected is true,
// `expected` the value that was required (a buffer size, a channel count).
struct Status {
  StatusCode code = StatusCode::kOk;
  const char* message = "";
  std::int64_t actual = 0;
  std::int64_t expected = 0;
  bool has_expected = false;

  constexpr bool ok() const { return code == StatusCode::kOk; }
};

// Fixed-point requantization factors (see requantize.h): either one multiplier/shift pair for
// the whole tensor or one pair per output channel. multipliers[i] is a Q31 value, shifts[i] a
// power-of-two exponent in [-31, 30] (positive = shift left).
struct Requantization {
  Span<const std::int32_t> multipliers;
  Span<const std::int32_t> shifts;
};

}  // namespace opcost::kernels

#endif  // OPCOST_KERNELS_KERNEL_TYPES_H_
