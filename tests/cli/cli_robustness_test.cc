// Corrupt and truncated .tflite files and file names that are not UTF-8: every command ends with
// exit 0 or exactly one "opcost: error: FILE: ..." line and exit 1, never an internal error (3)
// or a signal.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/cli_process.h"
#include "cli/cli_test_util.h"

namespace opcost::clitest {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::StartsWith;

const std::vector<std::vector<std::string>> kModelCommands = {
    {"metrics", "--format", "json"},
    {"memory", "--format", "json"},
    {"estimate", "--profile", "cortex-m7-f746", "--format", "json"},
    {"import"},
};

ProcessResult RunOn(const std::vector<std::string>& command, const std::string& model) {
  std::vector<std::string> args = {command[0], model};
  args.insert(args.end(), command.begin() + 1, command.end());
  return RunOpcost(args);
}

// Exit 0, or exit 1 with one stderr line naming the file.
void ExpectCleanOutcome(const ProcessResult& r, const std::string& path, const std::string& what) {
  EXPECT_FALSE(r.signaled) << what << ": " << r.err;
  if (r.exit_code == 0) return;
  EXPECT_EQ(r.exit_code, 1) << what << ": " << r.err;
  const std::vector<std::string> lines = r.ErrLines();
  ASSERT_EQ(lines.size(), 1u) << what << ": " << r.err;
  EXPECT_THAT(lines[0], StartsWith("opcost: error: " + path)) << what;
}

std::string Replace(std::string bytes, const std::string& find, std::size_t offset, char c) {
  const std::size_t at = bytes.find(find);
  EXPECT_NE(at, std::string::npos) << find;
  if (at != std::string::npos) bytes[at + offset] = c;
  return bytes;
}

TEST(CliRobustness, TfliteNameThatIsNotUtf8) {
  // A tensor name of the KWS .tflite with its first byte replaced by 0xFF (never valid UTF-8).
  TempDir dir;
  const std::string path = dir.Write(
      "kws.tflite",
      Replace(ReadFile(KwsTflite()), "functional_1/flatten/Reshape", 0, static_cast<char>(0xFF)));
  for (const auto& command : kModelCommands) {
    const ProcessResult r = RunOn(command, path);
    EXPECT_EQ(r.exit_code, 1) << command[0] << ": " << r.err;
    ASSERT_EQ(r.ErrLines().size(), 1u) << r.err;
    EXPECT_THAT(r.err, StartsWith("opcost: error: " + path + ": the name of tensor "));
    EXPECT_THAT(r.err, HasSubstr(" is not valid UTF-8"));
  }
}

TEST(CliRobustness, TfliteDescriptionThatIsNotUtf8) {
  // The file's description "MLIR Converted." with a lone continuation byte.
  TempDir dir;
  const std::string path = dir.Write(
      "kws.tflite", Replace(ReadFile(KwsTflite()), "MLIR Converted.", 4, static_cast<char>(0x80)));
  const ProcessResult r = RunOpcost({"import", path});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.err, "opcost: error: " + path +
                       ": the model description is not valid UTF-8 (FlatBuffers strings are "
                       "UTF-8)\n");
}

TEST(CliRobustness, TruncatedTflite) {
  TempDir dir;
  const std::string bytes = ReadFile(KwsTflite());
  const std::string path = dir.path() + "/cut.tflite";
  for (int k = 0; k < 24; ++k) {
    const std::size_t n = bytes.size() * static_cast<std::size_t>(k) / 24;
    dir.Write("cut.tflite", bytes.substr(0, n));
    const ProcessResult r = RunOpcost({"metrics", path});
    EXPECT_EQ(r.exit_code, 1) << n << " bytes: " << r.err;
    ExpectCleanOutcome(r, path, std::to_string(n) + " bytes");
  }
}

TEST(CliRobustness, CorruptedTfliteBytes) {
  // Four bytes overwritten per copy, mostly in the first 4000 (tables, vectors, strings; the
  // weights follow), with a fixed linear congruential generator so every run tests the same
  // files.
  TempDir dir;
  const std::string original = ReadFile(KwsTflite());
  const std::string path = dir.path() + "/bad.tflite";
  std::uint64_t state = 12345;
  auto next = [&state] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<std::uint32_t>(state >> 33);
  };
  int rejected = 0;
  for (int trial = 0; trial < 80; ++trial) {
    std::string bytes = original;
    for (int k = 0; k < 4; ++k) {
      const std::size_t range = next() % 10 < 7 ? 4000 : bytes.size();
      bytes[next() % range] = static_cast<char>(next() & 0xFF);
    }
    dir.Write("bad.tflite", bytes);
    for (const auto& command : kModelCommands) {
      const ProcessResult r = RunOn(command, path);
      ExpectCleanOutcome(r, path, "trial " + std::to_string(trial) + " " + command[0]);
      rejected += r.exit_code == 1 ? 1 : 0;
    }
  }
  EXPECT_GT(rejected, 0) << "no corruption was detected: the test does not exercise the checks";
}

TEST(CliRobustness, ModelFileNameThatIsNotUtf8) {
  // A model without "name" is named after its file stem; JSON output replaces the invalid byte
  // with U+FFFD instead of failing.
  TempDir dir;
  json model = json::parse(kTinyModel);
  model.erase("name");
  const std::string path = dir.Write("net\xff.json", model.dump());
  const json metrics = RunJson({"metrics", path, "--format", "json"});
  EXPECT_EQ(metrics.at("model"), "net\xef\xbf\xbd");
  const json est = RunJson({"estimate", path, "--profile", "cortex-m7-f746", "--format", "json"});
  EXPECT_EQ(est.at("model"), "net\xef\xbf\xbd");
}

TEST(CliRobustness, FitProfileNameThatIsNotUtf8) {
  TempDir dir;
  const std::string base = dir.Write("synthetic.json", kSyntheticProfile);
  const std::string csv =
      dir.Write("m.csv", "name,op,input,filters,kernel,cycles\nc,conv2d,1x8x8x8,8,3,100000\n");
  for (const std::vector<std::string>& extra :
       {std::vector<std::string>{"-o", dir.path() + "/p\xff.json"},
        std::vector<std::string>{"-o", dir.path() + "/p.json", "--name", "p\xff"}}) {
    std::vector<std::string> args = {"fit", csv, "--base", base};
    args.insert(args.end(), extra.begin(), extra.end());
    const ProcessResult r = RunOpcost(args);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_EQ(r.err,
              "opcost: usage error: the profile name is not valid UTF-8 (a profile is JSON); give "
              "a UTF-8 --name\n");
  }
}

}  // namespace
}  // namespace opcost::clitest
