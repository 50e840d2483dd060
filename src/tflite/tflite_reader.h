// Verified, bounds-checked view of a .tflite flatbuffer: the subset of the TFLite schema opcost
// reads, decoded into plain structs. The schema facts (table field order, enum values) are the
// public TFLite format; the accessor code is opcost's own (no generated schema header).
//
// ReadTflite runs the flatbuffers Verifier over every table the importer touches (with its own
// per-table field checks), then checks every cross reference: opcode index, tensor index, buffer
// index, buffer data inside the file. After it returns, nothing in TflModel can point outside
// the bytes it was given.
#ifndef OPCOST_SRC_TFLITE_TFLITE_READER_H_
#define OPCOST_SRC_TFLITE_TFLITE_READER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace opcost::tflite {

// TFLite TensorType values (schema enum TensorType).
enum TflType : int {
  kTflFloat32 = 0,
  kTflFloat16 = 1,
  kTflInt32 = 2,
  kTflUInt8 = 3,
  kTflInt64 = 4,
  kTflString = 5,
  kTflBool = 6,
  kTflInt16 = 7,
  kTflComplex64 = 8,
  kTflInt8 = 9,
  kTflFloat64 = 10,
};
const char* TflTypeName(int type);

struct TflTensor {
  std::string name;
  std::vector<std::int64_t> shape;  // `shape` field; a missing field reads as rank 0
  int type = kTflFloat32;
  std::uint32_t buffer = 0;  // index into TflModel::buffers (checked)
  bool is_variable = false;
  bool is_sparse = false;
  std::vector<float> scales;
  std::vector<std::int64_t> zero_points;
  std::int32_t quantized_dimension = 0;
};

// One operator's builtin options, decoded for the option tables opcost reads (others stay at
// their schema defaults). `options_type` is the BuiltinOptions union type (0: none).
struct TflOptions {
  int options_type = 0;
  int padding = 0;  // Padding enum: 0 SAME, 1 VALID
  std::int32_t stride_w = 0, stride_h = 0;
  std::int32_t dilation_w = 1, dilation_h = 1;
  std::int32_t depth_multiplier = 0;
  std::int32_t filter_w = 0, filter_h = 0;
  int fused_activation =
      0;  // ActivationFunctionType: 0 NONE 1 RELU 2 RELU_N1_TO_1 3 RELU6 4 TANH 5 SIGN_BIT
  int weights_format = 0;  // FullyConnected: 0 DEFAULT
  bool keep_num_dims = false;
  float beta = 1.0f;                    // softmax
  std::int32_t axis = 0;                // concatenation
  bool keep_dims = false;               // reducer (MEAN)
  std::vector<std::int32_t> new_shape;  // reshape options
  bool has_new_shape = false;
};

struct TflOperator {
  std::int32_t builtin_code = 0;  // resolved from the two opcode fields
  std::string custom_code;        // for CUSTOM ops
  std::int32_t opcode_version = 1;
  std::vector<std::int32_t> inputs;  // -1: optional input absent; else a checked tensor index
  std::vector<std::int32_t> outputs;
  TflOptions options;
};

struct TflBuffer {
  const std::uint8_t* data = nullptr;  // inside the verified image
  std::size_t size_bytes = 0;
};

struct TflModel {
  std::uint32_t version = 0;
  std::string description;
  std::size_t num_subgraphs = 0;
  std::string subgraph_name;
  // Subgraph 0 (the main graph): its tensors, inputs, outputs and operators.
  std::vector<TflTensor> tensors;
  std::vector<std::int32_t> inputs;
  std::vector<std::int32_t> outputs;
  std::vector<TflOperator> operators;
  std::vector<TflBuffer> buffers;
  std::size_t file_bytes = 0;  // size of the decoded file (the importer's copy budget)
};

// Decodes `data` (which must stay alive while the result is used, and be 8-byte aligned).
// Throws Error{kBadModel} naming `source` and the failed rule, also when shared tables would
// expand the file past 16 decoded elements per file byte.
TflModel ReadTflite(const std::uint8_t* data, std::size_t size, const std::string& source);

// The TFLite name of builtin operator `code` ("CONV_2D"), or "BUILTIN_<code>" if unknown.
std::string BuiltinOpName(std::int32_t code);

// BuiltinOptions union types opcost decodes (TflOptions::options_type).
enum TflOptionsType : int {
  kNoOptions = 0,
  kConv2DOptions = 1,
  kDepthwiseConv2DOptions = 2,
  kPool2DOptions = 5,
  kFullyConnectedOptions = 8,
  kSoftmaxOptions = 9,
  kConcatenationOptions = 10,
  kAddOptions = 11,
  kReshapeOptions = 17,
  kMulOptions = 21,
  kReducerOptions = 27,
};

// BuiltinOperator values opcost maps.
enum TflBuiltin : std::int32_t {
  kOpAdd = 0,
  kOpAveragePool2D = 1,
  kOpConcatenation = 2,
  kOpConv2D = 3,
  kOpDepthwiseConv2D = 4,
  kOpDequantize = 6,
  kOpFullyConnected = 9,
  kOpLogistic = 14,
  kOpMaxPool2D = 17,
  kOpMul = 18,
  kOpRelu = 19,
  kOpReluN1To1 = 20,
  kOpRelu6 = 21,
  kOpReshape = 22,
  kOpSoftmax = 25,
  kOpTanh = 28,
  kOpCustom = 32,
  kOpPad = 34,
  kOpTranspose = 39,
  kOpMean = 40,
  kOpQuantize = 114,
  kOpHardSwish = 117,
};

}  // namespace opcost::tflite

#endif  // OPCOST_SRC_TFLITE_TFLITE_READER_H_
