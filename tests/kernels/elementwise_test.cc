// AddInt8 and MulInt8 on hand-computed values and their rejection paths.
#include "opcost/kernels/elementwise.h"

#include <gtest/gtest.h>

#include <vector>

#include "kernels/kernel_test_util.h"

namespace opcost::kernels {
namespace {

using I8 = std::vector<std::int8_t>;

AddParams UnitAdd() {  // all scales equal: out = a + b
  AddParams p;
  p.input1_multiplier = p.input2_multiplier = p.output_multiplier = 1 << 30;
  p.input1_shift = p.input2_shift = p.output_shift = 1;
  return p;
}

TEST(AddInt8, SumsWithOffsetsAndClamps) {
  AddParams p = UnitAdd();
  const I8 a{1, 100, -100}, b{2, 100, -100};
  I8 out(3);
  ASSERT_TRUE(AddInt8(p, AsSpan(a), AsSpan(b), AsSpan(out)).ok());
  EXPECT_EQ(out, (I8{3, 127, -128}));
  p.input1_offset = 10;
  p.output_offset = -5;
  p.left_shift = 20;  // (x << 20) * 2^-20 keeps the value
  p.output_shift = 1 - 20;
  ASSERT_TRUE(AddInt8(p, AsSpan(a), AsSpan(b), AsSpan(out)).ok());
  EXPECT_EQ(out, (I8{1 + 10 + 2 - 5, 127, -128}));
  EXPECT_EQ(AddInt8ScratchBytes(3), 0);
}

TEST(MulInt8, MultipliesAndRequantizes) {
  MulParams p;
  p.output_multiplier = 1 << 30;  // x 0.5
  p.input1_offset = 1;
  const I8 a{9, -3}, b{6, 5};
  I8 out(2);
  ASSERT_TRUE(MulInt8(p, AsSpan(a), AsSpan(b), AsSpan(out)).ok());
  EXPECT_EQ(out, (I8{30, -5}));  // 10 * 6 / 2, -2 * 5 / 2
  EXPECT_EQ(MulInt8ScratchBytes(2), 0);
}

TEST(ElementwiseInt8, RejectsBadParameters) {
  const I8 a(3), b(2);
  I8 out(3);
  ExpectStatus(AddInt8(UnitAdd(), AsSpan(a), AsSpan(b), AsSpan(out)), StatusCode::kShapeMismatch,
               ErrorCode::kShapeMismatch,
               "input2 must have as many elements as input1 (got 2, need 3)");
  I8 out2(2);
  ExpectStatus(MulInt8(MulParams{}, AsSpan(a), AsSpan(a), AsSpan(out2)), StatusCode::kShapeMismatch,
               ErrorCode::kShapeMismatch, "output must have as many elements as the inputs");
  AddParams p = UnitAdd();
  p.left_shift = 24;
  ExpectStatus(AddInt8(p, AsSpan(a), AsSpan(a), AsSpan(out)), StatusCode::kInvalidArgument,
               ErrorCode::kInvalidArgument, "left_shift must be in [0, 23] (got 24)");
  p = UnitAdd();
  p.input2_shift = 31;
  ExpectStatus(AddInt8(p, AsSpan(a), AsSpan(a), AsSpan(out)), StatusCode::kInvalidArgument,
               ErrorCode::kInvalidArgument, "input2_shift must be in [-31, 30] (got 31)");
  MulParams m;
  m.output_offset = 128;
  ExpectStatus(MulInt8(m, AsSpan(a), AsSpan(a), AsSpan(out)), StatusCode::kInvalidArgument,
               ErrorCode::kInvalidArgument, "output_offset must be in [-128, 127] (got 128)");
}

}  // namespace
}  // namespace opcost::kernels
