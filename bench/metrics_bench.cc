// Core speed: per-op metrics (layer alone and a 30-layer network) and JSON model loading.
#include <benchmark/benchmark.h>

#include "opcost/builder.h"
#include "opcost/metrics.h"
#include "opcost/model_io.h"
#include "../src/io/json_reader.h"

namespace opcost {
namespace {

// A MobileNet-like 30-layer network: conv stem, 13 depthwise + pointwise pairs, pool, fc, softmax.
Graph ThirtyLayerNetwork() {
  GraphBuilder b("net30");
  TensorId x = b.Input("x", {1, 96, 96, 3});
  x = b.Conv2D("stem", x, {.filters = 8, .kernel_h = 3, .kernel_w = 3, .stride_h = 2,
                           .stride_w = 2, .activation = Activation::kRelu6});
  std::int64_t channels = 8;
  for (int i = 0; i < 13; ++i) {
    const std::int64_t stride = (i == 1 || i == 3 || i == 5 || i == 11) ? 2 : 1;
    x = b.DepthwiseConv2D("dw" + std::to_string(i), x,
                          {.stride_h = stride, .stride_w = stride,
                           .activation = Activation::kRelu6});
    if (stride == 2 && channels < 256) channels *= 2;
    x = b.Conv2D("pw" + std::to_string(i), x, {.filters = channels, .kernel_h = 1,
                                               .kernel_w = 1, .activation = Activation::kRelu6});
  }
  x = b.GlobalAvgPool("pool", x, false);
  x = b.FullyConnected("fc", x, 2);
  b.Unary("softmax", OpType::kSoftmax, x);
  return b.Build();
}

void BM_LayerMetrics(benchmark::State& state) {
  const LayerDesc d = LayerDesc::Conv2D({1, 48, 48, 16}, 32, 3, 3);
  for (auto _ : state) {
    OpMetrics m = ComputeLayerMetrics(d);
    benchmark::DoNotOptimize(m);
  }
}
BENCHMARK(BM_LayerMetrics);

void BM_NetworkMetrics30(benchmark::State& state) {
  const Graph g = ThirtyLayerNetwork();
  NetworkMetrics m;
  ComputeMetrics(g, &m);  // sizes the output once; the loop allocates nothing
  for (auto _ : state) {
    ComputeMetrics(g, &m);
    benchmark::DoNotOptimize(m.total.macs);
  }
  state.counters["layers"] = static_cast<double>(g.nodes().size());
  state.counters["ns_per_layer"] = benchmark::Counter(
      static_cast<double>(g.nodes().size()),
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_NetworkMetrics30);

void BM_LoadModel(benchmark::State& state, const char* file) {
  const std::string text = detail::ReadTextFile(std::string(OPCOST_SOURCE_DIR "/models/") + file);
  for (auto _ : state) {
    Graph g = ParseModel(text, file);
    benchmark::DoNotOptimize(g.nodes().size());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK_CAPTURE(BM_LoadModel, mlperf_kws_ds_cnn, "mlperf_kws_ds_cnn.json");
BENCHMARK_CAPTURE(BM_LoadModel, mlperf_vww_mobilenet_v1_025, "mlperf_vww_mobilenet_v1_025.json");

void BM_SaveModel(benchmark::State& state) {
  const Graph g = LoadModel(OPCOST_SOURCE_DIR "/models/mlperf_vww_mobilenet_v1_025.json");
  for (auto _ : state) {
    std::string s = SaveModelToString(g);
    benchmark::DoNotOptimize(s.data());
  }
}
BENCHMARK(BM_SaveModel);

}  // namespace
}  // namespace opcost
