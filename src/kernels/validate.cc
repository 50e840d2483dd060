#include "kernels/validate.h"

namespace opcost::kernels::detail {

Status CheckWindowAxis(std::int64_t input, std::int64_t filter, std::int64_t stride,
                       std::int64_t dilation, std::int64_t pad, std::int64_t output,
                       const char* axis_message_pad, const char* axis_message_output) {
  // All operands are in [0, 2^24], so these products cannot overflow int64.
  const std::int64_t effective_filter = (filter - 1) * dilation + 1;
  if (pad >= effective_filter) {
    return Fail(StatusCode::kInvalidArgument, axis_message_pad, pad, effective_filter - 1);
  }
  // The trailing padding this output size implies when the last window ends exactly at the
  // padded edge; the real trailing padding may be up to stride - 1 larger.
  const std::int64_t trailing = (output - 1) * stride + effective_filter - input - pad;
  if (trailing < 1 - stride || trailing >= effective_filter) {
    return Fail(StatusCode::kShapeMismatch, axis_message_output, output);
  }
  return Ok();
}

}  // namespace opcost::kernels::detail
