#include "library_reference.h"

#include "opcost/kernels/activation.h"
#include "opcost/kernels/conv.h"
#include "opcost/kernels/depthwise_conv.h"
#include "opcost/kernels/fully_connected.h"
#include "opcost/kernels/pooling.h"

namespace opcost::characterize {
namespace {

template <typename T>
kernels::Span<const T> In(const std::vector<T>& v) {
  return kernels::Span<const T>(v.data(), static_cast<std::int64_t>(v.size()));
}

}  // namespace

bool LibraryOutput(const LayerSpec& s, const LayerData& d, std::vector<std::int8_t>* output,
                   std::string* error) {
  output->assign(static_cast<std::size_t>(s.outputs()), 0);
  kernels::Span<std::int8_t> out(output->data(), static_cast<std::int64_t>(output->size()));
  const kernels::Requantization requant{In(d.mult), In(d.shift)};
  kernels::Status st;
  switch (s.kernel) {
    case Kernel::kConv:
    case Kernel::kConv1x1:
    case Kernel::kDepthwise: {
      kernels::ConvParams p;
      p.input_offset = d.input_offset;
      p.output_offset = d.output_offset;
      p.stride_h = p.stride_w = s.stride;
      p.pad_h = p.pad_w = s.pad;
      p.activation_min = d.act_min;
      p.activation_max = d.act_max;
      if (s.kernel == Kernel::kDepthwise) {
        kernels::DepthwiseConvDims dims;
        dims.input_h = s.in_h, dims.input_w = s.in_w, dims.input_ch = s.in_c;
        dims.filter_h = s.k_h, dims.filter_w = s.k_w;
        dims.output_h = s.out_h(), dims.output_w = s.out_w();
        st = kernels::DepthwiseConvInt8(p, dims, In(d.input), In(d.filter), In(d.bias), requant, out);
      } else {
        kernels::ConvDims dims;
        dims.input_h = s.in_h, dims.input_w = s.in_w, dims.input_ch = s.in_c;
        dims.filter_h = s.k_h, dims.filter_w = s.k_w, dims.filter_ch = s.in_c;
        dims.output_h = s.out_h(), dims.output_w = s.out_w(), dims.output_ch = s.out_c;
        st = kernels::ConvInt8(p, dims, In(d.input), In(d.filter), In(d.bias), requant, out);
      }
      break;
    }
    case Kernel::kFullyConnected: {
      kernels::FullyConnectedParams p;
      p.input_offset = d.input_offset;
      p.output_offset = d.output_offset;
      p.activation_min = d.act_min;
      p.activation_max = d.act_max;
      kernels::FullyConnectedDims dims;
      dims.accum_depth = s.in_c;
      dims.output_ch = s.out_c;
      st = kernels::FullyConnectedInt8(p, dims, In(d.input), In(d.filter), In(d.bias), requant, out);
      break;
    }
    case Kernel::kMaxPool:
    case Kernel::kAvgPool: {
      kernels::PoolParams p;
      p.stride_h = p.stride_w = s.stride;
      p.pad_h = p.pad_w = s.pad;
      p.activation_min = d.act_min;
      p.activation_max = d.act_max;
      kernels::PoolDims dims;
      dims.input_h = s.in_h, dims.input_w = s.in_w, dims.channels = s.in_c;
      dims.filter_h = s.k_h, dims.filter_w = s.k_w;
      dims.output_h = s.out_h(), dims.output_w = s.out_w();
      st = s.kernel == Kernel::kMaxPool ? kernels::MaxPoolInt8(p, dims, In(d.input), out)
                                        : kernels::AvgPoolInt8(p, dims, In(d.input), out);
      break;
    }
    case Kernel::kRelu:
      st = kernels::ClampInt8(d.act_min, d.act_max, In(d.input), out);
      break;
  }
  if (!st.ok()) {
    *error = std::string(st.message) + " (actual " + std::to_string(st.actual) + ")";
    return false;
  }
  return true;
}

}  // namespace opcost::characterize
