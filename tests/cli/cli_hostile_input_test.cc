// Hostile and careless input (issue 11): deep nesting, duplicate keys, oversized files, outputs
// that would destroy an input, failed writes. Every case ends in exit 1 with one error line naming
// the file and the rule, never a crash, and never a lost or falsely reported file.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cli/cli_process.h"
#include "cli/cli_test_util.h"

namespace opcost::clitest {
namespace {

using ::testing::HasSubstr;

// Exit 1, exactly one stderr line, containing every part.
void ExpectError(const ProcessResult& r, const std::vector<std::string>& parts) {
  EXPECT_FALSE(r.signaled) << r.err;
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.ErrLines().size(), 1u) << r.err;
  for (const std::string& p : parts) EXPECT_THAT(r.err, HasSubstr(p));
}

std::string Nested(int depth) {
  return std::string(static_cast<std::size_t>(depth), '[') +
         std::string(static_cast<std::size_t>(depth), ']');
}

TEST(CliHostileInput, DeepNestingIsRefusedEverywhereJsonIsRead) {
  TempDir dir;
  // ~50,000 levels in 100 KB: the classic stack exhaustion, in a model, a profile and an input.
  const std::string deep = "{\"format\": " + Nested(50000) + "}";
  const std::string model = dir.Write("deep_model.json", deep);
  const std::string profile = dir.Write("deep_profile.json", deep);
  ExpectError(RunOpcost({"metrics", model}), {model, "nesting deeper than 64 levels"});
  ExpectError(RunOpcost({"estimate", KwsJson(), "--profile", profile}),
              {profile, "/format/0/0", "nesting deeper than 64 levels"});
  const std::string input = dir.Write("deep_input.json", Nested(50000));
  const std::string tiny = dir.Write("tiny.json", kTinyModel);
  ExpectError(RunOpcost({"run", tiny, "--input", input}), {input, "nesting deeper than 64"});
}

TEST(CliHostileInput, DuplicateKeysNameThePlace) {
  TempDir dir;
  const std::string model = dir.Write(
      "dup.json", R"({"format": "opcost-model", "format_version": 1, "name": "d", "dtype": "int8",
 "inputs": [{"name": "x", "shape": [1, 8]}],
 "layers": [{"name": "fc", "op": "fully_connected", "units": 4, "units": 400}]})");
  ExpectError(RunOpcost({"metrics", model}), {model, "/layers/0: duplicate key \"units\""});
  std::string profile_text = kSyntheticProfile;
  profile_text.insert(profile_text.find("\"name\""), "\"name\": \"first\", ");
  const std::string profile = dir.Write("dup_profile.json", profile_text);
  ExpectError(RunOpcost({"estimate", KwsJson(), "--profile", profile}),
              {profile, "/: duplicate key \"name\""});
}

TEST(CliHostileInput, InputsLargerThanTheBudgetAreRefusedBeforeReading) {
  // /dev/zero has no end: the read stops at the budget.
  const ProcessResult r =
      RunOpcost({"metrics", "/dev/zero"}, {{"OPCOST_MAX_INPUT_BYTES", "1000000"}});
  ExpectError(r, {"'/dev/zero' is larger than the input budget of 1000000 bytes",
                  "OPCOST_MAX_INPUT_BYTES"});
  // The budget is an ordinary limit: a real model passes under the default.
  EXPECT_EQ(RunOpcost({"metrics", KwsJson()}).exit_code, 0);
  ExpectError(RunOpcost({"metrics", KwsJson()}, {{"OPCOST_MAX_INPUT_BYTES", "100"}}),
              {"mlperf_kws_ds_cnn.json' is larger than the input budget of 100 bytes"});
  const ProcessResult bad = RunOpcost({"metrics", KwsJson()}, {{"OPCOST_MAX_INPUT_BYTES", "-5"}});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("OPCOST_MAX_INPUT_BYTES must be a positive integer"));
}

TEST(CliHostileInput, OutputsNeverDestroyInputs) {
  TempDir dir;
  const std::string tflite = dir.Write("k.tflite", ReadFile(KwsTflite()));
  ExpectError(RunOpcost({"import", tflite, "-o", tflite}),
              {"refusing to write", "it is the input"});
  EXPECT_EQ(ReadFile(tflite), ReadFile(KwsTflite()));
  const std::string base = dir.Write("base.json", kSyntheticProfile);
  dir.Write("tiny.json", kTinyModel);
  const std::string csv =
      dir.Write("m.csv", "name,model,latency_s\na,tiny.json,0.01\nb,tiny.json,0.02\n");
  for (const std::string& target : {csv, base, dir.path() + "/tiny.json"}) {
    const std::string before = ReadFile(target);
    ExpectError(RunOpcost({"fit", csv, "--base", base, "-o", target}),
                {"refusing to write '" + target + "'"});
    EXPECT_EQ(ReadFile(target), before) << target;
  }
}

TEST(CliHostileInput, FailedWritesExitOneAndKeepTheOldFile) {
  TempDir dir;
  ExpectError(RunOpcost({"import", KwsTflite(), "-o", "/dev/full"}),
              {"cannot write '/dev/full'", "No space left on device"});
  ExpectError(RunOpcost({"import", KwsTflite(), "-o", dir.path() + "/missing/dir/k.json"}),
              {"cannot write", "cannot create a temporary file"});
  // A successful write replaces the file whole and leaves no temporary file behind.
  const std::string out = dir.Write("k.json", "old contents");
  ASSERT_EQ(RunOpcost({"import", KwsTflite(), "-o", out}).exit_code, 0);
  EXPECT_THAT(ReadFile(out), HasSubstr("\"format\": \"opcost-model\""));
  const ProcessResult ls = RunOpcost({"import", KwsTflite(), "-o", "/dev/null"});
  EXPECT_EQ(ls.exit_code, 0) << ls.err;  // devices are written in place, not replaced
}

}  // namespace
}  // namespace opcost::clitest
