// The importer's core: constants and graph inputs in, nodes mapped one by one in file order
// (ONNX requires topological order; an input not yet defined is a cycle, an unsorted graph or a
// missing initializer), outputs bound, then the shapes the file declares (value_info, outputs)
// compared with the ones opcost inferred: that is the replicated ONNX shape inference.
#include "onnx/onnx_importer.h"

#include <algorithm>
#include <cstring>

#include "io/file_io.h"
#include "core/op_registry.h"
#include "opcost/shape_inference.h"

namespace opcost::onnx {

std::string DimsText(const std::vector<std::int64_t>& dims) {
  std::string s = "[";
  for (std::size_t i = 0; i < dims.size(); ++i) {
    if (i != 0) s += ",";
    s += std::to_string(dims[i]);
  }
  return s + "]";
}

namespace {

bool MapDataType(std::int32_t onnx_type, DataType* out) {
  switch (onnx_type) {
    case kOnnxFloat:
      *out = DataType::kFloat32;
      return true;
    case kOnnxUInt8:
      *out = DataType::kUInt8;
      return true;
    case kOnnxInt8:
      *out = DataType::kInt8;
      return true;
    case kOnnxInt16:
      *out = DataType::kInt16;
      return true;
    case kOnnxInt32:
      *out = DataType::kInt32;
      return true;
    case kOnnxInt64:
      *out = DataType::kInt64;
      return true;
    default:
      return false;
  }
}

std::vector<std::int64_t> Permute(const std::vector<std::int64_t>& dims,
                                  const std::vector<int>& perm) {
  if (perm.empty()) return dims;
  std::vector<std::int64_t> out(perm.size());
  for (std::size_t i = 0; i < perm.size(); ++i) out[i] = dims[static_cast<std::size_t>(perm[i])];
  return out;
}

// Element-wise transpose: out dim i = in dim perm[i].
std::vector<std::uint8_t> Transpose(const std::uint8_t* data, const std::vector<std::int64_t>& dims,
                                    const std::vector<int>& perm, std::size_t width) {
  const std::size_t rank = dims.size();
  std::vector<std::int64_t> in_strides(rank, 1);
  for (std::size_t i = rank; i-- > 1;) in_strides[i - 1] = in_strides[i] * dims[i];
  const std::vector<std::int64_t> out_dims = Permute(dims, perm);
  std::int64_t total = 1;
  for (std::int64_t d : dims) total *= d;
  std::vector<std::uint8_t> out(static_cast<std::size_t>(total) * width);
  std::vector<std::int64_t> index(rank, 0);  // position in out dims
  for (std::int64_t o = 0; o < total; ++o) {
    std::int64_t src = 0;
    for (std::size_t i = 0; i < rank; ++i) {
      src += index[i] * in_strides[static_cast<std::size_t>(perm[i])];
    }
    std::memcpy(out.data() + static_cast<std::size_t>(o) * width,
                data + static_cast<std::size_t>(src) * width, width);
    for (std::size_t i = rank; i-- > 0;) {
      if (++index[i] < out_dims[i]) break;
      index[i] = 0;
    }
  }
  return out;
}

}  // namespace

std::int64_t Constant::NumElements() const {
  std::int64_t n = 1;
  for (std::int64_t d : dims) n = CheckedMul(n, d);
  return n;
}

Importer::Importer(const OnnxModel& model, const std::string& source,
                   const OnnxImportOptions& options, const std::string& external_dir)
    : m_(model),
      source_(source),
      options_(options),
      external_dir_(external_dir),
      // Constant bytes copied into the graph (one initializer may feed many nodes): 16 per
      // file byte, at least 1 MiB, as the TFLite importer.
      copy_budget_(
          std::max<std::uint64_t>(std::uint64_t{16} * model.file_bytes, std::uint64_t{1} << 20)) {}

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

// ---- inputs ----

bool Importer::HasInput(const OnnxNode& n, std::size_t k) const {
  return k < n.inputs.size() && !n.inputs[k].empty();
}

const Value& Importer::In(const OnnxNode& n, std::size_t k, const char* what) const {
  if (!HasInput(n, k)) {
    NodeFail(n, ErrorCode::kBadModel, "missing input " + std::to_string(k) + " (" + what + ")");
  }
  return values_.at(n.inputs[k]);  // bound: MapNode checked every input
}

TensorId Importer::ActivationIn(const OnnxNode& n, std::size_t k, const char* what,
                                Layout* layout) {
  const Value& v = In(n, k, what);
  if (v.is_constant) {
    NodeFail(n, ErrorCode::kUnsupportedOp,
             std::string("input ") + std::to_string(k) + " (" + what + ") '" + n.inputs[k] +
                 "' is a constant; opcost maps this op on a computed tensor only");
  }
  if (layout != nullptr) *layout = v.layout;
  return v.tensor;
}

const Constant& Importer::ConstantIn(const OnnxNode& n, std::size_t k, const char* what) const {
  const Value& v = In(n, k, what);
  if (!v.is_constant) {
    NodeFail(n, ErrorCode::kUnsupportedOp,
             std::string("input ") + std::to_string(k) + " (" + what + ") '" + n.inputs[k] +
                 "' must be a constant (an initializer or Constant node; opcost costs static "
                 "weights and shapes)");
  }
  return ConstantOf(v);
}

std::vector<std::int64_t> Importer::IntValues(const OnnxNode& n, const Constant& c,
                                              const char* what) {
  if (c.onnx_type != kOnnxInt64 && c.onnx_type != kOnnxInt32) {
    NodeFail(n, ErrorCode::kBadModel,
             std::string(what) + " '" + c.name + "' must be INT64 or INT32 (got " +
                 OnnxTypeName(c.onnx_type) + ")");
  }
  if (!c.has_data) {
    NodeFail(n, ErrorCode::kUnsupportedOp,
             std::string(what) + " '" + c.name + "' is external data; opcost reads it inline only");
  }
  const std::int64_t count = c.NumElements();
  if (count > 4096) {
    NodeFail(n, ErrorCode::kBadModel,
             std::string(what) + " '" + c.name + "' has " + std::to_string(count) +
                 " values (at most 4096)");
  }
  std::vector<std::int64_t> out(static_cast<std::size_t>(count));
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (c.onnx_type == kOnnxInt64) {
      std::memcpy(&out[i], c.Data() + 8 * i, 8);
    } else {
      std::int32_t v;
      std::memcpy(&v, c.Data() + 4 * i, 4);
      out[i] = v;
    }
  }
  return out;
}

std::vector<float> Importer::FloatValues(const OnnxNode& n, const Constant& c, const char* what) {
  if (c.onnx_type != kOnnxFloat && c.onnx_type != kOnnxDouble) {
    NodeFail(n, ErrorCode::kBadModel,
             std::string(what) + " '" + c.name + "' must be FLOAT (got " +
                 OnnxTypeName(c.onnx_type) + ")");
  }
  if (!c.has_data) {
    NodeFail(n, ErrorCode::kUnsupportedOp,
             std::string(what) + " '" + c.name + "' is external data; opcost reads it inline only");
  }
  std::vector<float> out(static_cast<std::size_t>(c.NumElements()));
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (c.onnx_type == kOnnxFloat) {
      std::memcpy(&out[i], c.Data() + 4 * i, 4);
    } else {
      double d;
      std::memcpy(&d, c.Data() + 8 * i, 8);
      out[i] = static_cast<float>(d);
    }
  }
  return out;
}

std::vector<std::int64_t> Importer::OnnxDims(const Value& v) const {
  const Shape& s = graph_.tensor(v.tensor).shape;
  std::vector<std::int64_t> dims(static_cast<std::size_t>(s.rank));
  for (int i = 0; i < s.rank; ++i) {
    const int onnx_axis = v.layout == Layout::kNchw ? kNchwToNhwc[i] : i;
    dims[static_cast<std::size_t>(onnx_axis)] = s[i];
  }
  return dims;
}

// ---- attributes ----

const OnnxAttribute* Importer::Attr(const OnnxNode& n, const char* name) const {
  for (const OnnxAttribute& a : n.attributes) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

std::int64_t Importer::AttrInt(const OnnxNode& n, const char* name, std::int64_t fallback) const {
  const OnnxAttribute* a = Attr(n, name);
  if (a == nullptr) return fallback;
  if (!a->has_i)
    NodeFail(n, ErrorCode::kBadModel, std::string("attribute '") + name + "' is not an int");
  return a->i;
}

float Importer::AttrFloat(const OnnxNode& n, const char* name, float fallback) const {
  const OnnxAttribute* a = Attr(n, name);
  if (a == nullptr) return fallback;
  if (!a->has_f)
    NodeFail(n, ErrorCode::kBadModel, std::string("attribute '") + name + "' is not a float");
  return a->f;
}

std::vector<std::int64_t> Importer::AttrInts(const OnnxNode& n, const char* name,
                                             std::vector<std::int64_t> fallback) const {
  const OnnxAttribute* a = Attr(n, name);
  if (a == nullptr) return fallback;
  return a->ints;
}

std::string Importer::AttrString(const OnnxNode& n, const char* name, const char* fallback) const {
  const OnnxAttribute* a = Attr(n, name);
  if (a == nullptr) return fallback;
  if (!a->has_s)
    NodeFail(n, ErrorCode::kBadModel, std::string("attribute '") + name + "' is not a string");
  return a->s;
}

// ---- output ----

void Importer::ChargeCopy(const OnnxNode& n, std::uint64_t bytes) {
  if (bytes > copy_budget_) {
    NodeFail(n, ErrorCode::kBadModel,
             "constant data copied into the graph exceeds the budget of 16 bytes per file byte "
             "(a corrupted or hostile file)");
  }
  copy_budget_ -= bytes;
}

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

TensorId Importer::AddConstantTensor(const OnnxNode& n, const Constant& c,
                                     const std::vector<int>& perm, const std::string& role) {
  DataType dtype;
  if (!MapDataType(c.onnx_type, &dtype)) {
    NodeFail(n, ErrorCode::kUnsupportedOp,
             role + " '" + c.name + "' has element type " + OnnxTypeName(c.onnx_type) +
                 ", which opcost does not support");
  }
  const std::vector<std::int64_t> dims = Permute(c.dims, perm);
  if (dims.size() > static_cast<std::size_t>(Shape::kMaxRank)) {
    NodeFail(n, ErrorCode::kUnsupportedOp,
             role + " '" + c.name + "' has rank " + std::to_string(dims.size()) +
                 "; opcost supports rank <= 4");
  }
  for (std::int64_t d : dims) {
    if (d < 1) {
      NodeFail(n, ErrorCode::kUnsupportedOp,
               role + " '" + c.name + "' has an empty dim: " + DimsText(c.dims) +
                   " (opcost needs dims >= 1)");
    }
  }
  if (!c.quant.empty() && c.quant.scales.size() > 1 &&
      (c.quant.axis < 0 || static_cast<std::size_t>(c.quant.axis) >= c.dims.size() ||
       c.dims[static_cast<std::size_t>(c.quant.axis)] !=
           static_cast<std::int64_t>(c.quant.scales.size()))) {
    NodeFail(n, ErrorCode::kBadModel,
             role + " '" + c.name + "': " + std::to_string(c.quant.scales.size()) +
                 " per-axis scales along axis " + std::to_string(c.quant.axis) +
                 " do not fit dims " + DimsText(c.dims));
  }
  Tensor t;
  t.name = UniqueTensorName(c.name);
  t.dtype = dtype;
  t.is_constant = true;
  t.shape.rank = static_cast<int>(dims.size());
  for (std::size_t i = 0; i < dims.size(); ++i) t.shape[static_cast<int>(i)] = dims[i];
  t.quantization = c.quant;
  if (!c.quant.empty() && !perm.empty()) {
    for (std::size_t i = 0; i < perm.size(); ++i) {
      if (perm[i] == c.quant.axis) t.quantization.axis = static_cast<std::int32_t>(i);
    }
  }
  if (c.has_data) {
    const std::size_t width = OnnxTypeSize(c.onnx_type);
    const std::uint64_t bytes = static_cast<std::uint64_t>(c.NumElements()) * width;
    ChargeCopy(n, bytes);
    if (perm.empty()) {
      t.data.assign(c.Data(), c.Data() + bytes);
    } else {
      t.data = Transpose(c.Data(), c.dims, perm, width);
    }
  }
  const TensorId id = graph_.AddTensor(std::move(t));
  tensor_consumers_.resize(graph_.tensors().size(), 0);
  is_graph_output_.resize(graph_.tensors().size(), false);
  return id;
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
    Shape s;
    s.rank = static_cast<int>(info->dims.size());
    const Layout layout = s.rank == 4 ? Layout::kNchw : Layout::kPlain;
    for (int i = 0; i < s.rank; ++i) {
      const int axis = layout == Layout::kNchw ? kNchwToNhwc[i] : i;
      const OnnxDim& d = info->dims[static_cast<std::size_t>(axis)];
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
    const TensorId id = NewActivation(name);
    Tensor& t = graph_.mutable_tensor(id);
    t.shape = s;
    DataType dtype;
    if (MapDataType(info->elem_type, &dtype)) t.dtype = dtype;
    outs.push_back({id, layout, name});
    node.outputs.push_back(id);
  }
  if (outs.empty()) NodeFail(n, ErrorCode::kBadModel, "has no output");
  graph_.AddNode(std::move(node));
  for (const Out& o : outs) Bind(o.name, o.id, o.layout);
}

// ---- the run ----

Constant Importer::ConstantFromTensor(const OnnxTensor& t, const std::string& where) {
  Constant c;
  c.name = t.name;
  c.dims = t.dims;
  c.onnx_type = t.data_type;
  for (std::int64_t d : t.dims) {
    if (d < 0) Fail(ErrorCode::kBadModel, where + " has a negative dim: " + DimsText(t.dims));
  }
  std::int64_t elements;
  try {
    elements = c.NumElements();
  } catch (const Error&) {
    Fail(ErrorCode::kOverflow,
         where + " has dims " + DimsText(t.dims) + " whose element count overflows 64 bits");
  }
  const std::size_t width = OnnxTypeSize(t.data_type);
  if (t.is_string || width == 0) return c;  // usable only where no data is read
  if (t.has_segment) Fail(ErrorCode::kUnsupportedOp, where + " is segmented");
  std::int64_t want;
  try {
    want = CheckedMul(elements, static_cast<std::int64_t>(width));
  } catch (const Error&) {
    Fail(ErrorCode::kOverflow, where + " of dims " + DimsText(t.dims) + " overflows 64 bits");
  }
  std::int64_t have = -1;
  if (t.external) {
    have = ExternalDataBytes(t, external_dir_, source_);
  } else if (t.has_raw) {
    have = static_cast<std::int64_t>(t.raw_size);
    c.view = t.raw;
    c.has_data = true;
  } else if (t.has_typed) {
    have = static_cast<std::int64_t>(t.typed.size());
    c.view = t.typed.data();
    c.has_data = true;
  } else if (want == 0) {
    have = 0;
    c.has_data = true;
  }
  if (have < 0) Fail(ErrorCode::kBadModel, where + " has no data");
  if (have != want) {
    Fail(ErrorCode::kBadModel, where + " of dims " + DimsText(t.dims) + " and type " +
                                   OnnxTypeName(t.data_type) + " needs " + std::to_string(want) +
                                   " data bytes, but has " + std::to_string(have));
  }
  return c;
}

void Importer::LoadInitializers() {
  const auto& inits = m_.graph.initializers;
  for (std::size_t i = 0; i < inits.size(); ++i) {
    const std::string where = "initializer " + std::to_string(i) + " '" + inits[i].name + "'";
    if (inits[i].name.empty()) Fail(ErrorCode::kBadModel, where + " has no name");
    BindConstant(inits[i].name, ConstantFromTensor(inits[i], where));
  }
  if (m_.graph.sparse_initializers != 0) {
    Fail(ErrorCode::kUnsupportedOp, "sparse initializers are not supported");
  }
}

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
