// BuildReport and the JSON document: every number equals what the library's own calls give,
// and a small model's numbers equal the hand computation.
#include "opcost/report.h"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>

#include "opcost/error.h"
#include "opcost/estimator.h"
#include "opcost/memory.h"
#include "opcost/metrics.h"
#include "opcost/tflite_import.h"
#include "report/report_test_util.h"

namespace opcost {
namespace {

using nlohmann::json;
using reporttest::ExampleProfile;

json ReportJson(const Graph& g, const HardwareProfile& p, const ReportOptions& o = {}) {
  return json::parse(RenderReportJson(BuildReport(g, p, o)));
}

TEST(Report, JsonOfEverySharedModelEqualsTheLibraryCalls) {
  const HardwareProfile profile = reporttest::CortexM7Profile();
  for (const std::string& model : reporttest::SharedModels()) {
    SCOPED_TRACE(model);
    const Graph g = ImportTflite(reporttest::SharedModelPath(model));
    const json j = ReportJson(g, profile);

    const NetworkEstimate e = Estimator(profile).EstimateGraph(g);
    MemoryOptions mo;
    mo.rules.scratch_bytes = ProfileScratchBytes(g, profile);
    const MemoryReport m = AnalyzeMemory(g, mo);
    const MemoryFit fit = CheckFit(m, profile);

    EXPECT_EQ(j.at("report_format_version"), 1);
    EXPECT_EQ(j.at("model").at("layers"), g.nodes().size());
    EXPECT_EQ(j.at("layers").size(), g.nodes().size());
    const json& s = j.at("summary");
    EXPECT_EQ(s.at("latency_s").get<double>(), e.totals.latency_s);
    EXPECT_EQ(s.at("energy_j").get<double>(), e.totals.energy_j);
    EXPECT_EQ(s.at("macs"), ComputeMetrics(g).total.macs);
    EXPECT_EQ(s.at("sram").at("peak_activation_bytes"), m.peak_activation_bytes);
    EXPECT_EQ(j.at("memory").at("peak_bytes"), m.peak_activation_bytes);
    EXPECT_EQ(j.at("memory").at("peak_step"), m.peak_step);
    EXPECT_EQ(s.at("flash").at("weight_bytes"), m.weight_bytes);
    EXPECT_EQ(s.at("flash").at("used_bytes"), fit.flash_used_bytes);
    EXPECT_EQ(s.at("flash").at("runtime_reserve_bytes"), profile.runtime_reserve.flash_bytes);
    EXPECT_EQ(s.at("sram").at("used_bytes"), fit.sram_used_bytes);
    EXPECT_EQ(s.at("sram").at("runtime_reserve_bytes"), profile.runtime_reserve.sram_bytes);
    EXPECT_EQ(s.at("fits"), fit.fits);
    EXPECT_GE(j.at("arena").at("arena_bytes").get<std::int64_t>(), m.peak_activation_bytes);
    double layer_latency_s = 0.0;
    for (std::size_t i = 0; i < e.layers.size(); ++i) {
      EXPECT_EQ(j.at("layers")[i].at("latency_s").get<double>(), e.layers[i].latency_s);
      layer_latency_s += e.layers[i].latency_s;
    }
    EXPECT_NEAR(layer_latency_s, e.totals.latency_s, 1e-12);
  }
}

TEST(Report, SmallModelMatchesTheHandComputation) {
  // fc: 1000 MACs, 100 MACs per output; the example profile's fully_connected curve is flat at
  // 0.25 MACs/cycle with 100 overhead cycles: 100 + 1000 / 0.25 = 4100 cycles at 100 MHz,
  // 41 us, at 300 mW 12.3 uJ. relu: 10 elements x 1 cycle, no overhead, at 250 mW.
  const json j = ReportJson(reporttest::FcReluGraph(), ExampleProfile());
  const json& s = j.at("summary");
  EXPECT_EQ(s.at("macs"), 1000);
  EXPECT_DOUBLE_EQ(s.at("cycles").get<double>(), 4110.0);
  EXPECT_DOUBLE_EQ(s.at("latency_s").get<double>(), 41.1e-6);
  EXPECT_DOUBLE_EQ(s.at("energy_j").get<double>(), 41e-6 * 0.3 + 0.1e-6 * 0.25);
  const json& fc = j.at("layers")[0];
  EXPECT_EQ(fc.at("name"), "fc");
  EXPECT_DOUBLE_EQ(fc.at("macs_per_output").get<double>(), 100.0);
  EXPECT_DOUBLE_EQ(fc.at("throughput").get<double>(), 0.25);
  EXPECT_DOUBLE_EQ(fc.at("cycles").get<double>(), 4100.0);
  // Weights: 100 x 10 int8 + 10 int32 bias. Peak: the fc's input (100 B) and output (10 B).
  EXPECT_EQ(s.at("flash").at("weight_bytes"), 1040);
  EXPECT_EQ(s.at("flash").at("used_bytes"), 1040);
  EXPECT_EQ(s.at("sram").at("peak_activation_bytes"), 110);
  EXPECT_EQ(j.at("memory").at("peak_step"), 0);
  EXPECT_EQ(j.at("memory").at("peak_layer"), "fc");
  EXPECT_EQ(j.at("memory").at("steps")[1].at("total_bytes"), 20);
  EXPECT_EQ(s.at("sram").at("margin_bytes"), 327680 - 110);
  EXPECT_EQ(s.at("fits"), true);
  EXPECT_DOUBLE_EQ(fc.at("time_share").get<double>(), 41.0 / 41.1);
}

TEST(Report, RuntimeReserveCountsInTheFit) {
  HardwareProfile p = ExampleProfile();
  p.runtime_reserve.flash_bytes = 5000;
  p.runtime_reserve.sram_bytes = 327680 - 100;  // leaves 100 B: the 110 B peak does not fit
  const json j = ReportJson(reporttest::FcReluGraph(), p);
  const json& s = j.at("summary");
  EXPECT_EQ(s.at("flash").at("used_bytes"), 1040 + 5000);
  EXPECT_EQ(s.at("flash").at("runtime_reserve_bytes"), 5000);
  EXPECT_EQ(s.at("sram").at("used_bytes"), 327680 - 100 + 110);
  EXPECT_EQ(s.at("sram").at("margin_bytes"), -10);
  EXPECT_EQ(s.at("sram").at("fits"), false);
  EXPECT_EQ(s.at("fits"), false);
  EXPECT_EQ(j.at("memory").at("sram_for_activations_bytes"), 100);
}

TEST(Report, ZeroTimeZeroMacModelHasFiniteNumbers) {
  // A reshape costs nothing on a profile whose "other" ops are free: every total is 0.
  HardwareProfile p = ExampleProfile();
  CategoryProfile& other = p.mutable_category(OpCategory::kOther);
  other.characterized = true;
  other.cycles_per_element = 0.0;
  other.overhead_cycles = 0.0;
  other.power_mw = 100.0;
  const ReportData r = BuildReport(reporttest::ReshapeOnlyGraph(), p);
  EXPECT_EQ(r.estimate.totals.latency_s, 0.0);
  EXPECT_EQ(r.metrics.total.macs, 0);
  for (const std::string& text :
       {RenderReportJson(r), RenderReportHtml(r), RenderReportMarkdown(r)}) {
    // "inf" as a word, not inside "inference".
    EXPECT_FALSE(
        std::regex_search(text, std::regex("nan|[^a-z]inf[^a-z]|null", std::regex::icase)));
  }
  const json j = json::parse(RenderReportJson(r));
  EXPECT_EQ(j.at("layers")[0].at("time_share").get<double>(), 0.0);
}

TEST(Report, RejectsABadArenaAlignment) {
  ReportOptions o;
  o.arena_alignment_bytes = 3;
  try {
    BuildReport(reporttest::FcReluGraph(), ExampleProfile(), o);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace opcost
