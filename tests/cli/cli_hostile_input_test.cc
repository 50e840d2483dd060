// Hostile and careless input (issue 11): deep nesting, duplicate keys, oversized files, outputs
// that would destroy an input, failed writes. Every case ends in exit 1 with one error line naming
// the file and the rule, never a crash, and never a lost or falsely reported file.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/cli_process.h"
#include "cli/cli_test_util.h"

namespace opcost::clitest {
namespace {

using ::testing::HasSubstr;

// A real .tflite shipped in the repository (tests must pass without ../shared).
std::string RepoTflite() { return SourcePath("validation/models/mcunet-vww1.tflite"); }

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

TEST(CliHostileInput, IntegersOutsideTheirTypeAreRefusedNotWrapped) {
  TempDir dir;
  const std::string tiny = dir.Write("tiny.json", kTinyModel);
  // 18446744073709551615 used to be read as -1, a valid int8.
  std::string values = "[18446744073709551615";
  for (int i = 1; i < 512; ++i) values += ", 0";
  const std::string input = dir.Write("in.json", values + "]");
  ExpectError(RunOpcost({"run", tiny, "--input", input}),
              {input, "/0: must be an integer in [-128, 127] (got 18446744073709551615)"});
}

TEST(CliHostileInput, TestVectorSizesAreCheckedBeforeAllocating) {
  TempDir dir;
  // A few hundred bytes claiming 32768 x 32768 elements: refused against the arrays in the file
  // (input first, then the reference output) before any buffer is allocated; the other files of
  // the run still run.
  dir.Write("huge.json", R"({"case":"huge","kind":"softmax","config":{"NUM_ROWS":32768,
    "ROW_SIZE":32768,"INPUT_MULT":1077952640,"INPUT_LEFT_SHIFT":19,"DIFF_MIN":-3968},
    "arrays":{"input":{"type":"int8_t","data":[1,2]},"output_ref":{"type":"int8_t","data":[1,2]}}})");
  dir.Write("wide.json", R"({"case":"wide","kind":"softmax","config":{"NUM_ROWS":1,
    "ROW_SIZE":40000,"INPUT_MULT":1077952640,"INPUT_LEFT_SHIFT":19,"DIFF_MIN":-3968},
    "arrays":{"input":{"type":"int8_t","data":[1]},"output_ref":{"type":"int8_t","data":[1]}}})");
  dir.Write("softmax.json", R"({"case":"softmax","kind":"softmax","config":{"NUM_ROWS":2,
    "ROW_SIZE":5,"INPUT_MULT":1077952640,"INPUT_LEFT_SHIFT":19,"DIFF_MIN":-3968,"DST_SIZE":10},
    "arrays":{"input":{"type":"int8_t","data":[101,49,6,-34,-75,-79,-38,120,-55,115]},
    "output_ref":{"type":"int8_t","data":[-57,-70,-79,-86,-92,-94,-88,-54,-91,-56]}}})");
  const ProcessResult r = RunOpcost({"vectors", dir.path()});
  EXPECT_FALSE(r.signaled);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("1 passed, 2 failed"));
  EXPECT_THAT(r.out,
              HasSubstr("huge.json: /arrays/input/data: must hold 1073741824 elements (got 2)"));
  EXPECT_THAT(r.out, HasSubstr("/config/ROW_SIZE: must be an integer in [1, 32768] (got 40000)"));
}

TEST(CliHostileInput, OptionValuesHaveRanges) {
  const ProcessResult states =
      RunOpcost({"memory", KwsJson(), "--optimize-order", "--max-states", "999999999999"});
  EXPECT_EQ(states.exit_code, 2);
  EXPECT_THAT(states.err, HasSubstr("--max-states must be at most 67108864"));
  const ProcessResult align =
      RunOpcost({"memory", KwsJson(), "--plan", "--alignment", "1099511627776"});
  EXPECT_EQ(align.exit_code, 2);
  EXPECT_THAT(align.err, HasSubstr("--alignment must be a power of two up to 4096"));
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

TEST(CliHostileInput, TfliteFilesShareTheInputBudget) {
  // .tflite files are read through the same bounded reader as JSON.
  ExpectError(RunOpcost({"metrics", RepoTflite()}, {{"OPCOST_MAX_INPUT_BYTES", "1000"}}),
              {"mcunet-vww1.tflite' is larger than the input budget of 1000 bytes"});
  ExpectError(RunOpcost({"import", "/dev/zero", "-o", "/dev/null"},
                        {{"OPCOST_MAX_INPUT_BYTES", "1000000"}}),
              {"'/dev/zero' is larger than the input budget"});
}

TEST(CliHostileInput, UserMistakesAreNamedNotInternalErrors) {
  TempDir dir;
  dir.Write("tiny.json", kTinyModel);
  const std::string base = dir.Write("base.json", kSyntheticProfile);
  // A row name that is not UTF-8 would end up in the profile JSON: refused at its line.
  const std::string csv = dir.Write(
      "m.csv", "name,model,latency_s\na,tiny.json,0.01\n\xff" "b,tiny.json,0.02\n");
  ExpectError(RunOpcost({"fit", csv, "--base", base, "-o", dir.path() + "/out.json"}),
              {csv + ":3: not valid UTF-8"});
  const std::string table = dir.Write(
      "t.csv", "system,model,latency_ms,profile\n\xc0\xaf,tiny.json,1,base.json\n");
  ExpectError(RunOpcost({"validate", table}), {table + ":2: not valid UTF-8"});
  // A directory where a file belongs is named as one, not read as empty or malformed JSON.
  ExpectError(RunOpcost({"run", dir.path() + "/tiny.json", "--input", dir.path()}),
              {"'" + dir.path() + "' is a directory, not a file"});
  ExpectError(RunOpcost({"metrics", dir.path()}), {"is a directory"});
}

TEST(CliHostileInput, OutputsNeverDestroyInputs) {
  TempDir dir;
  const std::string tflite = dir.Write("k.tflite", ReadFile(RepoTflite()));
  ExpectError(RunOpcost({"import", tflite, "-o", tflite}),
              {"refusing to write", "it is the input"});
  EXPECT_EQ(ReadFile(tflite), ReadFile(RepoTflite()));
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
  ExpectError(RunOpcost({"import", RepoTflite(), "-o", "/dev/full"}),
              {"cannot write '/dev/full'", "No space left on device"});
  ExpectError(RunOpcost({"import", RepoTflite(), "-o", dir.path() + "/missing/dir/k.json"}),
              {"cannot write", "cannot create a temporary file"});
  // A successful write replaces the file whole and leaves no temporary file behind.
  const std::string out = dir.Write("k.json", "old contents");
  ASSERT_EQ(RunOpcost({"import", RepoTflite(), "-o", out}).exit_code, 0);
  EXPECT_THAT(ReadFile(out), HasSubstr("\"format\": \"opcost-model\""));
  const ProcessResult ls = RunOpcost({"import", RepoTflite(), "-o", "/dev/null"});
  EXPECT_EQ(ls.exit_code, 0) << ls.err;  // devices are written in place, not replaced
}

TEST(CliHostileInput, ProfileNumbersThatWouldOverflowAreRefused) {
  TempDir dir;
  const auto variant = [&](const std::string& name,
                           const std::function<void(nlohmann::json&)>& edit) {
    nlohmann::json p = nlohmann::json::parse(kSyntheticProfile);
    edit(p);
    return dir.Write(name, p.dump());
  };
  ExpectError(RunOpcost({"estimate", KwsJson(), "--profile",
                         variant("denormal.json",
                                 [](nlohmann::json& p) { p["hardware"]["clock_hz"] = 4.9e-324; })}),
              {"denormal.json", "/hardware/clock_hz: must be between 1000 and 1e+11"});
  ExpectError(
      RunOpcost({"estimate", KwsJson(), "--profile",
                 variant("overhead.json",
                         [](nlohmann::json& p) {
                           p["categories"]["conv"]["overhead_cycles"]["value"] = 1e308;
                         })}),
      {"overhead.json", "/categories/conv/overhead_cycles/value: must be between 0 and 1e+12"});
  ExpectError(RunOpcost({"estimate", KwsJson(), "--profile",
                         variant("factors.json",
                                 [](nlohmann::json& p) {
                                   p["variants"] = nlohmann::json::array();
                                   for (int i = 0; i < 2; ++i) {
                                     p["variants"].push_back({{"category", "conv"},
                                                              {"condition", "stride_greater_than"},
                                                              {"value", 1},
                                                              {"factor", 1e200},
                                                              {"source", "hand"}});
                                   }
                                 })}),
              {"factors.json", "/variants/0/factor: must be between 0.001 and 1000"});
}

TEST(CliHostileInput, NoCommandPrintsInfOrNanForAnAcceptedProfile) {
  // Every number at the edge of its range, the slow way: the most cycles and joules a profile
  // can ask for, on the largest bundled network.
  nlohmann::json p = nlohmann::json::parse(kSyntheticProfile);
  p["hardware"]["clock_hz"] = 1e3;
  p["naive_model"]["ops_per_cycle"] = 1e-6;
  p["idle_power_mw"]["value"] = 1e7;
  p["variants"] = nlohmann::json::array();
  for (auto& [name, c] : p["categories"].items()) {
    if (c.contains("throughput")) c["throughput"]["points"] = {{1e-3, 1e-6}, {1e12, 1e-6}};
    if (c.contains("cycles_per_element")) c["cycles_per_element"]["value"] = 1e6;
    c["overhead_cycles"]["value"] = 1e12;
    c["power_mw"]["value"] = 1e7;
    for (const char* cond : {"input_channels_not_multiple_of", "output_channels_not_multiple_of",
                             "stride_greater_than"}) {
      p["variants"].push_back({{"category", name},
                               {"condition", cond},
                               {"value", 1000},
                               {"factor", 1e3},
                               {"source", "hand"}});
    }
  }
  TempDir dir;
  const std::string profile = dir.Write("edge.json", p.dump());
  const std::string model = SourcePath("validation/models/mcunet-vww1.tflite");
  for (const char* format : {"json", "csv", "table"}) {
    const ProcessResult r =
        RunOpcost({"estimate", model, "--profile", profile, "--format", format});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (const char* bad : {"inf", "nan", "null", "NaN", "Inf"}) {
      EXPECT_EQ(r.out.find(bad), std::string::npos) << format << " prints " << bad;
    }
  }
  const ProcessResult m = RunOpcost({"memory", model, "--profile", profile, "--format", "json"});
  ASSERT_EQ(m.exit_code, 0) << m.err;
  EXPECT_EQ(m.out.find("null"), std::string::npos);
}

}  // namespace
}  // namespace opcost::clitest
