#include "opcost/kernels/requantize.h"

#include <cmath>

#include "kernels/validate.h"

namespace opcost::kernels {

using detail::Fail;
using detail::Ok;

Status QuantizeMultiplier(double real, std::int32_t* multiplier, int* shift) {
  if (!(real >= 0.0) || std::isinf(real)) {  // also catches NaN
    // NaN and infinities have no integer to report; -1 stands for "negative or not finite".
    return Fail(StatusCode::kInvalidArgument, "real multiplier must be finite and >= 0", -1);
  }
  if (real == 0.0) {
    *multiplier = 0;
    *shift = 0;
    return Ok();
  }
  int exponent = 0;
  const double q = std::frexp(real, &exponent);  // real = q * 2^exponent, q in [0.5, 1)
  // std::round rounds half away from zero, as TFLite's TfLiteRound.
  std::int64_t q_fixed = static_cast<std::int64_t>(std::round(q * 2147483648.0));
  if (q_fixed == (std::int64_t{1} << 31)) {
    q_fixed /= 2;
    ++exponent;
  }
  if (exponent < kMinShift) {  // too small to represent: flush to zero like TFLite
    *multiplier = 0;
    *shift = 0;
    return Ok();
  }
  if (exponent > kMaxShift) {
    return Fail(StatusCode::kInvalidArgument, "real multiplier needs a shift > 30", exponent,
                kMaxShift);
  }
  *multiplier = static_cast<std::int32_t>(q_fixed);
  *shift = exponent;
  return Ok();
}

Status ValidateRequantization(const Requantization& requant, std::int64_t channels) {
  if (requant.multipliers.size != requant.shifts.size) {
    return Fail(StatusCode::kShapeMismatch,
                "requantization multipliers and shifts differ in length", requant.shifts.size,
                requant.multipliers.size);
  }
  if (requant.multipliers.size != 1 && requant.multipliers.size != channels) {
    return Fail(StatusCode::kShapeMismatch,
                "requantization needs 1 multiplier or one per output channel",
                requant.multipliers.size, channels);
  }
  if (requant.multipliers.data == nullptr || requant.shifts.data == nullptr) {
    return Fail(StatusCode::kBufferTooSmall, "requantization arrays must not be null", 0, 1);
  }
  for (std::int64_t i = 0; i < requant.shifts.size; ++i) {
    const std::int32_t s = requant.shifts[i];
    if (s < kMinShift || s > kMaxShift) {
      return Fail(StatusCode::kInvalidArgument, "requantization shift must be in [-31, 30]", s);
    }
  }
  return Ok();
}

}  // namespace opcost::kernels
