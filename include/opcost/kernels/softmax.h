// SoftmaxInt8: softmax over the rows of an int8 tensor, TFLite's int8 softmax (fixed-point exp
// and reciprocal, output scale 1/256 and zero point -128).
//
//   SoftmaxParams p;  // from input scale s and beta: see docs/kernels.md
//   p.input_multiplier = 1881344896; p.input_left_shift = 24; p.diff_min = -124;
//   Status s = SoftmaxInt8(p, /*num_rows=*/1, /*row_size=*/12, input, output);
//
// Layout: input and output [num_rows][row_size]; each row is normalized independently.
#ifndef OPCOST_KERNELS_SOFTMAX_H_
#define OPCOST_KERNELS_SOFTMAX_H_

#include <cstdint>

#include "opcost/kernels/kernel_types.h"

namespace opcost::kernels {

struct SoftmaxParams {
  // input_multiplier * 2^input_left_shift / 2^31 = beta * input_scale * 2^26: the factor that
  // turns an input difference (x - row max) into a Q5.26 fixed-point value (TFLite's
  // PreprocessSoftmaxScaling with 5 integer bits).
  std::int32_t input_multiplier = 0;
  std::int32_t input_left_shift = 0;  // in [0, 31]
  // Differences below diff_min (<= 0) give exp = 0 and the output -128. TFLite uses
  // -floor(31 * 2^26 / 2^input_left_shift), the most negative difference Q5.26 can hold.
  std::int32_t diff_min = 0;
};

// Per row: d = x - max(row); for d >= diff_min, e = exp(d * scale) in Q0.31 by gemmlowp's
// fixed-point exp_on_negative_values; sum = sum of e / 2^12 (each rounded); the reciprocal of
// sum by Newton-Raphson (one_over_one_plus_x_for_x_in_0_1); out = clamp(round(e * recip /
// 2^(num_bits_over_unit + 23)) - 128, -128, 127); d < diff_min gives -128.
// Fails with kInvalidArgument (num_rows outside [1, 2^24], row_size outside [1, 4095],
// input_left_shift outside [0, 31], diff_min > 0, or max(diff_min, -255) * 2^input_left_shift
// below INT32_MIN) or kBufferTooSmall.
Status SoftmaxInt8(const SoftmaxParams& params, std::int64_t num_rows, std::int64_t row_size,
                   Span<const std::int8_t> input, Span<std::int8_t> output);

// Scratch bytes SoftmaxInt8 needs: 0.
std::int64_t SoftmaxInt8ScratchBytes(std::int64_t num_rows, std::int64_t row_size);

}  // namespace opcost::kernels

#endif  // OPCOST_KERNELS_SOFTMAX_H_
