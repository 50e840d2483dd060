// The value table: ONNX value names bound to graph activations (with their layout) or constants,
// unique tensor and node names, node emission with per-node shape inference, and the fusion of
// an activation into the op that produces its input.
#include <string>
#include <vector>

#include "core/op_registry.h"
#include "onnx/onnx_importer.h"
#include "opcost/shape_inference.h"

namespace opcost::onnx {

// Suffixes continue from the last one used per base name, so a file repeating one name many
// times costs linear time, not quadratic.
std::string Importer::UniqueTensorName(const std::string& base) {
  std::string name = base.empty() ? std::string("tensor") : base;
  if (graph_.FindTensor(name) == kNoTensor) return name;
  for (int& k = next_suffix_[name];;) {
    std::string candidate = name + "#" + std::to_string(k++ + 2);
    if (graph_.FindTensor(candidate) == kNoTensor) return candidate;
  }
}

std::string Importer::UniqueNodeName(const std::string& base) {
  if (graph_.FindNode(base) == kNoNode) return base;
  for (int& k = next_suffix_[base + "\n"];;) {  // "\n": a key no tensor name collides with
    std::string candidate = base + "#" + std::to_string(k++ + 2);
    if (graph_.FindNode(candidate) == kNoNode) return candidate;
  }
}

TensorId Importer::NewActivation(const std::string& name) {
  const TensorId id =
      graph_.AddTensor(Tensor::Activation(UniqueTensorName(name), Shape{}, DataType::kFloat32));
  tensor_consumers_.resize(graph_.tensors().size(), 0);
  is_graph_output_.resize(graph_.tensors().size(), false);
  return id;
}

NodeId Importer::Emit(const OnnxNode& n, const std::string& suffix, OpType type,
                      const OpAttributes& attrs, const std::vector<TensorId>& inputs,
                      TensorId out) {
  Node node;
  const std::string base = n.name.empty() ? n.op_type + "_" + std::to_string(current_) : n.name;
  node.name = UniqueNodeName(base + suffix);
  node.type = type;
  node.attrs = attrs;
  node.inputs = inputs;
  node.outputs = {out};
  const NodeId id = graph_.AddNode(std::move(node));
  InferNodeShapes(graph_, id);
  return id;
}

NodeId Importer::EmitOutput(const OnnxNode& n, OpType type, const OpAttributes& attrs,
                            const std::vector<TensorId>& inputs, Layout layout, std::size_t k) {
  if (k >= n.outputs.size() || n.outputs[k].empty()) {
    NodeFail(n, ErrorCode::kBadModel, "missing output " + std::to_string(k));
  }
  const TensorId out = NewActivation(n.outputs[k]);
  const NodeId id = Emit(n, "", type, attrs, inputs, out);
  Bind(n.outputs[k], out, layout);
  return id;
}

void Importer::Bind(const std::string& name, TensorId tensor, Layout layout) {
  Value v;
  v.tensor = tensor;
  v.layout = layout;
  values_[name] = v;
  const auto it = consumers_.find(name);
  tensor_consumers_[static_cast<std::size_t>(tensor)] += it == consumers_.end() ? 0 : it->second;
}

void Importer::BindConstant(const std::string& name, Constant c) {
  Value v;
  v.is_constant = true;
  v.constant = static_cast<int>(constants_.size());
  constants_.push_back(std::move(c));
  values_[name] = v;
}

void Importer::Alias(const OnnxNode& n, std::size_t k, const Value& v) {
  if (k >= n.outputs.size() || n.outputs[k].empty()) {
    NodeFail(n, ErrorCode::kBadModel, "missing output " + std::to_string(k));
  }
  if (v.is_constant) {
    values_[n.outputs[k]] = v;
    return;
  }
  const Value copy = v;  // Bind may rehash values_
  Bind(n.outputs[k], copy.tensor, copy.layout);
}

NodeId Importer::SoleProducer(TensorId t) const {
  const NodeId p = graph_.producer(t);
  if (p == kNoNode || is_graph_output_[static_cast<std::size_t>(t)]) return kNoNode;
  // The current node is still counted among the tensor's readers.
  return tensor_consumers_[static_cast<std::size_t>(t)] == 1 ? p : kNoNode;
}

bool Importer::TryFuseActivation(const OnnxNode& n, Activation act) {
  if (!HasInput(n, 0) || In(n, 0, "input").is_constant) return false;
  const Value v = In(n, 0, "input");
  const NodeId p = SoleProducer(v.tensor);
  if (p == kNoNode) return false;
  Node& producer = graph_.mutable_node(p);
  if (!detail::GetOpInfo(producer.type).fused_activation) return false;
  if (producer.attrs.activation != Activation::kNone) return false;
  producer.attrs.activation = act;
  Alias(n, 0, v);
  return true;
}

}  // namespace opcost::onnx
