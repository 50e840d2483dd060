// `opcost vectors` on the shared CMSIS-NN int8 vectors (69 cases,
// ../shared/testvectors/cmsis-nn-s8/README.md) and on altered copies, through the executable.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/cli_process.h"
#include "cli/cli_test_util.h"

namespace opcost::clitest {
namespace {

using nlohmann::json;
using ::testing::EndsWith;
using ::testing::HasSubstr;

TEST(CliVectors, AllSharedVectorsPass) {
  const ProcessResult r = RunOpcost({"vectors", Vectors()});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.err, "");
  // shared/testvectors/cmsis-nn-s8/README.md: 69 cases.
  EXPECT_THAT(r.out, EndsWith("\n69 passed, 0 failed\n"));
  EXPECT_THAT(r.out, testing::StartsWith("add pass\n"));
}

TEST(CliVectors, JsonCounts) {
  const json j = RunJson({"vectors", Vectors(), "--format", "json"});
  EXPECT_EQ(j.at("passed").get<int>(), 69);
  EXPECT_EQ(j.at("failed").get<int>(), 0);
  EXPECT_EQ(j.at("cases").size(), 69u);
}

// A copy of the vectors with one reference byte changed: exactly that case fails.
TEST(CliVectors, OneCorruptedCopyFails) {
  TempDir dir;
  for (const auto& entry : std::filesystem::directory_iterator(Vectors())) {
    if (entry.path().extension() != ".json") continue;
    std::filesystem::copy_file(entry.path(), dir.path() + "/" + entry.path().filename().string());
  }
  json add = json::parse(ReadFile(Vectors() + "/add.json"));
  json& ref = add.at("arrays").at("output_ref").at("data");
  const int original = ref[5].get<int>();
  const int corrupted = original == 127 ? 126 : original + 1;
  ref[5] = corrupted;
  dir.Write("add.json", add.dump());

  const ProcessResult r = RunOpcost({"vectors", dir.path()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_LT(r.exit_code, 128);
  EXPECT_THAT(r.out, EndsWith("\n68 passed, 1 failed\n"));
  EXPECT_THAT(r.out, HasSubstr("add fail output[5] = " + std::to_string(original) + ", expected " +
                               std::to_string(corrupted) + " (1 of 128 bytes differ)\n"));
  const ProcessResult rj = RunOpcost({"vectors", dir.path(), "--format", "json"});
  EXPECT_EQ(rj.exit_code, 1);
  const json j = json::parse(rj.out);
  EXPECT_EQ(j.at("passed").get<int>(), 68);
  EXPECT_EQ(j.at("failed").get<int>(), 1);
  for (const json& c : j.at("cases")) {
    if (c.at("name") != "add") continue;
    EXPECT_FALSE(c.at("passed").get<bool>());
    EXPECT_EQ(c.at("first_difference").get<int>(), 5);
    EXPECT_EQ(c.at("differences").get<int>(), 1);
    EXPECT_EQ(c.at("bytes").get<int>(), 128);
  }
}

TEST(CliVectors, TruncatedFileIsAFailedCaseNotACrash) {
  TempDir dir;
  std::filesystem::copy_file(Vectors() + "/add.json", dir.path() + "/add.json");
  const std::string text = ReadFile(Vectors() + "/basic.json");
  dir.Write("basic.json", text.substr(0, text.size() / 2));
  const ProcessResult r = RunOpcost({"vectors", dir.path()});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.out, HasSubstr("add pass\n"));
  EXPECT_THAT(r.out, HasSubstr("basic fail "));
  EXPECT_THAT(r.out, EndsWith("\n1 passed, 1 failed\n"));
}

}  // namespace
}  // namespace opcost::clitest
