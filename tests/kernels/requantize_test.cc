// The fixed-point helpers against hand-computed values: every rounding rule of docs/kernels.md.
#include "opcost/kernels/requantize.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "kernels/kernel_test_util.h"

namespace opcost::kernels {
namespace {

constexpr std::int32_t kMin = std::numeric_limits<std::int32_t>::min();
constexpr std::int32_t kMax = std::numeric_limits<std::int32_t>::max();

TEST(Requantize, DoublingHighMulIsProductOverTwoPow31) {
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(1 << 30, 1 << 30), 1 << 29);  // 0.5 * 0.5
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(-(1 << 30), 1 << 30), -(1 << 29));
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(1000, kMax), 1000);  // 1000 * (1 - 2^-31)
}

TEST(Requantize, DoublingHighMulRoundsHalfUp) {
  // The nudge 1 - 2^30 for negative products plus truncating division rounds ties toward
  // +infinity, not away from zero.
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(1, 1 << 30), 1);    // 0.5 -> 1
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(-1, 1 << 30), 0);   // -0.5 -> 0
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(-3, 1 << 30), -1);  // -1.5 -> -1
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(-3, 1 << 29), -1);  // -0.75 -> -1
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(3, 1 << 29), 1);    // 0.75 -> 1
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(1, 1 << 29), 0);    // 0.25 -> 0
}

TEST(Requantize, DoublingHighMulSaturatesOnlyMinTimesMin) {
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(kMin, kMin), kMax);
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(kMin, kMax), -kMax);
}

TEST(Requantize, RoundingDivideByPotRoundsHalfAwayFromZero) {
  EXPECT_EQ(RoundingDivideByPOT(5, 1), 3);    // 2.5
  EXPECT_EQ(RoundingDivideByPOT(-5, 1), -3);  // -2.5
  EXPECT_EQ(RoundingDivideByPOT(6, 2), 2);    // 1.5
  EXPECT_EQ(RoundingDivideByPOT(-6, 2), -2);  // -1.5
  EXPECT_EQ(RoundingDivideByPOT(5, 2), 1);    // 1.25
  EXPECT_EQ(RoundingDivideByPOT(-5, 2), -1);  // -1.25
  EXPECT_EQ(RoundingDivideByPOT(7, 2), 2);    // 1.75
  EXPECT_EQ(RoundingDivideByPOT(123, 0), 123);
  EXPECT_EQ(RoundingDivideByPOT(kMax, 31), 1);
  EXPECT_EQ(RoundingDivideByPOT(kMin, 31), -1);
}

TEST(Requantize, MultiplyByQuantizedMultiplierScales) {
  EXPECT_EQ(MultiplyByQuantizedMultiplier(100, 1 << 30, 0), 50);   // x 0.5
  EXPECT_EQ(MultiplyByQuantizedMultiplier(100, 1 << 30, -1), 25);  // x 0.25
  EXPECT_EQ(MultiplyByQuantizedMultiplier(3, 1 << 30, 2), 6);      // x 2
  EXPECT_EQ(MultiplyByQuantizedMultiplier(-100, 1 << 30, 1), -100);
  std::int32_t m = 0;
  int shift = 0;
  ASSERT_TRUE(QuantizeMultiplier(0.0037, &m, &shift).ok());
  EXPECT_EQ(MultiplyByQuantizedMultiplier(12345, m, shift), 46);  // 45.68 -> 46
}

TEST(Requantize, MultiplyByQuantizedMultiplierRoundsTwice) {
  // 1 * 0.25 = 0.25 would round to 0 once; TFLite rounds 1 * 0.5 = 0.5 -> 1 first, then
  // 1 / 2 = 0.5 -> 1.
  EXPECT_EQ(MultiplyByQuantizedMultiplier(1, 1 << 30, -1), 1);
  // -3 * 0.25 = -0.75 would round to -1 once; -1.5 -> -1 (half up), then -0.5 -> -1 (away).
  EXPECT_EQ(MultiplyByQuantizedMultiplier(-3, 1 << 30, -1), -1);
  // 5 * 0.25 = 1.25 rounds to 1 once; 2.5 -> 3, then 1.5 -> 2.
  EXPECT_EQ(MultiplyByQuantizedMultiplier(5, 1 << 30, -1), 2);
}

TEST(Requantize, PositiveShiftWrapsLikeInt32) {
  // 2^30 * 2^2 = 2^32 wraps to 0 in the target's int32 arithmetic.
  EXPECT_EQ(MultiplyByQuantizedMultiplier(1 << 30, 1 << 30, 2), 0);
}

TEST(Requantize, QuantizeMultiplierSplitsIntoQ31AndShift) {
  std::int32_t m = -1;
  int shift = -99;
  ASSERT_TRUE(QuantizeMultiplier(0.5, &m, &shift).ok());
  EXPECT_EQ(m, 1 << 30);
  EXPECT_EQ(shift, 0);
  ASSERT_TRUE(QuantizeMultiplier(1.0, &m, &shift).ok());
  EXPECT_EQ(m, 1 << 30);
  EXPECT_EQ(shift, 1);
  ASSERT_TRUE(QuantizeMultiplier(0.75 / 16, &m, &shift).ok());
  EXPECT_EQ(m, 3 << 29);
  EXPECT_EQ(shift, -4);
  ASSERT_TRUE(QuantizeMultiplier(0.0037, &m, &shift).ok());
  EXPECT_EQ(m, 2034096511);  // round(0.9472 * 2^31), checked with Python's math.frexp
  EXPECT_EQ(shift, -8);
}

TEST(Requantize, QuantizeMultiplierCarriesRoundUpIntoShift) {
  std::int32_t m = 0;
  int shift = 0;
  // q = 1 - 2^-32: q * 2^31 = 2^31 - 0.5 rounds to 2^31, which is halved and the shift raised.
  ASSERT_TRUE(QuantizeMultiplier(1.0 - std::ldexp(1.0, -32), &m, &shift).ok());
  EXPECT_EQ(m, 1 << 30);
  EXPECT_EQ(shift, 1);
}

TEST(Requantize, QuantizeMultiplierFlushesTinyAndZeroToZero) {
  std::int32_t m = 5;
  int shift = 5;
  ASSERT_TRUE(QuantizeMultiplier(0.0, &m, &shift).ok());
  EXPECT_EQ(m, 0);
  EXPECT_EQ(shift, 0);
  m = 5;
  ASSERT_TRUE(QuantizeMultiplier(std::ldexp(1.0, -40), &m, &shift).ok());
  EXPECT_EQ(m, 0);
  EXPECT_EQ(shift, 0);
}

TEST(Requantize, QuantizeMultiplierRejectsNegativeNanInfAndHuge) {
  std::int32_t m = 0;
  int shift = 0;
  for (double bad : {-0.5, std::nan(""), std::numeric_limits<double>::infinity()}) {
    ExpectStatus(QuantizeMultiplier(bad, &m, &shift), StatusCode::kInvalidArgument,
                 ErrorCode::kInvalidArgument, "must be finite and >= 0");
  }
  ExpectStatus(QuantizeMultiplier(std::ldexp(1.0, 31), &m, &shift), StatusCode::kInvalidArgument,
               ErrorCode::kInvalidArgument, "needs a shift > 30 (got 32, need 30)");
}

TEST(Requantize, ValidateRequantizationChecksLengthsAndShifts) {
  const std::int32_t mults[2] = {1 << 30, 1 << 30};
  const std::int32_t shifts[2] = {0, 31};
  EXPECT_TRUE(ValidateRequantization({{mults, 1}, {shifts, 1}}, 7).ok());
  ExpectStatus(ValidateRequantization({{mults, 2}, {shifts, 1}}, 2), StatusCode::kShapeMismatch,
               ErrorCode::kShapeMismatch, "differ in length");
  ExpectStatus(ValidateRequantization({{mults, 2}, {shifts, 2}}, 3), StatusCode::kShapeMismatch,
               ErrorCode::kShapeMismatch, "one per output channel (got 2, need 3)");
  ExpectStatus(ValidateRequantization({{mults, 2}, {shifts, 2}}, 2), StatusCode::kInvalidArgument,
               ErrorCode::kInvalidArgument, "shift must be in [-31, 30] (got 31)");
  ExpectStatus(ValidateRequantization({}, 2), StatusCode::kShapeMismatch, ErrorCode::kShapeMismatch,
               "one per output channel");
}

TEST(Requantize, RequantizeToInt8AddsOffsetThenClamps) {
  EXPECT_EQ(RequantizeToInt8(100, 1 << 30, 0, -128, -128, 127), -78);  // 50 - 128
  EXPECT_EQ(RequantizeToInt8(1000, 1 << 30, 1, 0, -128, 127), 127);
  EXPECT_EQ(RequantizeToInt8(-1000, 1 << 30, 1, 0, -20, 127), -20);
  EXPECT_EQ(RequantizeToInt8(kMax, kMax, 0, 127, -128, 127), 127);  // no int32 overflow
}

}  // namespace
}  // namespace opcost::kernels
