// ConvInt8: 2-D convolution of int8 tensors (standard, grouped, dilated, strided, 1x1), TFLite's
// int8 conv with per-channel (or per-tensor) requantization.
//
//   ConvDims d;  // DS-CNN's first layer: 49x10x1 input, 64 filters of 10x4, stride 2
//   d.input_h = 49; d.input_w = 10; d.filter_h = 10; d.filter_w = 4;
//   d.output_h = 25; d.output_w = 5; d.output_ch = 64;
//   ConvParams p;  p.input_offset = 100; p.output_offset = -128; p.stride_h = p.stride_w = 2;
//   p.pad_h = 4; p.pad_w = 1;
//   Status s = ConvInt8(p, d, input, weights, bias, {mults, shifts}, output);
//
// Layouts (row-major, last index fastest):
//   input   [batches][input_h][input_w][input_ch]             (NHWC)
//   filter  [output_ch][filter_h][filter_w][filter_ch]        (OHWI)
//   bias    [output_ch] int32, or an empty Span for no bias
//   output  [batches][output_h][output_w][output_ch]          (NHWC)
// Groups: groups = input_ch / filter_ch; output channel oc belongs to group
// oc / (output_ch / groups) and reads input channels [group * filter_ch, (group + 1) * filter_ch).
#ifndef OPCOST_KERNELS_CONV_H_
#define OPCOST_KERNELS_CONV_H_

#include <cstdint>

#include "opcost/kernels/kernel_types.h"

namespace opcost::kernels {

// Quantization and window parameters shared by ConvInt8 and DepthwiseConvInt8.
struct ConvParams {
  std::int32_t input_offset = 0;   // -(input zero point), in [-127, 128]
  std::int32_t filter_offset = 0;  // -(filter zero point), in [-127, 128]; 0 in TFLite int8
  std::int32_t output_offset = 0;  // output zero point, in [-128, 127]
  std::int32_t stride_h = 1, stride_w = 1;      // >= 1
  std::int32_t dilation_h = 1, dilation_w = 1;  // >= 1
  std::int32_t pad_h = 0, pad_w = 0;            // leading (top, left) padding in pixels, >= 0
  std::int32_t activation_min = -128;  // clamp after adding output_offset (fused ReLU/ReLU6)
  std::int32_t activation_max = 127;
};

struct ConvDims {
  std::int64_t batches = 1;
  std::int64_t input_h = 1, input_w = 1, input_ch = 1;
  std::int64_t filter_h = 1, filter_w = 1;
  std::int64_t filter_ch = 1;  // input channels each filter sees: input_ch / groups
  std::int64_t output_h = 1, output_w = 1, output_ch = 1;
};

// out[b][y][x][oc] = clamp(output_offset + MultiplyByQuantizedMultiplier(acc, m[oc], s[oc]))
// with acc = bias[oc] + sum over the window of (filter + filter_offset) * (input + input_offset);
// window taps outside the input (padding) contribute nothing. The sum is exact (64-bit) and must
// fit int32, as on the target.
// Fails with kInvalidArgument (dims outside [1, 2^24], stride/dilation < 1, negative padding,
// offsets or activation range outside int8), kShapeMismatch (input_ch not a multiple of
// filter_ch, output_ch not a multiple of the groups, output size not reachable from input,
// filter, stride, dilation and padding, requantization length not 1 or output_ch),
// kBufferTooSmall (a Span shorter than its layout) or kOverflow (an accumulator beyond int32;
// the output is then partially written).
Status ConvInt8(const ConvParams& params, const ConvDims& dims, Span<const std::int8_t> input,
                Span<const std::int8_t> filter, Span<const std::int32_t> bias,
                const Requantization& requant, Span<std::int8_t> output);

// Scratch bytes ConvInt8 needs: 0, it computes every output directly from input and filter
// (CMSIS-NN's optimized kernels need an im2col buffer instead; this reference does not).
std::int64_t ConvInt8ScratchBytes(const ConvDims& dims);

// Checks everything ConvInt8 checks except the buffers; used by callers that validate once.
Status ValidateConvInt8(const ConvParams& params, const ConvDims& dims);

}  // namespace opcost::kernels

#endif  // OPCOST_KERNELS_CONV_H_
