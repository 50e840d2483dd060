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
    : name_(name), graph_(std::move(name)), dtype_(dtype) {}

TensorId GraphBuilder::Input(const std::string& name, Shape shape) {
  Tensor& t = AppendTensor();
  t.name.assign(name);
  t.shape = shape;
  t.dtype = dtype_;
  const TensorId id = graph_.IndexNewTensor();
  graph_.inputs_.push_back(id);  // a new activation: what SetInputs checks holds
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

}  // namespace

namespace {

// Gives `to` the heap buffer of `from` if it has one (a name too long for the string's own
// small buffer); swapping two short names would only copy bytes.
void TakeNameBuffer(std::string& from, std::string& to) {
  static const std::size_t kSmallCapacity = std::string().capacity();
  if (from.capacity() > kSmallCapacity) to.swap(from);
}

}  // namespace

// The spares give only their heap storage (a long name's buffer, a node's input list); every
// other field starts from its default, so nothing of the previous graph leaks in.
Tensor& GraphBuilder::AppendTensor() {
  Tensor& t = graph_.tensors_.emplace_back();
  if (used_spare_tensors_ < spare_tensors_.size()) {
    TakeNameBuffer(spare_tensors_[used_spare_tensors_++].name, t.name);
  }
  return t;
}

Node& GraphBuilder::AppendNode() {
  Node& n = graph_.nodes_.emplace_back();
  if (used_spare_nodes_ < spare_nodes_.size()) {
    Node& spare = spare_nodes_[used_spare_nodes_++];
    TakeNameBuffer(spare.name, n.name);
    n.inputs.swap(spare.inputs);
    n.outputs.swap(spare.outputs);
  }
  return n;
}

TensorId GraphBuilder::AddOpWithBias(const std::string& name, OpType type,
                                     const OpAttributes& attrs, const TensorId* data_inputs,
                                     std::size_t count, bool create_constants, bool bias) {
  CheckInputIds(graph_, name, data_inputs, count);
  std::vector<ConstantSpec> constants;
  const Shape input = count == 0 ? Shape{} : graph_.tensor(data_inputs[0]).shape;
  if (create_constants) constants = ConstantsFor(type, attrs, input, dtype_, bias);
  // Tensors and the node are filled in place in the graph's vectors; the constants get
  // consecutive ids.
  const auto first_constant = static_cast<TensorId>(graph_.tensors().size());
  for (const ConstantSpec& c : constants) {
    CheckConstantShape(c, type, name, input);
    Tensor& t = AppendTensor();
    t.name.assign(name).append(1, '/').append(c.suffix);  // "<op name>/<suffix>"
    t.shape = c.shape;
    t.dtype = c.dtype;
    t.is_constant = true;
    graph_.IndexNewTensor();
  }
  Tensor& out = AppendTensor();
  out.name.assign(name);
  out.dtype = dtype_;
  const TensorId out_id = graph_.IndexNewTensor();
  Node& node = AppendNode();
  node.name.assign(name);
  node.type = type;
  node.attrs = attrs;
  node.inputs.reserve(count + constants.size());
  node.inputs.assign(data_inputs, data_inputs + count);
  for (std::size_t k = 0; k < constants.size(); ++k) {
    node.inputs.push_back(first_constant + static_cast<TensorId>(k));
  }
  node.outputs.assign(1, out_id);
  const NodeId id = graph_.IndexNewNode();
  InferNodeShapes(graph_, id);
  return out_id;
}

TensorId GraphBuilder::AddOneInputOp(const std::string& name, OpType type,
                                     const OpAttributes& attrs, TensorId x, bool bias) {
  return AddOpWithBias(name, type, attrs, &x, 1, true, bias);
}

TensorId GraphBuilder::AddOp(const std::string& name, OpType type, const OpAttributes& attrs,
                             const std::vector<TensorId>& data_inputs, bool create_constants) {
  return AddOpWithBias(name, type, attrs, data_inputs.data(), data_inputs.size(),
                       create_constants, true);
}

TensorId GraphBuilder::Conv2D(const std::string& name, TensorId x, const ConvOptions& o) {
  OpAttributes a = WindowAttrs(o.kernel_h, o.kernel_w, o.stride_h, o.stride_w, o.padding);
  a.filters = o.filters;
  a.dilation_h = o.dilation_h;
  a.dilation_w = o.dilation_w;
  a.groups = o.groups;
  a.activation = o.activation;
  return AddOneInputOp(name, OpType::kConv2D, a, x, o.bias);
}

TensorId GraphBuilder::DepthwiseConv2D(const std::string& name, TensorId x,
                                       const DepthwiseOptions& o) {
  OpAttributes a = WindowAttrs(o.kernel_h, o.kernel_w, o.stride_h, o.stride_w, o.padding);
  a.dilation_h = o.dilation_h;
  a.dilation_w = o.dilation_w;
  a.depth_multiplier = o.depth_multiplier;
  a.activation = o.activation;
  return AddOneInputOp(name, OpType::kDepthwiseConv2D, a, x, o.bias);
}

TensorId GraphBuilder::FullyConnected(const std::string& name, TensorId x, std::int64_t units,
                                      bool bias, Activation activation) {
  OpAttributes a;
  a.units = units;
  a.activation = activation;
  return AddOneInputOp(name, OpType::kFullyConnected, a, x, bias);
}

TensorId GraphBuilder::MaxPool(const std::string& name, TensorId x, const PoolOptions& o) {
  return AddOneInputOp(name, OpType::kMaxPool,
                       WindowAttrs(o.pool_h, o.pool_w, o.stride_h, o.stride_w, o.padding), x);
}

TensorId GraphBuilder::AvgPool(const std::string& name, TensorId x, const PoolOptions& o) {
  return AddOneInputOp(name, OpType::kAvgPool,
                       WindowAttrs(o.pool_h, o.pool_w, o.stride_h, o.stride_w, o.padding), x);
}

TensorId GraphBuilder::GlobalAvgPool(const std::string& name, TensorId x, bool keep_dims) {
  OpAttributes a;
  a.keep_dims = keep_dims;
  return AddOneInputOp(name, OpType::kGlobalAvgPool, a, x);
}

TensorId GraphBuilder::Unary(const std::string& name, OpType type, TensorId x) {
  return AddOneInputOp(name, type, OpAttributes{}, x);
}

TensorId GraphBuilder::Add(const std::string& name, TensorId a, TensorId b,
                           Activation activation) {
  OpAttributes attrs;
  attrs.activation = activation;
  const TensorId inputs[] = {a, b};
  return AddOpWithBias(name, OpType::kAdd, attrs, inputs, 2, true, true);
}

TensorId GraphBuilder::Mul(const std::string& name, TensorId a, TensorId b) {
  const TensorId inputs[] = {a, b};
  return AddOpWithBias(name, OpType::kMul, OpAttributes{}, inputs, 2, true, true);
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
  return AddOneInputOp(name, OpType::kReshape, a, x);
}

TensorId GraphBuilder::Lstm(const std::string& name, TensorId x, std::int64_t units,
                            std::int64_t projection, bool return_sequences) {
  OpAttributes a;
  a.units = units;
  a.projection = projection;
  a.return_sequences = return_sequences;
  return AddOneInputOp(name, OpType::kLstm, a, x);
}

TensorId GraphBuilder::Gru(const std::string& name, TensorId x, std::int64_t units,
                           bool return_sequences) {
  OpAttributes a;
  a.units = units;
  a.return_sequences = return_sequences;
  return AddOneInputOp(name, OpType::kGru, a, x);
}

void GraphBuilder::Reserve(std::size_t nodes, std::size_t tensors) {
  graph_.Reserve(nodes, tensors);
}

const Graph& GraphBuilder::Finish() {
  if (graph_.outputs().empty()) graph_.SetOutputs(UnconsumedOutputs(graph_));
  graph_.Validate();
  return graph_;
}

Graph GraphBuilder::Build() {
  Finish();
  Graph out = std::move(graph_);
  graph_ = Graph();
  return out;
}

void GraphBuilder::Reset() {
  // The finished graph's tensors and nodes become the spares; the graph keeps the vectors of
  // the spares before them, now only moved-from husks, which Clear drops.
  spare_tensors_.swap(graph_.tensors_);
  spare_nodes_.swap(graph_.nodes_);
  used_spare_tensors_ = 0;
  used_spare_nodes_ = 0;
  graph_.Clear();
  graph_.Reserve(spare_nodes_.size(), spare_tensors_.size());
  graph_.name_.assign(name_);
  graph_.description_.clear();
}

}  // namespace opcost
