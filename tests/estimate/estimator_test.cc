#include "opcost/estimator.h"

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "estimate/three_layers.h"
#include "opcost/builder.h"
#include "opcost/error.h"
#include "opcost/memory.h"
#include "opcost/metrics.h"
#include "opcost/model_io.h"
#include "testing/expect_error.h"

namespace opcost {
namespace {

using ::testing::HasSubstr;

HardwareProfile Example() {
  return LoadProfile(std::string(OPCOST_SOURCE_DIR) + "/tests/data/profiles/valid_example.json");
}

TEST(Estimator, ThreeLayerNetworkByHand) {
  const Estimator est(Example());
  const NetworkEstimate net = est.EstimateGraph(ThreeLayers());
  ASSERT_EQ(net.layers.size(), 3u);

  // conv: 8x8 outputs x 8 filters x (3x3x4) = 18432 MACs, 36 MACs per output. The conv curve
  // (10, 0.1) -> (1000, 0.3) gives 0.1 + 0.2 x ln(3.6) / ln(100) MACs per cycle.
  const double y_conv = 0.1 + 0.2 * std::log(3.6) / std::log(100.0);
  const double conv_cycles = 100 + 18432 / y_conv;
  // pool: 4x4x8 = 128 outputs, 3 comparisons each = 384 elements at 2 cycles.
  const double pool_cycles = 100 + 2 * 384;
  // fc: 128 inputs x 10 units = 1280 MACs at 0.25 MACs per cycle.
  const double fc_cycles = 100 + 1280 / 0.25;

  EXPECT_EQ(net.layers[0].category, OpCategory::kConv);
  EXPECT_EQ(net.layers[0].macs, 18432);
  EXPECT_DOUBLE_EQ(net.layers[0].macs_per_output, 36.0);
  EXPECT_NEAR(net.layers[0].throughput, y_conv, 1e-12);
  EXPECT_NEAR(net.layers[0].cycles, conv_cycles, 1e-6);
  EXPECT_EQ(net.layers[1].elements, 384);
  EXPECT_DOUBLE_EQ(net.layers[1].cycles, pool_cycles);
  EXPECT_DOUBLE_EQ(net.layers[2].cycles, fc_cycles);
  for (const LayerEstimate& l : net.layers) EXPECT_EQ(l.flags, 0u);

  // Latency at 100 MHz; energy = latency x power (300 mW MAC categories, 250 mW pooling).
  EXPECT_NEAR(net.layers[0].latency_s, conv_cycles / 1e8, 1e-15);
  EXPECT_NEAR(net.layers[0].energy_j, conv_cycles / 1e8 * 0.300, 1e-15);
  EXPECT_NEAR(net.layers[1].energy_j, 868 / 1e8 * 0.250, 1e-15);
  EXPECT_NEAR(net.layers[2].energy_j, 5220 / 1e8 * 0.300, 1e-15);
  const double total_cycles = conv_cycles + pool_cycles + fc_cycles;
  EXPECT_NEAR(net.totals.cycles, total_cycles, 1e-6);
  EXPECT_NEAR(net.totals.latency_s, total_cycles / 1e8, 1e-12);
  EXPECT_NEAR(net.totals.energy_j, (conv_cycles + fc_cycles) / 1e8 * 0.3 + 868 / 1e8 * 0.25,
              1e-15);

  // Naive model: ops = 2 x MACs + other ops (bias adds, comparisons) at 0.5 ops per cycle.
  const double ops = (2 * 18432 + 512) + 384 + (2 * 1280 + 10);
  EXPECT_EQ(net.totals.ops, static_cast<std::int64_t>(ops));
  EXPECT_NEAR(net.totals.naive_cycles, ops / 0.5, 1e-9);
  EXPECT_NEAR(net.totals.naive_latency_s, ops / 0.5 / 1e8, 1e-15);
  // Naive energy at the mean power of the 7 characterized categories: (4 x 300 + 3 x 250) / 7.
  EXPECT_NEAR(net.totals.naive_energy_j, ops / 0.5 / 1e8 * (1950.0 / 7) / 1000, 1e-15);

  // Fig. 4 breakdown: shares add up and the conv share of time is its cycles' share.
  const auto& conv = net.by_category[static_cast<int>(OpCategory::kConv)];
  EXPECT_NEAR(conv.time_share, conv_cycles / total_cycles, 1e-12);
  EXPECT_NEAR(conv.ops_share, (2 * 18432 + 512) / ops, 1e-12);
  double time = 0, energy = 0, op = 0;
  for (const CategoryBreakdown& c : net.by_category) {
    time += c.time_share;
    energy += c.energy_share;
    op += c.ops_share;
  }
  EXPECT_NEAR(time, 1.0, 1e-12);
  EXPECT_NEAR(energy, 1.0, 1e-12);
  EXPECT_NEAR(op, 1.0, 1e-12);
}

TEST(Estimator, FlagsExtrapolationOutsideTheCurve) {
  const Estimator est(Example());
  // 1x1 conv curve has one point (10 MACs/output); 16 input channels -> 16 MACs per output.
  LayerEstimate l = est.EstimateLayer(LayerDesc::Conv2D({1, 4, 4, 16}, 8, 1, 1));
  EXPECT_EQ(l.category, OpCategory::kConv1x1);
  EXPECT_TRUE(l.extrapolated());
  EXPECT_DOUBLE_EQ(l.throughput, 0.2);
  // conv below its range: 3x3x1 = 9 MACs per output < 10.
  l = est.EstimateLayer(LayerDesc::Conv2D({1, 4, 4, 1}, 8, 3, 3));
  EXPECT_TRUE(l.extrapolated());
  EXPECT_DOUBLE_EQ(l.throughput, 0.1);
  // Inside: 3x3x4 = 36.
  EXPECT_FALSE(est.EstimateLayer(LayerDesc::Conv2D({1, 4, 4, 4}, 8, 3, 3)).extrapolated());
}

TEST(Estimator, AppliesVariantRule) {
  const Estimator est(Example());
  // conv_1x1 with C_in = 10 (not a multiple of 4): factor 1.5 on the MAC cycles.
  const LayerEstimate l = est.EstimateLayer(LayerDesc::Conv2D({1, 4, 4, 10}, 8, 1, 1));
  EXPECT_TRUE(l.flags & kFlagVariant);
  EXPECT_FALSE(l.extrapolated());  // 10 MACs per output is the curve's point
  EXPECT_DOUBLE_EQ(l.cycles, 100 + (4 * 4 * 8 * 10) / 0.2 * 1.5);
  const LayerEstimate ok = est.EstimateLayer(LayerDesc::Conv2D({1, 4, 4, 12}, 8, 1, 1));
  EXPECT_FALSE(ok.flags & kFlagVariant);
}

TEST(Estimator, UncharacterizedCategoryIsAnErrorNamingTheLayer) {
  GraphBuilder b("cat");
  auto x = b.Input("x", {1, 4, 4, 8});
  auto y = b.Input("y", {1, 4, 4, 8});
  b.Concat("joined", {x, y});
  const Graph g = b.Build();
  const Estimator est(Example());
  try {
    est.EstimateGraph(g);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnsupportedOp);
    EXPECT_THAT(e.what(), HasSubstr("'joined'"));
    EXPECT_THAT(e.what(), HasSubstr("'other'"));
    EXPECT_THAT(e.what(), HasSubstr("'example'"));
  }
  // With the fallback: naive model, flagged, never zero.
  EstimateOptions o;
  o.allow_fallback = true;
  const NetworkEstimate net = Estimator(Example(), o).EstimateGraph(g);
  EXPECT_TRUE(net.layers[0].flags & kFlagFallback);
  EXPECT_GT(net.layers[0].cycles, 0.0);
  EXPECT_EQ(net.totals.fallback_layers, 1);
}

TEST(Estimator, ReplaceLayerMatchesFullRecompute) {
  const Estimator est(Example());
  std::vector<LayerDesc> layers = {LayerDesc::Conv2D({1, 16, 16, 8}, 16, 3, 3),
                                   LayerDesc::DepthwiseConv2D({1, 16, 16, 16}, 3, 3),
                                   LayerDesc::Conv2D({1, 16, 16, 16}, 32, 1, 1),
                                   LayerDesc::FullyConnected(1, 64, 10)};
  NetworkEstimate inc;
  est.EstimateLayers(layers.data(), layers.size(), &inc);
  layers[2] = LayerDesc::Conv2D({1, 16, 16, 16}, 24, 1, 1);
  est.ReplaceLayer(2, layers[2], &inc);
  NetworkEstimate full;
  est.EstimateLayers(layers.data(), layers.size(), &full);
  EXPECT_NEAR(inc.totals.cycles, full.totals.cycles, 1e-6);
  EXPECT_NEAR(inc.totals.energy_j, full.totals.energy_j, 1e-15);
  EXPECT_EQ(inc.totals.macs, full.totals.macs);
  EXPECT_EQ(inc.totals.extrapolated_layers, full.totals.extrapolated_layers);
  for (int c = 0; c < kNumOpCategories; ++c) {
    EXPECT_NEAR(inc.by_category[c].time_share, full.by_category[c].time_share, 1e-12);
  }
  EXPECT_THROW(est.ReplaceLayer(9, layers[0], &inc), Error);
  // Totals-only and batch agree with the stored form.
  const EstimateTotals t = est.EstimateTotalsOnly(layers.data(), layers.size());
  EXPECT_NEAR(t.cycles, full.totals.cycles, 1e-6);
  std::vector<EstimateTotals> batch;
  est.EstimateBatch({layers, {layers[0]}}, &batch);
  ASSERT_EQ(batch.size(), 2u);
  EXPECT_NEAR(batch[0].cycles, full.totals.cycles, 1e-6);
  EXPECT_NEAR(batch[1].cycles, full.layers[0].cycles, 1e-9);
}

TEST(Estimator, BatchErrorNamesCandidateAndLayer) {
  const Estimator est(Example());
  LayerDesc concat;
  concat.type = OpType::kConcat;
  concat.input = Shape{1, 2, 2, 4};
  concat.output = Shape{1, 2, 2, 8};
  concat.num_data_inputs = 2;
  concat.data_input_bytes = 32;
  std::vector<EstimateTotals> out;
  try {
    est.EstimateBatch({{LayerDesc::FullyConnected(1, 8, 2)},
                       {LayerDesc::FullyConnected(1, 8, 2), concat}},
                      &out);
    FAIL();
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("candidate #1"));
    EXPECT_THAT(e.what(), HasSubstr("layer #1"));
  }
}

TEST(Estimator, EnergyPerPeriodAddsIdlePower) {
  const Estimator est(Example());
  const NetworkEstimate net = est.EstimateGraph(ThreeLayers());
  // 1 mW idle for the rest of a 1 s period.
  EXPECT_NEAR(EnergyPerPeriodJ(net.totals, est.profile(), 1.0),
              net.totals.energy_j + (1.0 - net.totals.latency_s) * 1e-3, 1e-15);
  EXPECT_THROW(EnergyPerPeriodJ(net.totals, est.profile(), 0.0), Error);
  EXPECT_THROW(EnergyPerPeriodJ(net.totals, est.profile(), std::nan("")), Error);
}

TEST(Estimator, F746ShowsThePapersOrdering) {
  const Estimator est(LoadProfile(std::string(OPCOST_SOURCE_DIR) + "/profiles/cortex-m7-f746.json"));
  // Seed paper Fig. 2 / section 2: 1x1 conv (GEMM, no im2col) is faster than im2col conv, and
  // depthwise is the slowest MAC op. (Fully connected vs 1x1 is close and left to the data.)
  const double conv1x1 = est.EstimateLayer(LayerDesc::Conv2D({1, 8, 8, 64}, 64, 1, 1)).throughput;
  const double conv = est.EstimateLayer(LayerDesc::Conv2D({1, 8, 8, 8}, 64, 3, 3)).throughput;
  const double fc = est.EstimateLayer(LayerDesc::FullyConnected(1, 64, 64)).throughput;
  const double dw = est.EstimateLayer(LayerDesc::DepthwiseConv2D({1, 8, 8, 64}, 3, 3)).throughput;
  EXPECT_GT(conv1x1, conv);
  EXPECT_GT(conv, dw);
  EXPECT_GT(fc, dw);
}

TEST(Estimator, NonFiniteCostFromACodeBuiltProfileIsAnError) {
  // The loader's ranges keep loaded profiles finite; a profile built in code can still overflow.
  HardwareProfile p = Example();
  p.mutable_category(OpCategory::kConv).overhead_cycles = 1e308;
  p.mutable_category(OpCategory::kConv).power_mw = 1e308;
  const Estimator est(p);
  try {
    est.EstimateLayer(LayerDesc::Conv2D({1, 8, 8, 4}, 8, 3, 3));
    FAIL() << "a non-finite energy was returned";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kBadProfile);
    EXPECT_THAT(e.what(), HasSubstr("non-finite cost"));
  }
}

// What EstimateGraph computes from the graph and what it computes from descriptions and metrics
// the caller hands it are the same numbers, bit for bit, on every bundled model; so are the two
// forms of ProfileScratchBytes.
TEST(Estimator, DescriptionsAndMetricsGivenMatchTheGraphForm) {
  const HardwareProfile profile =
      LoadProfile(std::string(OPCOST_SOURCE_DIR) + "/profiles/cortex-m7-f746.json");
  EstimateOptions o;
  o.allow_fallback = true;
  const Estimator est(profile, o);
  int checked = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(OPCOST_SOURCE_DIR) + "/models")) {
    if (entry.path().extension() != ".json") continue;
    SCOPED_TRACE(entry.path().string());
    const Graph g = LoadModel(entry.path().string());
    const NetworkEstimate want = est.EstimateGraph(g);
    std::vector<LayerDesc> layers;
    DescribeGraph(g, &layers);
    std::vector<OpMetrics> metrics;
    for (const LayerDesc& d : layers) metrics.push_back(ComputeLayerMetrics(d));
    NetworkEstimate described, counted;
    est.EstimateGraph(g, layers, &described);
    est.EstimateGraph(g, layers, metrics, &counted);
    for (const NetworkEstimate* got : {&described, &counted}) {
      ASSERT_EQ(got->layers.size(), want.layers.size());
      for (std::size_t i = 0; i < want.layers.size(); ++i) {
        EXPECT_EQ(got->layers[i].cycles, want.layers[i].cycles);
        EXPECT_EQ(got->layers[i].energy_j, want.layers[i].energy_j);
        EXPECT_EQ(got->layers[i].memory_cycles, want.layers[i].memory_cycles);
        EXPECT_EQ(got->layers[i].flags, want.layers[i].flags);
      }
      EXPECT_EQ(got->totals.latency_s, want.totals.latency_s);
      EXPECT_EQ(got->totals.energy_j, want.totals.energy_j);
      EXPECT_EQ(got->totals.naive_latency_s, want.totals.naive_latency_s);
    }
    EXPECT_EQ(ProfileScratchBytes(g, layers, profile), ProfileScratchBytes(g, profile));
    EXPECT_EQ(ProfileScratchBytes(g, layers, metrics, profile), ProfileScratchBytes(g, profile));
    ++checked;
  }
  EXPECT_GE(checked, 30);
}

// EstimateLayerCost gives EstimateLayer's cycles, latency and energy bit for bit: every layer of
// every bundled model on the example and every shipped profile (variant rules, extrapolation,
// memory terms, the naive fallback), also with the weights placed in another region.
TEST(Estimator, LayerCostMatchesEstimateLayer) {
  std::vector<std::vector<LayerDesc>> models;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(OPCOST_SOURCE_DIR) + "/models")) {
    if (entry.path().extension() != ".json") continue;
    DescribeGraph(LoadModel(entry.path().string()), &models.emplace_back());
  }
  ASSERT_GE(models.size(), 30u);
  std::vector<std::string> profiles = {std::string(OPCOST_SOURCE_DIR) +
                                        "/tests/data/profiles/valid_example.json"};
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(OPCOST_SOURCE_DIR) + "/profiles")) {
    if (entry.path().extension() == ".json") profiles.push_back(entry.path().string());
  }
  int checked = 0;
  for (const std::string& path : profiles) {
    SCOPED_TRACE(path);
    const HardwareProfile profile = LoadProfile(path);
    EstimateOptions o;
    o.allow_fallback = true;
    if (!profile.memory.empty()) o.weights.all_layers = profile.memory.regions.back().name;
    for (const EstimateOptions& options : {EstimateOptions{true, {}}, o}) {
      const Estimator est(profile, options);
      for (const std::vector<LayerDesc>& layers : models) {
        for (const LayerDesc& d : layers) {
          const OpMetrics m = ComputeLayerMetrics(d);
          const LayerEstimate want = est.EstimateLayer(d, m);
          const LayerCost got = est.EstimateLayerCost(d, m);
          EXPECT_EQ(got.cycles, want.cycles);
          EXPECT_EQ(got.latency_s, want.latency_s);
          EXPECT_EQ(got.energy_j, want.energy_j);
          ++checked;
        }
      }
    }
  }
  EXPECT_GE(checked, 1000);
}

TEST(Estimator, LayerCostThrowsWhatEstimateLayerThrows) {
  const Estimator est(Example());
  const LayerDesc concat = [] {
    GraphBuilder b("cat");
    auto x = b.Input("x", {1, 4, 4, 8});
    auto y = b.Input("y", {1, 4, 4, 8});
    b.Concat("joined", {x, y});
    return DescribeNode(b.Build(), 0);
  }();
  EXPECT_OPCOST_ERROR(est.EstimateLayerCost(concat, ComputeLayerMetrics(concat)),
                      ErrorCode::kUnsupportedOp, "not characterized");
  HardwareProfile p = Example();
  p.mutable_category(OpCategory::kConv).overhead_cycles = 1e308;
  p.mutable_category(OpCategory::kConv).power_mw = 1e308;
  const LayerDesc conv = LayerDesc::Conv2D({1, 8, 8, 4}, 8, 3, 3);
  EXPECT_OPCOST_ERROR(Estimator(p).EstimateLayerCost(conv, ComputeLayerMetrics(conv)),
                      ErrorCode::kBadProfile, "non-finite cost");
}

TEST(Estimator, DescriptionsGivenMustMatchTheNodeCount) {
  const Graph g = ThreeLayers();
  std::vector<LayerDesc> layers;
  DescribeGraph(g, &layers);
  EXPECT_EQ(layers.size(), 3u);
  layers.pop_back();
  const Estimator est(Example());
  NetworkEstimate out;
  EXPECT_OPCOST_ERROR(est.EstimateGraph(g, layers, &out), ErrorCode::kInvalidArgument,
                      "2 layer descriptions for 3 nodes");
  EXPECT_OPCOST_ERROR(ProfileScratchBytes(g, layers, Example()), ErrorCode::kInvalidArgument,
                      "2 layer descriptions for 3 nodes");
  std::vector<OpMetrics> metrics;
  for (const LayerDesc& d : layers) metrics.push_back(ComputeLayerMetrics(d));
  EXPECT_OPCOST_ERROR(ProfileScratchBytes(g, layers, metrics, Example()),
                      ErrorCode::kInvalidArgument, "2 layer descriptions for 3 nodes");
  DescribeGraph(g, &layers);
  EXPECT_OPCOST_ERROR(ProfileScratchBytes(g, layers, metrics, Example()),
                      ErrorCode::kInvalidArgument, "2 metrics for 3 nodes");
}

}  // namespace
}  // namespace opcost
