// ConvInt8 and DepthwiseConvInt8 on hand-computed cases (padding, groups, depth multiplier,
// offsets) and every rejection path. The bit-exact goldens are in test_vectors_test.cc.
#include "opcost/kernels/conv.h"

#include <gtest/gtest.h>

#include <limits>
#include <vector>

#include "kernels/kernel_test_util.h"
#include "opcost/kernels/depthwise_conv.h"

namespace opcost::kernels {
namespace {

using I8 = std::vector<std::int8_t>;

// A 2x2 input, 2x2 all-ones filter, bias 10, requantization x1.0.
struct SmallConv {
  ConvParams p;
  ConvDims d;
  I8 input{1, 2, 3, 4};
  I8 filter{1, 1, 1, 1};
  std::vector<std::int32_t> bias{10};
  UnitRequant rq;
  I8 output = I8(1);
  SmallConv() {
    d.input_h = d.input_w = 2;
    d.filter_h = d.filter_w = 2;
  }
  Status Run() {
    return ConvInt8(p, d, AsSpan(input), AsSpan(filter), AsSpan(bias), rq.Get(), AsSpan(output));
  }
};

TEST(ConvInt8, SumsWindowPlusBias) {
  SmallConv c;
  ASSERT_TRUE(c.Run().ok());
  EXPECT_EQ(c.output[0], 1 + 2 + 3 + 4 + 10);
  EXPECT_EQ(ConvInt8ScratchBytes(c.d), 0);
}

TEST(ConvInt8, PaddingContributesNothingEvenWithInputOffset) {
  SmallConv c;
  c.p.pad_h = c.p.pad_w = 1;
  c.p.input_offset = 5;
  c.d.output_h = c.d.output_w = 3;
  c.output.assign(9, 0);
  ASSERT_TRUE(c.Run().ok());
  // Top-left output sees only input[0][0]: (1 + 5) + 10. Centre sees all four.
  EXPECT_EQ(c.output[0], 16);
  EXPECT_EQ(c.output[4], (1 + 2 + 3 + 4) + 4 * 5 + 10);
  EXPECT_EQ(c.output[8], (4 + 5) + 10);
}

TEST(ConvInt8, OffsetsClampAndNoBias) {
  SmallConv c;
  c.bias.clear();
  c.p.filter_offset = 1;    // weights become 2
  c.p.output_offset = 100;  // 2 * 10 + 100 = 120
  ASSERT_TRUE(c.Run().ok());
  EXPECT_EQ(c.output[0], 120);
  c.p.activation_max = 50;
  ASSERT_TRUE(c.Run().ok());
  EXPECT_EQ(c.output[0], 50);
}

TEST(ConvInt8, GroupsReadOnlyTheirChannels) {
  // 1x1 conv, input 1x1x2 = {3, 7}, two groups of one channel: oc0 = 2 * 3, oc1 = 5 * 7.
  ConvParams p;
  ConvDims d;
  d.input_ch = 2;
  d.filter_ch = 1;
  d.output_ch = 2;
  const I8 input{3, 7}, filter{2, 5};
  I8 output(2);
  UnitRequant rq;
  ASSERT_TRUE(ConvInt8(p, d, AsSpan(input), AsSpan(filter), {}, rq.Get(), AsSpan(output)).ok());
  EXPECT_EQ(output, (I8{6, 35}));
}

TEST(ConvInt8, PerChannelRequantization) {
  ConvParams p;
  ConvDims d;
  d.output_ch = 2;
  const I8 input{40}, filter{1, 1};
  const std::vector<std::int32_t> mults{1 << 30, 1 << 30}, shifts{1, 0};  // x1, x0.5
  I8 output(2);
  ASSERT_TRUE(ConvInt8(p, d, AsSpan(input), AsSpan(filter), {},
                       Requantization{AsSpan(mults), AsSpan(shifts)}, AsSpan(output))
                  .ok());
  EXPECT_EQ(output, (I8{40, 20}));
}

TEST(ConvInt8, RejectsBadParameters) {
  const ErrorCode kArg = ErrorCode::kInvalidArgument;
  {
    SmallConv c;
    c.p.stride_h = 0;
    ExpectStatus(c.Run(), StatusCode::kInvalidArgument, kArg, "stride_h must be >= 1 (got 0)");
  }
  {
    SmallConv c;
    c.p.dilation_w = 0;
    ExpectStatus(c.Run(), StatusCode::kInvalidArgument, kArg, "dilation_w must be >= 1");
  }
  {
    SmallConv c;
    c.p.pad_w = -1;
    ExpectStatus(c.Run(), StatusCode::kInvalidArgument, kArg, "pad_w must be >= 0 (got -1)");
  }
  {
    SmallConv c;
    c.d.input_h = 0;
    ExpectStatus(c.Run(), StatusCode::kInvalidArgument, kArg, "input_h must be in [1, 2^24]");
  }
  {
    SmallConv c;
    c.p.input_offset = 300;
    ExpectStatus(c.Run(), StatusCode::kInvalidArgument, kArg, "input_offset must be in");
  }
  {
    SmallConv c;
    c.p.activation_min = 10;
    c.p.activation_max = 5;
    ExpectStatus(c.Run(), StatusCode::kInvalidArgument, kArg,
                 "activation_min must be <= activation_max (got 10, need 5)");
  }
  {
    SmallConv c;
    c.d.input_ch = 3;
    c.d.filter_ch = 2;
    ExpectStatus(c.Run(), StatusCode::kShapeMismatch, ErrorCode::kShapeMismatch,
                 "input_ch must be a multiple of filter_ch (got 3, need 2)");
  }
  {
    SmallConv c;
    c.d.input_ch = 2;
    c.d.filter_ch = 1;
    c.d.output_ch = 3;
    ExpectStatus(c.Run(), StatusCode::kShapeMismatch, ErrorCode::kShapeMismatch,
                 "output_ch must be a multiple of the groups");
  }
  {
    SmallConv c;
    c.d.output_h = 3;  // a 2x2 filter on 2 rows gives 1 row, or 2 with a trailing pad of 1
    ExpectStatus(c.Run(), StatusCode::kShapeMismatch, ErrorCode::kShapeMismatch,
                 "output_h is not reachable");
  }
  {
    SmallConv c;
    c.p.pad_h = 2;
    c.d.output_h = 3;
    ExpectStatus(c.Run(), StatusCode::kInvalidArgument, kArg,
                 "pad_h must be smaller than the effective filter height (got 2, need 1)");
  }
}

TEST(ConvInt8, RejectsShortBuffers) {
  const ErrorCode kArg = ErrorCode::kInvalidArgument;
  {
    SmallConv c;
    c.input.pop_back();
    ExpectStatus(c.Run(), StatusCode::kBufferTooSmall, kArg,
                 "input buffer is smaller than batches*input_h*input_w*input_ch (got 3, need 4)");
  }
  {
    SmallConv c;
    c.filter.pop_back();
    ExpectStatus(c.Run(), StatusCode::kBufferTooSmall, kArg, "filter buffer is smaller");
  }
  {
    SmallConv c;
    c.output.clear();
    ExpectStatus(c.Run(), StatusCode::kBufferTooSmall, kArg, "output buffer is smaller");
  }
  {
    SmallConv c;
    c.d.output_ch = 2;
    c.filter.resize(8, 1);
    c.output.resize(2);
    ExpectStatus(c.Run(), StatusCode::kBufferTooSmall, kArg,
                 "bias buffer is smaller than output_ch (got 1, need 2)");
  }
  {
    SmallConv c;
    const std::vector<std::int32_t> two{1, 1};
    const Status s = ConvInt8(c.p, c.d, AsSpan(c.input), AsSpan(c.filter), AsSpan(c.bias),
                              Requantization{AsSpan(two), AsSpan(two)}, AsSpan(c.output));
    ExpectStatus(s, StatusCode::kShapeMismatch, ErrorCode::kShapeMismatch,
                 "1 multiplier or one per output channel (got 2, need 1)");
  }
}

TEST(ConvInt8, ReportsAccumulatorOverflow) {
  SmallConv c;
  c.bias[0] = std::numeric_limits<std::int32_t>::max();
  ExpectStatus(c.Run(), StatusCode::kOverflow, ErrorCode::kOverflow,
               "accumulator exceeds int32 at output element (got 0)");
}

// Depthwise: 1x2x1x2 input {1, 2 | 3, 4}, 1x2 filter, depth multiplier 2 -> 4 output channels.
struct SmallDepthwise {
  ConvParams p;
  DepthwiseConvDims d;
  I8 input{1, 2, 3, 4};
  // filter[0][kx][oc], oc = ic * 2 + m
  I8 filter{1, 2, 3, 4, 5, 6, 7, 8};
  UnitRequant rq;
  I8 output = I8(4);
  SmallDepthwise() {
    d.input_w = 2;
    d.input_ch = 2;
    d.filter_w = 2;
    d.depth_multiplier = 2;
  }
  Status Run() {
    return DepthwiseConvInt8(p, d, AsSpan(input), AsSpan(filter), {}, rq.Get(), AsSpan(output));
  }
};

TEST(DepthwiseConvInt8, DepthMultiplierMapsOutputToInputChannel) {
  SmallDepthwise c;
  ASSERT_TRUE(c.Run().ok());
  // oc0 (ic0): 1*1 + 3*5; oc1 (ic0): 1*2 + 3*6; oc2 (ic1): 2*3 + 4*7; oc3 (ic1): 2*4 + 4*8.
  EXPECT_EQ(c.output, (I8{16, 20, 34, 40}));
  EXPECT_EQ(DepthwiseConvInt8ScratchBytes(c.d), 0);
}

TEST(DepthwiseConvInt8, DilationSkipsInputPixels) {
  // 1x3x1 input {1, 10, 100}, 1x2 filter {1, 1} with dilation 2: 1 + 100.
  ConvParams p;
  p.dilation_w = 2;
  DepthwiseConvDims d;
  d.input_w = 3;
  d.filter_w = 2;
  const I8 input{1, 10, 100}, filter{1, 1};
  I8 output(1);
  UnitRequant rq;
  ASSERT_TRUE(
      DepthwiseConvInt8(p, d, AsSpan(input), AsSpan(filter), {}, rq.Get(), AsSpan(output)).ok());
  EXPECT_EQ(output[0], 101);
}

TEST(DepthwiseConvInt8, RejectsBadParameters) {
  {
    SmallDepthwise c;
    c.p.stride_w = 0;
    ExpectStatus(c.Run(), StatusCode::kInvalidArgument, ErrorCode::kInvalidArgument,
                 "stride_w must be >= 1 (got 0)");
  }
  {
    SmallDepthwise c;
    c.d.depth_multiplier = 0;
    ExpectStatus(c.Run(), StatusCode::kInvalidArgument, ErrorCode::kInvalidArgument,
                 "depth_multiplier must be in [1, 2^24]");
  }
  {
    SmallDepthwise c;
    c.filter.pop_back();
    ExpectStatus(c.Run(), StatusCode::kBufferTooSmall, ErrorCode::kInvalidArgument,
                 "filter buffer is smaller than filter_h*filter_w*input_ch*depth_multiplier");
  }
  {
    SmallDepthwise c;
    c.d.output_w = 3;
    ExpectStatus(c.Run(), StatusCode::kShapeMismatch, ErrorCode::kShapeMismatch,
                 "output_w is not reachable");
  }
  {
    SmallDepthwise c;
    c.output.resize(3);
    ExpectStatus(c.Run(), StatusCode::kBufferTooSmall, ErrorCode::kInvalidArgument,
                 "output buffer is smaller than "
                 "batches*output_h*output_w*input_ch*depth_multiplier (got 3, need 4)");
  }
}

}  // namespace
}  // namespace opcost::kernels
