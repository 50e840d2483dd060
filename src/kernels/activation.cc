#include "opcost/kernels/activation.h"

#include "kernels/validate.h"

namespace opcost::kernels {

std::int64_t ClampInt8ScratchBytes(std::int64_t /*size*/) { return 0; }

Status ClampInt8(std::int32_t min_value, std::int32_t max_value, Span<const std::int8_t> input,
                 Span<std::int8_t> output) {
  OPCOST_RETURN_IF_ERROR(detail::CheckActivation(min_value, max_value));
  if (output.size != input.size) {
    return detail::Fail(StatusCode::kShapeMismatch,
                        "output must have as many elements as the input", output.size, input.size);
  }
  if (input.size > 0 && (input.data == nullptr || output.data == nullptr)) {
    return detail::Fail(StatusCode::kBufferTooSmall, "a non-empty buffer is null", 0, input.size);
  }
  for (std::int64_t i = 0; i < input.size; ++i) {
    std::int32_t v = input[i];
    if (v < min_value) v = min_value;
    if (v > max_value) v = max_value;
    output[i] = static_cast<std::int8_t>(v);
  }
  return detail::Ok();
}

Status ReluInt8(std::int32_t zero_point, Span<const std::int8_t> input, Span<std::int8_t> output) {
  return ClampInt8(zero_point, 127, input, output);
}

Status Relu6Int8(std::int32_t zero_point, std::int32_t six_q, Span<const std::int8_t> input,
                 Span<std::int8_t> output) {
  return ClampInt8(zero_point, six_q, input, output);
}

}  // namespace opcost::kernels
