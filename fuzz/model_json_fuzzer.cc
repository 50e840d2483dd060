// libFuzzer target: JSON model text either parses (and then costs and saves without error) or
// throws opcost::Error.
#include <cstddef>
#include <cstdint>
#include <string>

#include "opcost/error.h"
#include "opcost/metrics.h"
#include "opcost/model_io.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const opcost::Graph g = opcost::ParseModel(text, "fuzz.json");
    opcost::ComputeMetrics(g);
    opcost::SaveModelToString(g);
  } catch (const opcost::Error&) {
  }
  return 0;
}
