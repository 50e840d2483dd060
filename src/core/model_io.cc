// Loading and saving the JSON model format (docs/model-format.md).
//
// Loading runs in three passes so that forward references are reported as what they are
// (a cycle, or an order that is not topological) rather than as unknown names:
//   1. parse every layer and create its output tensors;
//   2. resolve input names and add the nodes, then validate the structure;
//   3. in execution order, create the constants a short-form layer implies and infer shapes.
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "io/file_io.h"
#include "io/json_reader.h"
#include "core/op_registry.h"
#include "opcost/builder.h"
#include "opcost/error.h"
#include "opcost/model_io.h"
#include "opcost/shape_inference.h"

namespace opcost {
namespace {

using detail::JoinPath;
using detail::Json;
using detail::JsonReader;

constexpr const char kFormatName[] = "opcost-model";

bool AcceptsField(OpType type, const std::string& key) {
  if (key == "name" || key == "op" || key == "inputs" || key == "outputs") return true;
  for (const char* field : detail::GetOpInfo(type).json_fields) {
    if (key == field) return true;
  }
  return false;
}

struct LayerSpec {
  std::string path;
  std::string name;
  OpType type = OpType::kUnsupported;
  OpAttributes attrs;
  bool bias = true;
  bool has_bias_field = false;
  bool has_inputs = false;
  bool has_kernel = false;
  std::vector<std::string> input_names;
  std::vector<std::string> input_paths;
  std::vector<std::string> output_names;
};

// "layer 'conv1'": the label error messages about layer `s` carry.
std::string LayerLabel(const LayerSpec& s) { return "layer '" + s.name + "'"; }

struct TensorDecl {
  std::string path;
  bool has_shape = false;
  Shape shape;
  bool has_dtype = false;
  DataType dtype = DataType::kInt8;
  bool constant = false;
  Quantization quantization;
  const Json* data = nullptr;
  bool used = false;
};

// One layer object and its JSON path, for the per-field parsers.
struct LayerObject {
  const Json& json;
  const std::string& path;
  bool Has(const char* key) const { return json.contains(key); }
  const Json& At(const char* key) const { return json.at(key); }
  std::string PathOf(const char* key) const { return JoinPath(path, key); }
};

class ModelLoader {
 public:
  explicit ModelLoader(const std::string& source) : r_(source, ErrorCode::kBadModel) {}

  Graph Load(const Json& root);

 private:
  DataType ParseDType(const Json& j, const std::string& path) const;
  Shape ParseShape(const Json& j, const std::string& path, bool allow_minus_one = false) const;
  void ParsePair(const Json& layer, const char* key, const std::string& path, std::int64_t* h,
                 std::int64_t* w) const;
  void ParsePadding(const Json& j, const std::string& path, OpAttributes* a) const;
  LayerSpec ParseLayer(const Json& layer, std::size_t index);
  LayerSpec ParseLayerHead(const Json& layer, std::size_t index);
  void ParseLayerTensors(const LayerObject& f, LayerSpec* s) const;
  void ParseWindowFields(const LayerObject& f, OpType type, OpAttributes* a) const;
  void ParseOtherFields(const LayerObject& f, LayerSpec* s) const;
  void ParsePaddings(const Json& pads, const std::string& path, OpAttributes* a) const;
  void ParseTensorDecls(const Json& tensors);
  Quantization ParseQuantization(const Json& j, const std::string& path) const;
  std::vector<std::uint8_t> ParseData(const Json& j, const std::string& path, const Shape& shape,
                                      DataType dtype) const;
  void ApplyDecl(TensorId id, bool is_constant);
  void ParseHeader(const Json& root);
  std::vector<TensorId> AddGraphInputs(const Json& root);
  std::vector<LayerSpec> ParseLayers(const Json& root);
  std::vector<bool> AddNodes(const std::vector<LayerSpec>& specs, TensorId first_input);
  bool AddLayerNode(const LayerSpec& s, TensorId previous);
  bool ResolveInputs(const LayerSpec& s, TensorId previous, std::vector<TensorId>* inputs);
  void TakeAttrsFromWeights(const LayerSpec& s, Node* node) const;
  void CheckShortFormFields(const LayerSpec& s);
  void AddConstantsAndShapes(const std::vector<LayerSpec>& specs,
                             const std::vector<bool>& synthesize);
  void AddImpliedConstants(const LayerSpec& s, NodeId id);
  void CheckDeclarations();
  void SetGraphOutputs(const Json& root);
  // Runs `f`, turning library errors into errors that name the source, path and layer.
  template <typename F>
  void InContext(const std::string& path, const std::string& label, F&& f);

  JsonReader r_;
  Graph graph_;
  DataType dtype_ = DataType::kInt8;
  std::map<std::string, TensorDecl> decls_;
};

template <typename F>
void ModelLoader::InContext(const std::string& path, const std::string& label, F&& f) {
  try {
    f();
  } catch (const Error& e) {
    if (e.code() == ErrorCode::kBadModel) throw;
    std::string prefix = r_.source() + ": " + path;
    if (!label.empty()) prefix += " (" + label + ")";
    throw WithContext(e, prefix);
  }
}

DataType ModelLoader::ParseDType(const Json& j, const std::string& path) const {
  DataType t;
  const std::string name = r_.String(j, path);
  if (!ParseDataType(name, &t)) {
    r_.Fail(path, "unknown dtype \"" + name +
                      "\" (expected int8, uint8, int16, int32, int64 or float32)");
  }
  return t;
}

Shape ModelLoader::ParseShape(const Json& j, const std::string& path, bool allow_minus_one) const {
  r_.ExpectArray(j, path);
  if (j.size() > static_cast<std::size_t>(Shape::kMaxRank)) {
    r_.Fail(path, "rank must be at most 4 (got " + std::to_string(j.size()) + ")");
  }
  Shape s;
  s.rank = static_cast<int>(j.size());
  std::int64_t product = 1;
  for (std::size_t i = 0; i < j.size(); ++i) {
    const std::string p = JoinPath(path, i);
    const std::int64_t v = r_.Int(j.at(i), p);
    if (v == -1 && allow_minus_one) {
      s[static_cast<int>(i)] = v;
      continue;
    }
    if (v < 1) r_.Fail(p, "dims must be positive (got " + std::to_string(v) + ")");
    s[static_cast<int>(i)] = v;
    if (__builtin_mul_overflow(product, v, &product)) {
      r_.Fail(path, "the product of the dims overflows 64 bits");
    }
  }
  return s;
}

void ModelLoader::ParsePair(const Json& layer, const char* key, const std::string& path,
                            std::int64_t* h, std::int64_t* w) const {
  auto it = layer.find(key);
  if (it == layer.end()) return;
  const std::string p = JoinPath(path, key);
  if (it->is_array()) {
    if (it->size() != 2) r_.Fail(p, "expected [h, w] or one integer");
    *h = r_.PositiveInt(it->at(0), JoinPath(p, 0));
    *w = r_.PositiveInt(it->at(1), JoinPath(p, 1));
  } else {
    *h = *w = r_.PositiveInt(*it, p);
  }
}

void ModelLoader::ParsePadding(const Json& j, const std::string& path, OpAttributes* a) const {
  if (j.is_string()) {
    const std::string v = j.get<std::string>();
    if (v == "same") {
      a->padding = Padding::kSame;
    } else if (v == "valid") {
      a->padding = Padding::kValid;
    } else {
      r_.Fail(path, "padding must be \"same\", \"valid\" or [top, bottom, left, right] (got \"" +
                        v + "\")");
    }
    return;
  }
  if (!j.is_array() || j.size() != 4) {
    r_.Fail(path, "padding must be \"same\", \"valid\" or [top, bottom, left, right]");
  }
  std::int64_t v[4];
  for (std::size_t i = 0; i < 4; ++i) {
    v[i] = r_.Int(j.at(i), JoinPath(path, i));
    if (v[i] < 0) r_.Fail(JoinPath(path, i), "padding must not be negative");
  }
  a->padding = Padding::kExplicit;
  a->pad_top = v[0];
  a->pad_bottom = v[1];
  a->pad_left = v[2];
  a->pad_right = v[3];
}

LayerSpec ModelLoader::ParseLayer(const Json& layer, std::size_t index) {
  LayerSpec s = ParseLayerHead(layer, index);
  const LayerObject fields{layer, s.path};
  ParseLayerTensors(fields, &s);
  ParseWindowFields(fields, s.type, &s.attrs);
  s.has_kernel = fields.Has("kernel");
  ParseOtherFields(fields, &s);
  return s;
}

// Path, op and name; then the fields the op accepts and requires. Sets the layer label.
LayerSpec ModelLoader::ParseLayerHead(const Json& layer, std::size_t index) {
  LayerSpec s;
  s.path = JoinPath("/layers", index);
  r_.set_label("");
  r_.ExpectObject(layer, s.path);
  const std::string op_name = r_.String(r_.Member(layer, "op", s.path), JoinPath(s.path, "op"));
  if (!ParseOpType(op_name, &s.type)) {
    r_.Fail(JoinPath(s.path, "op"), "unknown op \"" + op_name + "\"");
  }
  s.name = layer.contains("name") ? r_.String(layer.at("name"), JoinPath(s.path, "name"))
                                  : op_name + "_" + std::to_string(index);
  if (s.name.empty()) r_.Fail(JoinPath(s.path, "name"), "layer names must not be empty");
  r_.set_label(LayerLabel(s));
  for (auto it = layer.begin(); it != layer.end(); ++it) {
    if (!AcceptsField(s.type, it.key())) {
      r_.Fail(s.path, "unknown field \"" + it.key() + "\" for op " + op_name);
    }
  }
  for (const char* required : detail::GetOpInfo(s.type).required_json_fields) {
    if (!layer.contains(required)) {
      r_.Fail(s.path, std::string("missing required field \"") + required + "\"");
    }
  }
  return s;
}

// "inputs" (names, resolved in pass 2) and "outputs" (by default the layer's name).
void ModelLoader::ParseLayerTensors(const LayerObject& f, LayerSpec* s) const {
  if (f.Has("inputs")) {
    s->has_inputs = true;
    r_.ExpectArray(f.At("inputs"), f.PathOf("inputs"));
    for (std::size_t i = 0; i < f.At("inputs").size(); ++i) {
      const std::string ip = JoinPath(f.PathOf("inputs"), i);
      s->input_names.push_back(r_.String(f.At("inputs").at(i), ip));
      s->input_paths.push_back(ip);
    }
  }
  if (f.Has("outputs")) {
    r_.ExpectArray(f.At("outputs"), f.PathOf("outputs"));
    if (f.At("outputs").empty()) r_.Fail(f.PathOf("outputs"), "a layer needs at least one output");
    for (std::size_t i = 0; i < f.At("outputs").size(); ++i) {
      s->output_names.push_back(
          r_.String(f.At("outputs").at(i), JoinPath(f.PathOf("outputs"), i)));
    }
  } else {
    s->output_names.push_back(s->name);
  }
}

// The sliding-window fields: sizes, kernel or pool window, stride, dilation, padding, groups.
void ModelLoader::ParseWindowFields(const LayerObject& f, OpType type, OpAttributes* a) const {
  if (f.Has("filters")) a->filters = r_.PositiveInt(f.At("filters"), f.PathOf("filters"));
  if (f.Has("units")) a->units = r_.PositiveInt(f.At("units"), f.PathOf("units"));
  ParsePair(f.json, "kernel", f.path, &a->kernel_h, &a->kernel_w);
  if (f.Has("pool")) {
    ParsePair(f.json, "pool", f.path, &a->kernel_h, &a->kernel_w);
    a->stride_h = a->kernel_h;
    a->stride_w = a->kernel_w;
  }
  ParsePair(f.json, "stride", f.path, &a->stride_h, &a->stride_w);
  ParsePair(f.json, "dilation", f.path, &a->dilation_h, &a->dilation_w);
  const bool conv = type == OpType::kConv2D || type == OpType::kDepthwiseConv2D;
  a->padding = conv ? Padding::kSame : Padding::kValid;
  if (f.Has("padding")) ParsePadding(f.At("padding"), f.PathOf("padding"), a);
  if (f.Has("groups")) a->groups = r_.PositiveInt(f.At("groups"), f.PathOf("groups"));
  if (f.Has("depth_multiplier")) {
    a->depth_multiplier = r_.PositiveInt(f.At("depth_multiplier"), f.PathOf("depth_multiplier"));
  }
}

// Every other field, in the order the format documents them.
void ModelLoader::ParseOtherFields(const LayerObject& f, LayerSpec* s) const {
  OpAttributes& a = s->attrs;
  if (f.Has("bias")) {
    s->bias = r_.Bool(f.At("bias"), f.PathOf("bias"));
    s->has_bias_field = true;
  }
  if (f.Has("activation")) {
    const std::string act = r_.String(f.At("activation"), f.PathOf("activation"));
    if (!ParseActivation(act, &a.activation)) {
      r_.Fail(f.PathOf("activation"), "unknown activation \"" + act + "\"");
    }
  }
  if (f.Has("projection")) {
    a.projection = r_.Int(f.At("projection"), f.PathOf("projection"));
    if (a.projection < 0) r_.Fail(f.PathOf("projection"), "must not be negative");
  }
  if (f.Has("return_sequences")) {
    a.return_sequences = r_.Bool(f.At("return_sequences"), f.PathOf("return_sequences"));
  }
  if (f.Has("axis")) {
    const std::int64_t axis = r_.Int(f.At("axis"), f.PathOf("axis"));
    if (axis < -Shape::kMaxRank || axis >= Shape::kMaxRank) {
      r_.Fail(f.PathOf("axis"), "axis must be in [-4, 3] (got " + std::to_string(axis) + ")");
    }
    a.axis = static_cast<std::int32_t>(axis);
  }
  if (f.Has("keep_dims")) a.keep_dims = r_.Bool(f.At("keep_dims"), f.PathOf("keep_dims"));
  if (f.Has("shape")) a.new_shape = ParseShape(f.At("shape"), f.PathOf("shape"), true);
  if (f.Has("paddings")) ParsePaddings(f.At("paddings"), f.PathOf("paddings"), &a);
  if (f.Has("output_dtype")) {
    a.output_dtype = ParseDType(f.At("output_dtype"), f.PathOf("output_dtype"));
    a.has_output_dtype = true;
  }
  if (f.Has("original_op")) {
    a.unsupported_name = r_.String(f.At("original_op"), f.PathOf("original_op"));
  }
}

// "paddings": up to 4 [before, after] pairs, one per dim.
void ModelLoader::ParsePaddings(const Json& pads, const std::string& path, OpAttributes* a) const {
  r_.ExpectArray(pads, path);
  if (pads.size() > static_cast<std::size_t>(Shape::kMaxRank)) {
    r_.Fail(path, "at most 4 [before, after] pairs");
  }
  for (std::size_t d = 0; d < pads.size(); ++d) {
    const std::string pp = JoinPath(path, d);
    if (!pads.at(d).is_array() || pads.at(d).size() != 2) r_.Fail(pp, "expected [before, after]");
    for (std::size_t k = 0; k < 2; ++k) {
      a->paddings[d][k] = r_.Int(pads.at(d).at(k), JoinPath(pp, k));
      if (a->paddings[d][k] < 0) r_.Fail(JoinPath(pp, k), "must not be negative");
    }
  }
}

Quantization ModelLoader::ParseQuantization(const Json& j, const std::string& path) const {
  r_.ExpectObject(j, path);
  r_.CheckKeys(j, path, {"scale", "zero_point", "axis", "multiplier", "shift"});
  Quantization q;
  const Json& scale = r_.Member(j, "scale", path);
  const Json& zp = r_.Member(j, "zero_point", path);
  r_.ExpectArray(scale, JoinPath(path, "scale"));
  r_.ExpectArray(zp, JoinPath(path, "zero_point"));
  if (scale.empty() || scale.size() != zp.size()) {
    r_.Fail(path, "scale and zero_point must be non-empty and of equal length (got " +
                      std::to_string(scale.size()) + " and " + std::to_string(zp.size()) + ")");
  }
  for (std::size_t i = 0; i < scale.size(); ++i) {
    const double v = r_.Number(scale.at(i), JoinPath(JoinPath(path, "scale"), i));
    if (v < 0) r_.Fail(JoinPath(JoinPath(path, "scale"), i), "scales must not be negative");
    q.scales.push_back(static_cast<float>(v));
    q.zero_points.push_back(r_.Int(zp.at(i), JoinPath(JoinPath(path, "zero_point"), i)));
  }
  if (j.contains("axis")) {
    const std::int64_t axis = r_.Int(j.at("axis"), JoinPath(path, "axis"));
    if (axis < 0 || axis >= Shape::kMaxRank) r_.Fail(JoinPath(path, "axis"), "must be in [0, 3]");
    q.axis = static_cast<std::int32_t>(axis);
  }
  // Optional explicit fixed-point requantization (Q31 multiplier, power-of-two shift).
  if (j.contains("multiplier") != j.contains("shift")) {
    r_.Fail(path, "\"multiplier\" and \"shift\" come together");
  }
  if (j.contains("multiplier")) {
    const std::string mp = JoinPath(path, "multiplier"), sp = JoinPath(path, "shift");
    const Json& m = j.at("multiplier");
    const Json& sh = j.at("shift");
    r_.ExpectArray(m, mp);
    r_.ExpectArray(sh, sp);
    if (m.empty() || m.size() != sh.size()) {
      r_.Fail(path, "multiplier and shift must be non-empty and of equal length");
    }
    for (std::size_t i = 0; i < m.size(); ++i) {
      const std::int64_t v = r_.Int(m.at(i), JoinPath(mp, i));
      if (v < 0 || v > std::numeric_limits<std::int32_t>::max()) {
        r_.Fail(JoinPath(mp, i), "a Q31 multiplier must be in [0, 2^31)");
      }
      const std::int64_t e = r_.Int(sh.at(i), JoinPath(sp, i));
      if (e < -31 || e > 31) r_.Fail(JoinPath(sp, i), "shift must be in [-31, 31]");
      q.multipliers.push_back(static_cast<std::int32_t>(v));
      q.shifts.push_back(static_cast<std::int32_t>(e));
    }
  }
  return q;
}

std::vector<std::uint8_t> ModelLoader::ParseData(const Json& j, const std::string& path,
                                                 const Shape& shape, DataType dtype) const {
  r_.ExpectArray(j, path);
  const std::int64_t n = shape.NumElements();
  if (static_cast<std::int64_t>(j.size()) != n) {
    r_.Fail(path, "expected " + std::to_string(n) + " values for shape " + shape.ToString() +
                      " (got " + std::to_string(j.size()) + ")");
  }
  const std::int64_t size = DataTypeSize(dtype);
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(n * size));
  for (std::size_t i = 0; i < j.size(); ++i) {
    const std::string p = JoinPath(path, i);
    std::uint8_t* dst = bytes.data() + i * static_cast<std::size_t>(size);
    if (dtype == DataType::kFloat32) {
      const float f = static_cast<float>(r_.Number(j.at(i), p));
      std::memcpy(dst, &f, 4);
      continue;
    }
    const std::int64_t v = r_.Int(j.at(i), p);
    std::int64_t lo = std::numeric_limits<std::int64_t>::min();
    std::int64_t hi = std::numeric_limits<std::int64_t>::max();
    switch (dtype) {
      case DataType::kInt8: lo = -128; hi = 127; break;
      case DataType::kUInt8: lo = 0; hi = 255; break;
      case DataType::kInt16: lo = -32768; hi = 32767; break;
      case DataType::kInt32: lo = std::numeric_limits<std::int32_t>::min();
                             hi = std::numeric_limits<std::int32_t>::max(); break;
      default: break;
    }
    if (v < lo || v > hi) {
      r_.Fail(p, std::to_string(v) + " is out of range for " + DataTypeName(dtype));
    }
    const auto u = static_cast<std::uint64_t>(v);
    for (std::int64_t b = 0; b < size; ++b) dst[b] = static_cast<std::uint8_t>(u >> (8 * b));
  }
  return bytes;
}

void ModelLoader::ParseTensorDecls(const Json& tensors) {
  r_.ExpectArray(tensors, "/tensors");
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    const std::string p = JoinPath("/tensors", i);
    const Json& t = tensors.at(i);
    r_.ExpectObject(t, p);
    r_.CheckKeys(t, p, {"name", "shape", "dtype", "constant", "quantization", "data"});
    const std::string name = r_.String(r_.Member(t, "name", p), JoinPath(p, "name"));
    if (decls_.count(name) != 0) r_.Fail(p, "tensor '" + name + "' is declared twice");
    TensorDecl d;
    d.path = p;
    if (t.contains("shape")) {
      d.has_shape = true;
      d.shape = ParseShape(t.at("shape"), JoinPath(p, "shape"));
    }
    if (t.contains("dtype")) {
      d.has_dtype = true;
      d.dtype = ParseDType(t.at("dtype"), JoinPath(p, "dtype"));
    }
    if (t.contains("constant")) d.constant = r_.Bool(t.at("constant"), JoinPath(p, "constant"));
    if (t.contains("quantization")) {
      d.quantization = ParseQuantization(t.at("quantization"), JoinPath(p, "quantization"));
    }
    if (t.contains("data")) {
      if (!d.constant) r_.Fail(JoinPath(p, "data"), "only constants carry data");
      d.data = &t.at("data");
    }
    if (d.constant) {
      if (!d.has_shape) r_.Fail(p, "constant '" + name + "' needs a shape");
      if (!d.has_dtype) r_.Fail(p, "constant '" + name + "' needs a dtype");
      Tensor c = Tensor::Constant(name, d.shape, d.dtype);
      c.quantization = d.quantization;
      if (d.data != nullptr) c.data = ParseData(*d.data, JoinPath(p, "data"), d.shape, d.dtype);
      InContext(p, "", [&] { graph_.AddTensor(std::move(c)); });
    }
    decls_.emplace(name, std::move(d));
  }
}

void ModelLoader::ApplyDecl(TensorId id, bool is_constant) {
  auto it = decls_.find(graph_.tensor(id).name);
  if (it == decls_.end()) return;
  TensorDecl& d = it->second;
  d.used = true;
  if (is_constant) return;
  Tensor& t = graph_.mutable_tensor(id);
  if (d.has_dtype) t.dtype = d.dtype;
  t.quantization = d.quantization;
}

Graph ModelLoader::Load(const Json& root) {
  ParseHeader(root);
  if (root.contains("tensors")) ParseTensorDecls(root.at("tensors"));
  const std::vector<TensorId> input_ids = AddGraphInputs(root);
  const std::vector<LayerSpec> specs = ParseLayers(root);
  const std::vector<bool> synthesize = AddNodes(specs, input_ids.front());
  AddConstantsAndShapes(specs, synthesize);
  CheckDeclarations();
  SetGraphOutputs(root);
  return std::move(graph_);
}

// Format, version and the model-wide fields.
void ModelLoader::ParseHeader(const Json& root) {
  r_.ExpectObject(root, "");
  r_.CheckKeys(root, "", {"format", "format_version", "name", "description", "dtype", "inputs",
                          "outputs", "tensors", "layers"});
  const std::string format = r_.String(r_.Member(root, "format", ""), "/format");
  if (format != kFormatName) {
    r_.Fail("/format", "expected \"" + std::string(kFormatName) + "\" (got \"" + format + "\")");
  }
  const std::int64_t version = r_.Int(r_.Member(root, "format_version", ""), "/format_version");
  if (version != kModelFormatVersion) {
    r_.Fail("/format_version", "unsupported version " + std::to_string(version) +
                                   " (this opcost reads version " +
                                   std::to_string(kModelFormatVersion) + ")");
  }
  if (root.contains("name")) graph_.set_name(r_.String(root.at("name"), "/name"));
  if (root.contains("description")) {
    graph_.set_description(r_.String(root.at("description"), "/description"));
  }
  if (root.contains("dtype")) dtype_ = ParseDType(root.at("dtype"), "/dtype");
}

std::vector<TensorId> ModelLoader::AddGraphInputs(const Json& root) {
  const Json& inputs = r_.Member(root, "inputs", "");
  r_.ExpectArray(inputs, "/inputs");
  if (inputs.empty()) r_.Fail("/inputs", "a model needs at least one input");
  std::vector<TensorId> input_ids;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const std::string p = JoinPath("/inputs", i);
    const Json& in = inputs.at(i);
    r_.ExpectObject(in, p);
    r_.CheckKeys(in, p, {"name", "shape", "dtype"});
    const std::string name = r_.String(r_.Member(in, "name", p), JoinPath(p, "name"));
    const Shape shape = ParseShape(r_.Member(in, "shape", p), JoinPath(p, "shape"));
    if (shape.rank == 0) r_.Fail(JoinPath(p, "shape"), "inputs need rank 1 to 4");
    const DataType dtype = in.contains("dtype") ? ParseDType(in.at("dtype"), JoinPath(p, "dtype"))
                                                : dtype_;
    InContext(p, "", [&] {
      input_ids.push_back(graph_.AddTensor(Tensor::Activation(name, shape, dtype)));
    });
    ApplyDecl(input_ids.back(), false);
  }
  graph_.SetInputs(input_ids);
  return input_ids;
}

// Pass 1: layers and their output tensors.
std::vector<LayerSpec> ModelLoader::ParseLayers(const Json& root) {
  const Json& layers = r_.Member(root, "layers", "");
  r_.ExpectArray(layers, "/layers");
  std::vector<LayerSpec> specs;
  specs.reserve(layers.size());
  for (std::size_t i = 0; i < layers.size(); ++i) {
    specs.push_back(ParseLayer(layers.at(i), i));
    const LayerSpec& s = specs.back();
    for (const std::string& out : s.output_names) {
      InContext(s.path, LayerLabel(s), [&] {
        const TensorId id = graph_.AddTensor(Tensor::Activation(out, Shape{}, dtype_));
        ApplyDecl(id, false);
        auto d = decls_.find(out);
        if (d != decls_.end() && d->second.has_shape && s.type == OpType::kUnsupported) {
          graph_.mutable_tensor(id).shape = d->second.shape;
        }
      });
    }
  }
  r_.set_label("");
  return specs;
}

// Pass 2: nodes with resolved inputs; structural validation. Returns per layer whether its
// constants are to be created from its fields (it lists none).
std::vector<bool> ModelLoader::AddNodes(const std::vector<LayerSpec>& specs,
                                        TensorId first_input) {
  std::vector<bool> synthesize(specs.size(), false);
  TensorId previous = first_input;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    synthesize[i] = AddLayerNode(specs[i], previous);
    previous = graph_.node(static_cast<NodeId>(i)).outputs.front();
  }
  InContext("/layers", "", [&] { graph_.Validate(); });
  return synthesize;
}

// Adds the node of layer `s` (without inputs: it reads `previous`); returns whether its
// constants are still to be created.
bool ModelLoader::AddLayerNode(const LayerSpec& s, TensorId previous) {
  Node node;
  node.name = s.name;
  node.type = s.type;
  node.attrs = s.attrs;
  const bool lists_constants = ResolveInputs(s, previous, &node.inputs);
  if (lists_constants && s.has_bias_field) {
    r_.set_label(LayerLabel(s));
    r_.Fail(JoinPath(s.path, "bias"),
            "\"bias\" applies only when the layer's constants are created from its fields");
  }
  if (lists_constants && node.inputs.size() > 1) TakeAttrsFromWeights(s, &node);
  if (!lists_constants) CheckShortFormFields(s);
  for (const std::string& out : s.output_names) node.outputs.push_back(graph_.FindTensor(out));
  InContext(s.path, LayerLabel(s), [&] { graph_.AddNode(std::move(node)); });
  return !lists_constants;
}

// The tensors layer `s` reads (by name, or else `previous`); returns whether one is a constant.
bool ModelLoader::ResolveInputs(const LayerSpec& s, TensorId previous,
                                std::vector<TensorId>* inputs) {
  if (!s.has_inputs) {
    inputs->push_back(previous);
    return false;
  }
  bool lists_constants = false;
  for (std::size_t k = 0; k < s.input_names.size(); ++k) {
    const TensorId t = graph_.FindTensor(s.input_names[k]);
    if (t == kNoTensor) {
      r_.set_label(LayerLabel(s));
      r_.Fail(s.input_paths[k], "unknown tensor '" + s.input_names[k] +
                                    "' (no input, constant or layer output has this name)");
    }
    lists_constants = lists_constants || graph_.tensor(t).is_constant;
    inputs->push_back(t);
  }
  return lists_constants;
}

// With explicit weights, kernel and filters/units follow the weights.
void ModelLoader::TakeAttrsFromWeights(const LayerSpec& s, Node* node) const {
  const Shape& w = graph_.tensor(node->inputs[1]).shape;
  const bool conv = s.type == OpType::kConv2D || s.type == OpType::kDepthwiseConv2D;
  if (conv && w.rank == 4) {
    if (!s.attrs.filters && s.type == OpType::kConv2D) node->attrs.filters = w[0];
    if (!s.has_kernel) {
      node->attrs.kernel_h = w[1];
      node->attrs.kernel_w = w[2];
    }
  }
  if (s.type == OpType::kFullyConnected && w.rank == 2 && node->attrs.units == 0) {
    node->attrs.units = w[0];
  }
}

// Without explicit weights, the fields that size them are required.
void ModelLoader::CheckShortFormFields(const LayerSpec& s) {
  const char* missing = nullptr;
  if (s.type == OpType::kConv2D && s.attrs.filters == 0) missing = "filters";
  if ((s.type == OpType::kConv2D || s.type == OpType::kDepthwiseConv2D) && !s.has_kernel) {
    missing = "kernel";
  }
  if (s.type == OpType::kFullyConnected && s.attrs.units == 0) missing = "units";
  if (missing != nullptr) {
    r_.set_label(LayerLabel(s));
    r_.Fail(s.path, std::string("missing required field \"") + missing + "\"");
  }
}

// Pass 3: constants of short-form layers, then shapes, in execution order.
void ModelLoader::AddConstantsAndShapes(const std::vector<LayerSpec>& specs,
                                        const std::vector<bool>& synthesize) {
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const LayerSpec& s = specs[i];
    const auto id = static_cast<NodeId>(i);
    InContext(s.path, LayerLabel(s), [&] {
      if (synthesize[i]) AddImpliedConstants(s, id);
      InferNodeShapes(graph_, id);
    });
  }
}

// The constants short-form layer `s` implies (weights, bias), reusing declared ones.
void ModelLoader::AddImpliedConstants(const LayerSpec& s, NodeId id) {
  const Node& n = graph_.node(id);
  const Shape input = n.inputs.empty() ? Shape{} : graph_.tensor(n.inputs[0]).shape;
  const DataType dtype = n.inputs.empty() ? dtype_ : graph_.tensor(n.inputs[0]).dtype;
  for (const ConstantSpec& c : ConstantsFor(s.type, n.attrs, input, dtype, s.bias)) {
    const std::string name = s.name + "/" + c.suffix;
    TensorId t = graph_.FindTensor(name);
    if (t == kNoTensor) {
      t = graph_.AddTensor(Tensor::Constant(name, c.shape, c.dtype));
    } else if (!graph_.tensor(t).is_constant || graph_.tensor(t).shape != c.shape) {
      throw Error(ErrorCode::kBadModel, "tensor '" + name + "' is declared with shape " +
                                            graph_.tensor(t).shape.ToString() +
                                            " but the layer needs constant " +
                                            c.shape.ToString());
    }
    ApplyDecl(t, true);
    graph_.mutable_node(id).inputs.push_back(t);
  }
}

// Declared tensors: shapes must agree; every declaration must be used.
void ModelLoader::CheckDeclarations() {
  for (auto& [name, d] : decls_) {
    const TensorId t = graph_.FindTensor(name);
    r_.set_label("");
    if (t == kNoTensor) r_.Fail(d.path, "declared tensor '" + name + "' is not used by the model");
    if (!d.constant && d.has_shape && graph_.tensor(t).shape != d.shape) {
      r_.Fail(d.path, "declared shape " + d.shape.ToString() + " of '" + name +
                          "' differs from the inferred " + graph_.tensor(t).shape.ToString());
    }
  }
}

// Graph outputs: as listed, or else every output no layer reads.
void ModelLoader::SetGraphOutputs(const Json& root) {
  if (root.contains("outputs")) {
    const Json& outs = root.at("outputs");
    r_.ExpectArray(outs, "/outputs");
    std::vector<TensorId> ids;
    for (std::size_t i = 0; i < outs.size(); ++i) {
      const std::string p = JoinPath("/outputs", i);
      const std::string name = r_.String(outs.at(i), p);
      const TensorId t = graph_.FindTensor(name);
      if (t == kNoTensor) r_.Fail(p, "unknown tensor '" + name + "'");
      ids.push_back(t);
    }
    graph_.SetOutputs(std::move(ids));
  } else {
    graph_.SetOutputs(UnconsumedOutputs(graph_));
  }
  InContext("/outputs", "", [&] { graph_.Validate(); });
}

// ---- Saving ----

using OJson = nlohmann::ordered_json;

OJson Pair(std::int64_t h, std::int64_t w) { return OJson::array({h, w}); }

OJson ShapeJson(const Shape& s) {
  OJson a = OJson::array();
  for (int i = 0; i < s.rank; ++i) a.push_back(s[i]);
  return a;
}

OJson DataJson(const Tensor& t) {
  OJson a = OJson::array();
  const std::int64_t size = DataTypeSize(t.dtype);
  const std::size_t n = t.data.size() / static_cast<std::size_t>(size);
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint8_t* p = t.data.data() + i * static_cast<std::size_t>(size);
    switch (t.dtype) {
      case DataType::kInt8: a.push_back(static_cast<std::int8_t>(p[0])); break;
      case DataType::kUInt8: a.push_back(p[0]); break;
      case DataType::kInt16: {
        std::int16_t v;
        std::memcpy(&v, p, 2);
        a.push_back(v);
        break;
      }
      case DataType::kInt32: {
        std::int32_t v;
        std::memcpy(&v, p, 4);
        a.push_back(v);
        break;
      }
      case DataType::kInt64: {
        std::int64_t v;
        std::memcpy(&v, p, 8);
        a.push_back(v);
        break;
      }
      case DataType::kFloat32: {
        float v;
        std::memcpy(&v, p, 4);
        a.push_back(v);
        break;
      }
    }
  }
  return a;
}

OJson QuantJson(const Quantization& q) {
  OJson j;
  j["scale"] = q.scales;
  j["zero_point"] = q.zero_points;
  j["axis"] = q.axis;
  if (!q.multipliers.empty()) {
    j["multiplier"] = q.multipliers;
    j["shift"] = q.shifts;
  }
  return j;
}

// Writes attribute `field` (one of the op's json_fields) of node `n`.
void WriteField(const Graph& g, const Node& n, const std::string& field, OJson& j) {
  const OpAttributes& a = n.attrs;
  if (field == "filters") {
    j[field] = a.filters;
  } else if (field == "kernel" || field == "pool") {
    j[field] = Pair(a.kernel_h, a.kernel_w);
  } else if (field == "stride") {
    j[field] = Pair(a.stride_h, a.stride_w);
  } else if (field == "padding") {
    if (a.padding == Padding::kExplicit) {
      j[field] = OJson::array({a.pad_top, a.pad_bottom, a.pad_left, a.pad_right});
    } else {
      j[field] = a.padding == Padding::kSame ? "same" : "valid";
    }
  } else if (field == "dilation") {
    j[field] = Pair(a.dilation_h, a.dilation_w);
  } else if (field == "groups") {
    j[field] = a.groups;
  } else if (field == "depth_multiplier") {
    j[field] = a.depth_multiplier;
  } else if (field == "units") {
    j[field] = a.units;
  } else if (field == "activation") {
    j[field] = ActivationName(a.activation);
  } else if (field == "keep_dims") {
    j[field] = a.keep_dims;
  } else if (field == "output_dtype") {
    if (a.has_output_dtype) j[field] = DataTypeName(a.output_dtype);
  } else if (field == "axis") {
    j[field] = a.axis;
  } else if (field == "paddings") {
    OJson pads = OJson::array();
    const int rank = g.tensor(n.inputs.front()).shape.rank;
    for (int d = 0; d < rank; ++d) {
      pads.push_back(Pair(a.paddings[static_cast<std::size_t>(d)][0],
                          a.paddings[static_cast<std::size_t>(d)][1]));
    }
    j[field] = pads;
  } else if (field == "shape") {
    j[field] = ShapeJson(a.new_shape);
  } else if (field == "projection") {
    j[field] = a.projection;
  } else if (field == "return_sequences") {
    j[field] = a.return_sequences;
  } else if (field == "original_op") {
    j[field] = a.unsupported_name;
  } else if (field != "bias") {  // the bias is one of the inputs
    throw Error(ErrorCode::kInternal, "no writer for model field \"" + field + "\"");
  }
}

OJson LayerJson(const Graph& g, const Node& n) {
  OJson j;
  j["name"] = n.name;
  j["op"] = OpTypeName(n.type);
  OJson ins = OJson::array(), outs = OJson::array();
  for (TensorId t : n.inputs) ins.push_back(g.tensor(t).name);
  for (TensorId t : n.outputs) outs.push_back(g.tensor(t).name);
  j["inputs"] = ins;
  j["outputs"] = outs;
  for (const char* field : detail::GetOpInfo(n.type).json_fields) WriteField(g, n, field, j);
  return j;
}

OJson InputsJson(const Graph& g) {
  OJson inputs = OJson::array();
  for (TensorId t : g.inputs()) {
    OJson in;
    in["name"] = g.tensor(t).name;
    in["shape"] = ShapeJson(g.tensor(t).shape);
    in["dtype"] = DataTypeName(g.tensor(t).dtype);
    inputs.push_back(in);
  }
  return inputs;
}

// The "tensors" entry of tensor `id`, or false when the defaults already describe it (an
// activation of the model dtype without quantization; inputs state their own dtype).
bool TensorDeclJson(const Graph& g, TensorId id, DataType dtype, bool is_input, OJson* d) {
  const Tensor& t = g.tensor(id);
  (*d)["name"] = t.name;
  if (t.is_constant) {
    (*d)["shape"] = ShapeJson(t.shape);
    (*d)["dtype"] = DataTypeName(t.dtype);
    (*d)["constant"] = true;
    if (!t.quantization.empty()) (*d)["quantization"] = QuantJson(t.quantization);
    if (!t.data.empty()) (*d)["data"] = DataJson(t);
    return true;
  }
  const bool unsupported_output =
      g.producer(id) != kNoNode && g.node(g.producer(id)).type == OpType::kUnsupported;
  if (t.dtype == dtype && t.quantization.empty() && !unsupported_output) return false;
  if (is_input && t.quantization.empty()) return false;
  if (unsupported_output) (*d)["shape"] = ShapeJson(t.shape);
  (*d)["dtype"] = DataTypeName(t.dtype);
  if (!t.quantization.empty()) (*d)["quantization"] = QuantJson(t.quantization);
  return true;
}

OJson TensorDeclsJson(const Graph& g, DataType dtype) {
  OJson tensors = OJson::array();
  std::vector<char> is_input(g.tensors().size(), 0);
  for (TensorId t : g.inputs()) is_input[static_cast<std::size_t>(t)] = 1;
  for (std::size_t i = 0; i < g.tensors().size(); ++i) {
    OJson d;
    if (TensorDeclJson(g, static_cast<TensorId>(i), dtype, is_input[i] != 0, &d)) {
      tensors.push_back(d);
    }
  }
  return tensors;
}

}  // namespace

Graph ParseModel(const std::string& json_text, const std::string& source_name) {
  const Json root = detail::ParseJsonText(json_text, source_name, ErrorCode::kBadModel);
  ModelLoader loader(source_name);
  return loader.Load(root);
}

Graph LoadModel(const std::string& path) {
  Graph g = ParseModel(detail::ReadTextFile(path), path);
  if (g.name().empty()) {
    std::string stem = path.substr(path.find_last_of('/') + 1);
    g.set_name(stem.substr(0, stem.rfind('.')));
  }
  return g;
}

std::string SaveModelToString(const Graph& g) {
  OJson root;
  root["format"] = kFormatName;
  root["format_version"] = kModelFormatVersion;
  root["name"] = g.name();
  if (!g.description().empty()) root["description"] = g.description();
  const DataType dtype = g.inputs().empty() ? DataType::kInt8 : g.tensor(g.inputs()[0]).dtype;
  root["dtype"] = DataTypeName(dtype);
  root["inputs"] = InputsJson(g);
  const OJson tensors = TensorDeclsJson(g, dtype);
  if (!tensors.empty()) root["tensors"] = tensors;
  OJson layers = OJson::array();
  for (const Node& n : g.nodes()) layers.push_back(LayerJson(g, n));
  root["layers"] = layers;
  OJson outputs = OJson::array();
  for (TensorId t : g.outputs()) outputs.push_back(g.tensor(t).name);
  root["outputs"] = outputs;
  try {
    return root.dump(1) + "\n";
  } catch (const nlohmann::json::type_error& e) {
    // Names from elsewhere (an imported file) that are not UTF-8 cannot be written as JSON.
    throw Error(ErrorCode::kInvalidArgument, "cannot save model '" + g.name() +
                                                 "': a tensor, op or model name is not valid "
                                                 "UTF-8 (" + e.what() + ")");
  }
}

void SaveModel(const Graph& graph, const std::string& path) {
  detail::WriteFileAtomically(path, SaveModelToString(graph));
}

}  // namespace opcost
