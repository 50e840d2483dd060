// libFuzzer target: hardware profile text either parses (and then saves) or throws
// opcost::Error.
#include <cstddef>
#include <cstdint>
#include <string>

#include "opcost/error.h"
#include "opcost/profile.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const opcost::HardwareProfile p = opcost::ParseProfile(text, "fuzz.json");
    opcost::SaveProfileToString(p);
  } catch (const opcost::Error&) {
  }
  return 0;
}
