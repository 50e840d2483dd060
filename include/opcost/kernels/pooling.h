// MaxPoolInt8 and AvgPoolInt8: 2-D pooling of int8 NHWC tensors, TFLite's int8 pooling. Pooling
// does not requantize: the output has the input's scale and zero point.
//
//   PoolDims d;  // DS-CNN S: global average over 25x5x64
//   d.input_h = 25; d.input_w = 5; d.channels = 64; d.filter_h = 25; d.filter_w = 5;
//   PoolParams p;  // stride 1, no padding, no clamp
//   Status s = AvgPoolInt8(p, d, input, output);   // output: 64 values
//
// Layouts: input [batches][input_h][input_w][channels], output
// [batches][output_h][output_w][channels] (NHWC). Padded positions are skipped: max pooling takes
// the maximum of the window's input elements, average pooling divides their sum by their count.
#ifndef OPCOST_KERNELS_POOLING_H_
#define OPCOST_KERNELS_POOLING_H_

#include <cstdint>

#include "opcost/kernels/kernel_types.h"

namespace opcost::kernels {

struct PoolParams {
  std::int32_t stride_h = 1, stride_w = 1;  // >= 1
  std::int32_t pad_h = 0, pad_w = 0;        // leading padding, >= 0 and < the filter size
  std::int32_t activation_min = -128;       // clamp of the result (fused ReLU/ReLU6)
  std::int32_t activation_max = 127;
};

struct PoolDims {
  std::int64_t batches = 1;
  std::int64_t input_h = 1, input_w = 1, channels = 1;
  std::int64_t filter_h = 1, filter_w = 1;
  std::int64_t output_h = 1, output_w = 1;
};

// out = clamp(max of the window's input elements).
// Fails with kInvalidArgument (dims, stride < 1, padding, activation range), kShapeMismatch
// (output size not reachable from input, filter, stride and padding) or kBufferTooSmall.
Status MaxPoolInt8(const PoolParams& params, const PoolDims& dims, Span<const std::int8_t> input,
                   Span<std::int8_t> output);

// out = clamp(round(sum / count)) over the window's n input elements, rounding half away from
// zero: (sum + n/2) / n for sum > 0, (sum - n/2) / n otherwise, with C++'s truncating division.
// Fails like MaxPoolInt8.
Status AvgPoolInt8(const PoolParams& params, const PoolDims& dims, Span<const std::int8_t> input,
                   Span<std::int8_t> output);

// Scratch bytes the pooling kernels need: 0.
std::int64_t MaxPoolInt8ScratchBytes(const PoolDims& dims);
std::int64_t AvgPoolInt8ScratchBytes(const PoolDims& dims);

// Checks everything the pooling kernels check except the buffers.
Status ValidatePoolInt8(const PoolParams& params, const PoolDims& dims);

}  // namespace opcost::kernels

#endif  // OPCOST_KERNELS_POOLING_H_
