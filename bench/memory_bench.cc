// Memory analysis speed (docs/performance.md, section "Memory"): the peak of a 100-op graph in a
// given order, the exact order search on a 30-op NAS-style cell, an arena plan for 100 tensors,
// and the long chains and wide fan-ins of issue 11.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "opcost/arena_planner.h"
#include "opcost/builder.h"
#include "opcost/liveness.h"
#include "opcost/memory.h"
#include "opcost/model_io.h"
#include "opcost/order_search.h"

namespace opcost {
namespace {

// 100 ops on 1x16x16x8 int8: conv 1x1 / relu pairs with a residual add every fifth op (skip
// edges keep earlier tensors live).
Graph HundredOps() {
  GraphBuilder b("hundred");
  TensorId h = b.Input("x", {1, 16, 16, 8});
  TensorId skip = h;
  ConvOptions c;
  c.filters = 8;
  for (int i = 0; i < 100; ++i) {
    const std::string name = "op" + std::to_string(i);
    if (i % 5 == 4) {
      h = b.Add(name, h, skip);
      skip = h;
    } else if (i % 2 == 0) {
      h = b.Conv2D(name, h, c);
    } else {
      h = b.Unary(name, OpType::kRelu, h);
    }
  }
  return b.Build();
}

// A NASNet-style cell of 30 ops on 1x16x16x16: a 1x1 stem, five hidden nodes where node j sums
// one op (3x3 conv, 1x1 conv or 3x3 depthwise, alternating) per earlier node (15 edge ops,
// 10 adds), the concatenation of the five nodes, a 1x1 projection, relu and global pooling.
Graph NasCell30() {
  GraphBuilder b("nas_cell_30");
  const TensorId x = b.Input("x", {1, 16, 16, 16});
  ConvOptions c3;
  c3.filters = 16;
  c3.kernel_h = c3.kernel_w = 3;
  ConvOptions c1;
  c1.filters = 16;
  DepthwiseOptions dw;
  std::vector<TensorId> nodes = {b.Conv2D("stem", x, c1)};
  int edge = 0;
  for (int j = 1; j <= 5; ++j) {
    TensorId sum = kNoTensor;
    for (int i = 0; i < j; ++i) {
      const std::string name = "e" + std::to_string(i) + "_" + std::to_string(j);
      TensorId e;
      switch (edge++ % 3) {
        case 0:
          e = b.Conv2D(name, nodes[static_cast<std::size_t>(i)], c3);
          break;
        case 1:
          e = b.Conv2D(name, nodes[static_cast<std::size_t>(i)], c1);
          break;
        default:
          e = b.DepthwiseConv2D(name, nodes[static_cast<std::size_t>(i)], dw);
          break;
      }
      sum =
          sum == kNoTensor ? e : b.Add("sum" + std::to_string(j) + "_" + std::to_string(i), sum, e);
    }
    nodes.push_back(sum);
  }
  const TensorId cat = b.Concat("concat", {nodes.begin() + 1, nodes.end()});
  ConvOptions proj;
  proj.filters = 16;
  const TensorId p = b.Conv2D("project", cat, proj);
  b.GlobalAvgPool("pool", b.Unary("relu", OpType::kRelu, p));
  return b.Build();
}

ExecutionOrder GraphOrder(const Graph& g) {
  ExecutionOrder order(g.nodes().size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<NodeId>(i);
  return order;
}

// The NAS loop case: one graph, many orders; the evaluator is built once.
void BM_PeakGivenOrder100Ops(benchmark::State& state) {
  const Graph g = HundredOps();
  const ExecutionOrder order = GraphOrder(g);
  PeakEvaluator eval(g);
  for (auto _ : state) benchmark::DoNotOptimize(eval.PeakBytes(order));
  state.counters["ops"] = static_cast<double>(g.nodes().size());
}
BENCHMARK(BM_PeakGivenOrder100Ops);

// A new graph each time: analysis of the graph plus the peak.
void BM_PeakFromGraph100Ops(benchmark::State& state) {
  const Graph g = HundredOps();
  for (auto _ : state) {
    PeakEvaluator eval(g);
    benchmark::DoNotOptimize(eval.PeakBytes({}));
  }
}
BENCHMARK(BM_PeakFromGraph100Ops);

// The full report (per-step live tensor lists): what the CLI prints.
void BM_AnalyzeMemory100Ops(benchmark::State& state) {
  const Graph g = HundredOps();
  for (auto _ : state) benchmark::DoNotOptimize(AnalyzeMemory(g).peak_activation_bytes);
}
BENCHMARK(BM_AnalyzeMemory100Ops);

// A relu chain of N ops (issue 11: the analysis must be linear; 100k ops took a minute when
// every step scanned every tensor).
void BM_AnalyzeMemoryChain(benchmark::State& state) {
  GraphBuilder b("chain");
  TensorId h = b.Input("x", {1, 16});
  for (std::int64_t i = 0; i < state.range(0); ++i) {
    h = b.Unary("r" + std::to_string(i), OpType::kRelu, h);
  }
  const Graph g = b.Build();
  for (auto _ : state) benchmark::DoNotOptimize(AnalyzeMemory(g).peak_activation_bytes);
  state.SetComplexityN(state.range(0));
}
BENCHMARK(BM_AnalyzeMemoryChain)
    ->Arg(10000)
    ->Arg(100000)
    ->Unit(benchmark::kMillisecond)
    ->Complexity();

void BM_OrderSearchNasCell30(benchmark::State& state) {
  const Graph g = NasCell30();
  OrderSearchResult r;
  for (auto _ : state) {
    r = FindBestOrder(g);
    benchmark::DoNotOptimize(r.best_peak_bytes);
  }
  state.counters["ops"] = static_cast<double>(g.nodes().size());
  state.counters["optimal"] = r.optimal ? 1 : 0;
  state.counters["states"] = static_cast<double>(r.states_visited);
  state.counters["given_B"] = static_cast<double>(r.given_peak_bytes);
  state.counters["best_B"] = static_cast<double>(r.best_peak_bytes);
}
BENCHMARK(BM_OrderSearchNasCell30)->Unit(benchmark::kMicrosecond);

void BM_OrderSearchBundledNasCell(benchmark::State& state) {
  const Graph g = LoadModel(std::string(OPCOST_SOURCE_DIR) + "/models/nas_cell.json");
  OrderSearchResult r;
  for (auto _ : state) {
    r = FindBestOrder(g);
    benchmark::DoNotOptimize(r.best_peak_bytes);
  }
  state.counters["ops"] = static_cast<double>(g.nodes().size());
  state.counters["optimal"] = r.optimal ? 1 : 0;
  state.counters["states"] = static_cast<double>(r.states_visited);
}
BENCHMARK(BM_OrderSearchBundledNasCell)->Unit(benchmark::kMicrosecond);

void BM_PlanArena100Tensors(benchmark::State& state) {
  const Graph g = HundredOps();
  const Liveness l = ComputeLiveness(g);
  for (auto _ : state) benchmark::DoNotOptimize(PlanArena(l).arena_bytes);
  state.counters["blocks"] = static_cast<double>(l.buffers.size());
}
BENCHMARK(BM_PlanArena100Tensors);

// Issue 11: the arena planner on a relu chain of N ops (quadratic before: 100k ops took 14 s in
// the CLI) and on an N-way fan-in (N relus of one input, all concatenated: every branch is live
// until the concat, the planner's worst case, bounded by the buffers live at once).
void BM_PlanArenaChain(benchmark::State& state) {
  GraphBuilder b("chain");
  TensorId h = b.Input("x", {1, 16});
  for (std::int64_t i = 0; i < state.range(0); ++i) {
    h = b.Unary(std::string("r") + std::to_string(i), OpType::kRelu, h);
  }
  const Liveness l = ComputeLiveness(b.Build());
  for (auto _ : state) benchmark::DoNotOptimize(PlanArena(l).arena_bytes);
  state.SetComplexityN(state.range(0));
}
BENCHMARK(BM_PlanArenaChain)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond)->Complexity();

Graph FanIn(std::int64_t branches) {
  GraphBuilder b("fan_in");
  const TensorId x = b.Input("x", {1, 16});
  std::vector<TensorId> outs;
  for (std::int64_t i = 0; i < branches; ++i) {
    outs.push_back(b.Unary(std::string("b") + std::to_string(i), OpType::kRelu, x));
  }
  b.Concat("cat", outs);
  return b.Build();
}

void BM_PlanArenaFanIn(benchmark::State& state) {
  const Liveness l = ComputeLiveness(FanIn(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(PlanArena(l).arena_bytes);
}
BENCHMARK(BM_PlanArenaFanIn)->Arg(2000)->Arg(20000)->Unit(benchmark::kMillisecond);

// The report of the fan-in: its per-step live lists hold N^2 / 2 tensor ids (the CLI prints at
// most 32 per step).
void BM_AnalyzeMemoryFanIn(benchmark::State& state) {
  const Graph g = FanIn(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(AnalyzeMemory(g).peak_activation_bytes);
}
BENCHMARK(BM_AnalyzeMemoryFanIn)->Arg(2000)->Arg(20000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace opcost
