#include "cli/device_options.h"

#include <cctype>
#include <string>

namespace opcost::cli {

const std::vector<std::string> kDeviceOptionsWithValue = {"flash", "sram", "reserve-flash",
                                                          "reserve-sram"};
const std::vector<std::string> kDeviceSwitches = {"require-fit"};

namespace {

// 2^50 B: beyond any device, and sums of such counts stay far from overflow.
constexpr std::int64_t kMaxBytes = std::int64_t{1} << 50;

std::int64_t SuffixMultiplier(const std::string& suffix) {
  if (suffix.empty()) return 1;
  if (suffix == "K" || suffix == "k" || suffix == "KiB") return 1024;
  if (suffix == "M" || suffix == "MiB") return 1024 * 1024;
  return 0;
}

}  // namespace

std::int64_t ParseByteCount(const std::string& option, const std::string& text) {
  std::size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  const std::int64_t multiplier = SuffixMultiplier(text.substr(digits));
  // At most 16 digits: the value then fits in int64 before the range check.
  if (digits == 0 || digits > 16 || multiplier == 0) {
    throw UsageError("--" + option +
                     " needs a byte count such as 327680, 320K or 1M (got '" + text + "')");
  }
  const std::int64_t value = std::stoll(text.substr(0, digits));
  if (value > kMaxBytes / multiplier) {
    throw UsageError("--" + option + " must be at most 2^50 bytes (got '" + text + "')");
  }
  return value * multiplier;
}

bool HasDeviceOptions(const ParsedArgs& args) {
  for (const std::string& name : kDeviceOptionsWithValue) {
    if (args.Has(name)) return true;
  }
  return args.Has("require-fit");
}

void ApplyDeviceOptions(const ParsedArgs& args, HardwareProfile* profile) {
  auto capacity = [&](const char* name, std::int64_t* bytes) {
    if (!args.Has(name)) return;
    *bytes = ParseByteCount(name, args.Get(name));
    if (*bytes == 0) throw UsageError(std::string("--") + name + " must be more than 0 bytes");
  };
  capacity("flash", &profile->flash_bytes);
  capacity("sram", &profile->sram_bytes);
  RuntimeReserve& reserve = profile->runtime_reserve;
  if (args.Has("reserve-flash")) {
    reserve.flash_bytes = ParseByteCount("reserve-flash", args.Get("reserve-flash"));
    reserve.flash_source = "command line";
  }
  if (args.Has("reserve-sram")) {
    reserve.sram_bytes = ParseByteCount("reserve-sram", args.Get("reserve-sram"));
    reserve.sram_source = "command line";
  }
}

int FitExitCode(const ParsedArgs& args, const MemoryFit& fit) {
  return args.Has("require-fit") && !fit.fits ? kExitDoesNotFit : 0;
}

}  // namespace opcost::cli
