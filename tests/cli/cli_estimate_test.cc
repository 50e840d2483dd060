// `opcost estimate` through the executable.
//
// The expected cycles are recomputed here from the profile file itself (read with nlohmann, not
// through opcost) by the rules of docs/profile-format.md: MAC categories cost
// overhead + MACs / y(MACs per output) with y linear in log(MACs per output) between curve points
// and clamped outside; other categories overhead + cycles_per_element x elements (pooling: other
// ops; activation/elementwise/other: output elements; reshape: none); variant factors multiply
// the non-overhead part. latency_s = cycles / clock_hz; energy_j = latency_s x power_mw / 1000.
// The naive model (include/opcost/estimator.h): cycles = ops / naive ops_per_cycle, energy at the
// mean power_mw of the characterized categories.
//
// The KWS DS-CNN layer facts (MACs, MACs per output, channels) are those of
// ../shared/measured/model_architectures.md section 3; the per-layer ops are from the hand count
// in cli_test_util.h (docs/metrics.md rules).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/cli_process.h"
#include "cli/cli_test_util.h"

namespace opcost::clitest {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

// One layer as the profile rules see it.
struct HandLayer {
  std::string name;
  std::string category;
  std::int64_t macs;       // MAC categories
  double macs_per_output;  // MAC categories
  std::int64_t elements;   // other categories
  std::int64_t ops;        // 2 x MACs + other ops
  std::int64_t c_in, c_out, stride;
  std::int64_t weight_bytes = 0;  // int8 weights + int32 bias
};

// MLPerf KWS DS-CNN (model_architectures.md section 3). ops: conv/dw/pw 2 x MACs + 8000 bias
// adds + 8000 relu comparisons; pool 64 x 124 additions + 64 divisions; fc 2 x 768 + 12 bias;
// softmax of 12: 11 + 23 + 12 + 12.
std::vector<HandLayer> KwsLayers() {
  std::vector<HandLayer> v;
  // Weight bytes: conv1 10x4x1x64 + 64 x 4 = 2816; dw 3x3x64 + 256 = 832; pw 64x64 + 256 =
  // 4352; fc 64x12 + 12 x 4 = 816.
  v.push_back({"conv1", "conv", 320000, 40, 0, 2 * 320000 + 16000, 1, 64, 2, 2816});
  for (int b = 1; b <= 4; ++b) {
    v.push_back({"dw" + std::to_string(b), "depthwise_conv", 72000, 9, 0, 2 * 72000 + 16000, 64, 64,
                 1, 832});
    v.push_back(
        {"pw" + std::to_string(b), "conv_1x1", 512000, 64, 0, 2 * 512000 + 16000, 64, 64, 1, 4352});
  }
  v.push_back({"avgpool", "pooling", 0, 0, 64 * 124 + 64, 64 * 124 + 64, 64, 64, 5});
  v.push_back({"flatten", "other", 0, 0, 0, 0, 64, 64, 1});  // reshape: overhead only
  v.push_back({"fc", "fully_connected", 768, 64, 0, 2 * 768 + 12, 64, 12, 1, 816});
  v.push_back({"softmax", "activation", 0, 0, 12, 58, 12, 12, 1});
  return v;
}

bool VariantHolds(const json& rule, const HandLayer& l) {
  const std::string c = rule.at("condition");
  const std::int64_t value = rule.at("value");
  if (c == "input_channels_not_multiple_of") return l.c_in % value != 0;
  if (c == "output_channels_not_multiple_of") return l.c_out % value != 0;
  if (c == "stride_greater_than") return l.stride > value;
  ADD_FAILURE() << "unknown condition " << c;
  return false;
}

struct HandEstimate {
  double cycles;
  bool extrapolated;
  bool variant;
};

HandEstimate EstimateByHand(const json& profile, const HandLayer& l) {
  const json& cat = profile.at("categories").at(l.category);
  HandEstimate e{0.0, false, false};
  double work = 0.0;
  if (cat.contains("throughput")) {
    work = static_cast<double>(l.macs) /
           Interpolate(cat.at("throughput").at("points"), l.macs_per_output, &e.extrapolated);
  } else {
    work = cat.at("cycles_per_element").at("value").get<double>() * static_cast<double>(l.elements);
  }
  if (profile.contains("variants")) {
    for (const json& rule : profile.at("variants")) {
      if (rule.at("category") == l.category && VariantHolds(rule, l)) {
        work *= rule.at("factor").get<double>();
        e.variant = true;
      }
    }
  }
  // Format 2: weights read from their region (memory.weights) at read_cycles_per_byte, and
  // activations from theirs (0 on the shipped profiles: zero-wait SRAM).
  double memory = 0.0;
  if (profile.contains("memory")) {
    const json& m = profile.at("memory");
    const json& regions = m.at("regions");
    memory = static_cast<double>(l.weight_bytes) * regions.at(m.at("weights").get<std::string>())
                                                       .at("read_cycles_per_byte")
                                                       .at("value")
                                                       .get<double>();
    EXPECT_EQ(regions.at(m.at("activations").get<std::string>())
                  .at("read_cycles_per_byte")
                  .at("value")
                  .get<double>(),
              0.0)
        << "the hand model assumes free activations";
  }
  e.cycles = cat.at("overhead_cycles").at("value").get<double>() + work + memory;
  return e;
}

double MeanCharacterizedPowerMw(const json& profile) {
  double sum = 0.0;
  int n = 0;
  for (const auto& [name, cat] : profile.at("categories").items()) {
    if (cat.contains("characterized") && !cat.at("characterized").get<bool>()) continue;
    sum += cat.at("power_mw").at("value").get<double>();
    ++n;
  }
  return sum / n;
}

// Every per-layer and total number of `estimate --format json` against the hand model.
void ExpectMatchesProfile(const json& est, const json& profile,
                          const std::vector<HandLayer>& hand) {
  const double clock_hz = profile.at("hardware").at("clock_hz").get<double>();
  const double naive_opc = profile.at("naive_model").at("ops_per_cycle").get<double>();
  const double naive_power_w = MeanCharacterizedPowerMw(profile) / 1000.0;
  EXPECT_EQ(est.at("profile").at("clock_hz").get<double>(), clock_hz);
  EXPECT_EQ(est.at("profile").at("naive_ops_per_cycle").get<double>(), naive_opc);
  const json& layers = est.at("layers");
  ASSERT_EQ(layers.size(), hand.size());
  double cycles = 0, latency = 0, energy = 0, naive_cycles = 0, naive_latency = 0, naive_energy = 0;
  std::int64_t macs = 0, ops = 0;
  for (std::size_t i = 0; i < hand.size(); ++i) {
    const json& l = layers[i];
    const HandLayer& h = hand[i];
    const std::string where = "layer " + h.name;
    if (!h.name.empty()) {
      EXPECT_EQ(l.at("name"), h.name);
    }
    EXPECT_EQ(l.at("category"), h.category) << where;
    EXPECT_EQ(l.at("macs").get<std::int64_t>(), h.macs) << where;
    EXPECT_EQ(l.at("ops").get<std::int64_t>(), h.ops) << where;
    const HandEstimate e = EstimateByHand(profile, h);
    ExpectClose(l.at("cycles").get<double>(), e.cycles, where + " cycles");
    const double power_w =
        profile.at("categories").at(h.category).at("power_mw").at("value").get<double>() / 1000.0;
    // The docs' rules, from the printed numbers themselves.
    const double lat = l.at("latency_s").get<double>();
    ExpectClose(lat, l.at("cycles").get<double>() / clock_hz, where + " latency");
    ExpectClose(l.at("energy_j").get<double>(), lat * power_w, where + " energy");
    ExpectClose(l.at("naive_cycles").get<double>(), static_cast<double>(h.ops) / naive_opc,
                where + " naive cycles");
    const double naive_lat = l.at("naive_latency_s").get<double>();
    ExpectClose(naive_lat, l.at("naive_cycles").get<double>() / clock_hz, where + " naive latency");
    ExpectClose(l.at("naive_energy_j").get<double>(), naive_lat * naive_power_w,
                where + " naive energy");
    json flags = json::array();
    if (e.extrapolated) flags.push_back("extrapolated");
    if (e.variant) flags.push_back("variant");
    EXPECT_EQ(l.at("flags"), flags) << where;
    cycles += l.at("cycles").get<double>();
    latency += lat;
    energy += l.at("energy_j").get<double>();
    naive_cycles += l.at("naive_cycles").get<double>();
    naive_latency += naive_lat;
    naive_energy += l.at("naive_energy_j").get<double>();
    macs += h.macs;
    ops += h.ops;
  }
  const json& t = est.at("totals");
  EXPECT_EQ(t.at("layers").get<std::size_t>(), hand.size());
  EXPECT_EQ(t.at("macs").get<std::int64_t>(), macs);
  EXPECT_EQ(t.at("ops").get<std::int64_t>(), ops);
  ExpectClose(t.at("cycles").get<double>(), cycles, "total cycles", 1e-12);
  ExpectClose(t.at("latency_s").get<double>(), latency, "total latency", 1e-12);
  ExpectClose(t.at("latency_s").get<double>(), cycles / clock_hz, "total latency", 1e-12);
  ExpectClose(t.at("energy_j").get<double>(), energy, "total energy", 1e-12);
  ExpectClose(t.at("naive_cycles").get<double>(), naive_cycles, "total naive cycles", 1e-12);
  ExpectClose(t.at("naive_latency_s").get<double>(), naive_latency, "total naive latency", 1e-12);
  ExpectClose(t.at("naive_energy_j").get<double>(), naive_energy, "total naive energy", 1e-12);
}

TEST(CliEstimate, KwsOnTheF746ProfileByName) {
  const json profile = json::parse(ReadFile(F746()));
  const json est =
      RunJson({"estimate", KwsJson(), "--profile", "cortex-m7-f746", "--format", "json"});
  EXPECT_EQ(est.at("model"), "mlperf_kws_ds_cnn");
  EXPECT_EQ(est.at("profile").at("name"), "cortex-m7-f746");
  EXPECT_EQ(est.at("profile").at("core"), "cortex-m7");
  EXPECT_EQ(est.at("profile").at("clock_hz").get<double>(), 216e6);  // STM32F746 at 216 MHz
  ExpectMatchesProfile(est, profile, KwsLayers());
  // conv1 has one input channel: the F746 profile's "input channels not a multiple of 4" conv
  // variant applies to it and to nothing else in this network.
  EXPECT_EQ(est.at("layers")[0].at("flags"), json::parse(R"(["variant"])"));
  EXPECT_EQ(est.at("totals").at("variant_layers").get<int>(), 1);
  EXPECT_EQ(est.at("totals").at("fallback_layers").get<int>(), 0);
  EXPECT_EQ(est.at("totals").at("unsupported_layers").get<int>(), 0);
}

// The footer and the JSON say which validation rows were in-sample: the F746 CMSIS-NN profile's
// one absolute row is its calibration network (profiles/characterize/calibration.csv); the F746
// X-CUBE-AI profile's is held out (fitted on no F746 measurement, profiles/runtimes.py).
TEST(CliEstimate, TrustSaysWhichValidationRowsWereInSample) {
  const std::string in_sample = "all in-sample (the profile was calibrated or fitted on them)";
  const ProcessResult calibrated =
      RunOpcost({"estimate", KwsJson(), "--profile", "cortex-m7-f746"});
  ASSERT_EQ(calibrated.exit_code, 0) << calibrated.err;
  EXPECT_THAT(calibrated.out, HasSubstr("absolute over 1 measured networks, " + in_sample));
  const ProcessResult held_out =
      RunOpcost({"estimate", KwsJson(), "--profile", "stm32f746-x-cube-ai"});
  ASSERT_EQ(held_out.exit_code, 0) << held_out.err;
  EXPECT_THAT(held_out.out, HasSubstr("absolute over 1 measured networks (ops-proportional"));
  EXPECT_THAT(held_out.out, Not(HasSubstr("in-sample")));
  const json est =
      RunJson({"estimate", KwsJson(), "--profile", "cortex-m7-f746", "--format", "json"});
  for (const json& v : est.at("profile").at("trust").at("validation")) {
    EXPECT_EQ(v.at("in_sample_rows"), v.at("kind") == "absolute" ? 1 : 0);
  }
}

TEST(CliEstimate, ByFilePathGivesTheSameNumbers) {
  const json by_name =
      RunJson({"estimate", KwsJson(), "--profile", "cortex-m7-f746", "--format", "json"});
  const json by_path = RunJson({"estimate", KwsJson(), "--profile", F746(), "--format", "json"});
  EXPECT_EQ(by_path.at("layers"), by_name.at("layers"));
  EXPECT_EQ(by_path.at("totals"), by_name.at("totals"));
  EXPECT_EQ(by_path.at("by_category"), by_name.at("by_category"));
  ExpectMatchesProfile(by_path, json::parse(ReadFile(F746())), KwsLayers());
}

TEST(CliEstimate, TfliteGivesTheSameEstimate) {
  // The reference .tflite has the JSON model's 13 ops (model_architectures.md section 3); only
  // the layer names differ.
  const json from_json =
      RunJson({"estimate", KwsJson(), "--profile", "cortex-m7-f746", "--format", "json"});
  json from_tflite =
      RunJson({"estimate", KwsTflite(), "--profile", "cortex-m7-f746", "--format", "json"});
  ASSERT_EQ(from_tflite.at("layers").size(), 13u);
  for (std::size_t i = 0; i < 13; ++i) {
    json a = from_json.at("layers")[i];
    json b = from_tflite.at("layers")[i];
    a.erase("name");
    b.erase("name");
    EXPECT_EQ(a, b) << "layer " << i;
  }
  EXPECT_EQ(from_tflite.at("totals"), from_json.at("totals"));
  ExpectMatchesProfile(from_tflite, json::parse(ReadFile(F746())), [] {
    std::vector<HandLayer> v = KwsLayers();
    for (HandLayer& l : v) l.name = "";  // names differ
    return v;
  }());
}

TEST(CliEstimate, CategorySharesAddUp) {
  const json est =
      RunJson({"estimate", KwsJson(), "--profile", "cortex-m7-f746", "--format", "json"});
  const json& cats = est.at("by_category");
  ASSERT_EQ(cats.size(), 8u);  // every category, docs/cli.md
  double ops_share = 0, time_share = 0, energy_share = 0;
  int layers = 0;
  for (const json& c : cats) {
    ops_share += c.at("ops_share").get<double>();
    time_share += c.at("time_share").get<double>();
    energy_share += c.at("energy_share").get<double>();
    layers += c.at("layers").get<int>();
    ExpectClose(c.at("time_share").get<double>(),
                c.at("latency_s").get<double>() / est.at("totals").at("latency_s").get<double>(),
                "time share " + c.at("category").get<std::string>(), 1e-12);
  }
  EXPECT_EQ(layers, 13);
  EXPECT_NEAR(ops_share, 1.0, 1e-12);
  EXPECT_NEAR(time_share, 1.0, 1e-12);
  EXPECT_NEAR(energy_share, 1.0, 1e-12);
  // KWS: 4 pointwise layers of 512000 MACs.
  EXPECT_EQ(cats[1].at("category"), "conv_1x1");
  EXPECT_EQ(cats[1].at("layers").get<int>(), 4);
  EXPECT_EQ(cats[1].at("macs").get<std::int64_t>(), 4 * 512000);
}

TEST(CliEstimate, CsvTotalsFileMatchesJson) {
  const json est =
      RunJson({"estimate", KwsJson(), "--profile", "cortex-m7-f746", "--format", "json"});
  const ProcessResult r =
      RunOpcost({"estimate", KwsJson(), "--profile", "cortex-m7-f746", "--format", "csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, testing::StartsWith(
                         "index,name,op,category,macs,ops,macs_per_output,"
                         "elements,throughput,cycles,latency_s,energy_j,"
                         "naive_cycles,naive_latency_s,naive_energy_j,flags,memory_cycles,"
                         "weights_region\n"));
  EXPECT_THAT(r.out, HasSubstr("\n0,conv1,conv2d,conv,320000,656000,40,0,"));
  EXPECT_THAT(r.out, Not(HasSubstr("\ntotal,")));  // one row type per file

  const ProcessResult t = RunOpcost(
      {"estimate", KwsJson(), "--profile", "cortex-m7-f746", "--format", "csv", "--totals"});
  ASSERT_EQ(t.exit_code, 0) << t.err;
  EXPECT_THAT(t.out, testing::StartsWith(
                         "model,profile,layers,macs,ops,cycles,latency_s,energy_j,naive_cycles,"
                         "naive_latency_s,naive_energy_j,memory_cycles,power_source_kind,"
                         "validated_latency_error_pct\n"));
  const std::string row = t.out.substr(t.out.find('\n') + 1);
  double cycles = 0, latency = 0;
  long long layers = 0, macs = 0;
  ASSERT_EQ(std::sscanf(row.c_str(), "mlperf_kws_ds_cnn,cortex-m7-f746,%lld,%lld,%*[0-9],%lf,%lf",
                        &layers, &macs, &cycles, &latency),
            4)
      << row;
  EXPECT_EQ(layers, 13);
  EXPECT_EQ(macs, 2656768);
  ExpectClose(cycles, est.at("totals").at("cycles").get<double>(), "csv cycles", 1e-9);
  ExpectClose(latency, est.at("totals").at("latency_s").get<double>(), "csv latency", 1e-9);
}

TEST(CliEstimate, TablePrintsCyclesAsRoundedIntegers) {
  const json est =
      RunJson({"estimate", KwsJson(), "--profile", "cortex-m7-f746", "--format", "json"});
  const ProcessResult r = RunOpcost({"estimate", KwsJson(), "--profile", "cortex-m7-f746"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("profile: cortex-m7-f746 (cortex-m7, 216 MHz, CMSIS-NN)\n"));
  // Every layer row: #, layer, category, MACs, MACs/out, throughput, then the cycles rounded to
  // an integer (the JSON value, llround).
  const json& layers = est.at("layers");
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const json& l = layers[i];
    const std::string cycles = std::to_string(std::llround(l.at("cycles").get<double>()));
    EXPECT_THAT(r.out, testing::ContainsRegex("\n *" + std::to_string(i) + " +" +
                                              l.at("name").get<std::string>() + " +" +
                                              l.at("category").get<std::string>() + " +" +
                                              std::to_string(l.at("macs").get<std::int64_t>()) +
                                              " +[^ ]+ +[^ ]+ +" + cycles + " "))
        << "layer " << i << " cycles " << cycles;
  }
  const std::string total_cycles =
      std::to_string(std::llround(est.at("totals").at("cycles").get<double>()));
  EXPECT_THAT(r.out, testing::ContainsRegex("\n +total +2656768 +" + total_cycles + " "));
}

TEST(CliEstimate, SyntheticProfileByHand) {
  TempDir dir;
  const std::string profile = dir.Write("synthetic.json", kSyntheticProfile);
  const std::string model = dir.Write("tiny.json", kTinyModel);
  const json est = RunJson({"estimate", model, "--profile", profile, "--format", "json"});
  // 36864 MACs at y(72) = 0.1 + 0.2 x ln(7.2)/ln(100) MACs/cycle, plus 100 cycles.
  const double y = 0.1 + 0.2 * std::log(7.2) / std::log(100.0);
  const double cycles = 100.0 + 36864.0 / y;
  ExpectClose(est.at("totals").at("cycles").get<double>(), cycles, "cycles");
  ExpectClose(est.at("totals").at("latency_s").get<double>(), cycles / 1e8, "latency");
  ExpectClose(est.at("totals").at("energy_j").get<double>(), cycles / 1e8 * 0.3, "energy");
  // ops = 2 x 36864 + 512 bias adds; naive at 0.5 ops/cycle and the mean power 235 mW.
  ExpectClose(est.at("totals").at("naive_cycles").get<double>(), (2 * 36864 + 512) / 0.5,
              "naive cycles");
  ExpectClose(est.at("totals").at("naive_energy_j").get<double>(),
              (2 * 36864 + 512) / 0.5 / 1e8 * 0.235, "naive energy");
}

TEST(CliEstimate, UncharacterizedCategoryNeedsAllowFallback) {
  TempDir dir;
  json p = json::parse(kSyntheticProfile);
  p["categories"]["conv"] = {{"characterized", false}};
  const std::string profile = dir.Write("partial.json", p.dump());
  const std::string model = dir.Write("tiny.json", kTinyModel);
  const ProcessResult r = RunOpcost({"estimate", model, "--profile", profile});
  EXPECT_EQ(r.exit_code, 1);
  ASSERT_EQ(r.ErrLines().size(), 1u) << r.err;
  EXPECT_THAT(r.err, testing::StartsWith("opcost: error: "));
  EXPECT_THAT(r.err, HasSubstr("conv"));
  const json est =
      RunJson({"estimate", model, "--profile", profile, "--format", "json", "--allow-fallback"});
  EXPECT_EQ(est.at("layers")[0].at("flags"), json::parse(R"(["fallback"])"));
  EXPECT_EQ(est.at("totals").at("fallback_layers").get<int>(), 1);
  // The fallback is the naive model: (2 x 36864 + 512) ops at 0.5 ops per cycle.
  ExpectClose(est.at("totals").at("cycles").get<double>(), (2 * 36864 + 512) / 0.5, "cycles");
}

}  // namespace
}  // namespace opcost::clitest
