// FullyConnectedInt8 on hand-computed cases and its rejection paths.
#include "opcost/kernels/fully_connected.h"

#include <gtest/gtest.h>

#include <limits>
#include <vector>

#include "kernels/kernel_test_util.h"

namespace opcost::kernels {
namespace {

using I8 = std::vector<std::int8_t>;

struct SmallFc {
  FullyConnectedParams p;
  FullyConnectedDims d;
  I8 input;   // 2 batches x 3
  I8 filter;  // 2 units x 3
  std::vector<std::int32_t> bias{100, -100};
  UnitRequant rq;
  I8 output = I8(4);
  SmallFc() {
    // Assigned here rather than brace-initialized: GCC 12 warns falsely (maybe-uninitialized)
    // about int8 initializer lists in member initializers.
    input = {1, 2, 3, 4, 5, 6};
    filter = {1, 0, -1, 2, 2, 2};
    d.batches = 2;
    d.accum_depth = 3;
    d.output_ch = 2;
  }
  Status Run() {
    return FullyConnectedInt8(p, d, AsSpan(input), AsSpan(filter), AsSpan(bias), rq.Get(),
                              AsSpan(output));
  }
};

TEST(FullyConnectedInt8, DotProductPerBatchRow) {
  SmallFc c;
  ASSERT_TRUE(c.Run().ok());
  // row 0: 1 - 3 + 100 = 98, 2 * 6 - 100 = -88; row 1: 4 - 6 + 100 = 98, 2 * 15 - 100 = -70
  EXPECT_EQ(c.output, (I8{98, -88, 98, -70}));
  EXPECT_EQ(FullyConnectedInt8ScratchBytes(c.d), 0);
}

TEST(FullyConnectedInt8, WeightAndInputOffsets) {
  SmallFc c;
  c.bias.clear();
  c.p.filter_offset = 1;  // weights {2, 1, 0, 3, 3, 3}
  c.p.input_offset = -1;  // inputs {0, 1, 2, 3, 4, 5}
  ASSERT_TRUE(c.Run().ok());
  EXPECT_EQ(c.output, (I8{1, 9, 10, 36}));
}

TEST(FullyConnectedInt8, RejectsBadParameters) {
  {
    SmallFc c;
    c.d.accum_depth = 0;
    ExpectStatus(c.Run(), StatusCode::kInvalidArgument, ErrorCode::kInvalidArgument,
                 "accum_depth must be in [1, 2^24] (got 0)");
  }
  {
    SmallFc c;
    c.p.filter_offset = -128;
    ExpectStatus(c.Run(), StatusCode::kInvalidArgument, ErrorCode::kInvalidArgument,
                 "filter_offset must be in [-127, 128] (got -128)");
  }
  {
    SmallFc c;
    c.input.pop_back();
    ExpectStatus(c.Run(), StatusCode::kBufferTooSmall, ErrorCode::kInvalidArgument,
                 "input buffer is smaller than batches*accum_depth (got 5, need 6)");
  }
  {
    SmallFc c;
    c.filter.resize(5);
    ExpectStatus(c.Run(), StatusCode::kBufferTooSmall, ErrorCode::kInvalidArgument,
                 "filter buffer is smaller than output_ch*accum_depth (got 5, need 6)");
  }
  {
    SmallFc c;
    c.bias.resize(1);
    ExpectStatus(c.Run(), StatusCode::kBufferTooSmall, ErrorCode::kInvalidArgument,
                 "bias buffer is smaller than output_ch (got 1, need 2)");
  }
  {
    SmallFc c;
    c.output.resize(3);
    ExpectStatus(c.Run(), StatusCode::kBufferTooSmall, ErrorCode::kInvalidArgument,
                 "output buffer is smaller than batches*output_ch (got 3, need 4)");
  }
  {
    SmallFc c;
    c.rq.shift = -32;
    ExpectStatus(c.Run(), StatusCode::kInvalidArgument, ErrorCode::kInvalidArgument,
                 "shift must be in [-31, 30] (got -32)");
  }
  {
    SmallFc c;
    c.filter = {1, 0, -1, -2, -2, -2};
    c.bias[1] = std::numeric_limits<std::int32_t>::min();  // -12 + INT32_MIN
    ExpectStatus(c.Run(), StatusCode::kOverflow, ErrorCode::kOverflow,
                 "accumulator exceeds int32 at output element (got 1)");
  }
}

}  // namespace
}  // namespace opcost::kernels
