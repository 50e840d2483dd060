// A NAS loop in C++, per candidate: build a MobileNetV2-like graph (46 ops: stem, 12 inverted
// residual blocks with their adds, head, pool, FC) with GraphBuilder, estimate it (metrics,
// cycles, latency, energy) and find its peak SRAM with the profile's scratch. The same candidate
// as bench/python_bench.py, so the two show what the Python layer costs. The floor (one bare
// curve lookup) is measured in the same run: on a shared machine compare ratios to it.
#include <optional>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "curve_floor.h"
#include "opcost/builder.h"
#include "opcost/estimator.h"
#include "opcost/memory.h"
#include "opcost/metrics.h"
#include "opcost/profile.h"

namespace opcost {
namespace {

const HardwareProfile& Profile() {
  static const HardwareProfile p =
      LoadProfile(std::string(OPCOST_SOURCE_DIR) + "/profiles/cortex-m7-f746.json");
  return p;
}

// A candidate has at most 49 ops (12 adds when every block keeps its shape) and 3 tensors per
// weighted op plus one per add and the input; the space's adds make it 46 ops, ~130 tensors.
constexpr std::size_t kMaxNodes = 49;
constexpr std::size_t kMaxTensors = 3 * 49 + 1;

// Adds the ops of candidate `variant` of the space to `b`: per block expansion 3 or 6 and
// kernel 3 or 5.
void AddCandidateOps(GraphBuilder& b, int variant) {
  constexpr std::int64_t kOut[] = {8, 8, 8, 16, 16, 16, 24, 24, 24, 32, 32, 56};
  constexpr std::int64_t kStride[] = {1, 2, 1, 2, 1, 1, 2, 1, 1, 1, 1, 2};
  TensorId x = b.Input("input", {1, 96, 96, 3});
  ConvOptions stem{.filters = 16, .kernel_h = 3, .kernel_w = 3, .stride_h = 2, .stride_w = 2};
  stem.activation = Activation::kRelu6;
  x = b.Conv2D("stem", x, stem);
  std::int64_t cin = 16;
  for (int i = 0; i < 12; ++i) {
    std::string p = "b";  // two steps: GCC 12 -Wrestrict on "b" + std::to_string(i)
    p += std::to_string(i);
    const std::int64_t t = ((variant >> i) & 1) ? 6 : 3;
    const std::int64_t k = ((variant >> (i + 12)) & 1) ? 5 : 3;
    ConvOptions expand{.filters = cin * t};
    expand.activation = Activation::kRelu6;
    TensorId y = b.Conv2D(p + "_expand", x, expand);
    DepthwiseOptions dw{.kernel_h = k, .kernel_w = k, .stride_h = kStride[i],
                        .stride_w = kStride[i]};
    dw.activation = Activation::kRelu6;
    y = b.DepthwiseConv2D(p + "_dw", y, dw);
    y = b.Conv2D(p + "_project", y, ConvOptions{.filters = kOut[i]});
    x = (kStride[i] == 1 && cin == kOut[i]) ? b.Add(p + "_add", x, y) : y;
    cin = kOut[i];
  }
  ConvOptions head{.filters = 1280};
  head.activation = Activation::kRelu6;
  x = b.Conv2D("head", x, head);
  x = b.GlobalAvgPool("pool", x, false);
  b.FullyConnected("fc", x, 10);
}

// Candidate `variant` from a new builder. With `reserve` the builder gets room for the largest
// candidate up front (GraphBuilder::Reserve).
Graph BuildCandidate(int variant, bool reserve = false) {
  GraphBuilder b("candidate");
  if (reserve) b.Reserve(kMaxNodes, kMaxTensors);
  AddCandidateOps(b, variant);
  return b.Build();
}

// Candidate `variant` in `b`, which keeps the storage of the candidate before
// (GraphBuilder::Reset and Finish).
const Graph& RebuildCandidate(GraphBuilder& b, int variant) {
  b.Reset();
  AddCandidateOps(b, variant);
  return b.Finish();
}

// The ratio baseline: one bare throughput-curve lookup (as in estimator_bench).
void BM_CurveLookupFloor(benchmark::State& state) { MeasureCurveLookupFloor(state, Profile()); }
BENCHMARK(BM_CurveLookupFloor);

void BM_BuildCandidate(benchmark::State& state) {
  int variant = 0;
  for (auto _ : state) {
    Graph g = BuildCandidate(variant++ & 0xFFFFFF);
    benchmark::DoNotOptimize(g.nodes().data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BuildCandidate);

void BM_BuildCandidateReserved(benchmark::State& state) {
  int variant = 0;
  for (auto _ : state) {
    Graph g = BuildCandidate(variant++ & 0xFFFFFF, true);
    benchmark::DoNotOptimize(g.nodes().data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BuildCandidateReserved);

void BM_BuildCandidateReused(benchmark::State& state) {
  GraphBuilder b("candidate");
  int variant = 0;
  for (auto _ : state) {
    const Graph& g = RebuildCandidate(b, variant++ & 0xFFFFFF);
    benchmark::DoNotOptimize(g.nodes().data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BuildCandidateReused);

// Build + estimate (latency, energy) + peak SRAM with scratch: what a NAS tool needs per candidate.
void BM_NasLoopCandidate(benchmark::State& state) {
  const Estimator est(Profile());
  NetworkEstimate net;
  int variant = 0;
  for (auto _ : state) {
    const Graph g = BuildCandidate(variant++ & 0xFFFFFF);
    est.EstimateGraph(g, &net);
    MemoryOptions options;
    options.rules.scratch_bytes = ProfileScratchBytes(g, Profile());
    benchmark::DoNotOptimize(net.totals.latency_s + net.totals.energy_j);
    benchmark::DoNotOptimize(AnalyzeMemory(g, options).peak_activation_bytes);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_NasLoopCandidate);

// The same results with each node described once and counted once: the descriptions and
// metrics go to the estimate and the scratch rules, the peak comes from a PeakEvaluator (the
// same number as AnalyzeMemory's, without its per-step tensor lists); storage is reused, the
// graph's (GraphBuilder::Reset) and the evaluator's (PeakEvaluator::Reset) too.
// `build(variant)` returns the candidate's graph.
template <class BuildFn>
void RunDescribedOnce(benchmark::State& state, BuildFn build) {
  const Estimator est(Profile());
  NetworkEstimate net;
  std::vector<LayerDesc> layers;
  std::vector<OpMetrics> metrics;
  LivenessOptions rules;
  std::optional<PeakEvaluator> peak;  // made for the first candidate, then Reset for each
  int variant = 0;
  for (auto _ : state) {
    const Graph& g = build(variant++ & 0xFFFFFF);
    DescribeGraph(g, &layers);
    metrics.resize(layers.size());
    for (std::size_t i = 0; i < layers.size(); ++i) metrics[i] = ComputeLayerMetrics(layers[i]);
    est.EstimateGraph(g, layers, metrics, &net);
    rules.scratch_bytes = ProfileScratchBytes(g, layers, metrics, Profile());
    if (peak) {
      peak->Reset(g, rules);
    } else {
      peak.emplace(g, rules);
    }
    benchmark::DoNotOptimize(net.totals.latency_s + net.totals.energy_j);
    benchmark::DoNotOptimize(peak->PeakBytes({}));
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_NasLoopCandidateDescribedOnce(benchmark::State& state) {
  GraphBuilder b("candidate");
  RunDescribedOnce(state, [&](int variant) -> const Graph& {
    return RebuildCandidate(b, variant);
  });
}
BENCHMARK(BM_NasLoopCandidateDescribedOnce);

// The same with a new reserved builder per candidate (the fast path before Reset/Finish).
void BM_NasLoopCandidateDescribedOnceNewBuilder(benchmark::State& state) {
  Graph g;
  RunDescribedOnce(state, [&](int variant) -> const Graph& {
    g = BuildCandidate(variant, true);
    return g;
  });
}
BENCHMARK(BM_NasLoopCandidateDescribedOnceNewBuilder);

}  // namespace
}  // namespace opcost
