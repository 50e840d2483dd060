#include "cli/profile_lookup.h"

#include <unistd.h>

#include <algorithm>

#include "cli/command.h"
#include "opcost/error.h"
#include "opcost/profile_catalog.h"

namespace opcost::cli {

std::vector<std::string> ProfileSearchPath() {
  // An installed opcost finds its own profiles relative to the executable (relocatable prefix).
  std::vector<std::string> own;
  char exe[4096];
  const ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    std::string bin(exe, static_cast<std::size_t>(n));
    bin = bin.substr(0, bin.find_last_of('/'));
    own.push_back(bin + "/../share/opcost/profiles");
  }
  return DefaultProfileDirs(own);
}

HardwareProfile LoadProfileForCli(const std::string& name_or_path) {
  if (IsProfilePath(name_or_path)) RejectDirectory(name_or_path, "profile");
  return FindProfile(name_or_path, ProfileSearchPath());
}

WeightPlacement ParseWeightPlacement(const ParsedArgs& parsed) {
  WeightPlacement placement;
  if (parsed.Has("weights")) {
    placement.all_layers = parsed.Get("weights");
    if (placement.all_layers.empty()) throw UsageError("--weights needs a region name");
  }
  if (parsed.Has("layer-weights")) {
    const std::string list = parsed.Get("layer-weights");
    std::size_t begin = 0;
    while (begin <= list.size()) {
      const std::size_t end = std::min(list.find(',', begin), list.size());
      const std::string item = list.substr(begin, end - begin);
      const std::size_t eq = item.rfind('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == item.size()) {
        throw UsageError("--layer-weights takes NAME=REGION[,NAME=REGION...] (got \"" + item +
                         "\")");
      }
      placement.layers.emplace_back(item.substr(0, eq), item.substr(eq + 1));
      begin = end + 1;
    }
  }
  return placement;
}

}  // namespace opcost::cli
