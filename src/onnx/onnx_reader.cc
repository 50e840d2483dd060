// Decodes the ONNX messages opcost needs from the wire format. Unknown fields are skipped (newer
// writers add fields); known fields with the wrong wire type are errors. Subgraphs (If, Loop,
// Scan bodies) are not descended into: the attribute only records that one is there, so the
// nesting depth is fixed by this file (model > graph > node > attribute > tensor > entry).
#include <cstring>
#include <limits>

#include "io/decode_budget.h"
#include "onnx/onnx_model.h"
#include "onnx/protobuf_wire.h"
#include "opcost/error.h"

namespace opcost::onnx {
namespace {

// What decoding may allocate: 8 bytes per file byte plus 64 MiB. Every field costs at least one
// file byte, so only runs of tiny fields (empty strings, one-byte varints) come near it; a real
// model stays far below (its weights are views into the file, not copies).
detail::DecodeBudget MemoryBudget(const std::string& source, std::size_t file_bytes) {
  return detail::DecodeBudget(source, "the decoded model grew",
                              std::uint64_t{8} * file_bytes + (std::uint64_t{64} << 20),
                              "bytes of memory (8 per file byte + 64 MiB)");
}

std::string WireName(WireType t) {
  switch (t) {
    case WireType::kVarint:
      return "varint";
    case WireType::kFixed64:
      return "fixed64";
    case WireType::kLengthDelimited:
      return "length-delimited";
    case WireType::kFixed32:
      return "fixed32";
  }
  return "?";
}

class Decoder {
 public:
  Decoder(const std::string& source, std::size_t size)
      : source_(source), budget_(MemoryBudget(source, size)) {}

  OnnxModel Model(const std::uint8_t* data, std::size_t size);

 private:
  WireContext Child(const WireReader& parent, const std::string& field) const {
    WireContext c;
    c.source = &source_;
    c.path = parent.context().path.empty() ? field : parent.context().path + "." + field;
    return c;
  }
  static std::string Indexed(const char* field, std::size_t i) {
    return std::string(field) + "[" + std::to_string(i) + "]";
  }
  static void Expect(const WireReader& r, const WireField& f, WireType type, const char* name) {
    if (f.type != type) {
      r.Fail(f, std::string("(") + name + ") has wire type " + WireName(f.type) + ", expected " +
                    WireName(type));
    }
  }
  std::string String(const WireReader& r, const WireField& f, const char* name) {
    Expect(r, f, WireType::kLengthDelimited, name);
    budget_.Charge(sizeof(std::string) + f.size);
    return std::string(reinterpret_cast<const char*>(f.bytes), f.size);
  }
  static std::int64_t Int64(const WireReader& r, const WireField& f, const char* name) {
    Expect(r, f, WireType::kVarint, name);
    return static_cast<std::int64_t>(f.value);
  }
  static std::int32_t Int32(const WireReader& r, const WireField& f, const char* name) {
    const std::int64_t v = Int64(r, f, name);
    if (v < std::numeric_limits<std::int32_t>::min() ||
        v > std::numeric_limits<std::int32_t>::max()) {
      r.Fail(f,
             std::string("(") + name + ") value " + std::to_string(v) + " does not fit in int32");
    }
    return static_cast<std::int32_t>(v);
  }

  void Graph(WireReader r, OnnxGraph* g);
  void Node(WireReader r, OnnxNode* n);
  void Attribute(WireReader r, OnnxAttribute* a);
  void AttributeTensor(const WireReader& r, const WireField& f, OnnxAttribute* a);
  void Tensor(WireReader r, OnnxTensor* t);
  void TypedData(const WireReader& r, const WireField& f, OnnxTensor* t,
                 std::vector<std::uint64_t>* values, int* field_seen);
  void FinishTyped(const WireReader& r, OnnxTensor* t, const std::vector<std::uint64_t>& values,
                   int field);
  void ExternalEntry(WireReader r, OnnxTensor* t);
  void ValueInfo(WireReader r, OnnxValueInfo* v);
  void TensorType(WireReader r, OnnxValueInfo* v);
  void ShapeProto(WireReader r, OnnxValueInfo* v);

  const std::string& source_;
  detail::DecodeBudget budget_;
};

OnnxModel Decoder::Model(const std::uint8_t* data, std::size_t size) {
  WireContext root;
  root.source = &source_;
  WireReader r(data, size, 0, root);
  OnnxModel m;
  m.file_bytes = size;
  WireField f;
  while (r.Next(&f)) {
    switch (f.number) {
      case 1:
        m.ir_version = Int64(r, f, "ir_version");
        break;
      case 2:
        m.producer_name = String(r, f, "producer_name");
        break;
      case 3:
        m.producer_version = String(r, f, "producer_version");
        break;
      case 6:
        m.doc_string = String(r, f, "doc_string");
        break;
      case 7: {
        if (m.has_graph) r.Fail(f, "(graph) appears twice");
        Expect(r, f, WireType::kLengthDelimited, "graph");
        const WireContext c = Child(r, "graph");
        Graph(r.Sub(f, c), &m.graph);
        m.has_graph = true;
        break;
      }
      case 8: {  // OperatorSetIdProto {domain = 1, version = 2}
        Expect(r, f, WireType::kLengthDelimited, "opset_import");
        const WireContext c = Child(r, "opset_import");
        WireReader o = r.Sub(f, c);
        std::string domain;
        std::int64_t version = 0;
        WireField g;
        while (o.Next(&g)) {
          if (g.number == 1) domain = String(o, g, "domain");
          if (g.number == 2) version = Int64(o, g, "version");
        }
        if (domain.empty() || domain == "ai.onnx") m.opset = version;
        break;
      }
      default:
        break;
    }
  }
  return m;
}

void Decoder::Graph(WireReader r, OnnxGraph* g) {
  WireField f;
  while (r.Next(&f)) {
    switch (f.number) {
      case 1: {
        Expect(r, f, WireType::kLengthDelimited, "node");
        budget_.Charge(sizeof(OnnxNode));
        const WireContext c = Child(r, Indexed("node", g->nodes.size()));
        g->nodes.emplace_back();
        Node(r.Sub(f, c), &g->nodes.back());
        break;
      }
      case 2:
        g->name = String(r, f, "name");
        break;
      case 5: {
        Expect(r, f, WireType::kLengthDelimited, "initializer");
        budget_.Charge(sizeof(OnnxTensor));
        const WireContext c = Child(r, Indexed("initializer", g->initializers.size()));
        g->initializers.emplace_back();
        Tensor(r.Sub(f, c), &g->initializers.back());
        break;
      }
      case 11:
      case 12:
      case 13: {
        const char* name = f.number == 11 ? "input" : f.number == 12 ? "output" : "value_info";
        std::vector<OnnxValueInfo>* list = f.number == 11   ? &g->inputs
                                           : f.number == 12 ? &g->outputs
                                                            : &g->value_info;
        Expect(r, f, WireType::kLengthDelimited, name);
        budget_.Charge(sizeof(OnnxValueInfo));
        const WireContext c = Child(r, Indexed(name, list->size()));
        list->emplace_back();
        ValueInfo(r.Sub(f, c), &list->back());
        break;
      }
      case 15:
        Expect(r, f, WireType::kLengthDelimited, "sparse_initializer");
        ++g->sparse_initializers;
        break;
      default:
        break;
    }
  }
}

void Decoder::Node(WireReader r, OnnxNode* n) {
  WireField f;
  while (r.Next(&f)) {
    switch (f.number) {
      case 1:
        n->inputs.push_back(String(r, f, "input"));
        break;
      case 2:
        n->outputs.push_back(String(r, f, "output"));
        break;
      case 3:
        n->name = String(r, f, "name");
        break;
      case 4:
        n->op_type = String(r, f, "op_type");
        break;
      case 7:
        n->domain = String(r, f, "domain");
        break;
      case 5: {
        Expect(r, f, WireType::kLengthDelimited, "attribute");
        budget_.Charge(sizeof(OnnxAttribute));
        const WireContext c = Child(r, Indexed("attribute", n->attributes.size()));
        n->attributes.emplace_back();
        Attribute(r.Sub(f, c), &n->attributes.back());
        break;
      }
      default:
        break;
    }
  }
}

void Decoder::Attribute(WireReader r, OnnxAttribute* a) {
  WireField f;
  while (r.Next(&f)) {
    switch (f.number) {
      case 1:
        a->name = String(r, f, "name");
        break;
      case 20:
        a->type = Int32(r, f, "type");
        break;
      case 2: {
        Expect(r, f, WireType::kFixed32, "f");
        const auto bits = static_cast<std::uint32_t>(f.value);
        std::memcpy(&a->f, &bits, 4);
        a->has_f = true;
        break;
      }
      case 3:
        a->i = Int64(r, f, "i");
        a->has_i = true;
        break;
      case 4:
        a->s = String(r, f, "s");
        a->has_s = true;
        break;
      case 5:
      case 10:
        AttributeTensor(r, f, a);
        break;
      case 6:
      case 11:
        Expect(r, f, WireType::kLengthDelimited, f.number == 6 ? "g" : "graphs");
        a->has_graph = true;  // never descended into: the importer refuses subgraphs
        break;
      case 7:
        ReadRepeatedScalar(r, f, WireType::kFixed32, [&](std::uint64_t v) {
          budget_.Charge(sizeof(float));
          float x;
          const auto bits = static_cast<std::uint32_t>(v);
          std::memcpy(&x, &bits, 4);
          a->floats.push_back(x);
        });
        break;
      case 8:
        ReadRepeatedScalar(r, f, WireType::kVarint, [&](std::uint64_t v) {
          budget_.Charge(sizeof(std::int64_t));
          a->ints.push_back(static_cast<std::int64_t>(v));
        });
        break;
      default:
        break;
    }
  }
}

// Field t (5) or tensors (10) of an attribute: the tensor, appended to `a->tensors`.
void Decoder::AttributeTensor(const WireReader& r, const WireField& f, OnnxAttribute* a) {
  Expect(r, f, WireType::kLengthDelimited, f.number == 5 ? "t" : "tensors");
  budget_.Charge(sizeof(OnnxTensor));
  const WireContext c =
      Child(r, f.number == 5 ? std::string("t") : Indexed("tensors", a->tensors.size()));
  a->tensors.emplace_back();
  Tensor(r.Sub(f, c), &a->tensors.back());
  a->has_t = a->has_t || f.number == 5;
}

// The typed payload fields: float_data (4, fixed32), int32_data (5, varint), int64_data (7,
// varint), double_data (10, fixed64), uint64_data (11, varint). Collected as 64-bit values and
// converted once data_type is known (it may come after them).
void Decoder::TypedData(const WireReader& r, const WireField& f, OnnxTensor* t,
                        std::vector<std::uint64_t>* values, int* field_seen) {
  if (*field_seen != 0 && *field_seen != static_cast<int>(f.number)) {
    r.Fail(f,
           "is a second typed data field (already read field " + std::to_string(*field_seen) + ")");
  }
  *field_seen = static_cast<int>(f.number);
  const WireType want = f.number == 4    ? WireType::kFixed32
                        : f.number == 10 ? WireType::kFixed64
                                         : WireType::kVarint;
  ReadRepeatedScalar(r, f, want, [&](std::uint64_t v) {
    budget_.Charge(sizeof(std::uint64_t));
    values->push_back(v);
  });
  t->has_typed = true;
}

void Decoder::FinishTyped(const WireReader& r, OnnxTensor* t,
                          const std::vector<std::uint64_t>& values, int field) {
  const std::size_t width = OnnxTypeSize(t->data_type);
  // Which typed field each data type uses (onnx.proto comments on TensorProto).
  int want = 0;
  switch (t->data_type) {
    case kOnnxFloat:
      want = 4;
      break;
    case kOnnxUInt8:
    case kOnnxInt8:
    case kOnnxUInt16:
    case kOnnxInt16:
    case kOnnxInt32:
    case kOnnxBool:
    case kOnnxFloat16:
      want = 5;
      break;
    case kOnnxInt64:
      want = 7;
      break;
    case kOnnxDouble:
      want = 10;
      break;
    default:
      want = 11;
      break;
  }
  if (field != want || width == 0) {
    r.FailAt(r.file_offset(), "tensor '" + t->name + "' of type " + OnnxTypeName(t->data_type) +
                                  " stores its values in field " + std::to_string(field) +
                                  " (expected field " + std::to_string(want) + ")");
  }
  budget_.Charge(values.size() * width);
  t->typed.resize(values.size() * width);
  for (std::size_t i = 0; i < values.size(); ++i) {
    for (std::size_t b = 0; b < width; ++b) {  // little-endian, truncated to the element
      t->typed[i * width + b] = static_cast<std::uint8_t>(values[i] >> (8 * b));
    }
  }
}

void Decoder::ExternalEntry(WireReader r, OnnxTensor* t) {
  std::string key, value;
  WireField f;
  while (r.Next(&f)) {
    if (f.number == 1) key = String(r, f, "key");
    if (f.number == 2) value = String(r, f, "value");
  }
  auto number = [&](const char* what) {
    std::int64_t v = 0;
    if (value.empty() || value.size() > 18) {
      r.FailAt(r.file_offset(), std::string("external_data ") + what + " '" + value +
                                    "' is not a non-negative integer below 10^18");
    }
    for (char c : value) {
      if (c < '0' || c > '9') {
        r.FailAt(r.file_offset(), std::string("external_data ") + what + " '" + value +
                                      "' is not a non-negative integer");
      }
      v = v * 10 + (c - '0');
    }
    return v;
  };
  if (key == "location") t->location = value;
  if (key == "offset") t->external_offset = number("offset");
  if (key == "length") t->external_length = number("length");
}

void Decoder::Tensor(WireReader r, OnnxTensor* t) {
  std::vector<std::uint64_t> values;
  int typed_field = 0;
  WireField f;
  while (r.Next(&f)) {
    switch (f.number) {
      case 1:
        ReadRepeatedScalar(r, f, WireType::kVarint, [&](std::uint64_t v) {
          budget_.Charge(sizeof(std::int64_t));
          t->dims.push_back(static_cast<std::int64_t>(v));
        });
        break;
      case 2:
        t->data_type = Int32(r, f, "data_type");
        break;
      case 3:
        t->has_segment = true;
        break;
      case 4:
      case 5:
      case 7:
      case 10:
      case 11:
        TypedData(r, f, t, &values, &typed_field);
        break;
      case 6:
        Expect(r, f, WireType::kLengthDelimited, "string_data");
        t->is_string = true;
        break;
      case 8:
        t->name = String(r, f, "name");
        break;
      case 9:
        Expect(r, f, WireType::kLengthDelimited, "raw_data");
        t->raw = f.bytes;
        t->raw_size = f.size;
        t->has_raw = true;
        break;
      case 13: {
        Expect(r, f, WireType::kLengthDelimited, "external_data");
        const WireContext c = Child(r, "external_data");
        ExternalEntry(r.Sub(f, c), t);
        break;
      }
      case 14:
        t->external = Int32(r, f, "data_location") == 1;
        break;
      default:
        break;
    }
  }
  if (t->has_typed) FinishTyped(r, t, values, typed_field);
}

void Decoder::ShapeProto(WireReader r, OnnxValueInfo* v) {
  v->has_shape = true;
  WireField f;
  while (r.Next(&f)) {
    if (f.number != 1) continue;
    Expect(r, f, WireType::kLengthDelimited, "dim");
    budget_.Charge(sizeof(OnnxDim));
    const WireContext c = Child(r, Indexed("dim", v->dims.size()));
    WireReader d = r.Sub(f, c);
    OnnxDim dim;
    WireField g;
    while (d.Next(&g)) {
      if (g.number == 1) {
        dim.value = Int64(d, g, "dim_value");
        dim.known = true;
      } else if (g.number == 2) {
        dim.param = String(d, g, "dim_param");
      }
    }
    v->dims.push_back(std::move(dim));
  }
}

void Decoder::TensorType(WireReader r, OnnxValueInfo* v) {
  v->is_tensor = true;
  WireField f;
  while (r.Next(&f)) {
    if (f.number == 1) v->elem_type = Int32(r, f, "elem_type");
    if (f.number == 2) {
      Expect(r, f, WireType::kLengthDelimited, "shape");
      const WireContext c = Child(r, "shape");
      ShapeProto(r.Sub(f, c), v);
    }
  }
}

void Decoder::ValueInfo(WireReader r, OnnxValueInfo* v) {
  WireField f;
  while (r.Next(&f)) {
    if (f.number == 1) v->name = String(r, f, "name");
    if (f.number != 2) continue;
    Expect(r, f, WireType::kLengthDelimited, "type");
    const WireContext c = Child(r, "type");
    WireReader type = r.Sub(f, c);
    WireField g;
    while (type.Next(&g)) {
      if (g.number != 1) continue;  // sequence, map, optional, sparse: not a dense tensor
      Expect(type, g, WireType::kLengthDelimited, "tensor_type");
      const WireContext tc = Child(type, "tensor_type");
      TensorType(type.Sub(g, tc), v);
    }
  }
}

}  // namespace

const char* OnnxTypeName(std::int32_t type) {
  static const char* const kNames[] = {"UNDEFINED",  "FLOAT",   "UINT8",  "INT8",   "UINT16",
                                       "INT16",      "INT32",   "INT64",  "STRING", "BOOL",
                                       "FLOAT16",    "DOUBLE",  "UINT32", "UINT64", "COMPLEX64",
                                       "COMPLEX128", "BFLOAT16"};
  if (type < 0 || type >= static_cast<std::int32_t>(sizeof(kNames) / sizeof(kNames[0]))) {
    return "UNKNOWN";
  }
  return kNames[type];
}

std::size_t OnnxTypeSize(std::int32_t type) {
  switch (type) {
    case kOnnxUInt8:
    case kOnnxInt8:
    case kOnnxBool:
      return 1;
    case kOnnxUInt16:
    case kOnnxInt16:
    case kOnnxFloat16:
    case 16:  // BFLOAT16
      return 2;
    case kOnnxFloat:
    case kOnnxInt32:
    case 12:  // UINT32
      return 4;
    case kOnnxInt64:
    case kOnnxDouble:
    case 13:  // UINT64
      return 8;
    default:
      return 0;
  }
}

OnnxModel ReadOnnxModel(const std::uint8_t* data, std::size_t size, const std::string& source) {
  if (data == nullptr || size == 0) {
    throw Error(ErrorCode::kBadModel, source + ": not an ONNX file: it is empty");
  }
  Decoder decoder(source, size);
  OnnxModel m = decoder.Model(data, size);
  if (!m.has_graph) {
    throw Error(ErrorCode::kBadModel,
                source + ": ModelProto has no graph (field 7): not an ONNX model, or truncated");
  }
  return m;
}

}  // namespace opcost::onnx
