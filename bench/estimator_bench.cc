// Estimator speed for NAS loops: one layer, a 30-layer network, an incremental re-estimate, a
// batch of 10,000 candidates, and the floor (one bare curve lookup) to report the ratio against.
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "curve_floor.h"
#include "opcost/builder.h"
#include "opcost/estimator.h"
#include "opcost/metrics.h"
#include "opcost/profile.h"

namespace opcost {
namespace {

const HardwareProfile& Profile() {
  static const HardwareProfile p =
      LoadProfile(std::string(OPCOST_SOURCE_DIR) + "/profiles/cortex-m7-f746.json");
  return p;
}

// The same profile without its memory section (format 1 behaviour): the cost of the memory term
// is the difference between the /1 and /0 runs of the benchmarks that take it as argument.
const HardwareProfile& ProfileWithMemory(bool memory) {
  static const HardwareProfile without = [] {
    HardwareProfile p = Profile();
    p.memory = MemorySystem();
    return p;
  }();
  return memory ? Profile() : without;
}

// A MobileNet-like stack of 30 layers: stem conv, then (depthwise, 1x1) pairs, then an FC.
std::vector<LayerDesc> ThirtyLayers(std::int64_t width) {
  std::vector<LayerDesc> v;
  std::int64_t hw = 48, c = width;
  v.push_back(LayerDesc::Conv2D({1, 96, 96, 3}, c, 3, 3, 2));
  while (v.size() < 29) {
    const std::int64_t stride = (v.size() % 8 == 1) ? 2 : 1;
    v.push_back(LayerDesc::DepthwiseConv2D({1, hw, hw, c}, 3, 3, stride));
    hw = (hw + stride - 1) / stride;
    v.push_back(LayerDesc::Conv2D({1, hw, hw, c}, c * 2 > 256 ? 256 : c * 2, 1, 1));
    c = c * 2 > 256 ? 256 : c * 2;
  }
  v.resize(29);
  v.push_back(LayerDesc::FullyConnected(1, c, 10));
  return v;
}

void BM_CurveLookupFloor(benchmark::State& state) { MeasureCurveLookupFloor(state, Profile()); }
BENCHMARK(BM_CurveLookupFloor);

void BM_OneLayerFromMetrics(benchmark::State& state) {
  const Estimator est(ProfileWithMemory(state.range(0) != 0));
  const LayerDesc d = LayerDesc::Conv2D({1, 24, 24, 32}, 64, 1, 1);
  const OpMetrics m = ComputeLayerMetrics(d);
  for (auto _ : state) benchmark::DoNotOptimize(est.EstimateLayer(d, m));
}
BENCHMARK(BM_OneLayerFromMetrics)->Arg(0)->Arg(1);

// The same layer's cycles, latency and energy alone (EstimateLayerCost).
void BM_OneLayerCostFromMetrics(benchmark::State& state) {
  const Estimator est(ProfileWithMemory(state.range(0) != 0));
  const LayerDesc d = LayerDesc::Conv2D({1, 24, 24, 32}, 64, 1, 1);
  const OpMetrics m = ComputeLayerMetrics(d);
  for (auto _ : state) benchmark::DoNotOptimize(est.EstimateLayerCost(d, m));
}
BENCHMARK(BM_OneLayerCostFromMetrics)->Arg(0)->Arg(1);

void BM_OneLayerWithMetrics(benchmark::State& state) {
  const Estimator est(Profile());
  const LayerDesc d = LayerDesc::Conv2D({1, 24, 24, 32}, 64, 1, 1);
  for (auto _ : state) benchmark::DoNotOptimize(est.EstimateLayer(d));
}
BENCHMARK(BM_OneLayerWithMetrics);

void BM_ThirtyLayerNetwork(benchmark::State& state) {
  const Estimator est(Profile());
  const std::vector<LayerDesc> layers = ThirtyLayers(16);
  NetworkEstimate out;
  for (auto _ : state) {
    est.EstimateLayers(layers.data(), layers.size(), &out);
    benchmark::DoNotOptimize(out.totals.cycles);
  }
}
BENCHMARK(BM_ThirtyLayerNetwork);

// The same network when the caller already has the metrics (e.g. a NAS tool caching them).
void BM_ThirtyLayerFromMetrics(benchmark::State& state) {
  const Estimator est(ProfileWithMemory(state.range(0) != 0));
  const std::vector<LayerDesc> layers = ThirtyLayers(16);
  std::vector<OpMetrics> metrics;
  for (const LayerDesc& d : layers) metrics.push_back(ComputeLayerMetrics(d));
  for (auto _ : state) {
    double cycles = 0.0;
    for (std::size_t i = 0; i < layers.size(); ++i) {
      cycles += est.EstimateLayer(layers[i], metrics[i]).cycles;
    }
    benchmark::DoNotOptimize(cycles);
  }
}
BENCHMARK(BM_ThirtyLayerFromMetrics)->Arg(0)->Arg(1);

// The same 30 layers as a graph (stem conv, 14 depthwise + 1x1 pairs, FC).
Graph ThirtyLayerGraph() {
  GraphBuilder b("thirty");
  std::int64_t c = 16;
  TensorId x = b.Input("input", {1, 96, 96, 3});
  ConvOptions stem;
  stem.filters = c;
  stem.kernel_h = stem.kernel_w = 3;
  stem.stride_h = stem.stride_w = 2;
  x = b.Conv2D("stem", x, stem);
  for (int i = 0; i < 14; ++i) {
    std::string p = "b";  // two steps: GCC 12 -Wrestrict on "b" + std::to_string(i)
    p += std::to_string(i);
    DepthwiseOptions dw;
    dw.stride_h = dw.stride_w = (i % 4 == 0) ? 2 : 1;
    x = b.DepthwiseConv2D(p + "_dw", x, dw);
    c = c * 2 > 256 ? 256 : c * 2;
    ConvOptions pw;
    pw.filters = c;
    x = b.Conv2D(p + "_pw", x, pw);
  }
  x = b.GlobalAvgPool("pool", x, false);
  b.FullyConnected("fc", x, 10);
  return b.Build();
}

// EstimateGraph of a 30-op graph whose descriptions and metrics the caller has (a NAS loop
// that computed them once for estimate, scratch and its own ranking).
void BM_ThirtyLayerGraphMetricsGiven(benchmark::State& state) {
  const Estimator est(ProfileWithMemory(state.range(0) != 0));
  const Graph g = ThirtyLayerGraph();
  std::vector<LayerDesc> layers;
  DescribeGraph(g, &layers);
  std::vector<OpMetrics> metrics;
  for (const LayerDesc& d : layers) metrics.push_back(ComputeLayerMetrics(d));
  NetworkEstimate out;
  for (auto _ : state) {
    est.EstimateGraph(g, layers, metrics, &out);
    benchmark::DoNotOptimize(out.totals.cycles);
  }
}
BENCHMARK(BM_ThirtyLayerGraphMetricsGiven)->Arg(0)->Arg(1);

// The same graph through EstimateGraph(graph): every node described and counted each time.
void BM_ThirtyLayerGraph(benchmark::State& state) {
  const Estimator est(Profile());
  const Graph g = ThirtyLayerGraph();
  NetworkEstimate out;
  for (auto _ : state) {
    est.EstimateGraph(g, &out);
    benchmark::DoNotOptimize(out.totals.cycles);
  }
}
BENCHMARK(BM_ThirtyLayerGraph);

void BM_ThirtyLayerTotalsOnly(benchmark::State& state) {
  const Estimator est(ProfileWithMemory(state.range(0) != 0));
  const std::vector<LayerDesc> layers = ThirtyLayers(16);
  for (auto _ : state) benchmark::DoNotOptimize(est.EstimateTotalsOnly(layers.data(), layers.size()));
}
BENCHMARK(BM_ThirtyLayerTotalsOnly)->Arg(0)->Arg(1);

void BM_IncrementalReplaceOneLayer(benchmark::State& state) {
  const Estimator est(Profile());
  const std::vector<LayerDesc> layers = ThirtyLayers(16);
  NetworkEstimate net;
  est.EstimateLayers(layers.data(), layers.size(), &net);
  const LayerDesc a = layers[10];
  LayerDesc b = a;
  b.output[3] = a.output[3] / 2;  // a narrower 1x1 conv
  b.weights = Shape{b.output[3], 1, 1, a.input[3]};
  bool flip = false;
  for (auto _ : state) {
    est.ReplaceLayer(10, flip ? a : b, &net);
    flip = !flip;
    benchmark::DoNotOptimize(net.totals.cycles);
  }
}
BENCHMARK(BM_IncrementalReplaceOneLayer);

void BM_BatchOf10000Candidates(benchmark::State& state) {
  const Estimator est(Profile());
  std::vector<std::vector<LayerDesc>> candidates;
  for (int i = 0; i < 10000; ++i) candidates.push_back(ThirtyLayers(8 + 8 * (i % 4)));
  std::vector<EstimateTotals> out;
  for (auto _ : state) {
    est.EstimateBatch(candidates, &out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * 10000);
}
BENCHMARK(BM_BatchOf10000Candidates)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace opcost
