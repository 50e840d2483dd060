// `opcost validate` (docs/accuracy.md) and weight placement on `estimate` and `memory`, end to
// end. Expected errors are recomputed here from the estimate JSON by hand formulas.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/cli_process.h"
#include "cli/cli_test_util.h"

namespace opcost::clitest {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

constexpr char kHeader[] =
    "system,board,core,clock_hz,runtime,model,latency_ms,energy_uj,profile,match,source\n";

std::string Row(const std::string& system, const std::string& model, double latency_ms,
                const std::string& match = "exact") {
  char ms[64];
  std::snprintf(ms, sizeof ms, "%.17g", latency_ms);
  return system + ",board,core,100000000,rt," + model + "," + ms + ",,synthetic.json," + match +
         ",hand\n";
}

// match = calibration: the row the profile was calibrated or fitted on. Its absolute error is
// computed as for exact and marked in-sample; shape rows get none.
TEST(CliValidate, CalibrationRowsAreAbsoluteAndMarkedInSample) {
  TempDir dir;
  dir.Write("synthetic.json", kSyntheticProfile);
  const std::string tiny = dir.Write("tiny.json", kTinyModel);
  dir.Write("kws.json", ReadFile(KwsJson()));
  const json a =
      RunJson({"estimate", tiny, "--profile", dir.path() + "/synthetic.json", "--format", "json"});
  const double ea = a["totals"]["latency_s"];
  const std::string table =
      dir.Write("t.csv", std::string(kHeader) + Row("s", "tiny.json", 2e3 * ea, "calibration") +
                             Row("s", "kws.json", 1.0, "shape"));
  const json v = RunJson({"validate", table, "--format", "json"});
  const json& rows = v["systems"][0]["rows"];
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0]["match"], "calibration");
  EXPECT_NEAR(rows[0]["abs_error"].get<double>(), 0.5, 1e-9);  // estimate / measured = 1/2
  EXPECT_FALSE(rows[1].contains("abs_error"));
  const ProcessResult t = RunOpcost({"validate", table});
  ASSERT_EQ(t.exit_code, 0) << t.err;
  EXPECT_THAT(t.out, HasSubstr("50*"));
  EXPECT_THAT(t.out, HasSubstr("* in-sample: the profile was calibrated or fitted on this row"));
}

TEST(CliValidate, LeaveOneOutAndAbsoluteErrorsByHand) {
  TempDir dir;
  dir.Write("synthetic.json", kSyntheticProfile);
  const std::string tiny = dir.Write("tiny.json", kTinyModel);
  const std::string kws = dir.Write("kws.json", ReadFile(KwsJson()));
  const std::string profile = dir.path() + "/synthetic.json";
  const json a = RunJson({"estimate", tiny, "--profile", profile, "--format", "json"});
  const json b = RunJson({"estimate", kws, "--profile", profile, "--format", "json"});
  // Measured = 2 x estimate at the profile's 100 MHz: one scale explains both rows.
  const double ea = a["totals"]["latency_s"], eb = b["totals"]["latency_s"];
  const double na = a["totals"]["naive_latency_s"], nb = b["totals"]["naive_latency_s"];
  const std::string table =
      dir.Write("t.csv", std::string(kHeader) + Row("s", "tiny.json", 2e3 * ea) +
                             Row("s", "kws.json", 2e3 * eb));
  const json v = RunJson({"validate", table, "--format", "json"});
  const json& rows = v["systems"][0]["rows"];
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_NEAR(rows[0]["abs_error"].get<double>(), 0.5, 1e-9);  // estimate / measured = 1/2
  EXPECT_NEAR(rows[0]["loo_error"].get<double>(), 0.0, 1e-9);
  EXPECT_NEAR(rows[1]["loo_error"].get<double>(), 0.0, 1e-9);
  // Ops-proportional: row 0 predicted with row 1's scale measured/naive.
  const double ra = 2 * ea / na, rb = 2 * eb / nb;
  EXPECT_NEAR(rows[0]["naive_loo_error"].get<double>(), std::fabs(rb / ra - 1), 1e-9);
  EXPECT_NEAR(rows[1]["naive_loo_error"].get<double>(), std::fabs(ra / rb - 1), 1e-9);
  EXPECT_NEAR(v["summary"]["loo_error_pct"]["mean"].get<double>(), 0.0, 1e-6);
  EXPECT_EQ(v["summary"]["loo_error_pct"]["rows"].get<int>(), 2);
  // The table form says the same.
  const ProcessResult t = RunOpcost({"validate", table});
  ASSERT_EQ(t.exit_code, 0) << t.err;
  EXPECT_THAT(t.out, HasSubstr("(2 rows, 1 systems)"));

  // A baseline with a smaller recorded error than now fails; the same run as baseline passes.
  const std::string same =
      dir.Write("same.json", RunOpcost({"validate", table, "--format", "json"}).out);
  EXPECT_EQ(RunOpcost({"validate", table, "--baseline", same}).exit_code, 0);
  json better = json::parse(ReadFile(same));
  better["summary"]["abs_error_pct"]["mean"] = 10.0;  // now: 50 %
  const std::string lower = dir.Write("lower.json", better.dump());
  const ProcessResult reg = RunOpcost({"validate", table, "--baseline", lower, "--margin", "5"});
  EXPECT_EQ(reg.exit_code, 1);
  EXPECT_THAT(reg.err, HasSubstr("accuracy regressed by more than 5 points"));
  EXPECT_THAT(reg.err, HasSubstr("all abs_error_pct: 50 (recorded 10)"));

  // A baseline that is not such an output is an error naming the file and the JSON path.
  const auto expect_bad = [&](const std::string& text, const std::string& part) {
    const std::string bad = dir.Write("bad_baseline.json", text);
    const ProcessResult r = RunOpcost({"validate", table, "--baseline", bad});
    EXPECT_EQ(r.exit_code, 1) << text;
    EXPECT_THAT(r.err, HasSubstr(bad + ": " + part)) << text;
  };
  expect_bad("[1]", "/: expected an object (got array)");
  expect_bad("{}", "/: missing required field \"summary\"");
  expect_bad(R"({"summary": {"abs_error_pct": {"rows": 2}}})",
             "/summary/abs_error_pct: missing required field \"mean\"");
  expect_bad(R"({"summary": {}, "systems": 5})", "/systems: expected an array (got number)");
  expect_bad(R"({"summary": {}, "systems": [{"system": "a", "summary": {"x": {"mean": "1"}}}]})",
             "/systems/0/summary/x/mean: expected a number (got string)");
}

TEST(CliValidate, BadTablesNameFileLineAndColumn) {
  TempDir dir;
  dir.Write("synthetic.json", kSyntheticProfile);
  dir.Write("tiny.json", kTinyModel);
  const auto expect_error = [&](const std::string& body, const std::string& part) {
    const std::string table = dir.Write("bad.csv", body);
    const ProcessResult r = RunOpcost({"validate", table});
    EXPECT_EQ(r.exit_code, 1) << body;
    EXPECT_THAT(r.err, HasSubstr(table));
    EXPECT_THAT(r.err, HasSubstr(part)) << r.err;
  };
  expect_error(std::string(kHeader) + Row("s", "missing.json", 1), ":2:6 (column model): ");
  expect_error(std::string(kHeader) + Row("s", "tiny.json", 1) + Row("s", "tiny.json", 2),
               ":3:6 (column model): duplicate row: system \"s\" already has model \"tiny.json\"");
  expect_error(std::string(kHeader) + "s,b,c,100000000,rt,tiny.json,abc,,synthetic.json,exact,h\n",
               ":2:7 (column latency_ms): must be a finite number > 0 (got \"abc\")");
  expect_error(std::string(kHeader) + Row("s", "tiny.json", 1, "close"),
               ":2:10 (column match): must be exact, calibration or shape");
  expect_error("system,model\ns,tiny.json\n", ":1: missing column \"board\"");
  expect_error(std::string(kHeader) + "s,b,c\n", ":2: has 3 fields, the header 11");
  expect_error(std::string(kHeader) + "s,b,c,1e6,rt,tiny.json,1,,no-such-profile,exact,h\n",
               ":2:9 (column profile): ");
}

TEST(CliValidate, ShippedTablesStayWithinTheirRecordedErrors) {
  // The CI gate of docs/accuracy.md: each table against its recorded run, 1 point of margin.
  for (const char* name : {"mlperf_tiny_v05_v10_cortexm", "tinyengine_mcunet_f746",
                           "pico_person_detection_layers", "x_cube_ai_fit"}) {
    const std::string table = SourcePath(std::string("validation/") + name + ".csv");
    const std::string recorded = SourcePath(std::string("validation/recorded/") + name + ".json");
    const ProcessResult r = RunOpcost({"validate", table, "--baseline", recorded});
    EXPECT_EQ(r.exit_code, 0) << name << ": " << r.err;
    EXPECT_THAT(r.out, HasSubstr("no error rose by more than 1 points"));
  }
}

TEST(CliPlacement, WeightsInSramCostNoMemoryCyclesAndCountInTheFit) {
  const json flash =
      RunJson({"estimate", KwsJson(), "--profile", "cortex-m7-f746", "--format", "json"});
  const json sram = RunJson({"estimate", KwsJson(), "--profile", "cortex-m7-f746", "--weights",
                             "sram", "--format", "json"});
  // Shipped F746 flash: 0.875 cycles per weight byte; KWS weights 24,368 B (cli_test_util.h).
  EXPECT_NEAR(flash["totals"]["memory_cycles"].get<double>(), 0.875 * kKwsWeightBytes, 1e-6);
  EXPECT_EQ(sram["totals"]["memory_cycles"].get<double>(), 0.0);
  EXPECT_NEAR(flash["totals"]["cycles"].get<double>() - sram["totals"]["cycles"].get<double>(),
              0.875 * kKwsWeightBytes, 1e-6);
  const json fc = RunJson({"estimate", KwsJson(), "--profile", "cortex-m7-f746", "--layer-weights",
                           "fc=sram", "--format", "json"});
  EXPECT_NEAR(fc["totals"]["memory_cycles"].get<double>(), 0.875 * (kKwsWeightBytes - 816), 1e-6);
  EXPECT_EQ(fc["layers"][11]["weights_region"], "sram");

  const json mem = RunJson({"memory", KwsJson(), "--profile", "cortex-m7-f746", "--weights", "sram",
                            "--format", "json"});
  EXPECT_EQ(mem["fit"]["sram_weight_bytes"].get<std::int64_t>(), kKwsWeightBytes);

  const ProcessResult region =
      RunOpcost({"estimate", KwsJson(), "--profile", "cortex-m7-f746", "--weights", "rom"});
  EXPECT_EQ(region.exit_code, 1);
  EXPECT_THAT(region.err, HasSubstr("has no memory region 'rom' (it has flash, sram)"));
  const ProcessResult usage =
      RunOpcost({"estimate", KwsJson(), "--profile", "cortex-m7-f746", "--layer-weights", "fc"});
  EXPECT_EQ(usage.exit_code, 2);
  EXPECT_THAT(usage.err, HasSubstr("--layer-weights takes NAME=REGION"));
  EXPECT_EQ(RunOpcost({"memory", KwsJson(), "--weights", "sram"}).exit_code, 2);
}

TEST(CliProfiles, RuntimeNamesFindTheShippedProfiles) {
  // Names with board and runtime are aliases of the older file names: the same numbers.
  const std::vector<std::pair<std::string, std::string>> aliases = {
      {"stm32f746-cmsis-nn", "cortex-m7-f746"},
      {"stm32l4r5-cmsis-nn", "cortex-m4-l4r5"},
      {"ra6m4-cmsis-nn", "cortex-m33-ra6m4"},
      {"stm32h747-x-cube-ai", "stm32h747-m7-cubeai"}};
  for (const auto& [alias, name] : aliases) {
    const json a = RunJson({"estimate", KwsJson(), "--profile", alias, "--format", "json"});
    const json b = RunJson({"estimate", KwsJson(), "--profile", name, "--format", "json"});
    EXPECT_EQ(a["totals"], b["totals"]) << alias;
    EXPECT_EQ(a["profile"]["name"], name);
  }
  for (const char* name : {"stm32l4r5-x-cube-ai", "stm32h7a3-x-cube-ai", "stm32f746-x-cube-ai"}) {
    const json e = RunJson({"estimate", KwsJson(), "--profile", name, "--format", "json"});
    EXPECT_EQ(e["profile"]["kernel_library"], "X-CUBE-AI") << name;
    EXPECT_EQ(e["profile"]["trust"]["power"],
              name == std::string("stm32f746-x-cube-ai") ? "estimate" : "measurement")
        << name;
  }
}

}  // namespace
}  // namespace opcost::clitest
