// ClampInt8, ReluInt8, Relu6Int8: standalone int8 activations. In TFLite's int8 spec ReLU and
// ReLU6 keep the input's scale and zero point, so they are clamps in the quantized domain; fused
// activations of conv, fc, add and mul are the same clamp applied by those kernels.
//
//   // x quantized with scale 0.05, zero point -128: relu6 keeps [-128, -128 + round(6/0.05)]
//   Status s = Relu6Int8(/*zero_point=*/-128, /*six_q=*/-8, input, output);
//
// Layout: input and output hold the same number of elements (any shape); they may alias.
#ifndef OPCOST_KERNELS_ACTIVATION_H_
#define OPCOST_KERNELS_ACTIVATION_H_

#include <cstdint>

#include "opcost/kernels/kernel_types.h"

namespace opcost::kernels {

// out[i] = min(max(in[i], min_value), max_value). Fails with kInvalidArgument if min_value >
// max_value or either is outside [-128, 127], kShapeMismatch if the lengths differ.
Status ClampInt8(std::int32_t min_value, std::int32_t max_value, Span<const std::int8_t> input,
                 Span<std::int8_t> output);

// ReLU: clamp to [zero_point, 127], zero_point being the real value 0.
Status ReluInt8(std::int32_t zero_point, Span<const std::int8_t> input, Span<std::int8_t> output);

// ReLU6: clamp to [zero_point, six_q] where six_q = zero_point + round(6 / scale), capped at 127
// by the caller (TFLite's CalculateActivationRangeQuantized).
Status Relu6Int8(std::int32_t zero_point, std::int32_t six_q, Span<const std::int8_t> input,
                 Span<std::int8_t> output);

// Scratch bytes the activation kernels need: 0.
std::int64_t ClampInt8ScratchBytes(std::int64_t size);

}  // namespace opcost::kernels

#endif  // OPCOST_KERNELS_ACTIVATION_H_
