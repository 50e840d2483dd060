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
  void ParseTensorDecls(const Json& tensors);
  Quantization ParseQuantization(const Json& j, const std::string& path) const;
  std::vector<std::uint8_t> ParseData(const Json& j, const std::string& path, const Shape& shape,
                                      DataType dtype) const;
  void ApplyDecl(TensorId id, bool is_constant);
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
  r_.set_label("layer '" + s.name + "'");
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
  OpAttributes& a = s.attrs;
  const std::string& p = s.path;
  auto has = [&](const char* k) { return layer.contains(k); };
  auto field = [&](const char* k) -> const Json& { return layer.at(k); };
  auto path = [&](const char* k) { return JoinPath(p, k); };
  if (has("inputs")) {
    s.has_inputs = true;
    r_.ExpectArray(field("inputs"), path("inputs"));
    for (std::size_t i = 0; i < field("inputs").size(); ++i) {
      const std::string ip = JoinPath(path("inputs"), i);
      s.input_names.push_back(r_.String(field("inputs").at(i), ip));
      s.input_paths.push_back(ip);
    }
  }
  if (has("outputs")) {
    r_.ExpectArray(field("outputs"), path("outputs"));
    if (field("outputs").empty()) r_.Fail(path("outputs"), "a layer needs at least one output");
    for (std::size_t i = 0; i < field("outputs").size(); ++i) {
      s.output_names.push_back(
          r_.String(field("outputs").at(i), JoinPath(path("outputs"), i)));
    }
  } else {
    s.output_names.push_back(s.name);
  }
  if (has("filters")) a.filters = r_.PositiveInt(field("filters"), path("filters"));
  if (has("units")) a.units = r_.PositiveInt(field("units"), path("units"));
  ParsePair(layer, "kernel", p, &a.kernel_h, &a.kernel_w);
  s.has_kernel = has("kernel");
  if (has("pool")) {
    ParsePair(layer, "pool", p, &a.kernel_h, &a.kernel_w);
    a.stride_h = a.kernel_h;
    a.stride_w = a.kernel_w;
  }
  ParsePair(layer, "stride", p, &a.stride_h, &a.stride_w);
  ParsePair(layer, "dilation", p, &a.dilation_h, &a.dilation_w);
  const bool conv = s.type == OpType::kConv2D || s.type == OpType::kDepthwiseConv2D;
  a.padding = conv ? Padding::kSame : Padding::kValid;
  if (has("padding")) ParsePadding(field("padding"), path("padding"), &a);
  if (has("groups")) a.groups = r_.PositiveInt(field("groups"), path("groups"));
  if (has("depth_multiplier")) {
    a.depth_multiplier = r_.PositiveInt(field("depth_multiplier"), path("depth_multiplier"));
  }
  if (has("bias")) {
    s.bias = r_.Bool(field("bias"), path("bias"));
    s.has_bias_field = true;
  }
  if (has("activation")) {
    const std::string act = r_.String(field("activation"), path("activation"));
    if (!ParseActivation(act, &a.activation)) {
      r_.Fail(path("activation"), "unknown activation \"" + act + "\"");
    }
  }
  if (has("projection")) {
    a.projection = r_.Int(field("projection"), path("projection"));
    if (a.projection < 0) r_.Fail(path("projection"), "must not be negative");
  }
  if (has("return_sequences")) {
    a.return_sequences = r_.Bool(field("return_sequences"), path("return_sequences"));
  }
  if (has("axis")) {
    const std::int64_t axis = r_.Int(field("axis"), path("axis"));
    if (axis < -Shape::kMaxRank || axis >= Shape::kMaxRank) {
      r_.Fail(path("axis"), "axis must be in [-4, 3] (got " + std::to_string(axis) + ")");
    }
    a.axis = static_cast<std::int32_t>(axis);
  }
  if (has("keep_dims")) a.keep_dims = r_.Bool(field("keep_dims"), path("keep_dims"));
  if (has("shape")) a.new_shape = ParseShape(field("shape"), path("shape"), true);
  if (has("paddings")) {
    const Json& pads = field("paddings");
    r_.ExpectArray(pads, path("paddings"));
    if (pads.size() > static_cast<std::size_t>(Shape::kMaxRank)) {
      r_.Fail(path("paddings"), "at most 4 [before, after] pairs");
    }
    for (std::size_t d = 0; d < pads.size(); ++d) {
      const std::string pp = JoinPath(path("paddings"), d);
      if (!pads.at(d).is_array() || pads.at(d).size() != 2) r_.Fail(pp, "expected [before, after]");
      for (std::size_t k = 0; k < 2; ++k) {
        a.paddings[d][k] = r_.Int(pads.at(d).at(k), JoinPath(pp, k));
        if (a.paddings[d][k] < 0) r_.Fail(JoinPath(pp, k), "must not be negative");
      }
    }
  }
  if (has("output_dtype")) {
    a.output_dtype = ParseDType(field("output_dtype"), path("output_dtype"));
    a.has_output_dtype = true;
  }
  if (has("original_op")) {
    a.unsupported_name = r_.String(field("original_op"), path("original_op"));
  }
  return s;
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
  if (root.contains("tensors")) ParseTensorDecls(root.at("tensors"));

  // Graph inputs.
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

  // Pass 1: layers and their output tensors.
  const Json& layers = r_.Member(root, "layers", "");
  r_.ExpectArray(layers, "/layers");
  std::vector<LayerSpec> specs;
  specs.reserve(layers.size());
  for (std::size_t i = 0; i < layers.size(); ++i) {
    specs.push_back(ParseLayer(layers.at(i), i));
    LayerSpec& s = specs.back();
    for (const std::string& out : s.output_names) {
      InContext(s.path, "layer '" + s.name + "'", [&] {
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

  // Pass 2: nodes with resolved inputs; structural validation.
  std::vector<bool> synthesize(specs.size(), false);
  TensorId previous = input_ids.front();
  for (std::size_t i = 0; i < specs.size(); ++i) {
    LayerSpec& s = specs[i];
    const std::string label = "layer '" + s.name + "'";
    Node node;
    node.name = s.name;
    node.type = s.type;
    node.attrs = s.attrs;
    bool lists_constants = false;
    if (s.has_inputs) {
      for (std::size_t k = 0; k < s.input_names.size(); ++k) {
        const TensorId t = graph_.FindTensor(s.input_names[k]);
        if (t == kNoTensor) {
          r_.set_label(label);
          r_.Fail(s.input_paths[k], "unknown tensor '" + s.input_names[k] +
                                        "' (no input, constant or layer output has this name)");
        }
        lists_constants = lists_constants || graph_.tensor(t).is_constant;
        node.inputs.push_back(t);
      }
    } else {
      node.inputs.push_back(previous);
    }
    synthesize[i] = !lists_constants;
    if (lists_constants && s.has_bias_field) {
      r_.set_label(label);
      r_.Fail(JoinPath(s.path, "bias"),
              "\"bias\" applies only when the layer's constants are created from its fields");
    }
    // With explicit weights, kernel and filters/units follow the weights.
    if (lists_constants && node.inputs.size() > 1) {
      const Shape& w = graph_.tensor(node.inputs[1]).shape;
      const bool conv = s.type == OpType::kConv2D || s.type == OpType::kDepthwiseConv2D;
      if (conv && w.rank == 4) {
        if (!s.attrs.filters && s.type == OpType::kConv2D) node.attrs.filters = w[0];
        if (!s.has_kernel) {
          node.attrs.kernel_h = w[1];
          node.attrs.kernel_w = w[2];
        }
      }
      if (s.type == OpType::kFullyConnected && w.rank == 2 && node.attrs.units == 0) {
        node.attrs.units = w[0];
      }
    }
    if (synthesize[i]) {
      const char* missing = nullptr;
      if (s.type == OpType::kConv2D && s.attrs.filters == 0) missing = "filters";
      if ((s.type == OpType::kConv2D || s.type == OpType::kDepthwiseConv2D) && !s.has_kernel) {
        missing = "kernel";
      }
      if (s.type == OpType::kFullyConnected && s.attrs.units == 0) missing = "units";
      if (missing != nullptr) {
        r_.set_label(label);
        r_.Fail(s.path, std::string("missing required field \"") + missing + "\"");
      }
    }
    for (const std::string& out : s.output_names) node.outputs.push_back(graph_.FindTensor(out));
    InContext(s.path, label, [&] { graph_.AddNode(std::move(node)); });
    previous = graph_.node(static_cast<NodeId>(i)).outputs.front();
  }
  InContext("/layers", "", [&] { graph_.Validate(); });

  // Pass 3: constants of short-form layers, then shapes, in execution order.
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const LayerSpec& s = specs[i];
    const auto id = static_cast<NodeId>(i);
    InContext(s.path, "layer '" + s.name + "'", [&] {
      if (synthesize[i]) {
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
      InferNodeShapes(graph_, id);
    });
  }

  // Declared tensors: shapes must agree; every declaration must be used.
  for (auto& [name, d] : decls_) {
    const TensorId t = graph_.FindTensor(name);
    r_.set_label("");
    if (t == kNoTensor) r_.Fail(d.path, "declared tensor '" + name + "' is not used by the model");
    if (!d.constant && d.has_shape && graph_.tensor(t).shape != d.shape) {
      r_.Fail(d.path, "declared shape " + d.shape.ToString() + " of '" + name +
                          "' differs from the inferred " + graph_.tensor(t).shape.ToString());
    }
  }
  // Graph outputs.
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
  return std::move(graph_);
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
  OJson inputs = OJson::array();
  for (TensorId t : g.inputs()) {
    OJson in;
    in["name"] = g.tensor(t).name;
    in["shape"] = ShapeJson(g.tensor(t).shape);
    in["dtype"] = DataTypeName(g.tensor(t).dtype);
    inputs.push_back(in);
  }
  root["inputs"] = inputs;
  OJson tensors = OJson::array();
  std::vector<char> is_input(g.tensors().size(), 0);
  for (TensorId t : g.inputs()) is_input[static_cast<std::size_t>(t)] = 1;
  for (std::size_t i = 0; i < g.tensors().size(); ++i) {
    const Tensor& t = g.tensors()[i];
    OJson d;
    d["name"] = t.name;
    if (t.is_constant) {
      d["shape"] = ShapeJson(t.shape);
      d["dtype"] = DataTypeName(t.dtype);
      d["constant"] = true;
      if (!t.quantization.empty()) d["quantization"] = QuantJson(t.quantization);
      if (!t.data.empty()) d["data"] = DataJson(t);
    } else {
      const bool unsupported_output =
          g.producer(static_cast<TensorId>(i)) != kNoNode &&
          g.node(g.producer(static_cast<TensorId>(i))).type == OpType::kUnsupported;
      if (t.dtype == dtype && t.quantization.empty() && !unsupported_output) continue;
      if (is_input[i] && t.quantization.empty()) continue;
      if (unsupported_output) d["shape"] = ShapeJson(t.shape);
      d["dtype"] = DataTypeName(t.dtype);
      if (!t.quantization.empty()) d["quantization"] = QuantJson(t.quantization);
    }
    tensors.push_back(d);
  }
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
