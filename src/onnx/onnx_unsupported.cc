// An op the importer does not map, imported (with allow_unsupported) as a zero-cost
// 'unsupported' node whose output shapes come from the file's value_info.
#include <string>
#include <vector>

#include "onnx/onnx_importer.h"

namespace opcost::onnx {

void Importer::AddUnsupported(const OnnxNode& n, const std::string& why) {
  if (!options_.allow_unsupported) {
    NodeFail(n, ErrorCode::kUnsupportedOp,
             why +
                 " (import with allow_unsupported, CLI --allow-unsupported, to cost it as a "
                 "zero-cost 'unsupported' op)");
  }
  Node node;
  node.name = UniqueNodeName(n.name.empty() ? "unsupported_" + std::to_string(current_) : n.name);
  node.type = OpType::kUnsupported;
  node.attrs.unsupported_name = n.domain.empty() ? n.op_type : n.domain + "." + n.op_type;
  for (std::size_t k = 0; k < n.inputs.size(); ++k) {
    if (!HasInput(n, k)) continue;
    const Value& v = values_.at(n.inputs[k]);
    node.inputs.push_back(v.is_constant ? AddConstantTensor(n, ConstantOf(v), {}, "input")
                                        : v.tensor);
  }
  struct Out {
    TensorId id;
    Layout layout;
    std::string name;
  };
  std::vector<Out> outs;
  for (const std::string& name : n.outputs) {
    if (name.empty()) continue;
    const OnnxValueInfo& info = DeclaredOutput(n, name);
    const Layout layout = info.dims.size() == 4 ? Layout::kNchw : Layout::kPlain;
    const Shape s = DeclaredShape(n, name, info, layout);
    const TensorId id = NewActivation(name);
    Tensor& t = graph_.mutable_tensor(id);
    t.shape = s;
    DataType dtype;
    if (MapDataType(info.elem_type, &dtype)) t.dtype = dtype;
    outs.push_back({id, layout, name});
    node.outputs.push_back(id);
  }
  if (outs.empty()) NodeFail(n, ErrorCode::kBadModel, "has no output");
  graph_.AddNode(std::move(node));
  for (const Out& o : outs) Bind(o.name, o.id, o.layout);
}

// The value_info of output `name` of unsupported node `n`: opcost cannot infer the shape of
// what an op it does not know writes, so the file must state it.
const OnnxValueInfo& Importer::DeclaredOutput(const OnnxNode& n, const std::string& name) const {
  const auto it = declared_.find(name);
  const OnnxValueInfo* info = it == declared_.end() ? nullptr : it->second;
  if (info == nullptr || !info->has_shape) {
    NodeFail(n, ErrorCode::kBadModel,
             "the output '" + name +
                 "' of this unsupported op has no shape in value_info "
                 "(run onnx.shape_inference.infer_shapes on the model first)");
  }
  if (info->dims.size() > static_cast<std::size_t>(Shape::kMaxRank)) {
    NodeFail(n, ErrorCode::kUnsupportedOp, "output '" + name + "' has rank > 4");
  }
  return *info;
}

// Its dims as an opcost shape in `layout`; an unknown batch dim is 1.
Shape Importer::DeclaredShape(const OnnxNode& n, const std::string& name,
                              const OnnxValueInfo& info, Layout layout) const {
  Shape s;
  s.rank = static_cast<int>(info.dims.size());
  for (int i = 0; i < s.rank; ++i) {
    const int axis = layout == Layout::kNchw ? kNchwToNhwc[i] : i;
    const OnnxDim& d = info.dims[static_cast<std::size_t>(axis)];
    std::int64_t value = d.known ? d.value : (axis == 0 ? 1 : -1);
    if (value < 1) {
      NodeFail(n, ErrorCode::kBadModel,
               "output '" + name +
                   "' of this unsupported op has an unknown or non-positive "
                   "dim " +
                   std::to_string(axis));
    }
    s[i] = value;
  }
  return s;
}

}  // namespace opcost::onnx
