// A NAS loop in C++, per candidate: build a MobileNetV2-like graph (46 ops: stem, 12 inverted
// residual blocks with their adds, head, pool, FC) with GraphBuilder, estimate it (metrics,
// cycles, latency, energy) and find its peak SRAM with the profile's scratch. The same candidate
// as bench/python_bench.py, so the two show what the Python layer costs.
#include <string>

#include <benchmark/benchmark.h>

#include "opcost/builder.h"
#include "opcost/estimator.h"
#include "opcost/memory.h"
#include "opcost/profile.h"

namespace opcost {
namespace {

const HardwareProfile& Profile() {
  static const HardwareProfile p =
      LoadProfile(std::string(OPCOST_SOURCE_DIR) + "/profiles/cortex-m7-f746.json");
  return p;
}

// Candidate `variant` of the space: per block expansion 3 or 6 and kernel 3 or 5.
Graph BuildCandidate(int variant) {
  constexpr std::int64_t kOut[] = {8, 8, 8, 16, 16, 16, 24, 24, 24, 32, 32, 56};
  constexpr std::int64_t kStride[] = {1, 2, 1, 2, 1, 1, 2, 1, 1, 1, 1, 2};
  GraphBuilder b("candidate");
  TensorId x = b.Input("input", {1, 96, 96, 3});
  ConvOptions stem{.filters = 16, .kernel_h = 3, .kernel_w = 3, .stride_h = 2, .stride_w = 2};
  stem.activation = Activation::kRelu6;
  x = b.Conv2D("stem", x, stem);
  std::int64_t cin = 16;
  for (int i = 0; i < 12; ++i) {
    const std::string p = std::string("b") + std::to_string(i);
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
  return b.Build();
}

void BM_BuildCandidate(benchmark::State& state) {
  int variant = 0;
  for (auto _ : state) {
    Graph g = BuildCandidate(variant++ & 0xFFFFFF);
    benchmark::DoNotOptimize(g.nodes().data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BuildCandidate);

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

}  // namespace
}  // namespace opcost
