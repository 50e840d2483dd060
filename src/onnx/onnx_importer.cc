// The importer's core: constants and graph inputs in, nodes mapped one by one in file order
// (ONNX requires topological order; an input not yet defined is a cycle, an unsorted graph or a
// missing initializer), outputs bound, then the shapes the file declares (value_info, outputs)
// compared with the ones opcost inferred: that is the replicated ONNX shape inference.
#include "onnx/onnx_importer.h"

#include <algorithm>
#include <string>
#include <vector>

#include "io/file_io.h"

namespace opcost::onnx {

Importer::Importer(const OnnxModel& model, const std::string& source,
                   const OnnxImportOptions& options, const std::string& external_dir)
    : m_(model),
      source_(source),
      options_(options),
      external_dir_(external_dir),
      // Constant bytes copied into the graph (one initializer may feed many nodes): 16 per
      // file byte, at least 1 MiB, as the TFLite importer.
      copy_budget_(
          source, "constant data copied into the graph grew",
          std::max<std::uint64_t>(std::uint64_t{16} * model.file_bytes, std::uint64_t{1} << 20),
          "bytes (16 per file byte, at least 1 MiB)") {}

void Importer::Fail(ErrorCode code, const std::string& what) const {
  throw Error(code, source_ + ": " + what);
}

std::string Importer::NodeLabel(const OnnxNode& n) const {
  std::string op = n.op_type;
  if (!n.domain.empty() && n.domain != "ai.onnx") op = n.domain + "." + op;
  if (n.name.empty()) return "node #" + std::to_string(current_) + " (" + op + ")";
  return "node '" + n.name + "' (#" + std::to_string(current_) + ", " + op + ")";
}

void Importer::NodeFail(const OnnxNode& n, ErrorCode code, const std::string& rule) const {
  Fail(code, NodeLabel(n) + ": " + rule);
}

// ---- the run ----

void Importer::AddGraphInputs() {
  std::vector<TensorId> inputs;
  for (const OnnxValueInfo& in : m_.graph.inputs) {
    if (values_.count(in.name) != 0) continue;  // IR < 4 lists initializers as inputs too
    const std::string where = "graph input '" + in.name + "'";
    if (!in.is_tensor || !in.has_shape) {
      Fail(ErrorCode::kBadModel, where + " is not a tensor with a shape");
    }
    DataType dtype;
    if (!MapDataType(in.elem_type, &dtype)) {
      Fail(ErrorCode::kUnsupportedOp, where + " has element type " + OnnxTypeName(in.elem_type) +
                                          ", which opcost does not support");
    }
    if (in.dims.size() > static_cast<std::size_t>(Shape::kMaxRank)) {
      Fail(ErrorCode::kUnsupportedOp,
           where + " has rank " + std::to_string(in.dims.size()) + "; opcost supports rank <= 4");
    }
    const std::vector<std::int64_t> dims = GraphInputDims(in, where);
    const Layout layout = dims.size() == 4 ? Layout::kNchw : Layout::kPlain;
    Shape s;
    s.rank = static_cast<int>(dims.size());
    for (int i = 0; i < s.rank; ++i) {
      s[i] = dims[static_cast<std::size_t>(layout == Layout::kNchw ? kNchwToNhwc[i] : i)];
    }
    try {
      s.NumElements();
    } catch (const Error&) {
      Fail(ErrorCode::kOverflow, where + " has dims " + DimsText(dims) + " that overflow 64 bits");
    }
    const TensorId id = graph_.AddTensor(Tensor::Activation(in.name, s, dtype));
    tensor_consumers_.resize(graph_.tensors().size(), 0);
    is_graph_output_.resize(graph_.tensors().size(), false);
    Bind(in.name, id, layout);
    inputs.push_back(id);
  }
  graph_.SetInputs(inputs);
}

// The static dims of graph input `in`; a dynamic batch dim becomes 1 (noted in the
// description).
std::vector<std::int64_t> Importer::GraphInputDims(const OnnxValueInfo& in,
                                                   const std::string& where) {
  std::vector<std::int64_t> dims;
  for (std::size_t d = 0; d < in.dims.size(); ++d) {
    const OnnxDim& dim = in.dims[d];
    if (!dim.known && d == 0) {
      dims.push_back(1);
      notes_ += "; dynamic batch dim of input '" + in.name + "'" +
                (dim.param.empty() ? "" : " ('" + dim.param + "')") + " set to 1";
      continue;
    }
    if (!dim.known || dim.value < 1) {
      Fail(ErrorCode::kBadModel,
           where + ": dim " + std::to_string(d) +
               (dim.known ? " is " + std::to_string(dim.value)
                          : " is dynamic ('" + dim.param + "')") +
               "; opcost needs static dims (only a dynamic batch dim 0 becomes 1)");
    }
    dims.push_back(dim.value);
  }
  return dims;
}

void Importer::CountConsumers() {
  for (const OnnxNode& n : m_.graph.nodes) {
    for (const std::string& in : n.inputs) {
      if (!in.empty()) ++consumers_[in];
    }
  }
  for (const OnnxValueInfo& out : m_.graph.outputs) ++consumers_[out.name];
  for (const OnnxValueInfo& v : m_.graph.value_info) declared_[v.name] = &v;
  for (const OnnxValueInfo& v : m_.graph.outputs) declared_[v.name] = &v;
}

void Importer::MapNode(std::size_t index) {
  current_ = index;
  const OnnxNode& n = m_.graph.nodes[index];
  for (const OnnxAttribute& a : n.attributes) {
    if (a.has_graph) {
      NodeFail(n, ErrorCode::kUnsupportedOp,
               "attribute '" + a.name +
                   "' holds a subgraph; control flow (If, Loop, Scan) is "
                   "not supported");
    }
  }
  for (std::size_t k = 0; k < n.inputs.size(); ++k) {
    if (n.inputs[k].empty() || values_.count(n.inputs[k]) != 0) continue;
    NodeFail(n, ErrorCode::kBadModel,
             "input " + std::to_string(k) + " '" + n.inputs[k] +
                 "' is not a graph input, an initializer or the output of an earlier node (a "
                 "missing initializer, a cycle or nodes out of topological order)");
  }
  for (const std::string& out : n.outputs) {
    if (!out.empty() && values_.count(out) != 0) {
      NodeFail(n, ErrorCode::kBadModel,
               "output '" + out +
                   "' is already defined (ONNX values "
                   "are assigned once; a cycle or a duplicate)");
    }
  }
  const bool known_domain =
      n.domain.empty() || n.domain == "ai.onnx" || n.domain == "com.microsoft";
  const OnnxOpRule* rule = known_domain ? FindOnnxOpRule(n.op_type) : nullptr;
  try {
    if (rule == nullptr) {
      AddUnsupported(n, "op is not supported by the ONNX importer");
    } else {
      rule->map(*this, n);
    }
  } catch (const Error& e) {
    const std::string what = e.what();
    if (what.rfind(source_, 0) == 0) throw;
    throw WithContext(e, source_ + ": " + NodeLabel(n));
  }
  // This node's reads are done.
  for (const std::string& in : n.inputs) {
    if (in.empty()) continue;
    const Value& v = values_.at(in);
    if (!v.is_constant && tensor_consumers_[static_cast<std::size_t>(v.tensor)] > 0) {
      --tensor_consumers_[static_cast<std::size_t>(v.tensor)];
    }
  }
}

void Importer::BindGraphOutputs() {
  std::vector<TensorId> outputs;
  for (const OnnxValueInfo& out : m_.graph.outputs) {
    const auto it = values_.find(out.name);
    if (it == values_.end()) {
      Fail(ErrorCode::kBadModel, "graph output '" + out.name + "' is not produced by any node");
    }
    if (it->second.is_constant) {
      Fail(ErrorCode::kUnsupportedOp, "graph output '" + out.name + "' is a constant");
    }
    if (std::find(outputs.begin(), outputs.end(), it->second.tensor) == outputs.end()) {
      outputs.push_back(it->second.tensor);
    }
  }
  graph_.SetOutputs(outputs.empty() ? UnconsumedOutputs(graph_) : outputs);
}

void Importer::CheckDeclaredShapes() {
  for (const auto& [name, info] : declared_) {
    const auto it = values_.find(name);
    if (it == values_.end() || it->second.is_constant || !info->is_tensor || !info->has_shape) {
      continue;
    }
    const std::vector<std::int64_t> ours = OnnxDims(it->second);
    bool same = ours.size() == info->dims.size();
    for (std::size_t d = 0; same && d < ours.size(); ++d) {
      const OnnxDim& dim = info->dims[d];
      same = !dim.known || dim.value == ours[d];
    }
    if (same) continue;
    std::string declared = "[";
    for (std::size_t d = 0; d < info->dims.size(); ++d) {
      if (d != 0) declared += ",";
      declared += info->dims[d].known ? std::to_string(info->dims[d].value)
                                      : (info->dims[d].param.empty() ? "?" : info->dims[d].param);
    }
    declared += "]";
    const NodeId producer = graph_.producer(it->second.tensor);
    Fail(ErrorCode::kBadModel,
         "tensor '" + name + "'" +
             (producer == kNoNode ? "" : " (output of node '" + graph_.node(producer).name + "')") +
             ": the file declares shape " + declared + " but the ops compute " + DimsText(ours));
  }
}

// Names end up in JSON output, which must be UTF-8 (as protobuf strings must be).
void Importer::CheckStrings() const {
  auto check = [&](const std::string& s, const std::string& what) {
    if (!detail::IsValidUtf8(s)) {
      Fail(ErrorCode::kBadModel, what + " is not valid UTF-8 (protobuf strings are UTF-8)");
    }
  };
  check(m_.graph.name, "the graph name");
  check(m_.producer_name + m_.producer_version, "the producer name");
  for (std::size_t i = 0; i < m_.graph.nodes.size(); ++i) {
    const OnnxNode& n = m_.graph.nodes[i];
    const std::string where = "node " + std::to_string(i);
    check(n.name, "the name of " + where);
    check(n.op_type + n.domain, "the op type of " + where);
    for (const std::string& s : n.inputs) check(s, "an input name of " + where);
    for (const std::string& s : n.outputs) check(s, "an output name of " + where);
  }
  for (const OnnxTensor& t : m_.graph.initializers) check(t.name, "an initializer name");
  for (const OnnxValueInfo& v : m_.graph.inputs) check(v.name, "a graph input name");
  for (const OnnxValueInfo& v : m_.graph.outputs) check(v.name, "a graph output name");
}

Graph Importer::Run(const std::string& graph_name) {
  CheckStrings();
  graph_.set_name(m_.graph.name.empty() ? graph_name : m_.graph.name);
  CountConsumers();
  LoadInitializers();
  AddGraphInputs();
  for (std::size_t i = 0; i < m_.graph.nodes.size(); ++i) MapNode(i);
  BindGraphOutputs();
  for (TensorId t : graph_.outputs()) is_graph_output_[static_cast<std::size_t>(t)] = true;
  graph_.Validate();
  CheckDeclaredShapes();
  std::string description = "Imported from ONNX file " + source_;
  if (!m_.producer_name.empty()) {
    description += " (producer " + m_.producer_name +
                   (m_.producer_version.empty() ? "" : " " + m_.producer_version) + ", opset " +
                   std::to_string(m_.opset) + ")";
  }
  description += "; NCHW tensors held as NHWC" + notes_;
  graph_.set_description(description);
  return std::move(graph_);
}

}  // namespace opcost::onnx
