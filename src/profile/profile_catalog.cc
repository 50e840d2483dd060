#include "opcost/profile_catalog.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <utility>

#include "opcost/error.h"

namespace opcost {
namespace {

// Names that show the board and the runtime, for the profiles whose file names predate that
// convention (docs/profiles.md); both names keep working.
constexpr std::pair<const char*, const char*> kAliases[] = {
    {"stm32f746-cmsis-nn", "cortex-m7-f746"},
    {"stm32l4r5-cmsis-nn", "cortex-m4-l4r5"},
    {"ra6m4-cmsis-nn", "cortex-m33-ra6m4"},
    {"stm32h747-x-cube-ai", "stm32h747-m7-cubeai"},
};

bool IsFile(const std::string& path) {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec);
}

// Levenshtein distance, for "did you mean": names are short, so the quadratic table is fine.
std::size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string ClosestName(const std::string& name, const std::vector<std::string>& known) {
  std::string best;
  std::size_t best_distance = name.size() / 3 + 2;  // beyond this a suggestion misleads
  for (const std::string& k : known) {
    const std::size_t d = EditDistance(name, k);
    if (d < best_distance) {
      best_distance = d;
      best = k;
    }
  }
  return best;
}

}  // namespace

bool IsProfilePath(const std::string& name_or_path) {
  return name_or_path.find('/') != std::string::npos ||
         (name_or_path.size() > 5 &&
          name_or_path.compare(name_or_path.size() - 5, 5, ".json") == 0);
}

std::string ProfileFileStem(const std::string& name) {
  for (const auto& [alias, stem] : kAliases) {
    if (name == alias) return stem;
  }
  return name;
}

HardwareProfile FindProfile(const std::string& name_or_path, const std::vector<std::string>& dirs) {
  if (IsProfilePath(name_or_path)) return LoadProfile(name_or_path);
  const std::string stem = ProfileFileStem(name_or_path);
  for (const std::string& dir : dirs) {
    const std::string candidate = dir + "/" + stem + ".json";
    if (IsFile(candidate)) return LoadProfile(candidate);
  }
  std::string searched;
  for (const std::string& dir : dirs) searched += (searched.empty() ? "" : ", ") + dir;
  std::string message = "profile '" + name_or_path + "' not found";
  const std::string closest = ClosestName(name_or_path, ListProfiles(dirs));
  if (!closest.empty()) message += " (did you mean '" + closest + "'?)";
  throw Error(ErrorCode::kIo, message + "; give a path, or a name searched as NAME.json in: " +
                                  searched + "; add directories with OPCOST_PROFILE_PATH");
}

std::vector<std::string> DefaultProfileDirs(const std::vector<std::string>& preferred) {
  std::vector<std::string> dirs;
  auto split_into = [&dirs](const std::string& list) {
    std::size_t begin = 0;
    while (begin <= list.size()) {
      const std::size_t end = std::min(list.find(':', begin), list.size());
      if (end > begin) dirs.push_back(list.substr(begin, end - begin));
      begin = end + 1;
    }
  };
  if (const char* env = std::getenv("OPCOST_PROFILE_PATH")) split_into(env);
  dirs.insert(dirs.end(), preferred.begin(), preferred.end());
#ifdef OPCOST_DEFAULT_PROFILE_DIRS
  split_into(OPCOST_DEFAULT_PROFILE_DIRS);
#endif
  return dirs;
}

std::vector<std::string> ListProfiles(const std::vector<std::string>& dirs) {
  std::vector<std::string> names;
  for (const std::string& dir : dirs) {
    std::error_code ec;
    for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      const std::filesystem::path& p = it->path();
      if (p.extension() != ".json" || !IsFile(p.string())) continue;
      try {
        LoadProfile(p.string());
      } catch (const Error&) {
        continue;  // another kind of JSON file next to the profiles
      }
      const std::string stem = p.stem().string();
      names.push_back(stem);
      for (const auto& [alias, target] : kAliases) {
        if (stem == target) names.emplace_back(alias);
      }
    }
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

}  // namespace opcost
