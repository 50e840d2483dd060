// AddInt8 and MulInt8: elementwise add and multiply of two int8 tensors with different
// quantization, TFLite's int8 ADD and MUL (and CMSIS-NN's arm_elementwise_add_s8/mul_s8).
//
//   AddParams p;  p.input1_offset = 128; p.input2_offset = 128; p.left_shift = 20;
//   p.input1_multiplier = p.input2_multiplier = 1073741824; p.output_multiplier = 1073741824;
//   p.output_shift = -19; p.output_offset = -128;
//   Status s = AddInt8(p, a, b, out);   // a, b, out: same number of elements
//
// Layout: the three buffers hold the same number of elements in the same order (any shape);
// broadcasting is not done here.
#ifndef OPCOST_KERNELS_ELEMENTWISE_H_
#define OPCOST_KERNELS_ELEMENTWISE_H_

#include <cstdint>

#include "opcost/kernels/kernel_types.h"

namespace opcost::kernels {

struct AddParams {
  std::int32_t input1_offset = 0, input2_offset = 0;  // -(zero point), in [-127, 128]
  std::int32_t left_shift = 0;  // applied to both inputs first, in [0, 23] (TFLite uses 20)
  std::int32_t input1_multiplier = 0, input1_shift = 0;  // shift in [-31, 30]
  std::int32_t input2_multiplier = 0, input2_shift = 0;
  std::int32_t output_multiplier = 0, output_shift = 0;
  std::int32_t output_offset = 0;  // zero point, in [-128, 127]
  std::int32_t activation_min = -128, activation_max = 127;
};

// out = clamp(output_offset + MBQM(MBQM((a + off1) * 2^left_shift, m1, s1) +
//                                  MBQM((b + off2) * 2^left_shift, m2, s2), mo, so))
// where MBQM is MultiplyByQuantizedMultiplier and the middle sum is int32 (wraps as on the
// target). Fails with kInvalidArgument (offsets, shifts, activation range) or kShapeMismatch
// (the buffers' lengths differ).
Status AddInt8(const AddParams& params, Span<const std::int8_t> input1,
               Span<const std::int8_t> input2, Span<std::int8_t> output);

struct MulParams {
  std::int32_t input1_offset = 0, input2_offset = 0;     // -(zero point), in [-127, 128]
  std::int32_t output_multiplier = 0, output_shift = 0;  // shift in [-31, 30]
  std::int32_t output_offset = 0;                        // zero point, in [-128, 127]
  std::int32_t activation_min = -128, activation_max = 127;
};

// out = clamp(output_offset + MBQM((a + off1) * (b + off2), mo, so)). Fails like AddInt8.
Status MulInt8(const MulParams& params, Span<const std::int8_t> input1,
               Span<const std::int8_t> input2, Span<std::int8_t> output);

// Scratch bytes the elementwise kernels need: 0.
std::int64_t AddInt8ScratchBytes(std::int64_t size);
std::int64_t MulInt8ScratchBytes(std::int64_t size);

}  // namespace opcost::kernels

#endif  // OPCOST_KERNELS_ELEMENTWISE_H_
