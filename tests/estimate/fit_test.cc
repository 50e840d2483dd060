#include "opcost/fit.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <iterator>
#include <string>
#include <vector>

#include "opcost/error.h"
#include "opcost/estimator.h"

namespace opcost {
namespace {

using ::testing::HasSubstr;

HardwareProfile Example() {
  return LoadProfile(std::string(OPCOST_SOURCE_DIR) + "/tests/data/profiles/valid_example.json");
}

void ExpectCsvError(const std::string& text, const char* part) {
  try {
    ParseFitCsv(text, "m.csv");
    FAIL() << "accepted: " << text;
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_THAT(e.what(), HasSubstr("m.csv"));
    EXPECT_THAT(e.what(), HasSubstr(part));
  }
}

TEST(FitCsv, ParsesNetworkAndLayerRows) {
  const auto rows = ParseFitCsv(
      "# comment\nname,model,op,input,filters,kernel,stride,latency_s,cycles,note\n"
      "net,a.json,,,,,,0.5,,\"x, y\"\n"
      "c1,,conv2d,1x16x16x8,16,3x3,2,,12345,\n",
      "m.csv");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_FALSE(rows[0].is_layer);
  EXPECT_EQ(rows[0].model, "a.json");
  EXPECT_DOUBLE_EQ(rows[0].latency_s, 0.5);
  EXPECT_TRUE(rows[1].is_layer);
  EXPECT_EQ(rows[1].line, 4);
  EXPECT_EQ(rows[1].layer.output, (Shape{1, 8, 8, 16}));
  EXPECT_DOUBLE_EQ(rows[1].cycles, 12345);
}

TEST(FitCsv, RejectsBadRows) {
  ExpectCsvError("name,modle,latency_s\n", "unknown column \"modle\"");
  ExpectCsvError("name,model,latency_s\n,a.json,1\n", "m.csv:2 (column name)");
  ExpectCsvError("name,model,op,latency_s\nx,a.json,conv2d,1\n", "exactly one of model");
  ExpectCsvError("name,model,latency_s\nx,a.json,-3\n", "column latency_s");
  ExpectCsvError("name,model,latency_s\nx,a.json,nan\n", "column latency_s");
  ExpectCsvError("name,model,latency_s\nx,a.json,\n", "needs latency_s or cycles");
  ExpectCsvError("name,op,input,kernel,latency_s\nx,conv2d,1x8x8x4,3,1\n", "filters");
  ExpectCsvError("name,op,input,latency_s\nx,pool,1x8x8x4,1\n", "column op");
  ExpectCsvError("", "empty CSV");
  ExpectCsvError("name,model,latency_s,model\nx,a.json,1,b.json\n",
                 "m.csv:1: column \"model\" appears twice (columns 2 and 4)");
}

TEST(Fit, RecoversAKnownProfileFromLayerTimes) {
  // Truth: the example profile with every conv curve point 2x faster and fully connected 1.5x.
  const HardwareProfile base = Example();
  HardwareProfile truth = base;
  {
    auto pts = truth.category(OpCategory::kConv).curve.points();
    for (auto& p : pts) p.macs_per_cycle *= 2.0;
    truth.mutable_category(OpCategory::kConv).curve = ThroughputCurve(pts);
    pts = truth.category(OpCategory::kFullyConnected).curve.points();
    for (auto& p : pts) p.macs_per_cycle *= 1.5;
    truth.mutable_category(OpCategory::kFullyConnected).curve = ThroughputCurve(pts);
  }
  const Estimator t(truth);
  std::vector<FitRow> rows;
  for (std::int64_t cin : {2, 4, 16, 64, 100}) {
    FitRow r;
    r.name = "conv" + std::to_string(cin);
    r.layers = {LayerDesc::Conv2D({1, 16, 16, cin}, 16, 3, 3)};
    r.measured_s = t.EstimateLayer(r.layers[0]).latency_s;
    rows.push_back(r);
  }
  for (std::int64_t in : {32, 200, 900}) {
    FitRow r;
    r.name = "fc" + std::to_string(in);
    r.layers = {LayerDesc::FullyConnected(1, in, 64)};
    r.measured_s = t.EstimateLayer(r.layers[0]).latency_s;
    rows.push_back(r);
  }
  FitOptions o;
  o.prior_weight = 1e-4;
  const FitResult fit = FitProfile(base, rows, o);
  for (const FitRowResult& r : fit.rows) {
    EXPECT_NEAR(r.residual, 0.0, 0.02) << r.name;
    EXPECT_GT(std::abs(r.base_s / r.measured_s - 1.0), 0.3) << r.name << " (base already right)";
  }
  EXPECT_LT(fit.rms_log_residual, 0.02);
  // The fitted conv curve is within 5% of the truth at its points, and still non-decreasing.
  const auto& got = fit.profile.category(OpCategory::kConv).curve.points();
  const auto& want = truth.category(OpCategory::kConv).curve.points();
  for (std::size_t k = 0; k < got.size(); ++k) {
    EXPECT_NEAR(got[k].macs_per_cycle / want[k].macs_per_cycle, 1.0, 0.05);
    if (k > 0) {
      EXPECT_GE(got[k].macs_per_cycle, got[k - 1].macs_per_cycle);
    }
  }
  // Provenance: the fitted numbers cite the generator entry, and the result parses back.
  EXPECT_EQ(fit.profile.category(OpCategory::kConv).throughput_source, "fit");
  const HardwareProfile again = ParseProfile(SaveProfileToString(fit.profile), "fitted");
  bool found = false;
  for (const ProvenanceSource& src : again.sources) {
    if (src.id == "fit") {
      found = true;
      EXPECT_EQ(src.kind, "generator");
    }
  }
  EXPECT_TRUE(found);
}

TEST(Fit, TwoConstantsRecoverAScaleAndAConvFactor) {
  // Truth: every throughput 1.25x the example's (cycles per element / 1.25) and conv 2x: a new
  // runtime on the same shapes. Rows mix conv, fc and depthwise layers.
  const HardwareProfile base = Example();
  HardwareProfile truth = base;
  for (int c = 0; c < kNumOpCategories; ++c) {
    const auto cat = static_cast<OpCategory>(c);
    CategoryProfile& cp = truth.mutable_category(cat);
    if (!cp.characterized) continue;
    const double f = cat == OpCategory::kConv ? 2.0 : 1.25;
    if (IsMacCategory(cat)) {
      auto pts = cp.curve.points();
      for (auto& p : pts) p.macs_per_cycle *= f;
      cp.curve = ThroughputCurve(pts);
    } else {
      cp.cycles_per_element /= f;
    }
  }
  const Estimator t(truth);
  std::vector<FitRow> rows;
  for (std::int64_t cin : {4, 16, 64}) {
    FitRow r;
    r.name = "net" + std::to_string(cin);
    r.layers = {LayerDesc::Conv2D({1, 16, 16, cin}, 16, 3, 3),
                LayerDesc::FullyConnected(1, 64 * cin, 32),
                LayerDesc::DepthwiseConv2D({1, 16, 16, cin}, 3, 3)};
    r.measured_s = t.EstimateTotalsOnly(r.layers.data(), r.layers.size()).latency_s;
    rows.push_back(r);
  }
  FitOptions o;
  o.scale_only = true;
  o.own_scale = {OpCategory::kConv};
  o.prior_weight = 1e-6;
  const FitResult fit = FitProfile(base, rows, o);
  for (const FitRowResult& r : fit.rows) {
    EXPECT_NEAR(r.residual, 0.0, 1e-3) << r.name;
    EXPECT_NEAR(r.loo_error, 0.0, 1e-3) << r.name;  // two constants from the two other rows
  }
  for (std::size_t k = 0; k < base.category(OpCategory::kConv).curve.points().size(); ++k) {
    EXPECT_NEAR(fit.profile.category(OpCategory::kConv).curve.points()[k].macs_per_cycle /
                    base.category(OpCategory::kConv).curve.points()[k].macs_per_cycle,
                2.0, 2e-3);
  }
  EXPECT_NEAR(fit.profile.category(OpCategory::kFullyConnected).curve.points()[0].macs_per_cycle /
                  base.category(OpCategory::kFullyConnected).curve.points()[0].macs_per_cycle,
              1.25, 2e-3);
  EXPECT_NEAR(base.category(OpCategory::kPooling).cycles_per_element /
                  fit.profile.category(OpCategory::kPooling).cycles_per_element,
              1.25, 2e-3);  // no pooling row: the scale still applies to every category
  bool cited = false;
  for (const ProvenanceSource& src : fit.profile.sources) {
    cited = cited || src.citation.find("own scale for conv (2 in all)") != std::string::npos;
  }
  EXPECT_TRUE(cited);
}

// Eleven single layers on the F746-shaped curves of the H747 base (9-10 points per MAC curve):
// MACs per output below, inside and above each curve, conv, 1x1, depthwise and fully connected.
constexpr char kSmallTable[] =
    "name,op,input,filters,kernel,units,cycles\n"
    "c2,conv2d,1x16x16x2,16,3x3,,180000\n"
    "c8,conv2d,1x16x16x8,16,3x3,,420000\n"
    "c24,conv2d,1x16x16x24,8,3x3,,610000\n"
    "c64,conv2d,1x8x8x64,32,3x3,,1500000\n"
    "c400,conv2d,1x4x4x400,16,3x3,,900000\n"
    "p4,conv2d,1x16x16x4,32,1x1,,150000\n"
    "p40,conv2d,1x16x16x40,32,1x1,,820000\n"
    "d9,depthwise_conv2d,1x16x16x32,,3x3,,95000\n"
    "f10,fully_connected,1x10,,,32,2100\n"
    "f300,fully_connected,1x300,,,64,52000\n"
    "f4000,fully_connected,1x4000,,,16,140000\n";

HardwareProfile H747Base() {
  return LoadProfile(std::string(OPCOST_SOURCE_DIR) + "/tests/data/fit_h747/h747_base.json");
}

// The rows as `opcost fit` makes them from the CSV.
std::vector<FitRow> SmallTableRows(const HardwareProfile& base) {
  std::vector<FitRow> rows;
  for (const FitMeasurement& m : ParseFitCsv(kSmallTable, "small.csv")) {
    FitRow r;
    r.name = m.name;
    r.layers = {m.layer};
    r.measured_s = m.cycles / base.clock_hz;
    rows.push_back(r);
  }
  return rows;
}

// Leave-one-out by brute force: a whole new fit without row n, row n estimated with it.
void ExpectLeaveOneOutIsARefit(const FitOptions& options) {
  const HardwareProfile base = H747Base();
  const std::vector<FitRow> rows = SmallTableRows(base);
  const FitResult fit = FitProfile(base, rows, options);
  ASSERT_EQ(fit.rows.size(), rows.size());
  FitOptions refit_options = options;
  refit_options.leave_one_out = false;
  for (std::size_t n = 0; n < rows.size(); ++n) {
    std::vector<FitRow> train = rows;
    train.erase(train.begin() + static_cast<std::ptrdiff_t>(n));
    const FitResult refit = FitProfile(base, train, refit_options);
    const Estimator est(refit.profile);
    const double loo_s = est.EstimateLayer(rows[n].layers[0]).latency_s;
    EXPECT_NEAR(fit.rows[n].loo_s / loo_s, 1.0, 1e-12) << rows[n].name;
    // The refit's ops-proportional model is the naive leave-one-out model.
    const double naive_s = static_cast<double>(ComputeLayerMetrics(rows[n].layers[0]).ops) /
                           refit.profile.naive_ops_per_cycle / base.clock_hz;
    EXPECT_NEAR(fit.rows[n].naive_loo_error, naive_s / rows[n].measured_s - 1.0, 1e-12)
        << rows[n].name;
  }
}

TEST(Fit, LeaveOneOutIsARefitWithoutEachRow) {
  ExpectLeaveOneOutIsARefit({});
  FitOptions constants;
  constants.scale_only = true;
  constants.own_scale = {OpCategory::kConv, OpCategory::kFullyConnected};
  ExpectLeaveOneOutIsARefit(constants);
}

TEST(Fit, SameNumbersAsTheFullJacobianFit) {
  // Printed by `opcost fit` on kSmallTable before the fit evaluated only the rows a Jacobian
  // column changes (every row for every column; commit d49f5d2): the same to 1e-9.
  struct Want {
    const char* name;
    double fitted_s, loo_s, naive_loo_error;
  };
  const Want want[] = {
      {"c2", 0.00044094017683853315, 0.0004298881423613941, -0.15236141328710862},
      {"c8", 0.0011647710878461123, 0.001264907761802453, 0.4994057116604449},
      {"c24", 0.0015155220748969255, 0.001514103325876007, 0.5457151019430357},
      {"c64", 0.0035507118359197503, 0.0034595788515567895, 0.6872033757830132},
      {"c400", 0.0023931586290122995, 0.0026302958013296996, 1.2538340126602732},
      {"p4", 0.00035409214731639847, 0.0003003785555397327, -0.531091669361412},
      {"p40", 0.001789959683132369, 0.0013440658190635574, -0.18855356565668258},
      {"d9", 0.00028394284356525836, 0.0009611900228781842, 0.763009158177876},
      {"f10", 5.70740514309114e-06, 6.065787050832977e-06, -0.7075459693694678},
      {"f300", 0.00011121648478193533, 9.182414276754096e-05, -0.26489589550251724},
      {"f4000", 0.0003397343525610268, 0.0003136650906888808, -0.07179805483244495},
  };
  const HardwareProfile base = H747Base();
  const FitResult fit = FitProfile(base, SmallTableRows(base));
  ASSERT_EQ(fit.rows.size(), std::size(want));
  for (std::size_t n = 0; n < fit.rows.size(); ++n) {
    EXPECT_EQ(fit.rows[n].name, want[n].name);
    EXPECT_NEAR(fit.rows[n].fitted_s / want[n].fitted_s, 1.0, 1e-9) << want[n].name;
    EXPECT_NEAR(fit.rows[n].loo_s / want[n].loo_s, 1.0, 1e-9) << want[n].name;
    EXPECT_NEAR(fit.rows[n].naive_loo_error, want[n].naive_loo_error, 1e-9) << want[n].name;
  }
  EXPECT_NEAR(fit.global_scale, 2.7492396775888026, 1e-9);
  EXPECT_NEAR(fit.loo_mean_abs_error, 0.4223914045079973, 1e-9);
  EXPECT_NEAR(fit.loo_max_abs_error, 3.0471158858028806, 1e-9);
}

TEST(Fit, RejectsTooFewRowsAndBadTimes) {
  FitRow r;
  r.name = "only";
  r.layers = {LayerDesc::FullyConnected(1, 8, 8)};
  r.measured_s = 1e-3;
  try {
    FitProfile(Example(), {r});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_THAT(e.what(), HasSubstr("at least 2"));
  }
  FitRow bad = r;
  bad.name = "zero";
  bad.measured_s = 0.0;
  try {
    FitProfile(Example(), {r, bad});
    FAIL();
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("'zero'"));
  }
}

TEST(Fit, RejectsContradictoryRowsInsteadOfAnInfiniteCurve) {
  // The same conv measured at 1e12 and at 1 cycles' worth of time: no finite profile fits both.
  const HardwareProfile base =
      LoadProfile(std::string(OPCOST_SOURCE_DIR) + "/profiles/cortex-m7-f746.json");
  FitRow slow, fast;
  slow.name = "slow";
  fast.name = "fast";
  slow.layers = fast.layers = {LayerDesc::Conv2D({1, 16, 16, 4}, 8, 3, 3)};
  slow.measured_s = 1e12 / base.clock_hz;
  fast.measured_s = 1.0 / base.clock_hz;
  try {
    FitProfile(base, {slow, fast});
    FAIL() << "accepted contradictory rows";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_THAT(e.what(), HasSubstr("beyond a factor of 1e9"));
  }
}

TEST(Fit, ShippedH747ProfileIsTheFitOutput) {
  // profiles/stm32h747-m7-cubeai.json was written by `opcost fit` on
  // tests/data/fit_h747/st_modelzoo_h747.csv (residuals in docs/profiles.md).
  const HardwareProfile p =
      LoadProfile(std::string(OPCOST_SOURCE_DIR) + "/profiles/stm32h747-m7-cubeai.json");
  EXPECT_EQ(p.clock_hz, 400e6);
  EXPECT_EQ(p.category(OpCategory::kConv1x1).throughput_source, "fit");
}

}  // namespace
}  // namespace opcost
