// `opcost` help, usage errors (exit 2) and bad input (exit 1): the exit code, which stream, and
// that an error is exactly one line "opcost: usage error: ..." / "opcost: error: ..." naming the
// offending argument or file (src/cli/command.h, docs/cli.md). A crash (exit >= 128) fails.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/cli_process.h"

namespace opcost::clitest {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::StartsWith;

const std::vector<std::string> kCommands = {"metrics", "memory",  "estimate", "fit",
                                            "import",  "vectors", "run"};

std::string Kws() { return SourcePath("models/mlperf_kws_ds_cnn.json"); }

// The command list lines of `opcost --help` start with two spaces and the command name.
void ExpectListsEveryCommand(const std::string& text) {
  for (const std::string& c : kCommands) {
    EXPECT_THAT(text, HasSubstr("\n  " + c + " ")) << "command " << c << " not listed";
  }
}

// One stderr line with the given prefix; nothing on stdout.
void ExpectOneErrorLine(const ProcessResult& r, const std::string& prefix) {
  EXPECT_FALSE(r.signaled) << r.err;
  EXPECT_LT(r.exit_code, 128) << r.err;
  const std::vector<std::string> lines = r.ErrLines();
  ASSERT_EQ(lines.size(), 1u) << r.err;
  EXPECT_THAT(lines[0], StartsWith(prefix)) << r.err;
  EXPECT_EQ(r.err.back(), '\n');
  EXPECT_EQ(r.out, "");
}

void ExpectUsageError(const ProcessResult& r, const std::string& substring) {
  EXPECT_EQ(r.exit_code, 2) << r.err;
  ExpectOneErrorLine(r, "opcost: usage error: ");
  EXPECT_THAT(r.err, HasSubstr(substring));
}

void ExpectInputError(const ProcessResult& r, const std::string& substring) {
  EXPECT_EQ(r.exit_code, 1) << r.err;
  ExpectOneErrorLine(r, "opcost: error: ");
  EXPECT_THAT(r.err, HasSubstr(substring));
}

TEST(CliHelp, TopLevelHelpListsEveryCommand) {
  const ProcessResult r = RunOpcost({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.err, "");
  EXPECT_THAT(r.out, StartsWith("usage: opcost COMMAND"));
  ExpectListsEveryCommand(r.out);
}

TEST(CliHelp, HelpWithoutCommandIsTheTopLevelHelp) {
  const ProcessResult r = RunOpcost({"help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, RunOpcost({"--help"}).out);
}

TEST(CliHelp, NoArgumentsPrintsUsageOnStderrAndExits2) {
  const ProcessResult r = RunOpcost({});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  ExpectListsEveryCommand(r.err);
}

TEST(CliHelp, HelpCommandAndDashDashHelpPrintTheSameCommandHelp) {
  for (const std::string& c : kCommands) {
    const ProcessResult a = RunOpcost({"help", c});
    const ProcessResult b = RunOpcost({c, "--help"});
    EXPECT_EQ(a.exit_code, 0) << c;
    EXPECT_EQ(b.exit_code, 0) << c;
    EXPECT_EQ(a.err, "") << c;
    EXPECT_THAT(a.out, StartsWith("usage: opcost " + c + " ")) << c;
    EXPECT_EQ(a.out, b.out) << c;
  }
}

TEST(CliHelp, MetricsHelpNamesItsOptions) {
  const ProcessResult r = RunOpcost({"metrics", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("--format table|json|csv"));
}

TEST(CliHelp, VersionPrintsTheVersion) {
  const ProcessResult r = RunOpcost({"--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, StartsWith("opcost "));
}

TEST(CliUsage, UnknownCommand) {
  ExpectUsageError(RunOpcost({"frobnicate"}), "unknown command 'frobnicate'");
  ExpectUsageError(RunOpcost({"help", "frobnicate"}), "unknown command 'frobnicate'");
}

TEST(CliUsage, UnknownOption) {
  ExpectUsageError(RunOpcost({"metrics", Kws(), "--bogus"}), "unknown option '--bogus'");
  ExpectUsageError(RunOpcost({"estimate", Kws(), "--profile", "cortex-m7-f746", "-x"}),
                   "unknown option '-x'");
}

TEST(CliUsage, MissingArguments) {
  ExpectUsageError(RunOpcost({"metrics"}), "metrics takes one MODEL argument");
  ExpectUsageError(RunOpcost({"metrics", Kws(), Kws()}), "metrics takes one MODEL argument");
  ExpectUsageError(RunOpcost({"estimate", Kws()}), "--profile");
  ExpectUsageError(RunOpcost({"estimate", Kws(), "--profile"}), "option --profile needs a value");
  ExpectUsageError(RunOpcost({"memory"}), "memory takes one MODEL argument");
  ExpectUsageError(RunOpcost({"import"}), "import needs exactly one MODEL.tflite");
  ExpectUsageError(RunOpcost({"vectors"}), "vectors takes one directory");
  ExpectUsageError(RunOpcost({"fit", "x.csv", "-o", "y.json"}), "fit needs --base PROFILE");
  ExpectUsageError(RunOpcost({"fit", "x.csv", "--base", "cortex-m7-f746"}), "fit needs -o");
}

TEST(CliUsage, BadFormat) {
  for (const char* c : {"metrics", "memory"}) {
    ExpectUsageError(RunOpcost({c, Kws(), "--format", "xml"}), "'xml'");
  }
  ExpectUsageError(RunOpcost({"metrics", Kws(), "--format=yaml"}), "'yaml'");
  ExpectUsageError(RunOpcost({"estimate", Kws(), "--profile", "cortex-m7-f746", "--format", "xml"}),
                   "'xml'");
  // Commands without a CSV form reject it as a usage error too.
  ExpectUsageError(RunOpcost({"vectors", SharedPath("testvectors/cmsis-nn-s8"), "--format", "csv"}),
                   "table or json");
  // The usage error comes before the model is read: a missing file with a bad format is exit 2.
  ExpectUsageError(RunOpcost({"metrics", "/nonexistent/m.json", "--format", "xml"}), "'xml'");
}

TEST(CliUsage, ImportFormatNeedsAnOutputFile) {
  // Without -o the JSON model itself is printed; --format only describes the -o summary.
  ExpectUsageError(RunOpcost({"import", SharedPath("models/mlperf-tiny/kws_ref_model.tflite"),
                              "--format", "json"}),
                   "--format describes the summary printed with -o FILE");
}

TEST(CliUsage, SwitchWithAValue) {
  ExpectUsageError(
      RunOpcost({"estimate", Kws(), "--profile", "cortex-m7-f746", "--allow-fallback=yes"}),
      "option --allow-fallback takes no value");
}

TEST(CliUsage, RepeatedOptionIsRejected) {
  // Either value would be silently dropped otherwise.
  ExpectUsageError(RunOpcost({"metrics", Kws(), "--format", "json", "--format", "csv"}),
                   "option --format given more than once");
  ExpectUsageError(RunOpcost({"metrics", Kws(), "--format=json", "--format", "csv"}),
                   "option --format given more than once");
  ExpectUsageError(RunOpcost({"memory", Kws(), "--plan", "--plan"}),
                   "option --plan given more than once");
  ExpectUsageError(RunOpcost({"import", "m.tflite", "-o", "a.json", "-o", "b.json"}),
                   "option -o given more than once");
}

TEST(CliUsage, MessagesSpellTheOptionAsGiven) {
  ExpectUsageError(RunOpcost({"fit", "x.csv", "--base", "cortex-m7-f746", "-o"}),
                   "option -o needs a value");
}

TEST(CliBadInput, AResultThatCannotBeWrittenIsAnError) {
  // /dev/full accepts the open and fails every write with ENOSPC.
  if (!std::ifstream("/dev/full").good()) GTEST_SKIP() << "no /dev/full";
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"metrics", Kws(), "--format", "json"},
        std::vector<std::string>{"--help"}}) {
    const ProcessResult r = RunOpcost(args, {}, "/dev/full");
    EXPECT_EQ(r.exit_code, 1) << args[0];
    EXPECT_EQ(r.err, "opcost: error: cannot write the result to stdout\n") << args[0];
  }
}

TEST(CliBadInput, MissingModelFileIsNamed) {
  const std::string missing = "/nonexistent/dir/model.json";
  for (const char* c : {"metrics", "memory"}) {
    ExpectInputError(RunOpcost({c, missing}), missing);
  }
  ExpectInputError(RunOpcost({"estimate", missing, "--profile", "cortex-m7-f746"}), missing);
  ExpectInputError(RunOpcost({"import", "/nonexistent/dir/model.tflite"}),
                   "/nonexistent/dir/model.tflite");
}

TEST(CliBadInput, ADirectoryIsNamedAsSuch) {
  // Not "malformed JSON" or a file size of INT64_MAX: the path is a directory.
  TempDir dir;
  const std::string d = dir.path();
  for (const char* c : {"metrics", "memory"}) {
    ExpectInputError(RunOpcost({c, d}), "'" + d + "' is a directory, not a model file");
  }
  ExpectInputError(RunOpcost({"import", d}), "'" + d + "' is a directory, not a TFLite file");
  ExpectInputError(RunOpcost({"estimate", Kws(), "--profile", d + "/"}),
                   "'" + d + "/' is a directory, not a profile file");
  ExpectInputError(RunOpcost({"fit", d, "--base", "cortex-m7-f746", "-o", d + "/p.json"}),
                   "'" + d + "' is a directory, not a CSV file");
}

TEST(CliBadInput, MalformedJsonModelIsNamed) {
  TempDir dir;
  const std::string truncated =
      dir.Write("truncated.json", ReadFile(Kws()).substr(0, 200));  // cut mid-document
  const std::string not_json = dir.Write("garbage.json", "this is not json\n");
  const std::string empty = dir.Write("empty.json", "");
  for (const std::string& path : {truncated, not_json, empty}) {
    ExpectInputError(RunOpcost({"metrics", path}), path);
    ExpectInputError(RunOpcost({"memory", path}), path);
    ExpectInputError(RunOpcost({"estimate", path, "--profile", "cortex-m7-f746"}), path);
  }
}

TEST(CliBadInput, UnknownOpIsNamedWithTheFile) {
  TempDir dir;
  const std::string path = dir.Write("unknown_op.json", R"({
  "format": "opcost-model", "format_version": 1, "name": "bad",
  "inputs": [{"name": "x", "shape": [1, 8, 8, 4]}],
  "layers": [{"name": "mystery", "op": "frobnicate"}]
})");
  for (const char* c : {"metrics", "memory"}) {
    const ProcessResult r = RunOpcost({c, path});
    ExpectInputError(r, path);
    EXPECT_THAT(r.err, HasSubstr("frobnicate"));
  }
}

TEST(CliBadInput, CorruptTfliteIsNamed) {
  TempDir dir;
  // The TFLite identifier at bytes 4..7 and then nothing a flatbuffer needs.
  const std::string path = dir.Write("corrupt.tflite", std::string("\x10\0\0\0TFL3\xff\xff", 10));
  ExpectInputError(RunOpcost({"metrics", path}), path);
  ExpectInputError(RunOpcost({"import", path}), path);
}

TEST(CliBadInput, BadProfileFileIsNamed) {
  TempDir dir;
  const std::string malformed = dir.Write("malformed.json", "{\"format\": \"opcost-profile\",");
  const std::string wrong = dir.Write("wrong.json", R"({"format": "opcost-profile",
 "format_version": 1, "name": "wrong", "unexpected_key": 1})");
  for (const std::string& p : {malformed, wrong}) {
    ExpectInputError(RunOpcost({"estimate", Kws(), "--profile", p}), p);
    ExpectInputError(RunOpcost({"memory", Kws(), "--profile", p}), p);
  }
  ExpectInputError(RunOpcost({"estimate", Kws(), "--profile", dir.path() + "/absent.json"}),
                   dir.path() + "/absent.json");
}

TEST(CliBadInput, UnknownProfileNameListsTheSearchedDirectories) {
  TempDir dir;
  const ProcessResult r = RunOpcost({"estimate", Kws(), "--profile", "no-such-board"},
                                    {{"OPCOST_PROFILE_PATH", dir.path()}});
  ExpectInputError(r, "profile 'no-such-board' not found");
  // $OPCOST_PROFILE_PATH first, then the source tree's profiles/ (OPCOST_PROFILE_DIRS).
  EXPECT_THAT(r.err, HasSubstr(dir.path()));
  EXPECT_THAT(r.err, HasSubstr(SourcePath("profiles")));
  EXPECT_LT(r.err.find(dir.path()), r.err.find(SourcePath("profiles")));
}

TEST(CliBadInput, AMisspelledProfileNameSuggestsTheClosest) {
  const ProcessResult r = RunOpcost({"estimate", Kws(), "--profile", "stm32f746-cmsisnn"});
  ExpectInputError(r, "did you mean 'stm32f746-cmsis-nn'?");
}

TEST(CliBadInput, AllowUnsupportedWorksOnEveryCostingCommand) {
  // An ONNX Resize opcost does not map: an error naming it, or with --allow-unsupported a
  // flagged zero-cost op in metrics, estimate and memory alike.
  const std::string model = SourcePath("tests/data/onnx/bad/unsupported_op.onnx");
  const std::string profile = "stm32f746-cmsis-nn";
  const std::vector<std::vector<std::string>> commands = {
      {"metrics", model}, {"estimate", model, "--profile", profile}, {"memory", model}};
  for (std::vector<std::string> args : commands) {
    ExpectInputError(RunOpcost(args), "Resize");
    args.push_back("--allow-unsupported");
    const ProcessResult r = RunOpcost(args);
    EXPECT_EQ(r.exit_code, 0) << args[0] << ": " << r.err;
  }
  const ProcessResult e = RunOpcost(
      {"estimate", model, "--profile", profile, "--allow-unsupported", "--format", "json"});
  EXPECT_THAT(e.out, HasSubstr("\"unsupported_layers\": 1"));
}

TEST(CliBadInput, AllowUnsupportedIsAcceptedByEveryCommandThatReadsAModel) {
  // run imports the model and then stops at the op, naming it: no kernel executes it.
  const TempDir dir;
  std::string zeros = "0";
  for (int i = 1; i < 1 * 8 * 8 * 4; ++i) zeros += ",0";  // input x [1,8,8,4]
  const std::string input = dir.Write("in.json", "{\"x\": [" + zeros + "]}");
  const std::string tflite = SourcePath("tests/data/tflite_bad/unsupported_op.tflite");
  ExpectInputError(RunOpcost({"run", tflite, "--input", input}), "STRIDED_SLICE");
  ExpectInputError(RunOpcost({"run", tflite, "--input", input, "--allow-unsupported"}),
                   "cannot run unsupported node 'unsupported_0'");
  // fit and validate: a model with an unsupported op in a table is an error naming the op, and
  // with the flag it imports (this one is that op alone: no work, which each names in turn).
  const std::string model = SourcePath("tests/data/onnx/bad/unsupported_op.onnx");
  const std::string kws = SourcePath("models/mlperf_kws_ds_cnn.json");
  const std::string fit_csv =
      dir.Write("m.csv", "name,model,latency_s\na," + model + ",0.005\nb," + kws + ",0.060\nc," +
                             kws + ",0.061\n");
  const std::vector<std::string> fit = {"fit", fit_csv, "--base", "cortex-m7-f746", "-o",
                                        dir.path() + "/new.json", "--constants", "scale"};
  ExpectInputError(RunOpcost(fit), "Resize");
  std::vector<std::string> fit_allowed = fit;
  fit_allowed.push_back("--allow-unsupported");
  ExpectInputError(RunOpcost(fit_allowed), "row 'a': the model has no work to fit (0 ops)");
  const std::string table = dir.Write(
      "v.csv",
      "system,board,core,clock_hz,runtime,model,latency_ms,energy_uj,profile,match,source\n"
      "s,b,cortex-m7,216000000,CMSIS-NN," + model + ",5,,cortex-m7-f746,exact,hand\n"
      "s,b,cortex-m7,216000000,CMSIS-NN," + kws + ",60,,cortex-m7-f746,exact,hand\n");
  ExpectInputError(RunOpcost({"validate", table}), "Resize");
  ExpectInputError(RunOpcost({"validate", table, "--allow-unsupported"}),
                   "the model has no work to compare");
}

TEST(CliProfiles, ListsEveryShippedProfileWithItsAliasesAndValidation) {
  const ProcessResult table = RunOpcost({"profiles"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  for (const char* name : {"cortex-m7-f746", "stm32f746-cmsis-nn", "stm32h7a3-x-cube-ai",
                           "stm32l4r5-tflm-reference"}) {
    EXPECT_THAT(table.out, HasSubstr(name));
  }
  const ProcessResult json = RunOpcost({"profiles", "--format", "json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const nlohmann::json doc = nlohmann::json::parse(json.out);
  bool found = false;
  for (const nlohmann::json& p : doc.at("profiles")) {
    if (p.at("name") != "stm32f746-cmsis-nn") continue;
    found = true;
    EXPECT_EQ(p.at("profile"), "cortex-m7-f746");  // the alias loads the older file name
    EXPECT_EQ(p.at("clock_hz"), 216e6);
    // profiles/runtime_reserves.py: TinyEngine's CMSIS-NN measurement minus the model.
    EXPECT_EQ(p.at("runtime_reserve").at("flash_bytes"), 146992);
    EXPECT_EQ(p.at("runtime_reserve").at("sram_bytes"), 92480);
    EXPECT_FALSE(p.at("validation").empty());
    // Its one absolute row is mcunet-vww1 on the F746, the network it was calibrated on
    // (profiles/characterize/calibration.csv): in-sample, and said so.
    for (const nlohmann::json& v : p.at("validation")) {
      if (v.at("kind") != "absolute") continue;
      EXPECT_EQ(v.at("rows"), 1);
      EXPECT_EQ(v.at("in_sample_rows"), 1);
    }
  }
  EXPECT_TRUE(found);
  // The X-CUBE-AI F746 profile was fitted on no F746 measurement: its absolute row is held out.
  EXPECT_THAT(table.out, HasSubstr("0 (1, 1 in-sample)"));
  const ProcessResult csv = RunOpcost({"profiles", "--format", "csv"});
  EXPECT_THAT(csv.out, StartsWith("name,core,board,clock_mhz,runtime,flash_kib,sram_kib,"
                                  "loo_error_pct,loo_rows,abs_error_pct,abs_rows,"
                                  "abs_in_sample_rows\n"));
  // The last two columns: absolute rows and how many of them are in-sample.
  EXPECT_THAT(csv.out, ContainsRegex("\nstm32f746-cmsis-nn,[^\n]*,1,1\n"));
  EXPECT_THAT(csv.out, ContainsRegex("\nstm32f746-x-cube-ai,[^\n]*,1,0\n"));
  EXPECT_EQ(RunOpcost({"profiles", "extra"}).exit_code, 2);
}

TEST(CliBadInput, ProfilePathEnvironmentFindsAProfileByName) {
  TempDir dir;
  dir.Write("my-board.json", ReadFile(SourcePath("profiles/cortex-m7-f746.json")));
  const ProcessResult r = RunOpcost({"estimate", Kws(), "--profile", "my-board"},
                                    {{"OPCOST_PROFILE_PATH", dir.path()}});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST(CliBadInput, VectorsOnAMissingDirectory) {
  const ProcessResult r = RunOpcost({"vectors", "/nonexistent/vectors"});
  ExpectInputError(r, "/nonexistent/vectors");
}

}  // namespace
}  // namespace opcost::clitest
