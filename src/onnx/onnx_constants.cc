// Constants: initializers and Constant-node tensors checked against their dims and type, and
// their conversion into graph constants (layout transpose, dtype, quantization axis), charged to
// the copy budget.
#include <cstring>
#include <string>
#include <vector>

#include "onnx/onnx_importer.h"

namespace opcost::onnx {

namespace {

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

std::int64_t Constant::NumElements() const {
  std::int64_t n = 1;
  for (std::int64_t d : dims) n = CheckedMul(n, d);
  return n;
}

void Importer::ChargeCopy(const OnnxNode& n, std::uint64_t bytes) {
  copy_budget_.Charge(bytes, NodeLabel(n));
}

// The opcost dtype of constant `c`, which `role` names in errors.
DataType Importer::ConstantType(const OnnxNode& n, const Constant& c,
                                const std::string& role) const {
  DataType dtype;
  if (!MapDataType(c.onnx_type, &dtype)) {
    NodeFail(n, ErrorCode::kUnsupportedOp,
             role + " '" + c.name + "' has element type " + OnnxTypeName(c.onnx_type) +
                 ", which opcost does not support");
  }
  return dtype;
}

// The checks constant `c` (`dims`: its dims in opcost order) passes before it becomes a graph
// tensor: rank, dims and per-axis quantization.
void Importer::CheckConstantDims(const OnnxNode& n, const Constant& c,
                                 const std::vector<std::int64_t>& dims,
                                 const std::string& role) const {
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
}

TensorId Importer::AddConstantTensor(const OnnxNode& n, const Constant& c,
                                     const std::vector<int>& perm, const std::string& role) {
  const DataType dtype = ConstantType(n, c, role);
  const std::vector<std::int64_t> dims = Permute(c.dims, perm);
  CheckConstantDims(n, c, dims, role);
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

}  // namespace opcost::onnx
