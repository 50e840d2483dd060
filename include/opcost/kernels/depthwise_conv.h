// DepthwiseConvInt8: depthwise 2-D convolution of int8 tensors with a depth multiplier and
// dilation, TFLite's int8 depthwise conv with per-channel (or per-tensor) requantization.
//
//   DepthwiseConvDims d;  // DS-CNN S: 25x5x64, 3x3 filters, padding 1
//   d.input_h = 25; d.input_w = 5; d.input_ch = 64; d.filter_h = d.filter_w = 3;
//   d.output_h = 25; d.output_w = 5;
//   ConvParams p;  p.input_offset = 128; p.output_offset = -128; p.pad_h = p.pad_w = 1;
//   Status s = DepthwiseConvInt8(p, d, input, weights, bias, {mults, shifts}, output);
//
// Layouts (row-major, last index fastest):
//   input   [batches][input_h][input_w][input_ch]                      (NHWC)
//   filter  [1][filter_h][filter_w][input_ch * depth_multiplier]       (1HWO, as TFLite)
//   bias    [input_ch * depth_multiplier] int32, or an empty Span for no bias
//   output  [batches][output_h][output_w][input_ch * depth_multiplier] (NHWC)
// Output channel oc = ic * depth_multiplier + m reads only input channel ic.
#ifndef OPCOST_KERNELS_DEPTHWISE_CONV_H_
#define OPCOST_KERNELS_DEPTHWISE_CONV_H_

#include <cstdint>

#include "opcost/kernels/conv.h"
#include "opcost/kernels/kernel_types.h"

namespace opcost::kernels {

struct DepthwiseConvDims {
  std::int64_t batches = 1;
  std::int64_t input_h = 1, input_w = 1, input_ch = 1;
  std::int64_t filter_h = 1, filter_w = 1;
  std::int64_t depth_multiplier = 1;  // output channels per input channel
  std::int64_t output_h = 1, output_w = 1;
  std::int64_t output_ch() const { return input_ch * depth_multiplier; }
};

// out[b][y][x][oc] = clamp(output_offset + MultiplyByQuantizedMultiplier(acc, m[oc], s[oc]))
// with acc = bias[oc] + sum over the window of (filter[ky][kx][oc] + filter_offset) *
// (input[iy][ix][oc / depth_multiplier] + input_offset); padding taps contribute nothing.
// Fails like ConvInt8: kInvalidArgument, kShapeMismatch (output size, requantization length),
// kBufferTooSmall, kOverflow.
Status DepthwiseConvInt8(const ConvParams& params, const DepthwiseConvDims& dims,
                         Span<const std::int8_t> input, Span<const std::int8_t> filter,
                         Span<const std::int32_t> bias, const Requantization& requant,
                         Span<std::int8_t> output);

// Scratch bytes DepthwiseConvInt8 needs: 0 (direct computation, no buffer).
std::int64_t DepthwiseConvInt8ScratchBytes(const DepthwiseConvDims& dims);

// Checks everything DepthwiseConvInt8 checks except the buffers.
Status ValidateDepthwiseConvInt8(const ConvParams& params, const DepthwiseConvDims& dims);

}  // namespace opcost::kernels

#endif  // OPCOST_KERNELS_DEPTHWISE_CONV_H_
