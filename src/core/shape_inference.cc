#include "opcost/shape_inference.h"

#include <string>

#include "core/op_registry.h"
#include "opcost/error.h"

namespace opcost {
namespace {

bool HasPositiveDims(const Shape& s) {
  for (int i = 0; i < s.rank; ++i) {
    if (s[i] < 1) return false;
  }
  return true;
}

}  // namespace

void InferNodeShapes(Graph& graph, NodeId id) {
  const Node& node = graph.node(id);
  const detail::OpInfo& info = detail::GetOpInfo(node.type);
  for (TensorId t : node.inputs) {
    const Tensor& in = graph.tensor(t);
    if (!in.is_constant && in.shape.rank == 0) {
      detail::ShapeFail(graph, id, "input '" + in.name + "' has no shape yet");
    }
    if (!HasPositiveDims(in.shape)) {
      detail::ShapeFail(graph, id, "input '" + in.name + "' has a zero or negative dim (got " +
                                       in.shape.ToString() + ")");
    }
    in.shape.NumElements();  // throws kOverflow for dims whose product overflows
  }
  const int data_inputs = detail::NumDataInputs(graph, id);
  if (data_inputs < info.min_data_inputs ||
      (info.max_data_inputs >= 0 && data_inputs > info.max_data_inputs)) {
    detail::ShapeFail(graph, id, "expects " + std::to_string(info.min_data_inputs) +
                                     (info.max_data_inputs == info.min_data_inputs
                                          ? ""
                                          : info.max_data_inputs < 0 ? " or more" : " to " +
                                                std::to_string(info.max_data_inputs)) +
                                     " non-constant inputs (got " + std::to_string(data_inputs) +
                                     ")");
  }
  if (node.type != OpType::kUnsupported && node.outputs.size() != 1) {
    detail::ShapeFail(graph, id, "expects exactly one output (got " +
                                     std::to_string(node.outputs.size()) + ")");
  }
  info.infer(graph, id);
  for (TensorId t : node.outputs) graph.tensor(t).shape.NumElements();  // overflow check
}

void InferShapes(Graph& graph) {
  graph.Validate();
  for (TensorId t : graph.inputs()) {
    const Tensor& in = graph.tensor(t);
    if (in.shape.rank == 0 || !HasPositiveDims(in.shape)) {
      throw Error(ErrorCode::kShapeMismatch, "graph input '" + in.name +
                                                 "' needs a shape with positive dims (got " +
                                                 in.shape.ToString() + ")");
    }
  }
  for (NodeId id = 0; id < static_cast<NodeId>(graph.nodes().size()); ++id) {
    InferNodeShapes(graph, id);
  }
}

}  // namespace opcost
