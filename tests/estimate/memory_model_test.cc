// Profile format 2: the memory section, the estimator's memory term, weight placement (estimate
// and the memory fit check), and the leave-one-out statistics of `opcost validate`. Expected
// numbers are computed by hand in the comments.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "estimate/three_layers.h"
#include "opcost/builder.h"
#include "opcost/error.h"
#include "opcost/estimator.h"
#include "opcost/memory.h"
#include "opcost/validation.h"

namespace opcost {
namespace {

using ::testing::HasSubstr;

// tests/data/profiles/valid_example.json as the writer prints it (format_version 1).
std::string ExampleText() {
  return SaveProfileToString(
      LoadProfile(std::string(OPCOST_SOURCE_DIR) + "/tests/data/profiles/valid_example.json"));
}

// The example profile (100 MHz) with flash at 0.5 extra cycles per byte, SRAM free.
constexpr char kMemory[] = R"(, "memory": {
    "regions": {
      "flash": {"kind": "flash", "bytes": {"value": 4096, "source": "hand"},
                "read_cycles_per_byte": {"value": 0.5, "source": "hand"}},
      "sram": {"kind": "sram", "bytes": {"value": 2048, "source": "hand"},
               "read_cycles_per_byte": {"value": 0, "source": "hand"}}},
    "weights": "flash", "activations": "sram"}})";

std::string WithMemory(int version = 2) {
  std::string t = ExampleText();
  const std::size_t end = t.rfind('}');
  t = t.substr(0, end) + kMemory;
  const std::string v1 = "\"format_version\": 1";
  t.replace(t.find(v1), v1.size(), "\"format_version\": " + std::to_string(version));
  return t;
}

TEST(ProfileMemory, Version2LoadsAndRoundTrips) {
  const HardwareProfile p = ParseProfile(WithMemory(), "m.json");
  EXPECT_EQ(p.format_version, 2);
  ASSERT_EQ(p.memory.regions.size(), 2u);
  const MemoryRegion& flash = p.memory.regions[static_cast<std::size_t>(p.memory.weights_region)];
  EXPECT_EQ(flash.name, "flash");
  EXPECT_EQ(flash.bytes, 4096);
  EXPECT_EQ(flash.read_cycles_per_byte, 0.5);
  EXPECT_EQ(p.memory.regions[static_cast<std::size_t>(p.memory.activations_region)].name, "sram");
  const HardwareProfile again = ParseProfile(SaveProfileToString(p), "again.json");
  EXPECT_EQ(SaveProfileToString(again), SaveProfileToString(p));
  EXPECT_EQ(again.memory.regions.size(), 2u);
}

TEST(ProfileMemory, Version1StillLoadsAndIsWrittenAsVersion1) {
  const HardwareProfile p = ParseProfile(ExampleText(), "v1.json");
  EXPECT_TRUE(p.memory.empty());
  EXPECT_THAT(SaveProfileToString(p), HasSubstr("\"format_version\": 1"));
}

TEST(ProfileMemory, RejectsMemoryInVersion1AndBadRegions) {
  const auto expect_bad = [](const std::string& text, const std::string& part) {
    try {
      ParseProfile(text, "bad.json");
      ADD_FAILURE() << "accepted; expected " << part;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kBadProfile);
      EXPECT_THAT(e.what(), HasSubstr("bad.json: "));
      EXPECT_THAT(e.what(), HasSubstr(part));
    }
  };
  expect_bad(WithMemory(1), "/memory: needs format_version 2");
  std::string t = WithMemory();
  t.replace(t.find("\"weights\": \"flash\""), 18, "\"weights\": \"rom\"");
  expect_bad(t, "/memory/weights: names no region of /memory/regions (got \"rom\")");
  t = WithMemory();
  t.replace(t.find("\"value\": 0.5"), 12, "\"value\": -1");
  expect_bad(t, "/memory/regions/flash/read_cycles_per_byte/value: must be >= 0");
  t = WithMemory();
  t.replace(t.find("\"kind\": \"flash\""), 15, "\"kind\": \"disk\"");
  expect_bad(t, "/memory/regions/flash/kind: must be one of flash, sram, tcm, external");
}

TEST(EstimatorMemory, WeightsInFlashCostTheirBytesAtTheRegionRate) {
  const HardwareProfile v1 = ParseProfile(ExampleText(), "v1.json");
  const HardwareProfile v2 = ParseProfile(WithMemory(), "v2.json");
  const NetworkEstimate a = Estimator(v1).EstimateGraph(ThreeLayers());
  const NetworkEstimate b = Estimator(v2).EstimateGraph(ThreeLayers());
  // conv: 3x3x4x8 int8 weights + 8 int32 bias = 320 B; pool: none; fc: 128x10 + 10 x 4 = 1320 B.
  EXPECT_EQ(b.layers[0].weight_bytes, 320);
  EXPECT_EQ(b.layers[1].weight_bytes, 0);
  EXPECT_EQ(b.layers[2].weight_bytes, 1320);
  EXPECT_DOUBLE_EQ(b.layers[0].memory_cycles, 160.0);
  EXPECT_DOUBLE_EQ(b.layers[1].memory_cycles, 0.0);
  EXPECT_DOUBLE_EQ(b.layers[2].memory_cycles, 660.0);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_DOUBLE_EQ(b.layers[i].cycles, a.layers[i].cycles + b.layers[i].memory_cycles);
    EXPECT_DOUBLE_EQ(a.layers[i].memory_cycles, 0.0);
  }
  EXPECT_DOUBLE_EQ(b.totals.memory_cycles, 820.0);
  EXPECT_NEAR(b.totals.cycles, a.totals.cycles + 820.0, 1e-9);
  // The one-layer API places weights the same way.
  const LayerDesc fc = DescribeNode(ThreeLayers(), 2);
  EXPECT_DOUBLE_EQ(Estimator(v2).EstimateLayer(fc).memory_cycles, 660.0);
}

TEST(EstimatorMemory, PlacementMovesWeightsToSram) {
  const HardwareProfile v2 = ParseProfile(WithMemory(), "v2.json");
  EstimateOptions all;
  all.weights.all_layers = "sram";
  EXPECT_DOUBLE_EQ(Estimator(v2, all).EstimateGraph(ThreeLayers()).totals.memory_cycles, 0.0);
  EstimateOptions one;
  one.weights.layers = {{"fc", "sram"}};
  const NetworkEstimate e = Estimator(v2, one).EstimateGraph(ThreeLayers());
  EXPECT_DOUBLE_EQ(e.layers[0].memory_cycles, 160.0);
  EXPECT_DOUBLE_EQ(e.layers[2].memory_cycles, 0.0);
  EXPECT_EQ(e.layers[2].weights_region, v2.memory.Find("sram"));

  EstimateOptions typo;
  typo.weights.layers = {{"fcc", "sram"}};
  try {
    Estimator(v2, typo).EstimateGraph(ThreeLayers());
    ADD_FAILURE() << "unknown layer accepted";
  } catch (const Error& err) {
    EXPECT_THAT(err.what(), HasSubstr("model 'three' has no layer 'fcc'"));
  }
  EstimateOptions region;
  region.weights.all_layers = "dtcm";
  try {
    Estimator bad(v2, region);
    ADD_FAILURE() << "unknown region accepted";
  } catch (const Error& err) {
    EXPECT_EQ(err.code(), ErrorCode::kInvalidArgument);
    EXPECT_THAT(err.what(), HasSubstr("has no memory region 'dtcm' (it has flash, sram)"));
  }
  try {
    Estimator bad(ParseProfile(ExampleText(), "v1.json"), all);
    ADD_FAILURE() << "placement on a profile without memory accepted";
  } catch (const Error& err) {
    EXPECT_THAT(err.what(), HasSubstr("has no memory section"));
  }
}

TEST(EstimatorMemory, FitCheckCountsWeightsPlacedInSram) {
  const HardwareProfile v2 = ParseProfile(WithMemory(), "v2.json");
  const Graph g = ThreeLayers();
  const MemoryReport report = AnalyzeMemory(g);
  const MemoryFit flash = CheckFit(report, v2, g, WeightPlacement{});
  EXPECT_EQ(flash.sram_weight_bytes, 0);
  EXPECT_EQ(flash.sram_used_bytes, report.peak_activation_bytes);
  WeightPlacement fc;
  fc.layers = {{"fc", "sram"}};
  const MemoryFit moved = CheckFit(report, v2, g, fc);
  EXPECT_EQ(moved.sram_weight_bytes, 1320);
  EXPECT_EQ(moved.sram_used_bytes, report.peak_activation_bytes + 1320);
  EXPECT_EQ(moved.flash_used_bytes, flash.flash_used_bytes);  // the image still holds them
  WeightPlacement all;
  all.all_layers = "sram";
  EXPECT_EQ(CheckFit(report, v2, g, all).sram_weight_bytes, 1640);
}

// The runtime reserve: a format-2 section, counted in both used figures of every fit check.
std::string WithReserve(int version = 2, const std::string& flash_value = "1000") {
  std::string t = version == 1 ? ExampleText() : WithMemory(version);
  const std::size_t end = t.rfind('}');
  return t.substr(0, end) + R"(, "runtime_reserve": {
      "flash_bytes": {"value": )" + flash_value + R"(, "source": "hand"},
      "sram_bytes": {"value": 300, "source": "hand"}}})";
}

TEST(ProfileRuntimeReserve, LoadsRoundTripsAndCountsInTheFit) {
  const HardwareProfile p = ParseProfile(WithReserve(), "r.json");
  EXPECT_EQ(p.runtime_reserve.flash_bytes, 1000);
  EXPECT_EQ(p.runtime_reserve.sram_bytes, 300);
  EXPECT_EQ(p.runtime_reserve.flash_source, "hand");
  const HardwareProfile again = ParseProfile(SaveProfileToString(p), "again.json");
  EXPECT_EQ(SaveProfileToString(again), SaveProfileToString(p));
  EXPECT_EQ(again.runtime_reserve.sram_bytes, 300);

  const Graph g = ThreeLayers();
  const MemoryReport report = AnalyzeMemory(g);
  const MemoryFit f = CheckFit(report, p, g, WeightPlacement{});
  EXPECT_EQ(f.runtime_flash_bytes, 1000);
  EXPECT_EQ(f.runtime_sram_bytes, 300);
  EXPECT_EQ(f.flash_used_bytes, report.weight_bytes + 1000);
  EXPECT_EQ(f.sram_used_bytes, report.peak_activation_bytes + 300);
  EXPECT_EQ(f.sram_margin_bytes, p.sram_bytes - report.peak_activation_bytes - 300);
  // Without a reserve the profile's fit is the bare model's (old files keep their verdicts).
  const MemoryFit bare = CheckFit(report, ParseProfile(WithMemory(), "m.json"), g, {});
  EXPECT_EQ(bare.flash_used_bytes, report.weight_bytes);
  EXPECT_EQ(bare.runtime_sram_bytes, 0);
}

TEST(ProfileRuntimeReserve, FitFailsWhenOnlyTheReserveOverflows) {
  const Graph g = ThreeLayers();
  const MemoryReport report = AnalyzeMemory(g);
  RuntimeReserve reserve;
  reserve.sram_bytes = 1;
  const std::int64_t exact = report.peak_activation_bytes;
  EXPECT_TRUE(CheckFit(report, 1 << 20, exact, {}).fits);
  const MemoryFit f = CheckFit(report, 1 << 20, exact, reserve);
  EXPECT_FALSE(f.fits);
  EXPECT_FALSE(f.fits_sram);
  EXPECT_TRUE(f.fits_flash);
  EXPECT_EQ(f.sram_margin_bytes, -1);
  reserve.sram_bytes = -1;
  EXPECT_THROW(CheckFit(report, 1 << 20, exact, reserve), Error);
}

TEST(ProfileRuntimeReserve, RejectsVersion1NegativeAndHuge) {
  const auto expect_bad = [](const std::string& text, const std::string& part) {
    try {
      ParseProfile(text, "bad.json");
      ADD_FAILURE() << "accepted; expected " << part;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kBadProfile);
      EXPECT_THAT(e.what(), HasSubstr(part));
    }
  };
  expect_bad(WithReserve(1), "/runtime_reserve: needs format_version 2");
  expect_bad(WithReserve(2, "-1"),
             "/runtime_reserve/flash_bytes/value: must be an integer in [0, 1125899906842624] "
             "(got -1)");
  expect_bad(WithReserve(2, "1125899906842625"),
             "/runtime_reserve/flash_bytes/value: must be an integer in [0, 1125899906842624] "
             "(got 1125899906842625)");
  expect_bad(WithReserve(2, "1.5"), "/runtime_reserve/flash_bytes/value: must be an integer");
}

TEST(Validation, ScaleAndLeaveOneOutByHand) {
  // Proportional rows: any left-out row is predicted exactly.
  for (double e : LeaveOneOutErrors({1, 2, 4}, {0, 0, 0}, {2, 4, 8})) EXPECT_NEAR(e, 0, 1e-12);
  // Geometric mean without fixed parts: rows 1 and 3 -> s = sqrt(1 x 3) for row 2.
  EXPECT_NEAR(FitScale({1, 1}, {0, 0}, {1, 3}), std::sqrt(3.0), 1e-12);
  // scaled {1, 2}, measured {1, 3}: row 0 uses s = 1.5 -> 1.5 (error 0.5); row 1 uses s = 1 ->
  // 2 (error 1/3).
  const std::vector<double> e = LeaveOneOutErrors({1, 2}, {0, 0}, {1, 3});
  ASSERT_EQ(e.size(), 2u);
  EXPECT_NEAR(e[0], 0.5, 1e-12);
  EXPECT_NEAR(e[1], 1.0 / 3.0, 1e-12);
  // A fixed part is not scaled: s x 1 + 1 = 3 and s x 1 + 0 = 2 both give s = 2.
  for (double x : LeaveOneOutErrors({1, 1}, {1, 0}, {3, 2})) EXPECT_NEAR(x, 0, 1e-9);
  EXPECT_TRUE(LeaveOneOutErrors({1}, {0}, {1}).empty());
}

}  // namespace
}  // namespace opcost
