// libFuzzer target: any byte string given to the ONNX importer either imports (and then costs
// without error) or throws opcost::Error. Anything else (a crash, a sanitizer report, a foreign
// exception, a hang) is a bug. Seeds: tests/data/onnx/ (real exports, QDQ/QOperator models,
// broken files).
#include <cstddef>
#include <cstdint>

#include "opcost/error.h"
#include "opcost/metrics.h"
#include "opcost/onnx_import.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  opcost::OnnxImportOptions options;
  options.allow_unsupported = size > 0 && (data[size - 1] & 1) != 0;
  try {
    const opcost::Graph g = opcost::ImportOnnxBuffer(data, size, "fuzz.onnx", options);
    opcost::ComputeMetrics(g);
  } catch (const opcost::Error&) {
  }
  return 0;
}
