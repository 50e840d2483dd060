// The subset of an ONNX ModelProto opcost reads, decoded into plain structs by ReadOnnxModel
// (onnx_reader.cc). Field numbers follow the public onnx.proto; the decoder is opcost's own.
// After ReadOnnxModel returns, every length has been checked; tensor payloads still point into
// the caller's buffer (raw_data), which must outlive the model.
#ifndef OPCOST_SRC_ONNX_ONNX_MODEL_H_
#define OPCOST_SRC_ONNX_ONNX_MODEL_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace opcost::onnx {

// TensorProto.DataType values.
enum OnnxType : std::int32_t {
  kOnnxUndefined = 0,
  kOnnxFloat = 1,
  kOnnxUInt8 = 2,
  kOnnxInt8 = 3,
  kOnnxUInt16 = 4,
  kOnnxInt16 = 5,
  kOnnxInt32 = 6,
  kOnnxInt64 = 7,
  kOnnxString = 8,
  kOnnxBool = 9,
  kOnnxFloat16 = 10,
  kOnnxDouble = 11,
};
const char* OnnxTypeName(std::int32_t type);
// Bytes per element of a fixed-width type; 0 for strings and unknown types.
std::size_t OnnxTypeSize(std::int32_t type);

struct OnnxTensor {
  std::string name;
  std::vector<std::int64_t> dims;
  std::int32_t data_type = kOnnxUndefined;
  // Inline data: raw_data (a view into the file) or the typed fields (float_data, int32_data,
  // int64_data, double_data) converted to little-endian elements of data_type in `typed`.
  const std::uint8_t* raw = nullptr;
  std::size_t raw_size = 0;
  bool has_raw = false;
  std::vector<std::uint8_t> typed;
  bool has_typed = false;
  // data_location EXTERNAL: the external_data entries.
  bool external = false;
  std::string location;
  std::int64_t external_offset = 0;
  std::int64_t external_length = -1;  // -1: to the end of the file
  bool has_segment = false;
  bool is_string = false;  // string_data present
};

struct OnnxDim {
  std::int64_t value = 0;
  bool known = false;  // dim_value set (dim_param or nothing: dynamic)
  std::string param;
};

struct OnnxValueInfo {
  std::string name;
  bool is_tensor = false;  // type.tensor_type (sequences, maps, ... are not)
  std::int32_t elem_type = kOnnxUndefined;
  bool has_shape = false;
  std::vector<OnnxDim> dims;
};

enum OnnxAttrType : std::int32_t {
  kAttrUndefined = 0,
  kAttrFloat = 1,
  kAttrInt = 2,
  kAttrString = 3,
  kAttrTensor = 4,
  kAttrGraph = 5,
  kAttrFloats = 6,
  kAttrInts = 7,
  kAttrStrings = 8,
  kAttrTensors = 9,
  kAttrGraphs = 10,
};

struct OnnxAttribute {
  std::string name;
  std::int32_t type = kAttrUndefined;
  float f = 0.0f;
  std::int64_t i = 0;
  std::string s;
  std::vector<float> floats;
  std::vector<std::int64_t> ints;
  std::vector<OnnxTensor> tensors;  // t (one) or tensors
  bool has_graph = false;           // g or graphs: subgraphs are refused by the importer
  bool has_f = false, has_i = false, has_s = false, has_t = false;
};

struct OnnxNode {
  std::string name;
  std::string op_type;
  std::string domain;
  std::vector<std::string> inputs;  // "" = optional input left out
  std::vector<std::string> outputs;
  std::vector<OnnxAttribute> attributes;
};

struct OnnxGraph {
  std::string name;
  std::vector<OnnxNode> nodes;
  std::vector<OnnxTensor> initializers;
  std::vector<OnnxValueInfo> inputs;
  std::vector<OnnxValueInfo> outputs;
  std::vector<OnnxValueInfo> value_info;
  std::size_t sparse_initializers = 0;
};

struct OnnxModel {
  std::int64_t ir_version = 0;
  std::int64_t opset = 0;  // of the default ("" or "ai.onnx") domain; 0 if not given
  std::string producer_name;
  std::string producer_version;
  std::string doc_string;
  bool has_graph = false;
  OnnxGraph graph;
  std::size_t file_bytes = 0;
};

// Decodes `data` (an .onnx file's bytes). Throws Error{kBadModel} naming `source`, the message
// path (graph.node[3].attribute[1]) and the rule for malformed input, also when decoding would
// expand the file past 8 decoded bytes per file byte (+64 MiB).
OnnxModel ReadOnnxModel(const std::uint8_t* data, std::size_t size, const std::string& source);

}  // namespace opcost::onnx

#endif  // OPCOST_SRC_ONNX_ONNX_MODEL_H_
