#include "opcost/builder.h"

#include <string>

#include "core/op_registry.h"
#include "opcost/error.h"
#include "opcost/shape_inference.h"

namespace opcost {
namespace {

OpAttributes WindowAttrs(std::int64_t kh, std::int64_t kw, std::int64_t sh, std::int64_t sw,
                         Padding padding) {
  OpAttributes a;
  a.kernel_h = kh;
  a.kernel_w = kw;
  a.stride_h = sh;
  a.stride_w = sw;
  a.padding = padding;
  return a;
}

}  // namespace

std::vector<ConstantSpec> ConstantsFor(OpType type, const OpAttributes& attrs, const Shape& input,
                                       DataType activation_dtype, bool bias) {
  const detail::OpInfo& info = detail::GetOpInfo(type);
  if (info.constants == nullptr) return {};
  return info.constants(attrs, input, activation_dtype, bias);
}

GraphBuilder::GraphBuilder(std::string name, DataType dtype)
    : graph_(std::move(name)), dtype_(dtype) {}

TensorId GraphBuilder::Input(const std::string& name, Shape shape) {
  const TensorId id = graph_.AddTensor(Tensor::Activation(name, shape, dtype_));
  std::vector<TensorId> inputs = graph_.inputs();
  inputs.push_back(id);
  graph_.SetInputs(std::move(inputs));
  return id;
}

namespace {

void CheckInputIds(const Graph& graph, const std::string& name, const TensorId* data_inputs,
                   std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) {
    const TensorId t = data_inputs[i];
    if (t < 0 || t >= static_cast<TensorId>(graph.tensors().size())) {
      throw Error(ErrorCode::kInvalidGraph,
                  "op '" + name + "' names tensor id " + std::to_string(t) + ", which does not exist");
    }
  }
}

void CheckConstantShape(const ConstantSpec& c, OpType type, const std::string& name,
                        const Shape& input) {
  for (int i = 0; i < c.shape.rank; ++i) {
    if (c.shape[i] < 1) {
      throw Error(ErrorCode::kInvalidArgument,
                  std::string("cannot create ") + c.suffix + " of " + OpTypeName(type) + " op '" +
                      name + "': shape " + c.shape.ToString() +
                      " from the op's attributes and input " + input.ToString() +
                      " has a non-positive dim (check filters, units, kernel)");
    }
  }
}

// "<op name>/<suffix>", built in one allocation.
std::string ConstantName(const std::string& op_name, const char* suffix) {
  const std::size_t suffix_size = std::char_traits<char>::length(suffix);
  std::string s;
  s.reserve(op_name.size() + 1 + suffix_size);
  s.append(op_name).append(1, '/').append(suffix, suffix_size);
  return s;
}

// The one place ops enter the graph. Data inputs come as a pointer and a count so the typed
// helpers (Conv2D, Add, ...) need no vector; the node's input list is allocated once, at its
// final size.
TensorId AddOpWithBias(Graph& graph, DataType dtype, const std::string& name, OpType type,
                       const OpAttributes& attrs, const TensorId* data_inputs, std::size_t count,
                       bool create_constants, bool bias) {
  CheckInputIds(graph, name, data_inputs, count);
  std::vector<ConstantSpec> constants;
  const Shape input = count == 0 ? Shape{} : graph.tensor(data_inputs[0]).shape;
  if (create_constants) constants = ConstantsFor(type, attrs, input, dtype, bias);
  Node node;
  node.name = name;
  node.type = type;
  node.attrs = attrs;
  node.inputs.reserve(count + constants.size());
  node.inputs.assign(data_inputs, data_inputs + count);
  for (const ConstantSpec& c : constants) {
    CheckConstantShape(c, type, name, input);
    node.inputs.push_back(
        graph.AddTensor(Tensor::Constant(ConstantName(name, c.suffix), c.shape, c.dtype)));
  }
  const TensorId out = graph.AddTensor(Tensor::Activation(name, Shape{}, dtype));
  node.outputs.assign(1, out);
  const NodeId id = graph.AddNode(std::move(node));
  InferNodeShapes(graph, id);
  return out;
}

TensorId AddOneInputOp(Graph& graph, DataType dtype, const std::string& name, OpType type,
                       const OpAttributes& attrs, TensorId x, bool bias = true) {
  return AddOpWithBias(graph, dtype, name, type, attrs, &x, 1, true, bias);
}

}  // namespace

TensorId GraphBuilder::AddOp(const std::string& name, OpType type, const OpAttributes& attrs,
                             const std::vector<TensorId>& data_inputs, bool create_constants) {
  return AddOpWithBias(graph_, dtype_, name, type, attrs, data_inputs.data(), data_inputs.size(),
                       create_constants, true);
}

TensorId GraphBuilder::Conv2D(const std::string& name, TensorId x, const ConvOptions& o) {
  OpAttributes a = WindowAttrs(o.kernel_h, o.kernel_w, o.stride_h, o.stride_w, o.padding);
  a.filters = o.filters;
  a.dilation_h = o.dilation_h;
  a.dilation_w = o.dilation_w;
  a.groups = o.groups;
  a.activation = o.activation;
  return AddOneInputOp(graph_, dtype_, name, OpType::kConv2D, a, x, o.bias);
}

TensorId GraphBuilder::DepthwiseConv2D(const std::string& name, TensorId x,
                                       const DepthwiseOptions& o) {
  OpAttributes a = WindowAttrs(o.kernel_h, o.kernel_w, o.stride_h, o.stride_w, o.padding);
  a.dilation_h = o.dilation_h;
  a.dilation_w = o.dilation_w;
  a.depth_multiplier = o.depth_multiplier;
  a.activation = o.activation;
  return AddOneInputOp(graph_, dtype_, name, OpType::kDepthwiseConv2D, a, x, o.bias);
}

TensorId GraphBuilder::FullyConnected(const std::string& name, TensorId x, std::int64_t units,
                                      bool bias, Activation activation) {
  OpAttributes a;
  a.units = units;
  a.activation = activation;
  return AddOneInputOp(graph_, dtype_, name, OpType::kFullyConnected, a, x, bias);
}

TensorId GraphBuilder::MaxPool(const std::string& name, TensorId x, const PoolOptions& o) {
  return AddOneInputOp(graph_, dtype_, name, OpType::kMaxPool,
                       WindowAttrs(o.pool_h, o.pool_w, o.stride_h, o.stride_w, o.padding), x);
}

TensorId GraphBuilder::AvgPool(const std::string& name, TensorId x, const PoolOptions& o) {
  return AddOneInputOp(graph_, dtype_, name, OpType::kAvgPool,
                       WindowAttrs(o.pool_h, o.pool_w, o.stride_h, o.stride_w, o.padding), x);
}

TensorId GraphBuilder::GlobalAvgPool(const std::string& name, TensorId x, bool keep_dims) {
  OpAttributes a;
  a.keep_dims = keep_dims;
  return AddOneInputOp(graph_, dtype_, name, OpType::kGlobalAvgPool, a, x);
}

TensorId GraphBuilder::Unary(const std::string& name, OpType type, TensorId x) {
  return AddOneInputOp(graph_, dtype_, name, type, OpAttributes{}, x);
}

TensorId GraphBuilder::Add(const std::string& name, TensorId a, TensorId b,
                           Activation activation) {
  OpAttributes attrs;
  attrs.activation = activation;
  const TensorId inputs[] = {a, b};
  return AddOpWithBias(graph_, dtype_, name, OpType::kAdd, attrs, inputs, 2, true, true);
}

TensorId GraphBuilder::Mul(const std::string& name, TensorId a, TensorId b) {
  const TensorId inputs[] = {a, b};
  return AddOpWithBias(graph_, dtype_, name, OpType::kMul, OpAttributes{}, inputs, 2, true, true);
}

TensorId GraphBuilder::Concat(const std::string& name, const std::vector<TensorId>& xs,
                              int axis) {
  OpAttributes a;
  a.axis = axis;
  return AddOp(name, OpType::kConcat, a, xs);
}

TensorId GraphBuilder::Reshape(const std::string& name, TensorId x, Shape new_shape) {
  OpAttributes a;
  a.new_shape = new_shape;
  return AddOneInputOp(graph_, dtype_, name, OpType::kReshape, a, x);
}

TensorId GraphBuilder::Lstm(const std::string& name, TensorId x, std::int64_t units,
                            std::int64_t projection, bool return_sequences) {
  OpAttributes a;
  a.units = units;
  a.projection = projection;
  a.return_sequences = return_sequences;
  return AddOneInputOp(graph_, dtype_, name, OpType::kLstm, a, x);
}

TensorId GraphBuilder::Gru(const std::string& name, TensorId x, std::int64_t units,
                           bool return_sequences) {
  OpAttributes a;
  a.units = units;
  a.return_sequences = return_sequences;
  return AddOneInputOp(graph_, dtype_, name, OpType::kGru, a, x);
}

void GraphBuilder::Reserve(std::size_t nodes, std::size_t tensors) {
  graph_.Reserve(nodes, tensors);
}

Graph GraphBuilder::Build() {
  if (graph_.outputs().empty()) graph_.SetOutputs(UnconsumedOutputs(graph_));
  graph_.Validate();
  Graph out = std::move(graph_);
  graph_ = Graph();
  return out;
}

}  // namespace opcost
