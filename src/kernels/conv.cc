#include "opcost/kernels/conv.h"

#include "kernels/kernel_util.h"
#include "kernels/validate.h"
#include "opcost/kernels/requantize.h"

namespace opcost::kernels {

using detail::CheckDim;
using detail::Fail;
using detail::Ok;

Status ValidateConvInt8(const ConvParams& p, const ConvDims& d) {
  OPCOST_RETURN_IF_ERROR(detail::CheckConvInputDims(d.batches, d.input_h, d.input_w, d.input_ch,
                                                    d.filter_h, d.filter_w));
  OPCOST_RETURN_IF_ERROR(CheckDim(d.filter_ch, "filter_ch must be in [1, 2^24]"));
  OPCOST_RETURN_IF_ERROR(CheckDim(d.output_h, "output_h must be in [1, 2^24]"));
  OPCOST_RETURN_IF_ERROR(CheckDim(d.output_w, "output_w must be in [1, 2^24]"));
  OPCOST_RETURN_IF_ERROR(CheckDim(d.output_ch, "output_ch must be in [1, 2^24]"));
  OPCOST_RETURN_IF_ERROR(detail::CheckConvParams(p));
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
  return detail::CheckConvWindow(p, d.input_h, d.input_w, d.filter_h, d.filter_w, d.output_h,
                                 d.output_w);
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

  const std::int64_t filters_per_group = d.output_ch / (d.input_ch / d.filter_ch);
  const std::int64_t filter_row = d.filter_w * d.filter_ch;
  const std::int64_t filter_block = d.filter_h * filter_row;
  return detail::ConvLoop(
      p, d.batches, d.input_h, d.input_w, d.input_ch, d.output_h, d.output_w, d.output_ch,
      input.data, bias, requant, output,
      [&](const std::int8_t* in_batch, std::int64_t in_y0, std::int64_t in_x0, std::int64_t oc) {
        const std::int64_t in_c0 = (oc / filters_per_group) * d.filter_ch;
        const std::int8_t* f_oc = filter.data + oc * filter_block;
        return detail::SumWindow(
            p, in_y0, in_x0, d.filter_h, d.filter_w, d.input_h, d.input_w,
            [&](std::int64_t ky, std::int64_t kx, std::int64_t iy, std::int64_t ix,
                std::int64_t acc) {
              const std::int8_t* in_px = in_batch + (iy * d.input_w + ix) * d.input_ch + in_c0;
              const std::int8_t* f_px = f_oc + ky * filter_row + kx * d.filter_ch;
              // Each product fits int32 (|x| <= 255 * 255); the sum is kept in 64 bits so that
              // an out-of-range accumulator is reported instead of wrapping.
              for (std::int64_t c = 0; c < d.filter_ch; ++c) {
                acc += static_cast<std::int64_t>((f_px[c] + p.filter_offset) *
                                                 (in_px[c] + p.input_offset));
              }
              return acc;
            });
      });
}

}  // namespace opcost::kernels
