// The deployer's options of every command that judges whether a model fits (memory --profile,
// report): the board's capacities (--flash, --sram override the profile's), the runtime's own
// footprint (--reserve-flash, --reserve-sram override the profile's runtime_reserve) and
// --require-fit, which turns "does not fit" into exit code kExitDoesNotFit for CI scripts.
#ifndef OPCOST_CLI_DEVICE_OPTIONS_H_
#define OPCOST_CLI_DEVICE_OPTIONS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "cli/command.h"
#include "opcost/memory.h"
#include "opcost/profile.h"

namespace opcost::cli {

// Distinct from 1 (bad input), 2 (usage) and 3 (internal): a CI job can tell "the model is too
// big" from "the command failed".
constexpr int kExitDoesNotFit = 4;

// Names for ParseArgs.
extern const std::vector<std::string> kDeviceOptionsWithValue;  // flash sram reserve-*
extern const std::vector<std::string> kDeviceSwitches;          // require-fit
// The options' lines for a command's help text: a literal, so that it joins the command's.
#define OPCOST_DEVICE_OPTIONS_HELP                                                               \
  "  --flash BYTES     the board's flash instead of the profile's (K = 1024: 1M, 512K)\n"     \
  "  --sram BYTES      the board's SRAM instead of the profile's\n"                            \
  "  --reserve-flash BYTES, --reserve-sram BYTES\n"                                            \
  "                    what the runtime itself takes (code; its own RAM) instead of the\n"    \
  "                    profile's runtime_reserve\n"                                            \
  "  --require-fit     exit 4 when the model does not fit (after printing the result)\n"

// "327680", "320K", "320KiB", "1M", "1MiB" (K = 1024): a byte count for --`option`. Throws
// UsageError naming the option for anything else, a negative number or more than 2^50 B.
std::int64_t ParseByteCount(const std::string& option, const std::string& text);

// True if any device option is given (they need --profile to mean anything).
bool HasDeviceOptions(const ParsedArgs& args);
// Replaces the profile's capacities and runtime reserve by the ones given on the command line;
// a replaced reserve's source becomes "command line".
void ApplyDeviceOptions(const ParsedArgs& args, HardwareProfile* profile);
// kExitDoesNotFit if --require-fit is given and `fit` says it does not fit, else 0.
int FitExitCode(const ParsedArgs& args, const MemoryFit& fit);

}  // namespace opcost::cli

#endif  // OPCOST_CLI_DEVICE_OPTIONS_H_
