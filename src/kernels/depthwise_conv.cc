#include "opcost/kernels/depthwise_conv.h"

#include "kernels/validate.h"
#include "opcost/kernels/requantize.h"

namespace opcost::kernels {

using detail::CheckDim;
using detail::CheckRange;
using detail::Fail;
using detail::Ok;

Status ValidateDepthwiseConvInt8(const ConvParams& p, const DepthwiseConvDims& d) {
  OPCOST_RETURN_IF_ERROR(CheckDim(d.batches, "batches must be in [1, 2^24]"));
  OPCOST_RETURN_IF_ERROR(CheckDim(d.input_h, "input_h must be in [1, 2^24]"));
  OPCOST_RETURN_IF_ERROR(CheckDim(d.input_w, "input_w must be in [1, 2^24]"));
  OPCOST_RETURN_IF_ERROR(CheckDim(d.input_ch, "input_ch must be in [1, 2^24]"));
  OPCOST_RETURN_IF_ERROR(CheckDim(d.filter_h, "filter_h must be in [1, 2^24]"));
  OPCOST_RETURN_IF_ERROR(CheckDim(d.filter_w, "filter_w must be in [1, 2^24]"));
  OPCOST_RETURN_IF_ERROR(CheckDim(d.depth_multiplier, "depth_multiplier must be in [1, 2^24]"));
  OPCOST_RETURN_IF_ERROR(CheckDim(d.output_h, "output_h must be in [1, 2^24]"));
  OPCOST_RETURN_IF_ERROR(CheckDim(d.output_w, "output_w must be in [1, 2^24]"));
  OPCOST_RETURN_IF_ERROR(CheckDim(d.output_ch(), "input_ch * depth_multiplier must be <= 2^24"));
  OPCOST_RETURN_IF_ERROR(CheckRange(p.stride_h, 1, detail::kMaxDim, "stride_h must be >= 1"));
  OPCOST_RETURN_IF_ERROR(CheckRange(p.stride_w, 1, detail::kMaxDim, "stride_w must be >= 1"));
  OPCOST_RETURN_IF_ERROR(CheckRange(p.dilation_h, 1, detail::kMaxDim, "dilation_h must be >= 1"));
  OPCOST_RETURN_IF_ERROR(CheckRange(p.dilation_w, 1, detail::kMaxDim, "dilation_w must be >= 1"));
  OPCOST_RETURN_IF_ERROR(CheckRange(p.pad_h, 0, detail::kMaxDim, "pad_h must be >= 0"));
  OPCOST_RETURN_IF_ERROR(CheckRange(p.pad_w, 0, detail::kMaxDim, "pad_w must be >= 0"));
  OPCOST_RETURN_IF_ERROR(
      detail::CheckInputOffset(p.input_offset, "input_offset must be in [-127, 128]"));
  OPCOST_RETURN_IF_ERROR(
      detail::CheckInputOffset(p.filter_offset, "filter_offset must be in [-127, 128]"));
  OPCOST_RETURN_IF_ERROR(
      detail::CheckOutputOffset(p.output_offset, "output_offset must be in [-128, 127]"));
  OPCOST_RETURN_IF_ERROR(detail::CheckActivation(p.activation_min, p.activation_max));
  OPCOST_RETURN_IF_ERROR(detail::CheckWindowAxis(
      d.input_h, d.filter_h, p.stride_h, p.dilation_h, p.pad_h, d.output_h,
      "pad_h must be smaller than the effective filter height",
      "output_h is not reachable from input_h, filter_h, stride_h, dilation_h and pad_h"));
  OPCOST_RETURN_IF_ERROR(detail::CheckWindowAxis(
      d.input_w, d.filter_w, p.stride_w, p.dilation_w, p.pad_w, d.output_w,
      "pad_w must be smaller than the effective filter width",
      "output_w is not reachable from input_w, filter_w, stride_w, dilation_w and pad_w"));
  return Ok();
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

  const bool per_channel = requant.multipliers.size != 1;
  std::int8_t* out = output.data;
  for (std::int64_t b = 0; b < d.batches; ++b) {
    const std::int8_t* in_batch = input.data + b * d.input_h * d.input_w * d.input_ch;
    for (std::int64_t oy = 0; oy < d.output_h; ++oy) {
      const std::int64_t in_y0 = oy * p.stride_h - p.pad_h;
      for (std::int64_t ox = 0; ox < d.output_w; ++ox) {
        const std::int64_t in_x0 = ox * p.stride_w - p.pad_w;
        for (std::int64_t oc = 0; oc < out_ch; ++oc) {
          const std::int64_t ic = oc / d.depth_multiplier;
          std::int64_t acc = 0;
          for (std::int64_t ky = 0; ky < d.filter_h; ++ky) {
            const std::int64_t iy = in_y0 + ky * p.dilation_h;
            if (iy < 0 || iy >= d.input_h) continue;  // padding contributes nothing
            for (std::int64_t kx = 0; kx < d.filter_w; ++kx) {
              const std::int64_t ix = in_x0 + kx * p.dilation_w;
              if (ix < 0 || ix >= d.input_w) continue;
              const std::int32_t x = in_batch[(iy * d.input_w + ix) * d.input_ch + ic];
              const std::int32_t w = filter.data[(ky * d.filter_w + kx) * out_ch + oc];
              acc += static_cast<std::int64_t>((w + p.filter_offset) * (x + p.input_offset));
            }
          }
          if (!bias.empty()) acc += bias[oc];
          if (acc < INT32_MIN || acc > INT32_MAX) {
            return Fail(StatusCode::kOverflow, "accumulator exceeds int32 at output element",
                        out - output.data);
          }
          const std::int64_t q = per_channel ? oc : 0;
          *out++ = RequantizeToInt8(static_cast<std::int32_t>(acc), requant.multipliers[q],
                                    requant.shifts[q], p.output_offset, p.activation_min,
                                    p.activation_max);
        }
      }
    }
  }
  return Ok();
}

}  // namespace opcost::kernels
