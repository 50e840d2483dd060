// ONNX import: turns an .onnx ModelProto (what PyTorch's torch.onnx.export and most NAS tools
// write) into a shape-inferred opcost::Graph: NCHW tensors become NHWC, BatchNormalization is
// folded into the preceding convolution, ReLU/Clip(0,6) are fused as a TFLite converter would,
// and quantized models (QDQ or QLinear* operators) become int8 layers with their scales and
// zero points.
//
//   opcost::Graph g = opcost::ImportOnnx("resnet8.onnx");
//   opcost::NetworkMetrics m = opcost::ComputeMetrics(g);
//
// The protobuf is decoded by opcost's own bounded reader (no protobuf library): every length is
// checked against the bytes left, decoding has a memory budget, subgraphs are refused.
// docs/onnx.md lists the op mapping, the layout and batch conventions and every check.
#ifndef OPCOST_ONNX_IMPORT_H_
#define OPCOST_ONNX_IMPORT_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "opcost/graph.h"

namespace opcost {

struct OnnxImportOptions {
  // An op the importer does not map (e.g. HardSwish, Resize) is an error naming the op type and
  // the node by default. When true it becomes OpType::kUnsupported (zero cost; output shapes
  // from the file's value_info; Node::attrs.unsupported_name holds the ONNX op type) so the
  // rest of the model can still be costed. Same semantics as TfliteImportOptions.
  bool allow_unsupported = false;
  // Directory that external-data locations are relative to, for ImportOnnxBuffer (ImportOnnx
  // uses the model file's directory). Empty: external data is an error.
  std::string external_data_dir;
};

// Reads and imports the .onnx file at `path`. Initializers stored as external data are sized
// from their external file (which must lie inside the model's directory) without being loaded.
// Throws Error{kIo} if a file cannot be read, Error{kBadModel} for a malformed or inconsistent
// file (truncated protobuf, wrong wire type, missing initializer, cycle, shape the file states
// differently), Error{kUnsupportedOp} for an op or type opcost cannot represent (ops only when
// !allow_unsupported), Error{kOverflow}, and the errors of InferShapes. Every message starts with
// `path` and names the node (name, index, op type) or tensor.
Graph ImportOnnx(const std::string& path, const OnnxImportOptions& options = {});

// Imports an ONNX image held in memory; `source_name` names it in error messages. The bytes are
// only read during the call (constant data is copied into the graph).
Graph ImportOnnxBuffer(const std::uint8_t* data, std::size_t size,
                       const std::string& source_name = "<onnx>",
                       const OnnxImportOptions& options = {});

}  // namespace opcost

#endif  // OPCOST_ONNX_IMPORT_H_
