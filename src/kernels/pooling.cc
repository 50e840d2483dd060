#include "opcost/kernels/pooling.h"

#include "kernels/validate.h"

namespace opcost::kernels {

using detail::CheckDim;
using detail::CheckRange;
using detail::Ok;

namespace {

// Runs `reduce(window_begin..., count)` for every output element after validating once.
// Reduce gets the first input element of the window's channel and the clipped window bounds.
template <typename Reduce>
Status Pool(const PoolParams& p, const PoolDims& d, Span<const std::int8_t> input,
            Span<std::int8_t> output, Reduce reduce) {
  OPCOST_RETURN_IF_ERROR(ValidatePoolInt8(p, d));
  std::int64_t input_size = 0, output_size = 0;
  const std::int64_t in_dims[] = {d.batches, d.input_h, d.input_w, d.channels};
  const std::int64_t out_dims[] = {d.batches, d.output_h, d.output_w, d.channels};
  OPCOST_RETURN_IF_ERROR(detail::Product(in_dims, 4, "input size overflows int64", &input_size));
  OPCOST_RETURN_IF_ERROR(detail::Product(out_dims, 4, "output size overflows int64", &output_size));
  OPCOST_RETURN_IF_ERROR(detail::CheckBuffer(
      input, input_size, "input buffer is smaller than batches*input_h*input_w*channels"));
  OPCOST_RETURN_IF_ERROR(detail::CheckBuffer(
      output, output_size, "output buffer is smaller than batches*output_h*output_w*channels"));
  std::int8_t* out = output.data;
  for (std::int64_t b = 0; b < d.batches; ++b) {
    const std::int8_t* in_batch = input.data + b * d.input_h * d.input_w * d.channels;
    for (std::int64_t oy = 0; oy < d.output_h; ++oy) {
      const std::int64_t y0 = oy * p.stride_h - p.pad_h;
      const std::int64_t y_begin = y0 < 0 ? 0 : y0;
      const std::int64_t y_end = y0 + d.filter_h < d.input_h ? y0 + d.filter_h : d.input_h;
      for (std::int64_t ox = 0; ox < d.output_w; ++ox) {
        const std::int64_t x0 = ox * p.stride_w - p.pad_w;
        const std::int64_t x_begin = x0 < 0 ? 0 : x0;
        const std::int64_t x_end = x0 + d.filter_w < d.input_w ? x0 + d.filter_w : d.input_w;
        // Validation guarantees a non-empty window: y_begin < y_end and x_begin < x_end.
        for (std::int64_t c = 0; c < d.channels; ++c) {
          std::int32_t v = reduce(in_batch + c, d.input_w * d.channels, d.channels, y_begin, y_end,
                                  x_begin, x_end);
          if (v < p.activation_min) v = p.activation_min;
          if (v > p.activation_max) v = p.activation_max;
          *out++ = static_cast<std::int8_t>(v);
        }
      }
    }
  }
  return Ok();
}

}  // namespace

Status ValidatePoolInt8(const PoolParams& p, const PoolDims& d) {
  OPCOST_RETURN_IF_ERROR(CheckDim(d.batches, "batches must be in [1, 2^24]"));
  OPCOST_RETURN_IF_ERROR(CheckDim(d.input_h, "input_h must be in [1, 2^24]"));
  OPCOST_RETURN_IF_ERROR(CheckDim(d.input_w, "input_w must be in [1, 2^24]"));
  OPCOST_RETURN_IF_ERROR(CheckDim(d.channels, "channels must be in [1, 2^24]"));
  OPCOST_RETURN_IF_ERROR(CheckDim(d.filter_h, "filter_h must be in [1, 2^24]"));
  OPCOST_RETURN_IF_ERROR(CheckDim(d.filter_w, "filter_w must be in [1, 2^24]"));
  OPCOST_RETURN_IF_ERROR(CheckDim(d.output_h, "output_h must be in [1, 2^24]"));
  OPCOST_RETURN_IF_ERROR(CheckDim(d.output_w, "output_w must be in [1, 2^24]"));
  OPCOST_RETURN_IF_ERROR(CheckRange(p.stride_h, 1, detail::kMaxDim, "stride_h must be >= 1"));
  OPCOST_RETURN_IF_ERROR(CheckRange(p.stride_w, 1, detail::kMaxDim, "stride_w must be >= 1"));
  OPCOST_RETURN_IF_ERROR(CheckRange(p.pad_h, 0, detail::kMaxDim, "pad_h must be >= 0"));
  OPCOST_RETURN_IF_ERROR(CheckRange(p.pad_w, 0, detail::kMaxDim, "pad_w must be >= 0"));
  OPCOST_RETURN_IF_ERROR(detail::CheckActivation(p.activation_min, p.activation_max));
  // A window of at most 2^24 elements keeps the average's sum within 2^31 in magnitude, the
  // range the target's int32 sum has.
  if (d.filter_h * d.filter_w > detail::kMaxDim) {
    return detail::Fail(StatusCode::kInvalidArgument, "filter_h*filter_w must be <= 2^24",
                        d.filter_h * d.filter_w);
  }
  OPCOST_RETURN_IF_ERROR(detail::CheckWindowAxis(
      d.input_h, d.filter_h, p.stride_h, 1, p.pad_h, d.output_h,
      "pad_h must be smaller than filter_h",
      "output_h is not reachable from input_h, filter_h, stride_h and pad_h"));
  OPCOST_RETURN_IF_ERROR(detail::CheckWindowAxis(
      d.input_w, d.filter_w, p.stride_w, 1, p.pad_w, d.output_w,
      "pad_w must be smaller than filter_w",
      "output_w is not reachable from input_w, filter_w, stride_w and pad_w"));
  return Ok();
}

std::int64_t MaxPoolInt8ScratchBytes(const PoolDims& /*dims*/) { return 0; }
std::int64_t AvgPoolInt8ScratchBytes(const PoolDims& /*dims*/) { return 0; }

Status MaxPoolInt8(const PoolParams& params, const PoolDims& dims, Span<const std::int8_t> input,
                   Span<std::int8_t> output) {
  return Pool(
      params, dims, input, output,
      [](const std::int8_t* in, std::int64_t row_stride, std::int64_t px_stride,
         std::int64_t y_begin, std::int64_t y_end, std::int64_t x_begin, std::int64_t x_end) {
        std::int32_t m = -128;
        for (std::int64_t y = y_begin; y < y_end; ++y) {
          for (std::int64_t x = x_begin; x < x_end; ++x) {
            const std::int32_t v = in[y * row_stride + x * px_stride];
            if (v > m) m = v;
          }
        }
        return m;
      });
}

Status AvgPoolInt8(const PoolParams& params, const PoolDims& dims, Span<const std::int8_t> input,
                   Span<std::int8_t> output) {
  return Pool(
      params, dims, input, output,
      [](const std::int8_t* in, std::int64_t row_stride, std::int64_t px_stride,
         std::int64_t y_begin, std::int64_t y_end, std::int64_t x_begin, std::int64_t x_end) {
        // |sum| <= 128 * 2^24 = 2^31: kept in 64 bits to be exact at the bound.
        std::int64_t sum = 0;
        for (std::int64_t y = y_begin; y < y_end; ++y) {
          for (std::int64_t x = x_begin; x < x_end; ++x) {
            sum += in[y * row_stride + x * px_stride];
          }
        }
        const std::int64_t n = (y_end - y_begin) * (x_end - x_begin);
        const std::int64_t avg = sum > 0 ? (sum + n / 2) / n : (sum - n / 2) / n;
        return static_cast<std::int32_t>(avg);
      });
}

}  // namespace opcost::kernels
