// FullyConnectedInt8: int8 matrix-vector product per batch row, TFLite's int8 fully connected
// with per-tensor or per-channel requantization and an optional weight zero point.
//
//   FullyConnectedDims d;  d.batches = 1; d.accum_depth = 64; d.output_ch = 12;
//   FullyConnectedParams p;  p.input_offset = 128; p.output_offset = 57;
//   Requantization rq{{&mult, 1}, {&shift, 1}};  // per tensor
//   Status s = FullyConnectedInt8(p, d, input, weights, bias, rq, output);
//
// Layouts (row-major, last index fastest):
//   input   [batches][accum_depth]     (any input flattened per batch row)
//   filter  [output_ch][accum_depth]
//   bias    [output_ch] int32, or an empty Span for no bias
//   output  [batches][output_ch]
#ifndef OPCOST_KERNELS_FULLY_CONNECTED_H_
#define OPCOST_KERNELS_FULLY_CONNECTED_H_

#include <cstdint>

#include "opcost/kernels/kernel_types.h"

namespace opcost::kernels {

struct FullyConnectedParams {
  std::int32_t input_offset = 0;   // -(input zero point), in [-127, 128]
  std::int32_t filter_offset = 0;  // -(weight zero point), in [-127, 128]
  std::int32_t output_offset = 0;  // output zero point, in [-128, 127]
  std::int32_t activation_min = -128;
  std::int32_t activation_max = 127;
};

struct FullyConnectedDims {
  std::int64_t batches = 1;
  std::int64_t accum_depth = 1;  // input features per row
  std::int64_t output_ch = 1;    // units
};

// out[b][o] = clamp(output_offset + MultiplyByQuantizedMultiplier(acc, m[o], s[o])) with
// acc = bias[o] + sum_k (filter[o][k] + filter_offset) * (input[b][k] + input_offset).
// The requantization has 1 entry (per tensor) or output_ch entries (per channel).
// Fails with kInvalidArgument, kShapeMismatch (requantization length), kBufferTooSmall or
// kOverflow (accumulator beyond int32), like ConvInt8.
Status FullyConnectedInt8(const FullyConnectedParams& params, const FullyConnectedDims& dims,
                          Span<const std::int8_t> input, Span<const std::int8_t> filter,
                          Span<const std::int32_t> bias, const Requantization& requant,
                          Span<std::int8_t> output);

// Scratch bytes FullyConnectedInt8 needs: 0.
std::int64_t FullyConnectedInt8ScratchBytes(const FullyConnectedDims& dims);

// Checks everything FullyConnectedInt8 checks except the buffers.
Status ValidateFullyConnectedInt8(const FullyConnectedParams& params,
                                  const FullyConnectedDims& dims);

}  // namespace opcost::kernels

#endif  // OPCOST_KERNELS_FULLY_CONNECTED_H_
