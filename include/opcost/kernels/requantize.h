// Fixed-point arithmetic of TFLite's int8 quantization spec (the gemmlowp rules that TFLite's
// reference kernels, TFLite Micro and CMSIS-NN all use): how an int32 accumulator is scaled by a
// real factor M = multiplier * 2^(shift - 31) and rounded, without floating point.
//
//   std::int32_t m; int shift;
//   opcost::kernels::QuantizeMultiplier(0.0037, &m, &shift);       // m = 2034096511, shift = -8
//   std::int32_t y = opcost::kernels::MultiplyByQuantizedMultiplier(12345, m, shift);  // 46
//
// Every rounding rule is stated at its function and collected in docs/kernels.md.
#ifndef OPCOST_KERNELS_REQUANTIZE_H_
#define OPCOST_KERNELS_REQUANTIZE_H_

#include <cstdint>
#include <limits>

#include "opcost/kernels/kernel_types.h"

namespace opcost::kernels {

// Smallest and largest shift accepted by MultiplyByQuantizedMultiplier and the kernels.
constexpr int kMinShift = -31;
constexpr int kMaxShift = 30;

// a * b / 2^31 computed exactly in 64 bits and rounded to nearest with ties toward +infinity
// (0.5 -> 1, -0.5 -> 0, -1.5 -> -1). The one overflowing case, a == b == INT32_MIN (the product
// 2^62 / 2^31 = 2^31), saturates to INT32_MAX. This is gemmlowp's
// SaturatingRoundingDoublingHighMul: the nudge is +2^30 for a non-negative product and
// 1 - 2^30 for a negative one, then the division truncates toward zero.
inline std::int32_t SaturatingRoundingDoublingHighMul(std::int32_t a, std::int32_t b) {
  if (a == b && a == std::numeric_limits<std::int32_t>::min()) {
    return std::numeric_limits<std::int32_t>::max();
  }
  const std::int64_t ab = static_cast<std::int64_t>(a) * static_cast<std::int64_t>(b);
  const std::int64_t nudge = ab >= 0 ? (std::int64_t{1} << 30) : (1 - (std::int64_t{1} << 30));
  return static_cast<std::int32_t>((ab + nudge) / (std::int64_t{1} << 31));
}

// x / 2^exponent rounded to nearest, ties away from zero (gemmlowp's RoundingDivideByPOT).
// Precondition: 0 <= exponent <= 31 (the kernels validate shifts before calling this).
inline std::int32_t RoundingDivideByPOT(std::int32_t x, int exponent) {
  const std::int32_t mask = static_cast<std::int32_t>((std::int64_t{1} << exponent) - 1);
  const std::int32_t remainder = x & mask;
  const std::int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  // An arithmetic right shift (floor division); C++20 guarantees it, every C++17 compiler we
  // target (GCC, Clang, arm-none-eabi-gcc) implements it.
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

// x * M with M = multiplier * 2^(shift - 31), TFLite's MultiplyByQuantizedMultiplier (the
// "double rounding" form CMSIS-NN uses by default):
//   1. a positive shift first multiplies x by 2^shift in 32-bit two's complement (it wraps on
//      overflow exactly as the int32 C code does on the target);
//   2. SaturatingRoundingDoublingHighMul by `multiplier` (round to nearest, ties up);
//   3. a negative shift then divides by 2^-shift with RoundingDivideByPOT (round half away).
// Precondition: kMinShift <= shift <= kMaxShift (the kernels validate it).
inline std::int32_t MultiplyByQuantizedMultiplier(std::int32_t x, std::int32_t multiplier,
                                                  int shift) {
  const int left_shift = shift > 0 ? shift : 0;
  const int right_shift = shift > 0 ? 0 : -shift;
  const std::uint32_t shifted = static_cast<std::uint32_t>(x) << left_shift;
  return RoundingDivideByPOT(
      SaturatingRoundingDoublingHighMul(static_cast<std::int32_t>(shifted), multiplier),
      right_shift);
}

// The last step of every requantizing kernel: MultiplyByQuantizedMultiplier(acc, multiplier,
// shift) + output_offset, clamped to [activation_min, activation_max] and returned as int8. The
// offset is added exactly (in 64 bits) before the clamp.
inline std::int8_t RequantizeToInt8(std::int32_t acc, std::int32_t multiplier, int shift,
                                    std::int32_t output_offset, std::int32_t activation_min,
                                    std::int32_t activation_max) {
  std::int64_t v =
      static_cast<std::int64_t>(MultiplyByQuantizedMultiplier(acc, multiplier, shift)) +
      output_offset;
  if (v < activation_min) v = activation_min;
  if (v > activation_max) v = activation_max;
  return static_cast<std::int8_t>(v);
}

// Splits a real factor into a Q31 multiplier in [2^30, 2^31) and a shift so that
// real ~= multiplier * 2^(shift - 31), as TFLite's QuantizeMultiplier: frexp gives
// real = q * 2^shift with q in [0.5, 1); multiplier = round(q * 2^31) (round half away from
// zero); if that rounds up to 2^31 it is halved and shift incremented. A factor below 2^-32
// (shift < -31) becomes multiplier 0, shift 0; zero gives 0, 0.
// Fails (kInvalidArgument) for a negative, NaN or infinite factor, or one needing shift > 30.
Status QuantizeMultiplier(double real, std::int32_t* multiplier, int* shift);

// Checks that multipliers and shifts have equal lengths, that the length is 1 or `channels`,
// and that every shift is in [kMinShift, kMaxShift].
Status ValidateRequantization(const Requantization& requant, std::int64_t channels);

}  // namespace opcost::kernels

#endif  // OPCOST_KERNELS_REQUANTIZE_H_
