#include "cli/profile_lookup.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <utility>

#include "cli/command.h"
#include "opcost/error.h"

namespace opcost::cli {
namespace {

void SplitInto(const std::string& list, std::vector<std::string>* out) {
  std::stringstream s(list);
  std::string dir;
  while (std::getline(s, dir, ':')) {
    if (!dir.empty()) out->push_back(dir);
  }
}

bool Exists(const std::string& path) { return std::ifstream(path).good(); }

// Names that show the board and the runtime, for the profiles whose file names predate that
// convention (docs/profiles.md); both names keep working.
constexpr std::pair<const char*, const char*> kAliases[] = {
    {"stm32f746-cmsis-nn", "cortex-m7-f746"},
    {"stm32l4r5-cmsis-nn", "cortex-m4-l4r5"},
    {"stm32h747-x-cube-ai", "stm32h747-m7-cubeai"},
};

}  // namespace

std::vector<std::string> ProfileSearchPath() {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("OPCOST_PROFILE_PATH")) SplitInto(env, &dirs);
  // An installed opcost finds its own profiles relative to the executable (relocatable prefix).
  char exe[4096];
  const ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    std::string bin(exe, static_cast<std::size_t>(n));
    bin = bin.substr(0, bin.find_last_of('/'));
    dirs.push_back(bin + "/../share/opcost/profiles");
  }
#ifdef OPCOST_PROFILE_DIRS
  SplitInto(OPCOST_PROFILE_DIRS, &dirs);
#endif
  return dirs;
}

HardwareProfile LoadProfileForCli(const std::string& name_or_path) {
  const bool looks_like_path =
      name_or_path.find('/') != std::string::npos ||
      (name_or_path.size() > 5 && name_or_path.compare(name_or_path.size() - 5, 5, ".json") == 0);
  if (looks_like_path) {
    RejectDirectory(name_or_path, "profile");
    return LoadProfile(name_or_path);
  }
  std::string file_stem = name_or_path;
  for (const auto& [alias, stem] : kAliases) {
    if (name_or_path == alias) file_stem = stem;
  }
  const std::vector<std::string> dirs = ProfileSearchPath();
  for (const std::string& dir : dirs) {
    const std::string candidate = dir + "/" + file_stem + ".json";
    if (Exists(candidate)) return LoadProfile(candidate);
  }
  std::string searched;
  for (const std::string& dir : dirs) searched += (searched.empty() ? "" : ", ") + dir;
  throw Error(ErrorCode::kIo, "profile '" + name_or_path + "' not found (give a path, or a name " +
                                  "searched as NAME.json in: " + searched +
                                  "; add directories with OPCOST_PROFILE_PATH)");
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
