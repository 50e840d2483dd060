// Shipped and user profiles by name: NAME.json in a list of directories, with the aliases that
// show board and runtime (docs/profiles.md). Used by the CLI and the Python package, which each
// know where their installed profiles live.
//
//   std::vector<std::string> dirs = {"/usr/local/share/opcost/profiles"};
//   opcost::HardwareProfile p = opcost::FindProfile("stm32f746-cmsis-nn", dirs);
#ifndef OPCOST_PROFILE_CATALOG_H_
#define OPCOST_PROFILE_CATALOG_H_

#include <string>
#include <vector>

#include "opcost/profile.h"

namespace opcost {

// True if `name_or_path` is a file path (has a '/' or ends in ".json"), not a name.
bool IsProfilePath(const std::string& name_or_path);

// The file stem a name stands for ("stm32f746-cmsis-nn" -> "cortex-m7-f746"); other names
// unchanged.
std::string ProfileFileStem(const std::string& name);

// Loads a path as it is, or a name as the first dirs[i]/STEM.json that exists. Throws
// Error{kIo} listing the searched directories (and the closest known name, if one is close)
// when nothing matches, and whatever LoadProfile throws.
HardwareProfile FindProfile(const std::string& name_or_path, const std::vector<std::string>& dirs);

// Where LoadProfile looks for a name: the directories of $OPCOST_PROFILE_PATH (':'-separated),
// then `preferred` (the CLI puts its own installation's profiles here), then the source tree's
// profiles/ (a build used in place) and the installed profiles (PREFIX/share/opcost/profiles of
// the build's install prefix). Directories that do not exist are skipped by FindProfile.
std::vector<std::string> DefaultProfileDirs(const std::vector<std::string>& preferred = {});

// Every profile name found in `dirs` (file stems of *.json that load as profiles, and the
// aliases of those), sorted, each once. Files that are not profiles are skipped.
std::vector<std::string> ListProfiles(const std::vector<std::string>& dirs);

}  // namespace opcost

#endif  // OPCOST_PROFILE_CATALOG_H_
