// ClampInt8, ReluInt8, Relu6Int8.
#include "opcost/kernels/activation.h"

#include <gtest/gtest.h>

#include <vector>

#include "kernels/kernel_test_util.h"

namespace opcost::kernels {
namespace {

using I8 = std::vector<std::int8_t>;

TEST(ActivationInt8, ReluAndRelu6AreClampsAroundTheZeroPoint) {
  const I8 input{-128, -100, -20, 0, 127};
  I8 out(5);
  ASSERT_TRUE(ReluInt8(-20, AsSpan(input), AsSpan(out)).ok());
  EXPECT_EQ(out, (I8{-20, -20, -20, 0, 127}));
  ASSERT_TRUE(Relu6Int8(-20, 10, AsSpan(input), AsSpan(out)).ok());
  EXPECT_EQ(out, (I8{-20, -20, -20, 0, 10}));
  I8 in_place = input;  // input and output may alias
  ASSERT_TRUE(ClampInt8(-1, 1, AsSpan(in_place), AsSpan(in_place)).ok());
  EXPECT_EQ(in_place, (I8{-1, -1, -1, 0, 1}));
  EXPECT_EQ(ClampInt8ScratchBytes(5), 0);
}

TEST(ActivationInt8, RejectsBadParameters) {
  const I8 input(5);
  I8 out(4);
  ExpectStatus(ClampInt8(-128, 127, AsSpan(input), AsSpan(out)), StatusCode::kShapeMismatch,
               ErrorCode::kShapeMismatch, "as many elements as the input (got 4, need 5)");
  I8 out5(5);
  ExpectStatus(Relu6Int8(10, 5, AsSpan(input), AsSpan(out5)), StatusCode::kInvalidArgument,
               ErrorCode::kInvalidArgument, "activation_min must be <= activation_max");
  ExpectStatus(ReluInt8(128, AsSpan(input), AsSpan(out5)), StatusCode::kInvalidArgument,
               ErrorCode::kInvalidArgument, "activation_min must be in [-128, 127] (got 128)");
}

}  // namespace
}  // namespace opcost::kernels
