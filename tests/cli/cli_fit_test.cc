// `opcost fit` through the executable, on measurements made from a known profile.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <tuple>
#include <vector>

#include "cli/cli_process.h"
#include "cli/cli_test_util.h"

namespace opcost::clitest {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

// `opcost fit` on measurements made from a known profile: the synthetic profile with every MAC
// throughput halved. Fitting the synthetic profile to them must find the factor 0.5 (the
// overhead is not scaled, so the data are exactly representable) and the written profile must
// reproduce the measurements through `estimate --profile FILE`.
struct FitRowSpec {
  const char* csv;  // name,op,input,filters,kernel,units,model,cycles,latency_s
  const char* category;
  double macs;
  double macs_per_output;
  double ops;  // 2 x MACs + bias adds
};

double SlowCycles(const json& profile, const FitRowSpec& r) {
  const json& cat = profile.at("categories").at(r.category);
  bool extrapolated = false;
  const double y = Interpolate(cat.at("throughput").at("points"), r.macs_per_output, &extrapolated);
  return cat.at("overhead_cycles").at("value").get<double>() + r.macs / (0.5 * y);
}

TEST(CliFit, RecoversAKnownScaleAndTheFileLoads) {
  TempDir dir;
  const json base = json::parse(kSyntheticProfile);
  const std::string base_path = dir.Write("synthetic.json", kSyntheticProfile);
  const std::string model = dir.Write("tiny.json", kTinyModel);
  // Layer shapes and their MACs (docs/metrics.md): conv 3x3 1x16x16x8 -> 16: 4096 x 72;
  // 1x1 conv 1x8x8x16 -> 32: 2048 x 16; depthwise 3x3 on 1x16x16x16: 4096 x 9;
  // fully connected 256 -> 10: 10 x 256; the tiny model: 512 x 72.
  const std::vector<FitRowSpec> rows = {
      {"c3,conv2d,1x16x16x8,16,3x3,,", "conv", 294912, 72, 2 * 294912 + 4096},
      {"pw,conv2d,1x8x8x16,32,1,,", "conv_1x1", 32768, 16, 2 * 32768 + 2048},
      {"dw,depthwise_conv2d,1x16x16x16,,3x3,,", "depthwise_conv", 36864, 9, 2 * 36864 + 4096},
      {"fc,fully_connected,1x256,,,10,", "fully_connected", 2560, 256, 2 * 2560 + 10},
      {"net,,,,,,tiny.json", "conv", 36864, 72, 2 * 36864 + 512},
  };
  std::string csv =
      "# synthetic measurements: the profile with halved MAC throughput\n"
      "name,op,input,filters,kernel,units,model,cycles,latency_s\n";
  std::vector<double> measured_s;
  for (const FitRowSpec& r : rows) {
    const double cycles = SlowCycles(base, r);
    measured_s.push_back(cycles / 1e8);
    const bool is_model = std::string(r.csv).rfind("net,", 0) == 0;
    // Layer rows give cycles at the base clock, the network row a latency.
    csv += std::string(r.csv) + "," + (is_model ? "" : Num17(cycles)) + "," +
           (is_model ? Num17(cycles / 1e8) : "") + "\n";
  }
  const std::string csv_path = dir.Write("measured.csv", csv);
  const std::string out = dir.path() + "/fitted.json";

  const json fit = RunJson({"fit", csv_path, "--base", base_path, "-o", out, "--format", "json"});
  EXPECT_EQ(fit.at("profile"), "fitted");  // the -o file stem
  EXPECT_EQ(fit.at("output"), out);
  ASSERT_EQ(fit.at("rows").size(), rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const json& r = fit.at("rows")[i];
    const std::string where = "row " + r.at("name").get<std::string>();
    ExpectClose(r.at("measured_s").get<double>(), measured_s[i], where + " measured", 1e-12);
    ExpectClose(r.at("fitted_s").get<double>(), measured_s[i], where + " fitted", 1e-6);
    EXPECT_NEAR(r.at("residual").get<double>(), 0.0, 1e-6) << where;
    // Without this row every category still has the prior's common scale 0.5: exact again.
    EXPECT_NEAR(r.at("loo_error").get<double>(), 0.0, 1e-6) << where;
  }
  EXPECT_NEAR(fit.at("totals").at("global_scale").get<double>(), 0.5, 1e-6);
  EXPECT_NEAR(fit.at("totals").at("rms_log_residual").get<double>(), 0.0, 1e-6);

  // The written profile: every MAC curve point at half the base throughput, same x; the same
  // clock, overheads and power; the naive model the geometric mean of ops / measured cycles.
  const json fitted = json::parse(ReadFile(out));
  EXPECT_EQ(fitted.at("name"), "fitted");
  EXPECT_EQ(fitted.at("hardware").at("clock_hz"), base.at("hardware").at("clock_hz"));
  for (const char* c : {"conv", "conv_1x1", "depthwise_conv", "fully_connected"}) {
    const json& bp = base.at("categories").at(c).at("throughput").at("points");
    const json& fp = fitted.at("categories").at(c).at("throughput").at("points");
    ASSERT_EQ(fp.size(), bp.size()) << c;
    for (std::size_t k = 0; k < bp.size(); ++k) {
      EXPECT_EQ(fp[k][0].get<double>(), bp[k][0].get<double>()) << c;
      ExpectClose(fp[k][1].get<double>(), 0.5 * bp[k][1].get<double>(), c, 1e-6);
    }
    EXPECT_EQ(fitted.at("categories").at(c).at("overhead_cycles").at("value"),
              base.at("categories").at(c).at("overhead_cycles").at("value"));
    EXPECT_EQ(fitted.at("categories").at(c).at("power_mw").at("value"),
              base.at("categories").at(c).at("power_mw").at("value"));
  }
  double log_sum = 0.0;
  for (std::size_t i = 0; i < rows.size(); ++i)
    log_sum += std::log(rows[i].ops / (measured_s[i] * 1e8));
  ExpectClose(fitted.at("naive_model").at("ops_per_cycle").get<double>(),
              std::exp(log_sum / static_cast<double>(rows.size())), "naive ops per cycle", 1e-9);
  EXPECT_EQ(fitted.at("sources").at("fit").at("kind"), "generator");

  // The fitted file loads and predicts the network row's measurement.
  const json est = RunJson({"estimate", model, "--profile", out, "--format", "json"});
  EXPECT_EQ(est.at("profile").at("name"), "fitted");
  ExpectClose(est.at("totals").at("latency_s").get<double>(), measured_s.back(), "estimate", 1e-6);
}

TEST(CliFit, MeasuredEnergyScalesThePower) {
  // Two conv rows at the synthetic profile's own speed, with measured energy 1.5 x what it
  // predicts (latency x 300 mW): the throughput stays (scale 1), every power_mw becomes 1.5 x
  // (docs/profiles.md, step 5).
  TempDir dir;
  const json base = json::parse(kSyntheticProfile);
  const std::string base_path = dir.Write("synthetic.json", kSyntheticProfile);
  const json& conv = base.at("categories").at("conv");
  std::string csv = "name,op,input,filters,kernel,cycles,energy_j\n";
  for (const auto& [name, shape, filters, macs] :
       {std::tuple{"a", "1x16x16x8", 16, 294912.0}, std::tuple{"b", "1x8x8x8", 8, 36864.0}}) {
    bool extrapolated = false;
    const double cycles =
        conv.at("overhead_cycles").at("value").get<double>() +
        macs / Interpolate(conv.at("throughput").at("points"), 72.0, &extrapolated);
    const double energy_j = 1.5 * cycles / 1e8 * 0.300;
    csv += std::string(name) + ",conv2d," + shape + "," + std::to_string(filters) + ",3," +
           Num17(cycles) + "," + Num17(energy_j) + "\n";
  }
  const std::string csv_path = dir.Write("m.csv", csv);
  const std::string out = dir.path() + "/powered.json";
  const json fit = RunJson({"fit", csv_path, "--base", base_path, "-o", out, "--format", "json"});
  EXPECT_NEAR(fit.at("totals").at("global_scale").get<double>(), 1.0, 1e-6);
  EXPECT_NEAR(fit.at("totals").at("power_scale").get<double>(), 1.5, 1e-6);
  const json fitted = json::parse(ReadFile(out));
  for (const auto& [name, cat] : base.at("categories").items()) {
    ExpectClose(fitted.at("categories").at(name).at("power_mw").at("value").get<double>(),
                1.5 * cat.at("power_mw").at("value").get<double>(), name, 1e-6);
  }
}

TEST(CliFit, TableReportsTheWrittenFile) {
  TempDir dir;
  const std::string base_path = dir.Write("synthetic.json", kSyntheticProfile);
  dir.Write("tiny.json", kTinyModel);
  const json base = json::parse(kSyntheticProfile);
  const double a = SlowCycles(base, {"", "conv", 36864, 72, 0}) / 1e8;
  const double b = SlowCycles(base, {"", "conv", 294912, 72, 0}) / 1e8;
  const std::string csv_path =
      dir.Write("m.csv", "name,model,op,input,filters,kernel,latency_s\nnet,tiny.json,,,,," +
                             Num17(a) + "\nc3,,conv2d,1x16x16x8,16,3," + Num17(b) + "\n");
  const std::string out = dir.path() + "/new.json";
  const ProcessResult r =
      RunOpcost({"fit", csv_path, "--base", base_path, "-o", out, "--name", "my-board"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("fitted 2 rows; global throughput scale 0.5;"));
  EXPECT_THAT(r.out, HasSubstr("wrote " + out + " (profile 'my-board')\n"));
  EXPECT_EQ(json::parse(ReadFile(out)).at("name"), "my-board");
}

TEST(CliFit, AnEmptyProfileNameIsAUsageErrorBeforeAnythingIsWritten) {
  // A profile named "" is written fine but LoadProfile rejects it ("/name: must not be empty").
  TempDir dir;
  const std::string base_path = dir.Write("synthetic.json", kSyntheticProfile);
  const std::string csv_path = dir.Write("m.csv",
                                         "name,op,input,filters,kernel,cycles\n"
                                         "c,conv2d,1x8x8x8,8,3,100000\n");
  for (const std::vector<std::string>& extra :
       {std::vector<std::string>{"-o", dir.path() + "/a.json", "--name", ""},
        std::vector<std::string>{"-o", dir.path() + "/a.json", "--name="},
        std::vector<std::string>{"-o", dir.path() + "/.json"}}) {
    std::vector<std::string> args = {"fit", csv_path, "--base", base_path};
    args.insert(args.end(), extra.begin(), extra.end());
    const ProcessResult r = RunOpcost(args);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    ASSERT_EQ(r.ErrLines().size(), 1u) << r.err;
    EXPECT_THAT(r.err, testing::StartsWith("opcost: usage error: "));
    EXPECT_THAT(r.err, testing::AnyOf(HasSubstr("--name must not be empty"),
                                      HasSubstr("(empty file stem); give --name NAME")));
  }
  EXPECT_FALSE(std::ifstream(dir.path() + "/a.json").good());
  EXPECT_FALSE(std::ifstream(dir.path() + "/.json").good());
}

TEST(CliFit, AFitThatCannotBeMadeNamesTheCsv) {
  // One row is too few (docs/profiles.md: leave-one-out needs a second row); the library's
  // message does not know the file, the CLI adds it.
  TempDir dir;
  const std::string base = dir.Write("synthetic.json", kSyntheticProfile);
  const std::string out = dir.path() + "/never.json";
  const std::string csv =
      dir.Write("m.csv", "name,op,input,filters,kernel,cycles\nc,conv2d,1x8x8x8,8,3,100000\n");
  const ProcessResult r = RunOpcost({"fit", csv, "--base", base, "-o", out});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  ASSERT_EQ(r.ErrLines().size(), 1u) << r.err;
  EXPECT_EQ(r.err, "opcost: error: " + csv +
                       ": cannot fit profile 'synthetic': fit needs at least 2 measurement rows "
                       "(got 1)\n");
  EXPECT_FALSE(std::ifstream(out).good());
}

TEST(CliFit, BadCsvIsOneErrorLineNamingTheFileAndLine) {
  TempDir dir;
  const std::string base_path = dir.Write("synthetic.json", kSyntheticProfile);
  const std::string csv_path = dir.Write(
      "bad.csv", "name,op,input,filters,kernel,cycles,colour\nc,conv2d,1x8x8x8,8,3,1000,red\n");
  const std::string out = dir.path() + "/never.json";
  const ProcessResult r = RunOpcost({"fit", csv_path, "--base", base_path, "-o", out});
  EXPECT_EQ(r.exit_code, 1);
  ASSERT_EQ(r.ErrLines().size(), 1u) << r.err;
  EXPECT_THAT(r.err, testing::StartsWith("opcost: error: "));
  EXPECT_THAT(r.err, HasSubstr(csv_path));
  EXPECT_THAT(r.err, HasSubstr("colour"));
  EXPECT_FALSE(std::ifstream(out).good()) << "no profile is written on error";

  const std::string missing_model =
      dir.Write("m.csv", "name,model,latency_s\nn,absent.json,0.01\n");
  const ProcessResult m = RunOpcost({"fit", missing_model, "--base", base_path, "-o", out});
  EXPECT_EQ(m.exit_code, 1);
  ASSERT_EQ(m.ErrLines().size(), 1u) << m.err;
  EXPECT_THAT(m.err, HasSubstr(missing_model + ":2: "));
  EXPECT_THAT(m.err, HasSubstr("absent.json"));
}

}  // namespace
}  // namespace opcost::clitest
