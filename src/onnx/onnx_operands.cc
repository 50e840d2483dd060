// What op mappers read from a node: its inputs (activations with their layout, or constants and
// their values) and its attributes, with errors naming the node.
#include <cstring>
#include <string>
#include <vector>

#include "onnx/onnx_importer.h"

namespace opcost::onnx {

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

}  // namespace opcost::onnx
