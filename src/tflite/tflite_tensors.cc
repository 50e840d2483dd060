// TFLite tensors as graph tensors: element type, shape, quantization and constant bytes, each
// checked against the file; constant operands read as attribute values.
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "opcost/error.h"
#include "tflite/tflite_importer.h"

namespace opcost::tflite {

DataType Importer::MapType(std::int32_t t) const {
  switch (T(t).type) {
    case tflite::kTflFloat32:
      return DataType::kFloat32;
    case tflite::kTflInt32:
      return DataType::kInt32;
    case tflite::kTflUInt8:
      return DataType::kUInt8;
    case tflite::kTflInt64:
      return DataType::kInt64;
    case tflite::kTflInt16:
      return DataType::kInt16;
    case tflite::kTflInt8:
      return DataType::kInt8;
    default:
      Fail(ErrorCode::kUnsupportedOp, Describe(t) + " has element type " +
                                          tflite::TflTypeName(T(t).type) +
                                          ", which opcost does not support");
  }
}

Shape Importer::MapShape(std::int32_t t) const {
  const TflTensor& tensor = T(t);
  if (tensor.shape.size() > static_cast<std::size_t>(Shape::kMaxRank)) {
    Fail(ErrorCode::kUnsupportedOp, Describe(t) + " has rank " +
                                        std::to_string(tensor.shape.size()) + " " +
                                        DimsText(tensor.shape) + "; opcost supports rank <= 4");
  }
  Shape s;
  s.rank = static_cast<int>(tensor.shape.size());
  for (int i = 0; i < s.rank; ++i) {
    const std::int64_t d = tensor.shape[static_cast<std::size_t>(i)];
    if (d < 1) {
      Fail(ErrorCode::kBadModel,
           Describe(t) + " has a zero or negative (dynamic) dim: shape " + DimsText(tensor.shape));
    }
    s[i] = d;
  }
  try {
    s.NumElements();
  } catch (const Error&) {
    Fail(ErrorCode::kOverflow,
         Describe(t) + " has shape " + DimsText(tensor.shape) + " whose size overflows 64 bits");
  }
  return s;
}

Quantization Importer::MapQuantization(std::int32_t t, const Shape& shape) const {
  const TflTensor& tensor = T(t);
  Quantization q;
  if (tensor.scales.empty()) return q;
  if (tensor.zero_points.size() != tensor.scales.size()) {
    Fail(ErrorCode::kBadModel, Describe(t) + ": quantization has " +
                                   std::to_string(tensor.scales.size()) + " scales but " +
                                   std::to_string(tensor.zero_points.size()) + " zero points");
  }
  for (float scale : tensor.scales) {
    if (!std::isfinite(scale) || scale < 0.0f) {
      Fail(ErrorCode::kBadModel, Describe(t) +
                                     ": quantization scale must be finite and >= 0 (got " +
                                     std::to_string(scale) + ")");
    }
  }
  if (tensor.scales.size() > 1) {
    const std::int32_t axis = tensor.quantized_dimension;
    if (axis < 0 || axis >= shape.rank ||
        shape[axis] != static_cast<std::int64_t>(tensor.scales.size())) {
      Fail(ErrorCode::kBadModel, Describe(t) + ": per-channel quantization with " +
                                     std::to_string(tensor.scales.size()) +
                                     " scales along dimension " + std::to_string(axis) +
                                     " does not fit shape " + shape.ToString());
    }
  }
  q.scales = tensor.scales;
  q.zero_points = tensor.zero_points;
  q.axis = tensor.quantized_dimension;
  return q;
}

// A graph name for TFLite tensor `t`: its own name when usable (TFLite does not require
// names to be unique or non-empty).
std::string Importer::TensorName(std::int32_t t) const {
  std::string name = T(t).name;
  if (name.empty()) name = "tensor_" + std::to_string(t);
  if (graph_.FindTensor(name) != kNoTensor) name += "#" + std::to_string(t);
  return name;
}

// The graph tensor for TFLite tensor `t`, created on first use (so tensors only read as
// attributes, like a reshape's shape, never become graph tensors).
TensorId Importer::TensorFor(std::int32_t t) {
  TensorId& id = graph_ids_[static_cast<std::size_t>(t)];
  if (id != kNoTensor) return id;
  if (T(t).is_sparse) {
    Fail(ErrorCode::kUnsupportedOp, Describe(t) + " is sparse; opcost reads dense tensors only");
  }
  if (T(t).is_variable) {
    Fail(ErrorCode::kUnsupportedOp,
         Describe(t) + " is a variable (stateful) tensor; opcost does not model state");
  }
  Tensor tensor;
  tensor.name = TensorName(t);
  tensor.dtype = MapType(t);
  const Shape shape = MapShape(t);
  tensor.quantization = MapQuantization(t, shape);
  tensor.shape = shape;  // graph inputs keep it; op outputs get it re-inferred and checked
  if (IsConstant(t)) CopyConstantData(t, &tensor);
  id = graph_.AddTensor(std::move(tensor));
  file_index_.resize(graph_.tensors().size(), -1);
  file_index_[static_cast<std::size_t>(id)] = t;
  return id;
}

// The bytes of constant `t`, checked against its shape and dtype and charged to the copy budget.
void Importer::CopyConstantData(std::int32_t t, Tensor* tensor) {
  tensor->is_constant = true;
  const Shape& shape = tensor->shape;
  const std::int64_t want = CheckedMul(shape.NumElements(), DataTypeSize(tensor->dtype));
  const TflBuffer& buf = BufferOf(t);
  if (static_cast<std::uint64_t>(want) != buf.size_bytes) {
    Fail(ErrorCode::kBadModel, Describe(t) + " of shape " + shape.ToString() + " and type " +
                                   DataTypeName(tensor->dtype) + " needs " + std::to_string(want) +
                                   " data bytes, but its buffer " + std::to_string(T(t).buffer) +
                                   " has " + std::to_string(buf.size_bytes));
  }
  copy_budget_.Charge(buf.size_bytes, Describe(t));
  tensor->data.assign(buf.data, buf.data + buf.size_bytes);
}

// A constant operand read as an attribute (a reshape's shape, a mean's axes).
std::vector<std::int64_t> Importer::ReadIntConstant(std::size_t op, std::int32_t t,
                                                    const char* what) {
  if (t < 0 || !IsConstant(t)) {
    OpFail(op, ErrorCode::kUnsupportedOp, std::string(what) + " must be a constant tensor");
  }
  const TflTensor& tensor = T(t);
  const std::size_t width = tensor.type == tflite::kTflInt32   ? 4
                            : tensor.type == tflite::kTflInt64 ? 8
                                                               : 0;
  if (width == 0) {
    OpFail(op, ErrorCode::kBadModel,
           std::string(what) + " must be INT32 or INT64 (got " + tflite::TflTypeName(tensor.type) +
               ")");
  }
  const tflite::TflBuffer& buf = BufferOf(t);
  const Shape shape = MapShape(t);
  if (buf.size_bytes % width != 0 ||
      static_cast<std::uint64_t>(shape.NumElements()) != buf.size_bytes / width) {
    OpFail(op, ErrorCode::kBadModel,
           std::string(what) + " " + Describe(t) + " of shape " + shape.ToString() + " has " +
               std::to_string(buf.size_bytes) + " data bytes");
  }
  std::vector<std::int64_t> values(buf.size_bytes / width);
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (width == 4) {
      std::int32_t v;
      std::memcpy(&v, buf.data + i * 4, 4);
      values[i] = v;
    } else {
      std::memcpy(&values[i], buf.data + i * 8, 8);
    }
  }
  return values;
}

// The file states every tensor's shape; opcost inferred them from the ops. They must agree,
// or the mapping (or the file) is wrong. The file's dtype is kept where an op does not say.
void Importer::CheckAgainstFile() {
  for (TensorId id = 0; id < static_cast<TensorId>(graph_.tensors().size()); ++id) {
    const std::int32_t t = file_index_[static_cast<std::size_t>(id)];
    if (t < 0) continue;
    Tensor& tensor = graph_.mutable_tensor(id);
    const Shape file_shape = MapShape(t);
    if (tensor.shape != file_shape) {
      const NodeId producer = graph_.producer(id);
      Fail(ErrorCode::kBadModel,
           Describe(t) +
               (producer == kNoNode ? ""
                                    : " (output of node '" + graph_.node(producer).name + "')") +
               ": the file gives shape " + file_shape.ToString() + " but the op computes " +
               tensor.shape.ToString());
    }
    tensor.dtype = MapType(t);
  }
}

}  // namespace opcost::tflite
