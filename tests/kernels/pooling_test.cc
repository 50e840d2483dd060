// MaxPoolInt8 and AvgPoolInt8: padding skipped, average rounding, rejection paths.
#include "opcost/kernels/pooling.h"

#include <gtest/gtest.h>

#include <vector>

#include "kernels/kernel_test_util.h"

namespace opcost::kernels {
namespace {

using I8 = std::vector<std::int8_t>;

PoolDims Row(std::int64_t input_w, std::int64_t filter_w, std::int64_t output_w) {
  PoolDims d;
  d.input_w = input_w;
  d.filter_w = filter_w;
  d.output_w = output_w;
  return d;
}

TEST(AvgPoolInt8, RoundsHalfAwayFromZero) {
  PoolParams p;
  p.stride_w = 2;
  const I8 input{1, 2, -1, -2, 1, 1, 2, 2};  // windows: 1.5, -1.5, 1, 2
  I8 output(4);
  ASSERT_TRUE(AvgPoolInt8(p, Row(8, 2, 4), AsSpan(input), AsSpan(output)).ok());
  EXPECT_EQ(output, (I8{2, -2, 1, 2}));
  const I8 thirds{1, 1, 0, -1, -1, 0};  // 2/3 -> 1, -2/3 -> -1
  I8 out2(2);
  p.stride_w = 3;
  ASSERT_TRUE(AvgPoolInt8(p, Row(6, 3, 2), AsSpan(thirds), AsSpan(out2)).ok());
  EXPECT_EQ(out2, (I8{1, -1}));
}

TEST(AvgPoolInt8, DividesByNonPaddedCount) {
  PoolParams p;
  p.pad_w = 1;
  const I8 input{10, 20, 31};
  I8 output(3);
  // windows: [pad, 10, 20] -> 15, [10, 20, 31] -> 20.33 -> 20, [20, 31, pad] -> 25.5 -> 26
  ASSERT_TRUE(AvgPoolInt8(p, Row(3, 3, 3), AsSpan(input), AsSpan(output)).ok());
  EXPECT_EQ(output, (I8{15, 20, 26}));
  EXPECT_EQ(AvgPoolInt8ScratchBytes(Row(3, 3, 3)), 0);
}

TEST(MaxPoolInt8, SkipsPaddingAndClamps) {
  PoolParams p;
  p.pad_w = 1;
  const I8 input{-100, -120, -128};
  I8 output(3);
  ASSERT_TRUE(MaxPoolInt8(p, Row(3, 3, 3), AsSpan(input), AsSpan(output)).ok());
  EXPECT_EQ(output, (I8{-100, -100, -120}));  // padding is not a zero that wins
  p.activation_min = -110;
  ASSERT_TRUE(MaxPoolInt8(p, Row(3, 3, 3), AsSpan(input), AsSpan(output)).ok());
  EXPECT_EQ(output, (I8{-100, -100, -110}));
  EXPECT_EQ(MaxPoolInt8ScratchBytes(Row(3, 3, 3)), 0);
}

TEST(MaxPoolInt8, ChannelsAndRowsAreIndependent) {
  // 2x2x2 input, 2x2 window: per-channel maxima.
  PoolParams p;
  PoolDims d;
  d.input_h = d.input_w = 2;
  d.channels = 2;
  d.filter_h = d.filter_w = 2;
  const I8 input{1, -5, 7, -6, 3, -7, 2, -8};
  I8 output(2);
  ASSERT_TRUE(MaxPoolInt8(p, d, AsSpan(input), AsSpan(output)).ok());
  EXPECT_EQ(output, (I8{7, -5}));
}

TEST(PoolInt8, RejectsBadParameters) {
  const I8 input(4);
  I8 output(2);
  {
    PoolParams p;
    p.stride_w = 0;
    ExpectStatus(MaxPoolInt8(p, Row(4, 2, 2), AsSpan(input), AsSpan(output)),
                 StatusCode::kInvalidArgument, ErrorCode::kInvalidArgument,
                 "stride_w must be >= 1 (got 0)");
  }
  {
    PoolParams p;
    p.stride_w = 2;
    p.pad_w = 2;
    ExpectStatus(AvgPoolInt8(p, Row(4, 2, 2), AsSpan(input), AsSpan(output)),
                 StatusCode::kInvalidArgument, ErrorCode::kInvalidArgument,
                 "pad_w must be smaller than filter_w (got 2, need 1)");
  }
  {
    PoolParams p;
    p.stride_w = 2;
    ExpectStatus(AvgPoolInt8(p, Row(4, 2, 4), AsSpan(input), AsSpan(output)),
                 StatusCode::kShapeMismatch, ErrorCode::kShapeMismatch,
                 "output_w is not reachable from input_w, filter_w, stride_w and pad_w (got 4)");
  }
  {
    PoolParams p;
    p.stride_w = 2;
    ExpectStatus(AvgPoolInt8(p, Row(5, 2, 2), AsSpan(input), AsSpan(output)),
                 StatusCode::kBufferTooSmall, ErrorCode::kInvalidArgument,
                 "input buffer is smaller than batches*input_h*input_w*channels (got 4, need 5)");
  }
  {
    PoolParams p;
    ExpectStatus(
        MaxPoolInt8(p, Row(4, 2, 3), AsSpan(input), AsSpan(output)), StatusCode::kBufferTooSmall,
        ErrorCode::kInvalidArgument,
        "output buffer is smaller than batches*output_h*output_w*channels (got 2, need 3)");
  }
  {
    PoolParams p;
    p.activation_max = 200;
    ExpectStatus(MaxPoolInt8(p, Row(4, 2, 3), AsSpan(input), AsSpan(output)),
                 StatusCode::kInvalidArgument, ErrorCode::kInvalidArgument,
                 "activation_max must be in [-128, 127] (got 200)");
  }
}

}  // namespace
}  // namespace opcost::kernels
