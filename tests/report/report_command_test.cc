// `opcost report` run as a process: the three formats, -o, the usage errors and the exit code
// of --require-fit.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "cli/cli_process.h"

namespace opcost::clitest {
namespace {

const std::string kModel = "models/mlperf_kws_ds_cnn.json";

TEST(ReportCommand, WritesTheThreeFormats) {
  TempDir dir;
  const std::string html = dir.path() + "/r.html";
  ProcessResult r =
      RunOpcost({"report", SourcePath(kModel), "--profile", "cortex-m7-f746", "-o", html});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(ReadFile(html).rfind("<!DOCTYPE html>", 0), 0u);

  r = RunOpcost({"report", SourcePath(kModel), "--profile", "cortex-m7-f746", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j.at("summary").at("macs"), 2656768);

  r = RunOpcost({"report", SourcePath(kModel), "--profile", "cortex-m7-f746", "--format", "md"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("| MACs | 2,656,768 |"), std::string::npos) << r.out;
}

TEST(ReportCommand, HelpNamesTheFormatsAndIsListed) {
  const ProcessResult r = RunOpcost({"report", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.rfind("usage: opcost report MODEL --profile P", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("--format md"), std::string::npos);
  EXPECT_NE(r.out.find("--require-fit"), std::string::npos);
  EXPECT_NE(RunOpcost({"--help"}).out.find("\n  report "), std::string::npos);
}

TEST(ReportCommand, RejectsBadUsage) {
  EXPECT_EQ(RunOpcost({"report", SourcePath(kModel)}).exit_code, 2);  // no --profile
  EXPECT_EQ(
      RunOpcost({"report", SourcePath(kModel), "--profile", "cortex-m7-f746", "--format", "csv"})
          .exit_code,
      2);
  EXPECT_EQ(RunOpcost({"report", "--profile", "cortex-m7-f746"}).exit_code, 2);
}

TEST(ReportCommand, RefusesToOverwriteItsInputs) {
  TempDir dir;
  const std::string model = dir.Write("m.json", ReadFile(SourcePath(kModel)));
  const ProcessResult r = RunOpcost({"report", model, "--profile", "cortex-m7-f746", "-o", model});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(ReadFile(model), ReadFile(SourcePath(kModel)));
}

TEST(ReportCommand, RequireFitExitsFourAfterWritingTheReport) {
  TempDir dir;
  const std::string out = dir.path() + "/r.json";
  const ProcessResult r =
      RunOpcost({"report", SourcePath(kModel), "--profile", "cortex-m7-f746", "--format", "json",
                 "--sram", "64K", "--require-fit", "-o", out});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  const nlohmann::json j = nlohmann::json::parse(ReadFile(out));
  EXPECT_EQ(j.at("summary").at("sram").at("capacity_bytes"), 65536);
  EXPECT_EQ(j.at("summary").at("fits"), false);
}

}  // namespace
}  // namespace opcost::clitest
