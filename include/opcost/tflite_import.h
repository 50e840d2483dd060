// TFLite import: turns a .tflite flatbuffer (the file microcontroller models ship in) into a
// shape-inferred opcost::Graph with the file's tensor names, dtypes, quantization and constant
// data, so metrics, estimates, memory plans and the reference kernels run on it directly.
//
//   opcost::Graph g = opcost::ImportTflite("kws_ref_model.tflite");
//   opcost::NetworkMetrics m = opcost::ComputeMetrics(g);   // 2,656,768 MACs
//
// Every byte is verified before use (flatbuffers Verifier, then a bounds check on every tensor,
// buffer and opcode index, shape and data size). Malformed input throws opcost::Error, never
// crashes or hangs. docs/tflite.md lists the supported builtin ops and how each is mapped.
#ifndef OPCOST_TFLITE_IMPORT_H_
#define OPCOST_TFLITE_IMPORT_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "opcost/graph.h"

namespace opcost {

struct TfliteImportOptions {
  // An operator the importer does not map (e.g. STRIDED_SLICE, a custom op) is an error naming
  // the op and its operator index by default. When true it is imported as OpType::kUnsupported
  // (zero cost; its output shapes are taken from the file; Node::attrs.unsupported_name holds
  // the TFLite name) so the rest of the model can still be costed.
  bool allow_unsupported = false;
};

// Reads and imports the file at `path`. Throws Error{kIo} if it cannot be read, Error{kBadModel}
// for a malformed or inconsistent file, Error{kUnsupportedOp} for an op or tensor type opcost
// cannot represent (ops only when !allow_unsupported), and the errors of InferShapes.
Graph ImportTflite(const std::string& path, const TfliteImportOptions& options = {});

// Imports a .tflite image held in memory; `source_name` names it in error messages. The bytes
// are only read during the call (constant data is copied into the graph).
Graph ImportTfliteBuffer(const std::uint8_t* data, std::size_t size,
                         const std::string& source_name = "<tflite>",
                         const TfliteImportOptions& options = {});

// True when `data` starts like a TFLite flatbuffer (file identifier "TFL3" at byte 4). Cheap;
// does not verify the rest.
bool LooksLikeTflite(const std::uint8_t* data, std::size_t size);

}  // namespace opcost

#endif  // OPCOST_TFLITE_IMPORT_H_
