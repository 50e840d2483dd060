#include "opcost/kernels/softmax.h"

#include <cstdint>
#include <limits>

#include "kernels/validate.h"
#include "opcost/kernels/requantize.h"

namespace opcost::kernels {

using detail::CheckRange;
using detail::Ok;

namespace {

// Raw int32 fixed-point arithmetic. A value in Qm.(31-m) ("m integer bits") is raw / 2^(31-m).
constexpr std::int32_t kInt32Max = std::numeric_limits<std::int32_t>::max();
constexpr std::int32_t kInt32Min = std::numeric_limits<std::int32_t>::min();
constexpr int kScaledDiffIntegerBits = 5;     // the exp argument is Q5.26
constexpr int kAccumulationIntegerBits = 12;  // the sum of exps is Q12.19

// Two's complement wrap-around add/sub, as the target's int32 arithmetic.
std::int32_t WrapAdd(std::int32_t a, std::int32_t b) {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(a) + static_cast<std::uint32_t>(b));
}
std::int32_t WrapSub(std::int32_t a, std::int32_t b) {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(a) - static_cast<std::uint32_t>(b));
}

// Fixed-point product of two raw values: integer bits add (Qa * Qb = Q(a+b)).
std::int32_t FixedMul(std::int32_t a, std::int32_t b) {
  return SaturatingRoundingDoublingHighMul(a, b);
}

// x * 2^exponent for exponent > 0, saturating at the int32 limits (gemmlowp's
// SaturatingRoundingMultiplyByPOT with a positive exponent).
std::int32_t SaturatingShiftLeft(std::int32_t x, int exponent) {
  const std::int32_t threshold =
      static_cast<std::int32_t>((std::int64_t{1} << (31 - exponent)) - 1);
  if (x > threshold) return kInt32Max;
  if (x < -threshold) return kInt32Min;
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(x) << exponent);
}

// exp(a) for a in [-1/4, 0), Q0.31 in and out: Taylor series around -1/8,
// exp(-1/8) * (1 + x + x^2/2 + x^3/6 + x^4/24) with x = a + 1/8.
std::int32_t ExpOnInterval(std::int32_t a) {
  constexpr std::int32_t kExpMinusOneEighth = 1895147668;    // round(exp(-1/8) * 2^31)
  constexpr std::int32_t kOneThird = 715827883;              // round(2^31 / 3)
  const std::int32_t x = WrapAdd(a, std::int32_t{1} << 28);  // + 1/8
  const std::int32_t x2 = FixedMul(x, x);
  const std::int32_t x3 = FixedMul(x2, x);
  const std::int32_t x4 = FixedMul(x2, x2);
  const std::int32_t x4_over_4 = RoundingDivideByPOT(x4, 2);
  // ((x^4/4 + x^3) / 3 + x^2) / 2 = x^4/24 + x^3/6 + x^2/2
  const std::int32_t poly =
      RoundingDivideByPOT(WrapAdd(FixedMul(WrapAdd(x4_over_4, x3), kOneThird), x2), 1);
  return WrapAdd(kExpMinusOneEighth, FixedMul(kExpMinusOneEighth, WrapAdd(x, poly)));
}

// exp(a) for a <= 0 given in Q5.26, result in Q0.31 (gemmlowp's exp_on_negative_values with 5
// integer bits): a = r + k/4 with r in [-1/4, 0); exp(r) by the series, then one multiply by
// exp(-2^j) for each set bit j of the non-negative multiple of 1/4 that was split off.
std::int32_t ExpOnNegativeValues(std::int32_t a) {
  constexpr int kFractionalBits = 31 - kScaledDiffIntegerBits;  // 26
  constexpr std::int32_t kOneQuarter = std::int32_t{1} << (kFractionalBits - 2);
  const std::int32_t a_mod_quarter_minus_quarter = WrapSub(a & (kOneQuarter - 1), kOneQuarter);
  std::int32_t result =
      ExpOnInterval(SaturatingShiftLeft(a_mod_quarter_minus_quarter, kScaledDiffIntegerBits));
  const std::int32_t remainder = WrapSub(a_mod_quarter_minus_quarter, a);
  // round(exp(-2^j) * 2^31) for j = -2 .. 4; exp(-32) and smaller underflow Q0.31 entirely,
  // and Q5.26 cannot hold a <= -32, so no further bits exist.
  constexpr std::int32_t kExpMinusPow2[] = {1672461947, 1302514674, 790015084, 290630308,
                                            39332535,   720401,     242};
  for (int j = -2; j <= 4; ++j) {
    if (remainder & (std::int32_t{1} << (kFractionalBits + j))) {
      result = FixedMul(result, kExpMinusPow2[j + 2]);
    }
  }
  return a == 0 ? kInt32Max : result;  // exp(0) = 1, the largest Q0.31 value
}

// 1 / (1 + x) for x in [0, 1), Q0.31 in and out (gemmlowp's one_over_one_plus_x_for_x_in_0_1):
// three Newton-Raphson steps on the half denominator d = (1 + x) / 2, in Q2.29, from the
// initial guess 48/17 - 32/17 * d.
std::int32_t OneOverOnePlusX(std::int32_t x) {
  // (x + 1) / 2 rounded half away from zero, computed in 64 bits.
  const std::int64_t sum = static_cast<std::int64_t>(x) + kInt32Max;
  const std::int32_t half_denominator = static_cast<std::int32_t>((sum + (sum >= 0 ? 1 : -1)) / 2);
  constexpr std::int32_t k48Over17 = 1515870810;        // round(48/17 * 2^29)
  constexpr std::int32_t kMinus32Over17 = -1010580540;  // round(-32/17 * 2^29)
  constexpr std::int32_t kOneQ2 = std::int32_t{1} << 29;
  std::int32_t r = WrapAdd(k48Over17, FixedMul(half_denominator, kMinus32Over17));
  for (int i = 0; i < 3; ++i) {
    const std::int32_t one_minus_dr = WrapSub(kOneQ2, FixedMul(half_denominator, r));
    // r * (1 - d r) is Q4.27; rescale to Q2.29 with a saturating shift by 2.
    r = WrapAdd(r, SaturatingShiftLeft(FixedMul(r, one_minus_dr), 2));
  }
  // r approximates 1/d = 2/(1+x) in Q2.29; the same raw value read as Q1.30 is 1/(1+x), which
  // a saturating shift by 1 turns into Q0.31.
  return SaturatingShiftLeft(r, 1);
}

}  // namespace

std::int64_t SoftmaxInt8ScratchBytes(std::int64_t /*num_rows*/, std::int64_t /*row_size*/) {
  return 0;
}

Status SoftmaxInt8(const SoftmaxParams& p, std::int64_t num_rows, std::int64_t row_size,
                   Span<const std::int8_t> input, Span<std::int8_t> output) {
  OPCOST_RETURN_IF_ERROR(detail::CheckDim(num_rows, "num_rows must be in [1, 2^24]"));
  // The Q12.19 sum of at most 4095 exps (each <= 2^19) stays below 2^31.
  OPCOST_RETURN_IF_ERROR(CheckRange(row_size, 1, 4095, "row_size must be in [1, 4095]"));
  OPCOST_RETURN_IF_ERROR(
      CheckRange(p.input_left_shift, 0, 31, "input_left_shift must be in [0, 31]"));
  OPCOST_RETURN_IF_ERROR(CheckRange(p.diff_min, kInt32Min, 0, "diff_min must be <= 0"));
  // Every difference that is scaled is in [max(diff_min, -255), 0]; its shifted value must fit
  // int32 as on the target.
  const std::int64_t lowest_diff = p.diff_min < -255 ? -255 : p.diff_min;
  if (lowest_diff * (std::int64_t{1} << p.input_left_shift) < kInt32Min) {
    return detail::Fail(StatusCode::kInvalidArgument,
                        "diff_min * 2^input_left_shift must be >= INT32_MIN (diff_min shown)",
                        p.diff_min);
  }
  OPCOST_RETURN_IF_ERROR(detail::CheckBuffer(input, num_rows * row_size,
                                             "input buffer is smaller than num_rows*row_size"));
  OPCOST_RETURN_IF_ERROR(detail::CheckBuffer(output, num_rows * row_size,
                                             "output buffer is smaller than num_rows*row_size"));

  for (std::int64_t r = 0; r < num_rows; ++r) {
    const std::int8_t* in = input.data + r * row_size;
    std::int8_t* out = output.data + r * row_size;
    std::int32_t max_in_row = -128;
    for (std::int64_t c = 0; c < row_size; ++c) {
      if (in[c] > max_in_row) max_in_row = in[c];
    }
    // exp of the scaled difference: MultiplyByQuantizedMultiplierGreaterThanOne, i.e. the
    // difference times 2^left_shift (exact: validated above), then a rounding doubling high mul.
    auto scaled_exp = [&](std::int32_t diff) {
      const std::int64_t shifted =
          static_cast<std::int64_t>(diff) * (std::int64_t{1} << p.input_left_shift);
      return ExpOnNegativeValues(SaturatingRoundingDoublingHighMul(
          static_cast<std::int32_t>(shifted), p.input_multiplier));
    };
    std::int32_t sum_of_exps = 0;  // Q12.19
    for (std::int64_t c = 0; c < row_size; ++c) {
      const std::int32_t diff = in[c] - max_in_row;
      if (diff >= p.diff_min) {
        sum_of_exps =
            WrapAdd(sum_of_exps, RoundingDivideByPOT(scaled_exp(diff), kAccumulationIntegerBits));
      }
    }
    // The row maximum has diff 0 >= diff_min and contributes 2^19, so sum_of_exps >= 2^19 > 0:
    // 1 <= headroom_plus_one <= 12.
    int headroom_plus_one = 0;
    while ((static_cast<std::uint32_t>(sum_of_exps) << headroom_plus_one & 0x80000000u) == 0) {
      ++headroom_plus_one;
    }
    const int num_bits_over_unit = kAccumulationIntegerBits - headroom_plus_one;
    // sum = 2^num_bits_over_unit * (1 + x) with x in [0, 1) in Q0.31.
    const std::int32_t shifted_sum_minus_one = static_cast<std::int32_t>(
        (static_cast<std::uint32_t>(sum_of_exps) << headroom_plus_one) - 0x80000000u);
    const std::int32_t shifted_scale = OneOverOnePlusX(shifted_sum_minus_one);
    // The output scale is 1/256: divide the Q0.31 probability by 2^(31 - 8) and by the
    // 2^num_bits_over_unit factored out of the sum.
    const int exponent = num_bits_over_unit + 31 - 8;
    for (std::int64_t c = 0; c < row_size; ++c) {
      const std::int32_t diff = in[c] - max_in_row;
      std::int32_t v = -128;
      if (diff >= p.diff_min) {
        const std::int32_t prob = FixedMul(shifted_scale, scaled_exp(diff));
        // prob >= 0; shifting by 32 or more (a sum of exps >= 2^28, many equal maxima) leaves
        // less than one half, which rounds to 0.
        const std::int32_t unsat = exponent > 31 ? 0 : RoundingDivideByPOT(prob, exponent);
        v = unsat - 128;
        if (v > 127) v = 127;
        if (v < -128) v = -128;
      }
      out[c] = static_cast<std::int8_t>(v);
    }
  }
  return Ok();
}

}  // namespace opcost::kernels
