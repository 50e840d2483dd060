#include "opcost/kernels/fully_connected.h"

#include "kernels/kernel_util.h"
#include "kernels/validate.h"
#include "opcost/kernels/requantize.h"

namespace opcost::kernels {

using detail::CheckDim;
using detail::Ok;

Status ValidateFullyConnectedInt8(const FullyConnectedParams& p, const FullyConnectedDims& d) {
  OPCOST_RETURN_IF_ERROR(CheckDim(d.batches, "batches must be in [1, 2^24]"));
  OPCOST_RETURN_IF_ERROR(CheckDim(d.accum_depth, "accum_depth must be in [1, 2^24]"));
  OPCOST_RETURN_IF_ERROR(CheckDim(d.output_ch, "output_ch must be in [1, 2^24]"));
  return detail::CheckMacQuantization(p.input_offset, p.filter_offset, p.output_offset,
                                      p.activation_min, p.activation_max);
}

std::int64_t FullyConnectedInt8ScratchBytes(const FullyConnectedDims& /*dims*/) { return 0; }

Status FullyConnectedInt8(const FullyConnectedParams& p, const FullyConnectedDims& d,
                          Span<const std::int8_t> input, Span<const std::int8_t> filter,
                          Span<const std::int32_t> bias, const Requantization& requant,
                          Span<std::int8_t> output) {
  OPCOST_RETURN_IF_ERROR(ValidateFullyConnectedInt8(p, d));
  OPCOST_RETURN_IF_ERROR(ValidateRequantization(requant, d.output_ch));
  // Each pair of dims is <= 2^48, so these products cannot overflow.
  OPCOST_RETURN_IF_ERROR(detail::CheckBuffer(input, d.batches * d.accum_depth,
                                             "input buffer is smaller than batches*accum_depth"));
  OPCOST_RETURN_IF_ERROR(detail::CheckBuffer(
      filter, d.output_ch * d.accum_depth, "filter buffer is smaller than output_ch*accum_depth"));
  OPCOST_RETURN_IF_ERROR(detail::CheckBuffer(output, d.batches * d.output_ch,
                                             "output buffer is smaller than batches*output_ch"));
  if (!bias.empty()) {
    OPCOST_RETURN_IF_ERROR(
        detail::CheckBuffer(bias, d.output_ch, "bias buffer is smaller than output_ch"));
  }
  for (std::int64_t b = 0; b < d.batches; ++b) {
    const std::int8_t* in_row = input.data + b * d.accum_depth;
    for (std::int64_t o = 0; o < d.output_ch; ++o) {
      const std::int8_t* w_row = filter.data + o * d.accum_depth;
      std::int64_t acc = 0;
      for (std::int64_t k = 0; k < d.accum_depth; ++k) {
        acc +=
            static_cast<std::int64_t>((w_row[k] + p.filter_offset) * (in_row[k] + p.input_offset));
      }
      const std::int64_t element = b * d.output_ch + o;
      OPCOST_RETURN_IF_ERROR(detail::StoreAccumulator(acc, o, bias, requant, p.output_offset,
                                                      p.activation_min, p.activation_max, element,
                                                      output.data + element));
    }
  }
  return Ok();
}

}  // namespace opcost::kernels
