// SoftmaxInt8: exact values derivable by hand, and rejection paths. The general case is pinned
// by the softmax vector and the last layer of both DS-CNN vectors.
#include "opcost/kernels/softmax.h"

#include <gtest/gtest.h>

#include <vector>

#include "kernels/kernel_test_util.h"

namespace opcost::kernels {
namespace {

using I8 = std::vector<std::int8_t>;

SoftmaxParams DsCnnSParams() {  // layer 13 of ds_cnn_s
  SoftmaxParams p;
  p.input_multiplier = 1881344896;
  p.input_left_shift = 24;
  p.diff_min = -124;
  return p;
}

TEST(SoftmaxInt8, EqualInputsShareProbabilityEvenly) {
  // Four equal inputs: exp = 1 each, probability 1/4 = 64/256 -> 64 - 128.
  const I8 input{5, 5, 5, 5};
  I8 output(4);
  ASSERT_TRUE(SoftmaxInt8(DsCnnSParams(), 1, 4, AsSpan(input), AsSpan(output)).ok());
  EXPECT_EQ(output, (I8{-64, -64, -64, -64}));
  EXPECT_EQ(SoftmaxInt8ScratchBytes(1, 4), 0);
}

TEST(SoftmaxInt8, SingleElementRowSaturatesAt127) {
  // Probability 1 = 256/256 -> 128, clamped to 127.
  const I8 input{-3};
  I8 output(1);
  ASSERT_TRUE(SoftmaxInt8(DsCnnSParams(), 1, 1, AsSpan(input), AsSpan(output)).ok());
  EXPECT_EQ(output[0], 127);
}

TEST(SoftmaxInt8, DifferencesBelowDiffMinGiveMinus128) {
  // diff = -200 < -124: exp taken as 0; the maximum alone holds probability 1.
  const I8 input{100, -100, 100, -100};
  I8 output(4);
  ASSERT_TRUE(SoftmaxInt8(DsCnnSParams(), 2, 2, AsSpan(input), AsSpan(output)).ok());
  EXPECT_EQ(output, (I8{127, -128, 127, -128}));
}

TEST(SoftmaxInt8, RowsAreIndependent) {
  const I8 input{0, 0, 9, 9, 9, 9};
  I8 output(6);
  ASSERT_TRUE(SoftmaxInt8(DsCnnSParams(), 3, 2, AsSpan(input), AsSpan(output)).ok());
  EXPECT_EQ(output, (I8{0, 0, 0, 0, 0, 0}));  // 1/2 = 128/256 -> 0
}

TEST(SoftmaxInt8, RejectsBadParameters) {
  const I8 input(4);
  I8 output(4);
  {
    SoftmaxParams p = DsCnnSParams();
    p.input_left_shift = 32;
    ExpectStatus(SoftmaxInt8(p, 1, 4, AsSpan(input), AsSpan(output)), StatusCode::kInvalidArgument,
                 ErrorCode::kInvalidArgument, "input_left_shift must be in [0, 31] (got 32)");
  }
  {
    SoftmaxParams p = DsCnnSParams();
    p.diff_min = 1;
    ExpectStatus(SoftmaxInt8(p, 1, 4, AsSpan(input), AsSpan(output)), StatusCode::kInvalidArgument,
                 ErrorCode::kInvalidArgument, "diff_min must be <= 0 (got 1)");
  }
  {
    SoftmaxParams p = DsCnnSParams();
    p.diff_min = -200;  // -200 * 2^24 < INT32_MIN
    ExpectStatus(SoftmaxInt8(p, 1, 4, AsSpan(input), AsSpan(output)), StatusCode::kInvalidArgument,
                 ErrorCode::kInvalidArgument, "diff_min * 2^input_left_shift must be >= INT32_MIN");
  }
  ExpectStatus(SoftmaxInt8(DsCnnSParams(), 1, 4096, AsSpan(input), AsSpan(output)),
               StatusCode::kInvalidArgument, ErrorCode::kInvalidArgument,
               "row_size must be in [1, 4095] (got 4096)");
  ExpectStatus(SoftmaxInt8(DsCnnSParams(), 0, 4, AsSpan(input), AsSpan(output)),
               StatusCode::kInvalidArgument, ErrorCode::kInvalidArgument,
               "num_rows must be in [1, 2^24] (got 0)");
  ExpectStatus(SoftmaxInt8(DsCnnSParams(), 1, 5, AsSpan(input), AsSpan(output)),
               StatusCode::kBufferTooSmall, ErrorCode::kInvalidArgument,
               "input buffer is smaller than num_rows*row_size (got 4, need 5)");
}

}  // namespace
}  // namespace opcost::kernels
