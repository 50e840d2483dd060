#include "opcost/kernels/elementwise.h"

#include "kernels/validate.h"
#include "opcost/kernels/requantize.h"

namespace opcost::kernels {

using detail::CheckRange;
using detail::Fail;
using detail::Ok;

namespace {

Status CheckShift(std::int32_t shift, const char* message) {
  return CheckRange(shift, kMinShift, kMaxShift, message);
}

// The zero points of both inputs and the output, in this order.
Status CheckOffsets(std::int32_t input1_offset, std::int32_t input2_offset,
                    std::int32_t output_offset) {
  OPCOST_RETURN_IF_ERROR(
      detail::CheckInputOffset(input1_offset, "input1_offset must be in [-127, 128]"));
  OPCOST_RETURN_IF_ERROR(
      detail::CheckInputOffset(input2_offset, "input2_offset must be in [-127, 128]"));
  return detail::CheckOutputOffset(output_offset, "output_offset must be in [-128, 127]");
}

Status CheckSizes(Span<const std::int8_t> input1, Span<const std::int8_t> input2,
                  Span<std::int8_t> output) {
  if (input1.size != input2.size) {
    return Fail(StatusCode::kShapeMismatch, "input2 must have as many elements as input1",
                input2.size, input1.size);
  }
  if (output.size != input1.size) {
    return Fail(StatusCode::kShapeMismatch, "output must have as many elements as the inputs",
                output.size, input1.size);
  }
  if (input1.size > 0 &&
      (input1.data == nullptr || input2.data == nullptr || output.data == nullptr)) {
    return Fail(StatusCode::kBufferTooSmall, "a non-empty buffer is null", 0, input1.size);
  }
  return Ok();
}

}  // namespace

std::int64_t AddInt8ScratchBytes(std::int64_t /*size*/) { return 0; }
std::int64_t MulInt8ScratchBytes(std::int64_t /*size*/) { return 0; }

Status AddInt8(const AddParams& p, Span<const std::int8_t> input1, Span<const std::int8_t> input2,
               Span<std::int8_t> output) {
  OPCOST_RETURN_IF_ERROR(CheckOffsets(p.input1_offset, p.input2_offset, p.output_offset));
  // |a + offset| <= 255 < 2^8, so a left shift up to 23 stays inside int32.
  OPCOST_RETURN_IF_ERROR(CheckRange(p.left_shift, 0, 23, "left_shift must be in [0, 23]"));
  OPCOST_RETURN_IF_ERROR(CheckShift(p.input1_shift, "input1_shift must be in [-31, 30]"));
  OPCOST_RETURN_IF_ERROR(CheckShift(p.input2_shift, "input2_shift must be in [-31, 30]"));
  OPCOST_RETURN_IF_ERROR(CheckShift(p.output_shift, "output_shift must be in [-31, 30]"));
  OPCOST_RETURN_IF_ERROR(detail::CheckActivation(p.activation_min, p.activation_max));
  OPCOST_RETURN_IF_ERROR(CheckSizes(input1, input2, output));
  for (std::int64_t i = 0; i < input1.size; ++i) {
    const std::int32_t a = (input1[i] + p.input1_offset) * (std::int32_t{1} << p.left_shift);
    const std::int32_t b = (input2[i] + p.input2_offset) * (std::int32_t{1} << p.left_shift);
    const std::int32_t sa = MultiplyByQuantizedMultiplier(a, p.input1_multiplier, p.input1_shift);
    const std::int32_t sb = MultiplyByQuantizedMultiplier(b, p.input2_multiplier, p.input2_shift);
    // int32 wrap-around like the target; with input shifts <= 0 (TFLite's case) |sa|, |sb| <
    // 2^28 and the sum is exact.
    const std::int32_t sum =
        static_cast<std::int32_t>(static_cast<std::uint32_t>(sa) + static_cast<std::uint32_t>(sb));
    output[i] = RequantizeToInt8(sum, p.output_multiplier, p.output_shift, p.output_offset,
                                 p.activation_min, p.activation_max);
  }
  return Ok();
}

Status MulInt8(const MulParams& p, Span<const std::int8_t> input1, Span<const std::int8_t> input2,
               Span<std::int8_t> output) {
  OPCOST_RETURN_IF_ERROR(CheckOffsets(p.input1_offset, p.input2_offset, p.output_offset));
  OPCOST_RETURN_IF_ERROR(CheckShift(p.output_shift, "output_shift must be in [-31, 30]"));
  OPCOST_RETURN_IF_ERROR(detail::CheckActivation(p.activation_min, p.activation_max));
  OPCOST_RETURN_IF_ERROR(CheckSizes(input1, input2, output));
  for (std::int64_t i = 0; i < input1.size; ++i) {
    // |product| <= 255 * 255: exact in int32.
    const std::int32_t prod = (input1[i] + p.input1_offset) * (input2[i] + p.input2_offset);
    output[i] = RequantizeToInt8(prod, p.output_multiplier, p.output_shift, p.output_offset,
                                 p.activation_min, p.activation_max);
  }
  return Ok();
}

}  // namespace opcost::kernels
