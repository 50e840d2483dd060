#include "opcost/kernels/depthwise_conv.h"

#include "kernels/kernel_util.h"
#include "kernels/validate.h"
#include "opcost/kernels/requantize.h"

namespace opcost::kernels {

using detail::CheckDim;
using detail::Ok;

Status ValidateDepthwiseConvInt8(const ConvParams& p, const DepthwiseConvDims& d) {
  OPCOST_RETURN_IF_ERROR(detail::CheckConvInputDims(d.batches, d.input_h, d.input_w, d.input_ch,
                                                    d.filter_h, d.filter_w));
  OPCOST_RETURN_IF_ERROR(CheckDim(d.depth_multiplier, "depth_multiplier must be in [1, 2^24]"));
  OPCOST_RETURN_IF_ERROR(CheckDim(d.output_h, "output_h must be in [1, 2^24]"));
  OPCOST_RETURN_IF_ERROR(CheckDim(d.output_w, "output_w must be in [1, 2^24]"));
  OPCOST_RETURN_IF_ERROR(CheckDim(d.output_ch(), "input_ch * depth_multiplier must be <= 2^24"));
  OPCOST_RETURN_IF_ERROR(detail::CheckConvParams(p));
  return detail::CheckConvWindow(p, d.input_h, d.input_w, d.filter_h, d.filter_w, d.output_h,
                                 d.output_w);
}

std::int64_t DepthwiseConvInt8ScratchBytes(const DepthwiseConvDims& /*dims*/) { return 0; }

Status DepthwiseConvInt8(const ConvParams& p, const DepthwiseConvDims& d,
                         Span<const std::int8_t> input, Span<const std::int8_t> filter,
                         Span<const std::int32_t> bias, const Requantization& requant,
                         Span<std::int8_t> output) {
  OPCOST_RETURN_IF_ERROR(ValidateDepthwiseConvInt8(p, d));
  const std::int64_t out_ch = d.output_ch();
  OPCOST_RETURN_IF_ERROR(ValidateRequantization(requant, out_ch));
  std::int64_t input_size = 0, filter_size = 0, output_size = 0;
  const std::int64_t in_dims[] = {d.batches, d.input_h, d.input_w, d.input_ch};
  const std::int64_t f_dims[] = {d.filter_h, d.filter_w, out_ch};
  const std::int64_t out_dims[] = {d.batches, d.output_h, d.output_w, out_ch};
  OPCOST_RETURN_IF_ERROR(detail::Product(in_dims, 4, "input size overflows int64", &input_size));
  OPCOST_RETURN_IF_ERROR(detail::Product(f_dims, 3, "filter size overflows int64", &filter_size));
  OPCOST_RETURN_IF_ERROR(detail::Product(out_dims, 4, "output size overflows int64", &output_size));
  OPCOST_RETURN_IF_ERROR(detail::CheckBuffer(
      input, input_size, "input buffer is smaller than batches*input_h*input_w*input_ch"));
  OPCOST_RETURN_IF_ERROR(detail::CheckBuffer(
      filter, filter_size,
      "filter buffer is smaller than filter_h*filter_w*input_ch*depth_multiplier"));
  OPCOST_RETURN_IF_ERROR(detail::CheckBuffer(
      output, output_size,
      "output buffer is smaller than batches*output_h*output_w*input_ch*depth_multiplier"));
  if (!bias.empty()) {
    OPCOST_RETURN_IF_ERROR(
        detail::CheckBuffer(bias, out_ch, "bias buffer is smaller than input_ch*depth_multiplier"));
  }

  return detail::ConvLoop(
      p, d.batches, d.input_h, d.input_w, d.input_ch, d.output_h, d.output_w, out_ch, input.data,
      bias, requant, output,
      [&](const std::int8_t* in_batch, std::int64_t in_y0, std::int64_t in_x0, std::int64_t oc) {
        const std::int64_t ic = oc / d.depth_multiplier;
        return detail::SumWindow(
            p, in_y0, in_x0, d.filter_h, d.filter_w, d.input_h, d.input_w,
            [&](std::int64_t ky, std::int64_t kx, std::int64_t iy, std::int64_t ix,
                std::int64_t acc) {
              const std::int32_t x = in_batch[(iy * d.input_w + ix) * d.input_ch + ic];
              const std::int32_t w = filter.data[(ky * d.filter_w + kx) * out_ch + oc];
              return acc + static_cast<std::int64_t>((w + p.filter_offset) * (x + p.input_offset));
            });
      });
}

}  // namespace opcost::kernels
