#include "opcost/kernels/conv.h"

#include "kernels/validate.h"
#include "opcost/kernels/requantize.h"

namespace opcost::kernels {

using detail::CheckDim;
using detail::CheckRange;
using detail::Fail;
using detail::Ok;

Status ValidateConvInt8(const ConvParams& p, const ConvDims& d) {
  OPCOST_RETURN_IF_ERROR(CheckDim(d.batches, "batches must be in [1, 2^24]"));
  OPCOST_RETURN_IF_ERROR(CheckDim(d.input_h, "input_h must be in [1, 2^24]"));
  OPCOST_RETURN_IF_ERROR(CheckDim(d.input_w, "input_w must be in [1, 2^24]"));
  OPCOST_RETURN_IF_ERROR(CheckDim(d.input_ch, "input_ch must be in [1, 2^24]"));
  OPCOST_RETURN_IF_ERROR(CheckDim(d.filter_h, "filter_h must be in [1, 2^24]"));
  OPCOST_RETURN_IF_ERROR(CheckDim(d.filter_w, "filter_w must be in [1, 2^24]"));
  OPCOST_RETURN_IF_ERROR(CheckDim(d.filter_ch, "filter_ch must be in [1, 2^24]"));
  OPCOST_RETURN_IF_ERROR(CheckDim(d.output_h, "output_h must be in [1, 2^24]"));
  OPCOST_RETURN_IF_ERROR(CheckDim(d.output_w, "output_w must be in [1, 2^24]"));
  OPCOST_RETURN_IF_ERROR(CheckDim(d.output_ch, "output_ch must be in [1, 2^24]"));
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
  if (d.input_ch % d.filter_ch != 0) {
    return Fail(StatusCode::kShapeMismatch, "input_ch must be a multiple of filter_ch", d.input_ch,
                d.filter_ch);
  }
  const std::int64_t groups = d.input_ch / d.filter_ch;
  if (d.output_ch % groups != 0) {
    return Fail(StatusCode::kShapeMismatch,
                "output_ch must be a multiple of the groups (input_ch / filter_ch)", d.output_ch,
                groups);
  }
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

std::int64_t ConvInt8ScratchBytes(const ConvDims& /*dims*/) { return 0; }

Status ConvInt8(const ConvParams& p, const ConvDims& d, Span<const std::int8_t> input,
                Span<const std::int8_t> filter, Span<const std::int32_t> bias,
                const Requantization& requant, Span<std::int8_t> output) {
  OPCOST_RETURN_IF_ERROR(ValidateConvInt8(p, d));
  OPCOST_RETURN_IF_ERROR(ValidateRequantization(requant, d.output_ch));
  std::int64_t input_size = 0, filter_size = 0, output_size = 0;
  const std::int64_t in_dims[] = {d.batches, d.input_h, d.input_w, d.input_ch};
  const std::int64_t f_dims[] = {d.output_ch, d.filter_h, d.filter_w, d.filter_ch};
  const std::int64_t out_dims[] = {d.batches, d.output_h, d.output_w, d.output_ch};
  OPCOST_RETURN_IF_ERROR(detail::Product(in_dims, 4, "input size overflows int64", &input_size));
  OPCOST_RETURN_IF_ERROR(detail::Product(f_dims, 4, "filter size overflows int64", &filter_size));
  OPCOST_RETURN_IF_ERROR(detail::Product(out_dims, 4, "output size overflows int64", &output_size));
  OPCOST_RETURN_IF_ERROR(detail::CheckBuffer(
      input, input_size, "input buffer is smaller than batches*input_h*input_w*input_ch"));
  OPCOST_RETURN_IF_ERROR(detail::CheckBuffer(
      filter, filter_size, "filter buffer is smaller than output_ch*filter_h*filter_w*filter_ch"));
  OPCOST_RETURN_IF_ERROR(detail::CheckBuffer(
      output, output_size, "output buffer is smaller than batches*output_h*output_w*output_ch"));
  if (!bias.empty()) {
    OPCOST_RETURN_IF_ERROR(
        detail::CheckBuffer(bias, d.output_ch, "bias buffer is smaller than output_ch"));
  }

  const bool per_channel = requant.multipliers.size != 1;
  const std::int64_t filters_per_group = d.output_ch / (d.input_ch / d.filter_ch);
  const std::int64_t filter_row = d.filter_w * d.filter_ch;
  const std::int64_t filter_block = d.filter_h * filter_row;
  std::int8_t* out = output.data;
  for (std::int64_t b = 0; b < d.batches; ++b) {
    const std::int8_t* in_batch = input.data + b * d.input_h * d.input_w * d.input_ch;
    for (std::int64_t oy = 0; oy < d.output_h; ++oy) {
      const std::int64_t in_y0 = oy * p.stride_h - p.pad_h;
      for (std::int64_t ox = 0; ox < d.output_w; ++ox) {
        const std::int64_t in_x0 = ox * p.stride_w - p.pad_w;
        for (std::int64_t oc = 0; oc < d.output_ch; ++oc) {
          const std::int64_t in_c0 = (oc / filters_per_group) * d.filter_ch;
          const std::int8_t* f_oc = filter.data + oc * filter_block;
          std::int64_t acc = 0;
          for (std::int64_t ky = 0; ky < d.filter_h; ++ky) {
            const std::int64_t iy = in_y0 + ky * p.dilation_h;
            if (iy < 0 || iy >= d.input_h) continue;  // padding contributes nothing
            for (std::int64_t kx = 0; kx < d.filter_w; ++kx) {
              const std::int64_t ix = in_x0 + kx * p.dilation_w;
              if (ix < 0 || ix >= d.input_w) continue;
              const std::int8_t* in_px = in_batch + (iy * d.input_w + ix) * d.input_ch + in_c0;
              const std::int8_t* f_px = f_oc + ky * filter_row + kx * d.filter_ch;
              // Each product fits int32 (|x| <= 255 * 255); the sum is kept in 64 bits so that
              // an out-of-range accumulator is reported instead of wrapping.
              for (std::int64_t c = 0; c < d.filter_ch; ++c) {
                acc += static_cast<std::int64_t>((f_px[c] + p.filter_offset) *
                                                 (in_px[c] + p.input_offset));
              }
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
