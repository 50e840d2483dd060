#include "opcost/metrics.h"

#include <string>
#include <vector>

#include "core/op_registry.h"
#include "opcost/error.h"

namespace opcost {
namespace {

// Index of the bias among a node's inputs, or -1. An lstm projection follows the bias.
int BiasInputIndex(const Node& n) {
  const int bias = detail::GetOpInfo(n.type).bias_input;
  if (bias == detail::kNoInput) return -1;
  const int after_bias = n.attrs.projection > 0 ? 1 : 0;
  return static_cast<int>(n.inputs.size()) > bias + after_bias ? bias : -1;
}

void CheckDesc(const LayerDesc& l) {
  for (int i = 0; i < l.output.rank; ++i) {
    if (l.output[i] < 1) {
      detail::LayerFail(l, "output dims must be positive (got " + l.output.ToString() + ")");
    }
  }
  if (l.output.rank == 0) detail::LayerFail(l, "output shape is missing");
  const detail::OpInfo& info = detail::GetOpInfo(l.type);
  if (info.check_layer != nullptr) info.check_layer(l);
  for (int i = 0; i < l.weights.rank; ++i) {
    if (l.weights[i] < 1) {
      detail::LayerFail(l, "weight dims must be positive (got " + l.weights.ToString() + ")");
    }
  }
}

void Finish(OpMetrics* m) {
  std::int64_t other = CheckedAdd(m->bias_adds, m->comparisons);
  other = CheckedAdd(other, m->additions);
  other = CheckedAdd(other, m->multiplications);
  other = CheckedAdd(other, m->divisions);
  other = CheckedAdd(other, m->nonlinear_ops);
  m->other_ops = CheckedAdd(other, m->conversions);
  m->ops = CheckedAdd(CheckedMul(2, m->macs), m->other_ops);
  m->params = CheckedAdd(m->weight_params, m->bias_params);
}

void Accumulate(const OpMetrics& m, OpMetrics* t) {
  t->macs = CheckedAdd(t->macs, m.macs);
  t->output_elements = CheckedAdd(t->output_elements, m.output_elements);
  t->bias_adds = CheckedAdd(t->bias_adds, m.bias_adds);
  t->comparisons = CheckedAdd(t->comparisons, m.comparisons);
  t->additions = CheckedAdd(t->additions, m.additions);
  t->multiplications = CheckedAdd(t->multiplications, m.multiplications);
  t->divisions = CheckedAdd(t->divisions, m.divisions);
  t->nonlinear_ops = CheckedAdd(t->nonlinear_ops, m.nonlinear_ops);
  t->conversions = CheckedAdd(t->conversions, m.conversions);
  t->input_bytes = CheckedAdd(t->input_bytes, m.input_bytes);
  t->output_bytes = CheckedAdd(t->output_bytes, m.output_bytes);
}

}  // namespace

OpMetrics ComputeLayerMetrics(const LayerDesc& l) {
  CheckDesc(l);
  OpMetrics m;
  const detail::OpInfo& info = detail::GetOpInfo(l.type);
  m.category = info.category;
  info.count(l, &m);
  if (info.weights_input != detail::kNoInput) {
    m.weight_params = CheckedAdd(l.weights.NumElements(), l.extra_params);
  } else {
    m.weight_params = l.extra_params;
  }
  m.weight_bytes = CheckedAdd(CheckedMul(m.weight_params, DataTypeSize(l.weight_dtype)),
                              CheckedMul(m.bias_params, DataTypeSize(l.bias_dtype)));
  m.input_bytes = l.data_input_bytes >= 0
                      ? l.data_input_bytes
                      : CheckedMul(l.input.NumElements(), DataTypeSize(l.dtype));
  m.output_bytes = CheckedMul(m.output_elements, DataTypeSize(l.dtype));
  Finish(&m);
  return m;
}

namespace {

// DescribeNode into `d`, every field set, so DescribeGraph can fill its vector in place (a
// LayerDesc is ~500 bytes; building one and moving it in cost a sixth of describing a node).
void DescribeNodeInto(const Graph& graph, NodeId id, LayerDesc* d) {
  static const LayerDesc defaults;
  const Node& n = graph.node(id);
  const detail::OpInfo& info = detail::GetOpInfo(n.type);
  d->type = n.type;
  d->attrs = n.attrs;
  const Tensor& out = graph.tensor(n.outputs.front());
  d->output = out.shape;
  d->dtype = out.dtype;
  d->input = Shape{};
  std::int64_t input_bytes = 0;
  std::int32_t data_inputs = 0;
  for (TensorId t : n.inputs) {
    const Tensor& in = graph.tensor(t);
    if (in.is_constant) continue;
    if (data_inputs == 0) d->input = in.shape;
    ++data_inputs;
    input_bytes = CheckedAdd(input_bytes, in.SizeBytes());
  }
  d->num_data_inputs = data_inputs;
  d->data_input_bytes = input_bytes;
  const int bias = BiasInputIndex(n);
  d->has_bias = bias >= 0;
  const int weights = info.weights_input;
  d->weights = weights != detail::kNoInput
                   ? graph.tensor(n.inputs[static_cast<std::size_t>(weights)]).shape
                   : Shape{};
  // Every other constant is a parameter too (lstm recurrent weights, batch_norm scale), as
  // ComputeMetrics counts it from the graph.
  d->extra_params = 0;
  for (std::size_t k = 0; k < n.inputs.size(); ++k) {
    const Tensor& c = graph.tensor(n.inputs[k]);
    const bool main_weights = static_cast<int>(k) == weights;
    if (c.is_constant && !main_weights && static_cast<int>(k) != bias) {
      d->extra_params = CheckedAdd(d->extra_params, c.shape.NumElements());
    }
  }
  d->bias_dtype = d->has_bias ? graph.tensor(n.inputs[static_cast<std::size_t>(bias)]).dtype
                              : defaults.bias_dtype;
  d->weight_dtype = n.inputs.size() > 1 && graph.tensor(n.inputs[1]).is_constant
                        ? graph.tensor(n.inputs[1]).dtype
                        : defaults.weight_dtype;
}

}  // namespace

LayerDesc DescribeNode(const Graph& graph, NodeId id) {
  LayerDesc d;
  DescribeNodeInto(graph, id, &d);
  return d;
}

void DescribeGraph(const Graph& graph, std::vector<LayerDesc>* out) {
  out->resize(graph.nodes().size());
  for (NodeId id = 0; id < static_cast<NodeId>(out->size()); ++id) {
    DescribeNodeInto(graph, id, &(*out)[static_cast<std::size_t>(id)]);
  }
}

void ComputeMetrics(const Graph& graph, NetworkMetrics* out) {
  const std::size_t n = graph.nodes().size();
  out->layers.resize(n);
  out->total = OpMetrics{};
  // Marks constants already counted so a shared weight counts once in the total.
  thread_local std::vector<char> counted;
  counted.assign(graph.tensors().size(), 0);
  std::int64_t mac_outputs = 0;
  LayerDesc d;
  for (NodeId id = 0; id < static_cast<NodeId>(n); ++id) {
    const Node& node = graph.node(id);
    OpMetrics& m = out->layers[static_cast<std::size_t>(id)];
    DescribeNodeInto(graph, id, &d);
    m = OpMetrics{};
    const detail::OpInfo& info = detail::GetOpInfo(d.type);
    m.category = info.category;
    info.count(d, &m);
    m.input_bytes = d.data_input_bytes;
    m.output_bytes = graph.tensor(node.outputs.front()).SizeBytes();
    for (std::size_t k = 1; k < node.outputs.size(); ++k) {
      m.output_bytes = CheckedAdd(m.output_bytes, graph.tensor(node.outputs[k]).SizeBytes());
    }
    // Parameters from the real constant tensors (exact whatever their dtype).
    m.weight_params = 0;
    std::int64_t bias_params = 0;
    const int bias = BiasInputIndex(node);
    for (std::size_t k = 0; k < node.inputs.size(); ++k) {
      const Tensor& c = graph.tensor(node.inputs[k]);
      if (!c.is_constant) continue;
      const std::int64_t elements = c.shape.NumElements();
      const std::int64_t bytes = c.SizeBytes();
      const bool is_bias = static_cast<int>(k) == bias;
      (is_bias ? bias_params : m.weight_params) += elements;
      m.weight_bytes = CheckedAdd(m.weight_bytes, bytes);
      char& seen = counted[static_cast<std::size_t>(node.inputs[k])];
      if (!seen) {
        seen = 1;
        (is_bias ? out->total.bias_params : out->total.weight_params) += elements;
        out->total.weight_bytes = CheckedAdd(out->total.weight_bytes, bytes);
      }
    }
    m.bias_params = bias_params;
    Finish(&m);
    Accumulate(m, &out->total);
    if (m.macs > 0) mac_outputs = CheckedAdd(mac_outputs, m.output_elements);
  }
  OpMetrics& t = out->total;
  t.category = OpCategory::kOther;
  t.macs_per_output =
      mac_outputs > 0 ? static_cast<double>(t.macs) / static_cast<double>(mac_outputs) : 0.0;
  Finish(&t);
}

NetworkMetrics ComputeMetrics(const Graph& graph) {
  NetworkMetrics m;
  ComputeMetrics(graph, &m);
  return m;
}

namespace {

LayerDesc WindowDesc(OpType type, Shape input, std::int64_t kernel_h, std::int64_t kernel_w,
                     std::int64_t stride, bool valid, std::int64_t out_channels) {
  if (input.rank != 4) {
    throw Error(ErrorCode::kInvalidArgument,
                "layer input must be rank 4 NHWC (got " + input.ToString() + ")");
  }
  if (stride < 1 || kernel_h < 1 || kernel_w < 1) {
    throw Error(ErrorCode::kInvalidArgument, "kernel and stride must be at least 1");
  }
  LayerDesc d;
  d.type = type;
  d.attrs.kernel_h = kernel_h;
  d.attrs.kernel_w = kernel_w;
  d.attrs.stride_h = d.attrs.stride_w = stride;
  d.attrs.padding = valid ? Padding::kValid : Padding::kSame;
  d.input = input;
  const Padding p = d.attrs.padding;
  d.output = Shape{input[0], detail::WindowOutputSize(input[1], kernel_h, stride, 1, p, 0, 0),
                   detail::WindowOutputSize(input[2], kernel_w, stride, 1, p, 0, 0),
                   out_channels};
  d.has_bias = true;
  return d;
}

}  // namespace

LayerDesc LayerDesc::Conv2D(Shape input, std::int64_t filters, std::int64_t kernel_h,
                            std::int64_t kernel_w, std::int64_t stride, bool valid) {
  LayerDesc d = WindowDesc(OpType::kConv2D, input, kernel_h, kernel_w, stride, valid, filters);
  d.attrs.filters = filters;
  d.weights = Shape{filters, kernel_h, kernel_w, input[3]};
  return d;
}

LayerDesc LayerDesc::DepthwiseConv2D(Shape input, std::int64_t kernel_h, std::int64_t kernel_w,
                                     std::int64_t stride, bool valid) {
  LayerDesc d = WindowDesc(OpType::kDepthwiseConv2D, input, kernel_h, kernel_w, stride, valid,
                           input.rank == 4 ? input[3] : 0);
  d.weights = Shape{1, kernel_h, kernel_w, input[3]};
  return d;
}

LayerDesc LayerDesc::FullyConnected(std::int64_t batch, std::int64_t in_features,
                                    std::int64_t units) {
  LayerDesc d;
  d.type = OpType::kFullyConnected;
  d.attrs.units = units;
  d.input = Shape{batch, in_features};
  d.output = Shape{batch, units};
  d.weights = Shape{units, in_features};
  d.has_bias = true;
  return d;
}

}  // namespace opcost
