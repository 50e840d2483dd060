// Memory analysis speed (docs/performance.md, section "Memory"): the peak of a 100-op graph in a
// given order, the exact order search on NAS-style cells (30 and 36 ops, the 64-op 8-node cell
// and issue 16's 9-node cell of 83 ops), an arena plan for 100 tensors, and the long chains and
// wide fan-ins of issue 11.
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

// The full-DAG NAS cell of models/nas_cell.json and nas_cell_9node.json with `nodes` nodes on
// 1x16x16x32: node j sums one op per earlier node (node 0 is the input), the edge ops cycling
// 3x3 conv, 1x1 conv, 3x3 depthwise and 3x3 average pooling. nodes (nodes + 1) / 2 edge ops and
// (nodes - 1) nodes / 2 adds: 8 nodes are 64 ops, the most one 64-bit search state holds.
Graph FullDagCell(int nodes) {
  GraphBuilder b("full_dag_cell");
  std::vector<TensorId> node = {b.Input("input", {1, 16, 16, 32})};
  ConvOptions c3;
  c3.filters = 32;
  c3.kernel_h = c3.kernel_w = 3;
  c3.activation = Activation::kRelu;
  ConvOptions c1 = c3;
  c1.kernel_h = c1.kernel_w = 1;
  DepthwiseOptions dw;
  dw.activation = Activation::kRelu;
  PoolOptions pool;
  pool.pool_h = pool.pool_w = 3;
  pool.stride_h = pool.stride_w = 1;
  pool.padding = Padding::kSame;
  int edge = 0;
  for (int j = 1; j <= nodes; ++j) {
    TensorId sum = kNoTensor;
    for (int i = 0; i < j; ++i) {
      std::string name = "e";
      name += std::to_string(i) + "_" + std::to_string(j);
      const TensorId from = node[static_cast<std::size_t>(i)];
      TensorId e;
      switch (edge++ % 4) {
        case 0:
          e = b.Conv2D(name, from, c3);
          break;
        case 1:
          e = b.Conv2D(name, from, c1);
          break;
        case 2:
          e = b.DepthwiseConv2D(name, from, dw);
          break;
        default:
          e = b.AvgPool(name, from, pool);
          break;
      }
      std::string add = "n";
      add += std::to_string(j) + "_sum" + std::to_string(i);
      sum = sum == kNoTensor ? e : b.Add(add, sum, e);
    }
    node.push_back(sum);
  }
  return b.Build();
}

void SetSearchCounters(benchmark::State& state, const Graph& g, const OrderSearchResult& r) {
  state.counters["ops"] = static_cast<double>(g.nodes().size());
  state.counters["optimal"] = r.optimal ? 1 : 0;
  state.counters["states"] = static_cast<double>(r.states_visited);
  state.counters["states_per_s"] = benchmark::Counter(
      static_cast<double>(r.states_visited) * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate);
  state.counters["given_B"] = static_cast<double>(r.given_peak_bytes);
  state.counters["best_B"] = static_cast<double>(r.best_peak_bytes);
}

// The 64-op path (one state word): the 8-node cell, one segment of 64 ops.
void BM_OrderSearchFullDagCell8(benchmark::State& state) {
  const Graph g = FullDagCell(8);
  OrderSearchResult r;
  for (auto _ : state) {
    r = FindBestOrder(g);
    benchmark::DoNotOptimize(r.best_peak_bytes);
  }
  SetSearchCounters(state, g, r);
}
BENCHMARK(BM_OrderSearchFullDagCell8)->Unit(benchmark::kMillisecond);

// Issue 16's target: the 9-node cell (83 ops, a segment of 81: two state words) proven in 1 s.
void BM_OrderSearchNasCell9Node(benchmark::State& state) {
  const Graph g = LoadModel(std::string(OPCOST_SOURCE_DIR) + "/models/nas_cell_9node.json");
  OrderSearchResult r;
  for (auto _ : state) {
    r = FindBestOrder(g);
    benchmark::DoNotOptimize(r.best_peak_bytes);
  }
  SetSearchCounters(state, g, r);
}
BENCHMARK(BM_OrderSearchNasCell9Node)->Unit(benchmark::kMillisecond);

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
