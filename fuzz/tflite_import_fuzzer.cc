// libFuzzer target: any byte string given to the TFLite importer either imports (and then
// costs without error) or throws opcost::Error. Anything else (a crash, a sanitizer report, a
// foreign exception, a hang) is a bug.
#include <cstddef>
#include <cstdint>

#include "opcost/error.h"
#include "opcost/metrics.h"
#include "opcost/tflite_import.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  opcost::TfliteImportOptions options;
  options.allow_unsupported = size > 0 && (data[size - 1] & 1) != 0;
  try {
    const opcost::Graph g = opcost::ImportTfliteBuffer(data, size, "fuzz.tflite", options);
    opcost::ComputeMetrics(g);
  } catch (const opcost::Error&) {
  }
  return 0;
}
