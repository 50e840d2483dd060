// Profiles by name: the shipped directory, aliases, listing, and a suggestion for a typo.
#include "opcost/profile_catalog.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "testing/expect_error.h"

namespace opcost {
namespace {

using ::testing::Contains;
using ::testing::Not;

const std::vector<std::string> kShipped = {std::string(OPCOST_SOURCE_DIR) + "/profiles"};

TEST(ProfileCatalog, NamesAndAliasesLoadTheSameFile) {
  const HardwareProfile by_file = FindProfile("cortex-m7-f746", kShipped);
  const HardwareProfile by_alias = FindProfile("stm32f746-cmsis-nn", kShipped);
  EXPECT_EQ(by_file.name, by_alias.name);
  EXPECT_DOUBLE_EQ(by_file.clock_hz, 216e6);
  EXPECT_TRUE(IsProfilePath("a/b"));
  EXPECT_TRUE(IsProfilePath("b.json"));
  EXPECT_FALSE(IsProfilePath("cortex-m7-f746"));
}

TEST(ProfileCatalog, ListingHasEveryShippedProfileAndAlias) {
  const std::vector<std::string> names = ListProfiles(kShipped);
  EXPECT_THAT(names, Contains("cortex-m7-f746"));
  EXPECT_THAT(names, Contains("stm32f746-cmsis-nn"));
  EXPECT_THAT(names, Contains("stm32h7a3-x-cube-ai"));
  EXPECT_THAT(names, Not(Contains("no-such-board")));
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
}

TEST(ProfileCatalog, AMissingNameSuggestsTheClosestOne) {
  EXPECT_OPCOST_ERROR(FindProfile("stm32f746-cmsisnn", kShipped), ErrorCode::kIo,
                      "did you mean 'stm32f746-cmsis-nn'?");
  // Nothing close: no suggestion, but the searched directories.
  try {
    FindProfile("zzz", kShipped);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).find("did you mean"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(kShipped[0]), std::string::npos) << e.what();
  }
}

// LoadProfile takes a shipped name as the CLI does (DefaultProfileDirs: the build's source tree
// is among them), and a path as a path.
TEST(ProfileCatalog, LoadProfileAcceptsAShippedName) {
  const HardwareProfile by_name = LoadProfile("stm32f746-cmsis-nn");
  EXPECT_EQ(by_name.name, "cortex-m7-f746");
  EXPECT_EQ(SaveProfileToString(by_name),
            SaveProfileToString(LoadProfile(kShipped[0] + "/cortex-m7-f746.json")));
  EXPECT_THAT(DefaultProfileDirs(), Contains(kShipped[0]));
  EXPECT_OPCOST_ERROR(LoadProfile("cortex-m7-f74"), ErrorCode::kIo,
                      "did you mean 'cortex-m7-f746'?");
  EXPECT_OPCOST_ERROR(LoadProfile("missing/cortex-m7-f746.json"), ErrorCode::kIo,
                      "missing/cortex-m7-f746.json");
}

}  // namespace
}  // namespace opcost
