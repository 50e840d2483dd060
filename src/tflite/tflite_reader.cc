// Hand-written accessors for the TFLite schema subset opcost reads. Field slots follow the
// public schema: field number n of a table lives at vtable offset 4 + 2n; a union takes two
// slots (its type, then its value).
#include "tflite/tflite_reader.h"

#include <flatbuffers/flatbuffers.h>

#include <algorithm>
#include <cstring>
#include <limits>

#include "io/decode_budget.h"
#include "opcost/error.h"

namespace opcost::tflite {
namespace {

using flatbuffers::Offset;
using flatbuffers::String;
using flatbuffers::Table;
using flatbuffers::Vector;
using flatbuffers::Verifier;
using flatbuffers::voffset_t;
using TableVector = Vector<Offset<Table>>;
using detail::DecodeBudget;

constexpr voffset_t Slot(int field) { return static_cast<voffset_t>(4 + 2 * field); }

// table Model
constexpr voffset_t kModelVersion = Slot(0);
constexpr voffset_t kModelOperatorCodes = Slot(1);
constexpr voffset_t kModelSubgraphs = Slot(2);
constexpr voffset_t kModelDescription = Slot(3);
constexpr voffset_t kModelBuffers = Slot(4);
// table OperatorCode
constexpr voffset_t kOpcodeDeprecatedBuiltin = Slot(0);  // byte
constexpr voffset_t kOpcodeCustomCode = Slot(1);
constexpr voffset_t kOpcodeVersion = Slot(2);
constexpr voffset_t kOpcodeBuiltin = Slot(3);  // int (extended)
// table SubGraph
constexpr voffset_t kSubgraphTensors = Slot(0);
constexpr voffset_t kSubgraphInputs = Slot(1);
constexpr voffset_t kSubgraphOutputs = Slot(2);
constexpr voffset_t kSubgraphOperators = Slot(3);
constexpr voffset_t kSubgraphName = Slot(4);
// table Tensor
constexpr voffset_t kTensorShape = Slot(0);
constexpr voffset_t kTensorType = Slot(1);
constexpr voffset_t kTensorBuffer = Slot(2);
constexpr voffset_t kTensorName = Slot(3);
constexpr voffset_t kTensorQuantization = Slot(4);
constexpr voffset_t kTensorIsVariable = Slot(5);
constexpr voffset_t kTensorSparsity = Slot(6);
// table QuantizationParameters
constexpr voffset_t kQuantMin = Slot(0);
constexpr voffset_t kQuantMax = Slot(1);
constexpr voffset_t kQuantScale = Slot(2);
constexpr voffset_t kQuantZeroPoint = Slot(3);
constexpr voffset_t kQuantDetailsType = Slot(4);
constexpr voffset_t kQuantDetails = Slot(5);
constexpr voffset_t kQuantDimension = Slot(6);
// table Buffer
constexpr voffset_t kBufferData = Slot(0);
constexpr voffset_t kBufferOffset = Slot(1);  // ulong: data outside the flatbuffer (>2 GB models)
constexpr voffset_t kBufferSize = Slot(2);
// table Operator
constexpr voffset_t kOperatorOpcodeIndex = Slot(0);
constexpr voffset_t kOperatorInputs = Slot(1);
constexpr voffset_t kOperatorOutputs = Slot(2);
constexpr voffset_t kOperatorOptionsType = Slot(3);
constexpr voffset_t kOperatorOptions = Slot(4);
constexpr voffset_t kOperatorCustomOptions = Slot(5);

[[noreturn]] void Fail(const std::string& source, const std::string& what) {
  throw Error(ErrorCode::kBadModel, source + ": " + what);
}

// ---- verification: every table the importer reads, field by field ----

bool VerifyIntVector(const Table* t, Verifier& v, voffset_t field) {
  return t->VerifyOffset(v, field) && v.VerifyVector(t->GetPointer<const Vector<int32_t>*>(field));
}

bool VerifyTablesWith(const Table* t, Verifier& v, voffset_t field,
                      bool (*verify_one)(const Table*, Verifier&)) {
  if (!t->VerifyOffset(v, field)) return false;
  const auto* vec = t->GetPointer<const TableVector*>(field);
  if (vec == nullptr) return true;
  if (!v.VerifyVector(vec)) return false;
  for (flatbuffers::uoffset_t i = 0; i < vec->size(); ++i) {
    if (!verify_one(vec->Get(i), v)) return false;
  }
  return true;
}

// A table whose fields opcost never reads: only its header and vtable are checked.
bool VerifyOpaqueTable(const Table* t, Verifier& v) {
  return t->VerifyTableStart(v) && v.EndTable();
}

bool VerifyOptions(int type, const Table* t, Verifier& v) {
  if (!t->VerifyTableStart(v)) return false;
  bool ok = true;
  switch (type) {
    case kConv2DOptions:
      ok = t->VerifyField<int8_t>(v, Slot(0), 1) && t->VerifyField<int32_t>(v, Slot(1), 4) &&
           t->VerifyField<int32_t>(v, Slot(2), 4) && t->VerifyField<int8_t>(v, Slot(3), 1) &&
           t->VerifyField<int32_t>(v, Slot(4), 4) && t->VerifyField<int32_t>(v, Slot(5), 4);
      break;
    case kDepthwiseConv2DOptions:
      ok = t->VerifyField<int8_t>(v, Slot(0), 1) && t->VerifyField<int32_t>(v, Slot(1), 4) &&
           t->VerifyField<int32_t>(v, Slot(2), 4) && t->VerifyField<int32_t>(v, Slot(3), 4) &&
           t->VerifyField<int8_t>(v, Slot(4), 1) && t->VerifyField<int32_t>(v, Slot(5), 4) &&
           t->VerifyField<int32_t>(v, Slot(6), 4);
      break;
    case kPool2DOptions:
      ok = t->VerifyField<int8_t>(v, Slot(0), 1) && t->VerifyField<int32_t>(v, Slot(1), 4) &&
           t->VerifyField<int32_t>(v, Slot(2), 4) && t->VerifyField<int32_t>(v, Slot(3), 4) &&
           t->VerifyField<int32_t>(v, Slot(4), 4) && t->VerifyField<int8_t>(v, Slot(5), 1);
      break;
    case kFullyConnectedOptions:
      ok = t->VerifyField<int8_t>(v, Slot(0), 1) && t->VerifyField<int8_t>(v, Slot(1), 1) &&
           t->VerifyField<uint8_t>(v, Slot(2), 1);
      break;
    case kSoftmaxOptions:
      ok = t->VerifyField<float>(v, Slot(0), 4);
      break;
    case kConcatenationOptions:
      ok = t->VerifyField<int32_t>(v, Slot(0), 4) && t->VerifyField<int8_t>(v, Slot(1), 1);
      break;
    case kAddOptions:
    case kMulOptions:
      ok = t->VerifyField<int8_t>(v, Slot(0), 1);
      break;
    case kReshapeOptions:
      ok = VerifyIntVector(t, v, Slot(0));
      break;
    case kReducerOptions:
      ok = t->VerifyField<uint8_t>(v, Slot(0), 1);
      break;
    default:
      break;
  }
  return ok && v.EndTable();
}

bool VerifyOperator(const Table* t, Verifier& v) {
  if (!(t->VerifyTableStart(v) && t->VerifyField<uint32_t>(v, kOperatorOpcodeIndex, 4) &&
        VerifyIntVector(t, v, kOperatorInputs) && VerifyIntVector(t, v, kOperatorOutputs) &&
        t->VerifyField<uint8_t>(v, kOperatorOptionsType, 1) &&
        t->VerifyOffset(v, kOperatorOptions) && t->VerifyOffset(v, kOperatorCustomOptions) &&
        v.VerifyVector(t->GetPointer<const Vector<uint8_t>*>(kOperatorCustomOptions)))) {
    return false;
  }
  const auto* options = t->GetPointer<const Table*>(kOperatorOptions);
  if (options != nullptr &&
      !VerifyOptions(t->GetField<uint8_t>(kOperatorOptionsType, 0), options, v)) {
    return false;
  }
  return v.EndTable();
}

bool VerifyQuantization(const Table* t, Verifier& v) {
  return t->VerifyTableStart(v) && t->VerifyOffset(v, kQuantMin) &&
         v.VerifyVector(t->GetPointer<const Vector<float>*>(kQuantMin)) &&
         t->VerifyOffset(v, kQuantMax) &&
         v.VerifyVector(t->GetPointer<const Vector<float>*>(kQuantMax)) &&
         t->VerifyOffset(v, kQuantScale) &&
         v.VerifyVector(t->GetPointer<const Vector<float>*>(kQuantScale)) &&
         t->VerifyOffset(v, kQuantZeroPoint) &&
         v.VerifyVector(t->GetPointer<const Vector<int64_t>*>(kQuantZeroPoint)) &&
         t->VerifyField<uint8_t>(v, kQuantDetailsType, 1) && t->VerifyOffset(v, kQuantDetails) &&
         t->VerifyField<int32_t>(v, kQuantDimension, 4) && v.EndTable();
}

bool VerifyTensor(const Table* t, Verifier& v) {
  if (!(t->VerifyTableStart(v) && VerifyIntVector(t, v, kTensorShape) &&
        t->VerifyField<int8_t>(v, kTensorType, 1) &&
        t->VerifyField<uint32_t>(v, kTensorBuffer, 4) && t->VerifyOffset(v, kTensorName) &&
        v.VerifyString(t->GetPointer<const String*>(kTensorName)) &&
        t->VerifyOffset(v, kTensorQuantization) &&
        t->VerifyField<uint8_t>(v, kTensorIsVariable, 1) && t->VerifyOffset(v, kTensorSparsity))) {
    return false;
  }
  const auto* q = t->GetPointer<const Table*>(kTensorQuantization);
  if (q != nullptr && !VerifyQuantization(q, v)) return false;
  const auto* sparsity = t->GetPointer<const Table*>(kTensorSparsity);
  if (sparsity != nullptr && !VerifyOpaqueTable(sparsity, v)) return false;
  return v.EndTable();
}

bool VerifySubgraph(const Table* t, Verifier& v) {
  return t->VerifyTableStart(v) && VerifyTablesWith(t, v, kSubgraphTensors, VerifyTensor) &&
         VerifyIntVector(t, v, kSubgraphInputs) && VerifyIntVector(t, v, kSubgraphOutputs) &&
         VerifyTablesWith(t, v, kSubgraphOperators, VerifyOperator) &&
         t->VerifyOffset(v, kSubgraphName) &&
         v.VerifyString(t->GetPointer<const String*>(kSubgraphName)) && v.EndTable();
}

bool VerifyOpcode(const Table* t, Verifier& v) {
  return t->VerifyTableStart(v) && t->VerifyField<int8_t>(v, kOpcodeDeprecatedBuiltin, 1) &&
         t->VerifyOffset(v, kOpcodeCustomCode) &&
         v.VerifyString(t->GetPointer<const String*>(kOpcodeCustomCode)) &&
         t->VerifyField<int32_t>(v, kOpcodeVersion, 4) &&
         t->VerifyField<int32_t>(v, kOpcodeBuiltin, 4) && v.EndTable();
}

bool VerifyBufferTable(const Table* t, Verifier& v) {
  return t->VerifyTableStart(v) && t->VerifyOffset(v, kBufferData) &&
         v.VerifyVector(t->GetPointer<const Vector<uint8_t>*>(kBufferData)) &&
         t->VerifyField<uint64_t>(v, kBufferOffset, 8) &&
         t->VerifyField<uint64_t>(v, kBufferSize, 8) && v.EndTable();
}

bool VerifyModel(const Table* t, Verifier& v) {
  return t->VerifyTableStart(v) && t->VerifyField<uint32_t>(v, kModelVersion, 4) &&
         VerifyTablesWith(t, v, kModelOperatorCodes, VerifyOpcode) &&
         VerifyTablesWith(t, v, kModelSubgraphs, VerifySubgraph) &&
         t->VerifyOffset(v, kModelDescription) &&
         v.VerifyString(t->GetPointer<const String*>(kModelDescription)) &&
         VerifyTablesWith(t, v, kModelBuffers, VerifyBufferTable) && v.EndTable();
}

// ---- decoding (after verification) ----

// What a file may expand into when decoded. A Verifier-clean file can point many entries at one
// shared vector or string (shapes, operator input lists, names), so every copy is charged: 16
// elements per file byte (at least 1 M), far above any real model, far below a blow-up.
DecodeBudget ElementBudget(const std::string& source, std::size_t file_bytes) {
  return DecodeBudget(
      source, "shared tables expanded",
      std::max<std::uint64_t>(std::uint64_t{16} * file_bytes, std::uint64_t{1} << 20),
      "elements (16 per file byte, at least 2^20)");
}

std::string ReadString(const Table* t, voffset_t field, DecodeBudget* budget) {
  const auto* s = t->GetPointer<const String*>(field);
  if (s == nullptr) return std::string();
  budget->Charge(s->size());
  return std::string(s->c_str(), s->size());
}

// Vector elements are copied with memcpy: the Verifier checks a vector's length field
// alignment, not that 8-byte elements are 8-byte aligned.
template <typename T>
std::vector<T> ReadVector(const Table* t, voffset_t field, DecodeBudget* budget) {
  const auto* vec = t->GetPointer<const Vector<T>*>(field);
  std::vector<T> out;
  if (vec == nullptr) return out;
  budget->Charge(vec->size());
  out.resize(vec->size());
  if (!out.empty()) std::memcpy(out.data(), vec->Data(), out.size() * sizeof(T));
  return out;
}

std::size_t TableCount(const Table* t, voffset_t field) {
  const auto* vec = t->GetPointer<const TableVector*>(field);
  return vec == nullptr ? 0 : vec->size();
}

// Conv2D, DepthwiseConv2D and Pool2D options: padding, stride_w and stride_h, then their own.
void ReadWindowOptions(const Table* t, TflOptions* o) {
  o->padding = t->GetField<int8_t>(Slot(0), 0);
  o->stride_w = t->GetField<int32_t>(Slot(1), 0);
  o->stride_h = t->GetField<int32_t>(Slot(2), 0);
  switch (o->options_type) {
    case kConv2DOptions:
      o->fused_activation = t->GetField<int8_t>(Slot(3), 0);
      o->dilation_w = t->GetField<int32_t>(Slot(4), 1);
      o->dilation_h = t->GetField<int32_t>(Slot(5), 1);
      break;
    case kDepthwiseConv2DOptions:
      o->depth_multiplier = t->GetField<int32_t>(Slot(3), 0);
      o->fused_activation = t->GetField<int8_t>(Slot(4), 0);
      o->dilation_w = t->GetField<int32_t>(Slot(5), 1);
      o->dilation_h = t->GetField<int32_t>(Slot(6), 1);
      break;
    case kPool2DOptions:
      o->filter_w = t->GetField<int32_t>(Slot(3), 0);
      o->filter_h = t->GetField<int32_t>(Slot(4), 0);
      o->fused_activation = t->GetField<int8_t>(Slot(5), 0);
      break;
    default:
      break;
  }
}

TflOptions ReadOptions(const Table* op, DecodeBudget* budget) {
  TflOptions o;
  o.options_type = op->GetField<uint8_t>(kOperatorOptionsType, 0);
  const auto* t = op->GetPointer<const Table*>(kOperatorOptions);
  if (t == nullptr) {
    o.options_type = 0;  // a type without a value carries no options
    return o;
  }
  switch (o.options_type) {
    case kConv2DOptions:
    case kDepthwiseConv2DOptions:
    case kPool2DOptions:
      ReadWindowOptions(t, &o);
      break;
    case kFullyConnectedOptions:
      o.fused_activation = t->GetField<int8_t>(Slot(0), 0);
      o.weights_format = t->GetField<int8_t>(Slot(1), 0);
      o.keep_num_dims = t->GetField<uint8_t>(Slot(2), 0) != 0;
      break;
    case kSoftmaxOptions:
      o.beta = t->GetField<float>(Slot(0), 0.0f);
      break;
    case kConcatenationOptions:
      o.axis = t->GetField<int32_t>(Slot(0), 0);
      o.fused_activation = t->GetField<int8_t>(Slot(1), 0);
      break;
    case kAddOptions:
    case kMulOptions:
      o.fused_activation = t->GetField<int8_t>(Slot(0), 0);
      break;
    case kReshapeOptions:
      o.has_new_shape = t->GetPointer<const Vector<int32_t>*>(Slot(0)) != nullptr;
      o.new_shape = ReadVector<int32_t>(t, Slot(0), budget);
      break;
    case kReducerOptions:
      o.keep_dims = t->GetField<uint8_t>(Slot(0), 0) != 0;
      break;
    default:
      break;
  }
  return o;
}

std::string Where(std::size_t index, const char* what) {
  return std::string(what) + " " + std::to_string(index);
}

void CheckTensorIndex(const std::string& source, const std::string& where, std::int32_t index,
                      std::size_t num_tensors, bool optional_allowed) {
  if (index == -1 && optional_allowed) return;
  if (index < 0 || static_cast<std::size_t>(index) >= num_tensors) {
    Fail(source, where + ": tensor index " + std::to_string(index) + " is out of range (" +
                     std::to_string(num_tensors) + " tensors)");
  }
}

// The root Model table, once the header, size and alignment are sane and the Verifier has
// checked every table opcost reads.
const Table* VerifiedModel(const std::uint8_t* data, std::size_t size, const std::string& source) {
  if (data == nullptr || size < 8) {
    Fail(source, "not a TFLite file: " + std::to_string(size) +
                     " bytes is too short for a flatbuffer header (need at least 8)");
  }
  if (std::memcmp(data + 4, "TFL3", 4) != 0) {
    Fail(source, "not a TFLite file: file identifier at byte 4 is not \"TFL3\"");
  }
  if (size >= static_cast<std::size_t>(FLATBUFFERS_MAX_BUFFER_SIZE)) {
    Fail(source, "file of " + std::to_string(size) + " bytes exceeds the 2 GiB flatbuffer limit");
  }
  if (reinterpret_cast<std::uintptr_t>(data) % 8 != 0) {
    throw Error(ErrorCode::kInternal, source + ": ReadTflite needs an 8-byte aligned image");
  }
  Verifier::Options vopts;
  vopts.max_depth = 16;  // the schema subset nests 5 tables deep
  Verifier verifier(data, size, vopts);
  const flatbuffers::uoffset_t root_offset = verifier.VerifyOffset(0);
  if (root_offset == 0) Fail(source, "flatbuffer root offset points outside the file");
  const auto* model = reinterpret_cast<const Table*>(data + root_offset);
  if (!VerifyModel(model, verifier)) {
    Fail(source, "flatbuffer verification failed (truncated or corrupted file, or not TFLite)");
  }
  return model;
}

// Buffers: data inline, or (large models) at offset/size relative to the file start.
std::vector<TflBuffer> ReadBuffers(const Table* model, const std::uint8_t* data, std::size_t size,
                                   const std::string& source) {
  std::vector<TflBuffer> out;
  const auto* buffers = model->GetPointer<const TableVector*>(kModelBuffers);
  if (buffers == nullptr) return out;
  out.reserve(buffers->size());
  for (flatbuffers::uoffset_t i = 0; i < buffers->size(); ++i) {
    const Table* b = buffers->Get(i);
    TflBuffer buf;
    if (const auto* d = b->GetPointer<const Vector<uint8_t>*>(kBufferData)) {
      buf.data = d->Data();
      buf.size_bytes = d->size();
    }
    const std::uint64_t offset = b->GetField<uint64_t>(kBufferOffset, 0);
    const std::uint64_t length = b->GetField<uint64_t>(kBufferSize, 0);
    if (offset > 1) {  // 0 and 1 mean "not used" in the schema
      if (buf.size_bytes != 0) Fail(source, Where(i, "buffer") + ": has both data and offset");
      if (offset > size || length > size - offset) {
        Fail(source, Where(i, "buffer") + ": offset " + std::to_string(offset) + " + size " +
                         std::to_string(length) + " is past the end of the file (" +
                         std::to_string(size) + " bytes)");
      }
      buf.data = data + offset;
      buf.size_bytes = static_cast<std::size_t>(length);
    }
    out.push_back(buf);
  }
  return out;
}

struct Opcode {
  std::int32_t builtin;
  std::string custom;
  std::int32_t version;
};

std::vector<Opcode> ReadOpcodes(const Table* model, const std::string& source,
                                DecodeBudget* budget) {
  std::vector<Opcode> opcodes;
  const auto* codes = model->GetPointer<const TableVector*>(kModelOperatorCodes);
  if (codes == nullptr) return opcodes;
  for (flatbuffers::uoffset_t i = 0; i < codes->size(); ++i) {
    const Table* c = codes->Get(i);
    const int deprecated = c->GetField<int8_t>(kOpcodeDeprecatedBuiltin, 0);
    const std::int32_t extended = c->GetField<int32_t>(kOpcodeBuiltin, 0);
    if (deprecated < 0 || extended < 0) {
      Fail(source, Where(i, "operator code") + ": negative builtin code (deprecated " +
                       std::to_string(deprecated) + ", builtin " + std::to_string(extended) +
                       ")");
    }
    // Old writers fill only the int8 field; new ones write both and put 127
    // (PLACEHOLDER_FOR_GREATER_OP_CODES) in the old field for codes above 127. The larger
    // of the two is the op in every case.
    opcodes.push_back({deprecated > extended ? deprecated : extended,
                       ReadString(c, kOpcodeCustomCode, budget),
                       c->GetField<int32_t>(kOpcodeVersion, 1)});
  }
  return opcodes;
}

std::vector<TflTensor> ReadTensors(const Table* sg, std::size_t num_buffers,
                                   const std::string& source, DecodeBudget* budget) {
  std::vector<TflTensor> out;
  const auto* tensors = sg->GetPointer<const TableVector*>(kSubgraphTensors);
  if (tensors == nullptr) return out;
  out.reserve(tensors->size());
  for (flatbuffers::uoffset_t i = 0; i < tensors->size(); ++i) {
    const Table* t = tensors->Get(i);
    TflTensor tensor;
    tensor.name = ReadString(t, kTensorName, budget);
    for (std::int32_t d : ReadVector<int32_t>(t, kTensorShape, budget)) tensor.shape.push_back(d);
    tensor.type = t->GetField<int8_t>(kTensorType, 0);
    tensor.buffer = t->GetField<uint32_t>(kTensorBuffer, 0);
    tensor.is_variable = t->GetField<uint8_t>(kTensorIsVariable, 0) != 0;
    tensor.is_sparse = t->GetPointer<const Table*>(kTensorSparsity) != nullptr;
    if (const auto* q = t->GetPointer<const Table*>(kTensorQuantization)) {
      tensor.scales = ReadVector<float>(q, kQuantScale, budget);
      tensor.zero_points = ReadVector<int64_t>(q, kQuantZeroPoint, budget);
      tensor.quantized_dimension = q->GetField<int32_t>(kQuantDimension, 0);
    }
    if (tensor.buffer >= num_buffers) {
      Fail(source, Where(i, "tensor") + " '" + tensor.name + "': buffer index " +
                       std::to_string(tensor.buffer) + " is out of range (" +
                       std::to_string(num_buffers) + " buffers)");
    }
    out.push_back(std::move(tensor));
  }
  return out;
}

TflOperator ReadOperator(const Table* op, std::size_t i, const std::vector<Opcode>& opcodes,
                         std::size_t num_tensors, const std::string& source,
                         DecodeBudget* budget) {
  TflOperator o;
  const std::uint32_t opcode_index = op->GetField<uint32_t>(kOperatorOpcodeIndex, 0);
  if (opcode_index >= opcodes.size()) {
    Fail(source, Where(i, "operator") + ": opcode index " + std::to_string(opcode_index) +
                     " is out of range (" + std::to_string(opcodes.size()) + " operator codes)");
  }
  o.builtin_code = opcodes[opcode_index].builtin;
  o.custom_code = opcodes[opcode_index].custom;
  o.opcode_version = opcodes[opcode_index].version;
  o.inputs = ReadVector<int32_t>(op, kOperatorInputs, budget);
  o.outputs = ReadVector<int32_t>(op, kOperatorOutputs, budget);
  const std::string where = Where(i, "operator") + " (" + BuiltinOpName(o.builtin_code) + ")";
  for (std::int32_t idx : o.inputs) {
    CheckTensorIndex(source, where + " input", idx, num_tensors, true);
  }
  for (std::int32_t idx : o.outputs) {
    CheckTensorIndex(source, where + " output", idx, num_tensors, false);
  }
  o.options = ReadOptions(op, budget);
  return o;
}

std::vector<TflOperator> ReadOperators(const Table* sg, const std::vector<Opcode>& opcodes,
                                       std::size_t num_tensors, const std::string& source,
                                       DecodeBudget* budget) {
  std::vector<TflOperator> out;
  const auto* ops = sg->GetPointer<const TableVector*>(kSubgraphOperators);
  if (ops == nullptr) return out;
  out.reserve(ops->size());
  for (flatbuffers::uoffset_t i = 0; i < ops->size(); ++i) {
    out.push_back(ReadOperator(ops->Get(i), i, opcodes, num_tensors, source, budget));
  }
  return out;
}

}  // namespace

const char* TflTypeName(int type) {
  static const char* const kNames[] = {"FLOAT32", "FLOAT16",    "INT32",  "UINT8",     "INT64",
                                       "STRING",  "BOOL",       "INT16",  "COMPLEX64", "INT8",
                                       "FLOAT64", "COMPLEX128", "UINT64", "RESOURCE",  "VARIANT",
                                       "UINT32",  "UINT16",     "INT4"};
  if (type < 0 || type >= static_cast<int>(sizeof(kNames) / sizeof(kNames[0]))) return "UNKNOWN";
  return kNames[type];
}

TflModel ReadTflite(const std::uint8_t* data, std::size_t size, const std::string& source) {
  const Table* model = VerifiedModel(data, size, source);
  DecodeBudget budget = ElementBudget(source, size);
  TflModel out;
  out.file_bytes = size;
  out.version = model->GetField<uint32_t>(kModelVersion, 0);
  if (out.version != 3) {
    Fail(source,
         "unsupported TFLite schema version " + std::to_string(out.version) + " (expected 3)");
  }
  out.description = ReadString(model, kModelDescription, &budget);
  out.buffers = ReadBuffers(model, data, size, source);
  const std::vector<Opcode> opcodes = ReadOpcodes(model, source, &budget);

  const auto* subgraphs = model->GetPointer<const TableVector*>(kModelSubgraphs);
  out.num_subgraphs = subgraphs == nullptr ? 0 : subgraphs->size();
  if (out.num_subgraphs == 0) Fail(source, "model has no subgraph");
  const Table* sg = subgraphs->Get(0);
  out.subgraph_name = ReadString(sg, kSubgraphName, &budget);

  const std::size_t num_tensors = TableCount(sg, kSubgraphTensors);
  if (num_tensors > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
    Fail(source, "too many tensors");
  }
  out.tensors = ReadTensors(sg, out.buffers.size(), source, &budget);
  out.inputs = ReadVector<int32_t>(sg, kSubgraphInputs, &budget);
  out.outputs = ReadVector<int32_t>(sg, kSubgraphOutputs, &budget);
  for (std::int32_t idx : out.inputs) {
    CheckTensorIndex(source, "subgraph inputs", idx, num_tensors, false);
  }
  for (std::int32_t idx : out.outputs) {
    CheckTensorIndex(source, "subgraph outputs", idx, num_tensors, false);
  }
  out.operators = ReadOperators(sg, opcodes, num_tensors, source, &budget);
  return out;
}

}  // namespace opcost::tflite
