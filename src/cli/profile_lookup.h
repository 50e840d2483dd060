// Finding a hardware profile for the CLI: a path, or a name looked up as NAME.json in the
// directories of $OPCOST_PROFILE_PATH (colon-separated), the profiles installed beside the
// executable, then the library's defaults (DefaultProfileDirs: the source tree's profiles/ and
// the installed share/opcost/profiles).
#ifndef OPCOST_CLI_PROFILE_LOOKUP_H_
#define OPCOST_CLI_PROFILE_LOOKUP_H_

#include <string>
#include <vector>

#include "opcost/profile.h"

namespace opcost::cli {

// The directories searched for profile names, in order.
std::vector<std::string> ProfileSearchPath();
// Loads `name_or_path`. Throws Error{kIo} naming the searched directories if nothing matches,
// and whatever LoadProfile throws.
HardwareProfile LoadProfileForCli(const std::string& name_or_path);

struct ParsedArgs;
// The weight placement of `--weights REGION` and `--layer-weights NAME=REGION[,NAME=REGION...]`
// (docs/cli.md); empty when neither is given. Throws UsageError for a malformed list.
WeightPlacement ParseWeightPlacement(const ParsedArgs& parsed);

}  // namespace opcost::cli

#endif  // OPCOST_CLI_PROFILE_LOOKUP_H_
