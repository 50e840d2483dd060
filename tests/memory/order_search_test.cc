// Execution-order search (order_search.h) against hand computation and against brute force over
// every topological order of small seeded random DAGs.
#include "opcost/order_search.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <random>
#include <string>

#include "memory/test_graphs.h"
#include "opcost/builder.h"
#include "opcost/error.h"
#include "opcost/memory.h"
#include "opcost/model_io.h"

namespace opcost {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TensorId Act(Graph& g, const std::string& name, std::int64_t bytes) {
  return g.AddTensor(Tensor::Activation(name, {1, bytes}, DataType::kInt8));
}
void Op(Graph& g, const std::string& name, OpType type, std::vector<TensorId> in, TensorId out) {
  Node n;
  n.name = name;
  n.type = type;
  n.inputs = std::move(in);
  n.outputs = {out};
  g.AddNode(std::move(n));
}

// x (10 B) feeds two branches, each a big tensor (100 B) reduced to 1 B; a concat joins them.
// The given order interleaves the branches: a1 b1 a2 b2 c.
//   given:  a1: x+a1=110  b1: x+a1+b1=210  a2: a1+b1+a2=201  b2: b1+a2+b2=102  c: 1+1+2=4
//   branch by branch (a1 a2 b1 b2 c): 110, x+a1+a2=111, x+a2+b1=111, 102, 4 -> 111.
// Every order starts with a1 or b1 (110 B) and then runs either the other big op (210 B) or the
// reduction (111 B), so 111 B is the minimum; the lower bound (largest single op, 110 B) does not
// prove it, the exact search must.
Graph TwoBranches() {
  Graph g("two_branches");
  const TensorId x = Act(g, "x", 10);
  const TensorId a1 = Act(g, "a1", 100), b1 = Act(g, "b1", 100);
  const TensorId a2 = Act(g, "a2", 1), b2 = Act(g, "b2", 1), c = Act(g, "c", 2);
  g.SetInputs({x});
  Op(g, "a1", OpType::kConv2D, {x}, a1);
  Op(g, "b1", OpType::kConv2D, {x}, b1);
  Op(g, "a2", OpType::kConv2D, {a1}, a2);
  Op(g, "b2", OpType::kConv2D, {b1}, b2);
  Op(g, "c", OpType::kConcat, {a2, b2}, c);
  g.SetOutputs({c});
  return g;
}

TEST(OrderSearch, ReorderingBranchesProvablyLowersThePeak) {
  const Graph g = TwoBranches();
  const OrderSearchResult r = FindBestOrder(g);
  EXPECT_EQ(r.given_peak_bytes, 210);
  EXPECT_EQ(r.best_peak_bytes, 111);
  EXPECT_EQ(r.lower_bound_bytes, 110);
  EXPECT_TRUE(r.optimal);
  EXPECT_TRUE(r.exact_search);
  EXPECT_THAT(r.given_order, ElementsAre(0, 1, 2, 3, 4));
  MemoryOptions o;
  o.order = r.best_order;
  EXPECT_EQ(AnalyzeMemory(g, o).peak_activation_bytes, 111);
  // The best order finishes one branch before starting the other.
  const auto pos = [&](NodeId n) {
    return std::find(r.best_order.begin(), r.best_order.end(), n) - r.best_order.begin();
  };
  EXPECT_TRUE(pos(2) < pos(1) || pos(3) < pos(0));
}

TEST(OrderSearch, MatchesBruteForceOnRandomDags) {
  int searched = 0, improved = 0;
  for (std::uint32_t seed = 1; seed <= 240; ++seed) {
    const int nodes = 3 + static_cast<int>(seed % 6);  // 3..8 ops
    const Graph g = testing::RandomDag(seed, nodes);
    LivenessOptions rules;
    rules.in_place = seed % 2 == 1;
    if (seed % 3 == 0) {
      for (int i = 0; i < nodes; ++i) rules.scratch_bytes.push_back((seed * 7 + i * 13) % 40);
    }
    PeakEvaluator eval(g, rules);
    std::int64_t brute = std::numeric_limits<std::int64_t>::max();
    testing::ForEachTopologicalOrder(g, [&](const ExecutionOrder& order) {
      const std::int64_t peak = testing::PeakByDefinition(ComputeLiveness(g, order, rules));
      ASSERT_EQ(eval.PeakBytes(order), peak) << "seed " << seed;
      brute = std::min(brute, peak);
    });
    OrderSearchOptions o;
    o.rules = rules;
    const OrderSearchResult r = FindBestOrder(g, o);
    SCOPED_TRACE("seed " + std::to_string(seed));
    EXPECT_EQ(r.best_peak_bytes, brute);
    EXPECT_TRUE(r.optimal);
    EXPECT_EQ(testing::PeakByDefinition(ComputeLiveness(g, r.best_order, rules)), brute);
    EXPECT_EQ(r.given_peak_bytes, testing::PeakByDefinition(ComputeLiveness(g, {}, rules)));
    EXPECT_LE(r.lower_bound_bytes, brute);
    searched += r.exact_search ? 1 : 0;
    improved += r.best_peak_bytes < r.given_peak_bytes ? 1 : 0;
  }
  // The sample must exercise the exact search and contain orders worth improving.
  EXPECT_GT(searched, 50);
  EXPECT_GT(improved, 20);
}

// Larger graphs (9 to 11 ops, up to a few 100k orders each), scored with the evaluator, which
// the test above checks against the definition on every order.
TEST(OrderSearch, MatchesBruteForceOnLargerRandomDags) {
  for (std::uint32_t seed = 1000; seed < 1030; ++seed) {
    const int nodes = 9 + static_cast<int>(seed % 3);
    const Graph g = testing::RandomDag(seed, nodes);
    LivenessOptions rules;
    rules.in_place = seed % 2 == 0;
    PeakEvaluator eval(g, rules);
    std::int64_t brute = std::numeric_limits<std::int64_t>::max();
    testing::ForEachTopologicalOrder(
        g, [&](const ExecutionOrder& order) { brute = std::min(brute, eval.PeakBytes(order)); });
    OrderSearchOptions o;
    o.rules = rules;
    const OrderSearchResult r = FindBestOrder(g, o);
    EXPECT_EQ(r.best_peak_bytes, brute) << "seed " << seed;
    EXPECT_TRUE(r.optimal) << "seed " << seed;
  }
}

// Random topological orders of 40-op graphs: evaluator, report and definition agree.
TEST(OrderSearch, EvaluatorReportAndDefinitionAgreeOnRandomOrders) {
  std::mt19937 rng(99);
  for (std::uint32_t seed = 1; seed <= 30; ++seed) {
    const Graph g = testing::RandomDag(seed, 40);
    LivenessOptions rules;
    rules.in_place = seed % 2 == 1;
    for (int i = 0; i < 40; ++i)
      rules.scratch_bytes.push_back(static_cast<std::int64_t>(rng() % 50));
    PeakEvaluator eval(g, rules);
    // A random topological order: repeatedly pick a random ready op.
    ExecutionOrder order;
    std::vector<bool> done(40, false);
    while (order.size() < 40) {
      std::vector<NodeId> ready;
      for (NodeId v = 0; v < 40; ++v) {
        if (done[static_cast<std::size_t>(v)]) continue;
        bool ok = true;
        for (TensorId t : g.node(v).inputs) {
          const NodeId p = g.producer(t);
          if (p != kNoNode && !done[static_cast<std::size_t>(p)]) ok = false;
        }
        if (ok) ready.push_back(v);
      }
      const NodeId pick = ready[rng() % ready.size()];
      done[static_cast<std::size_t>(pick)] = true;
      order.push_back(pick);
    }
    MemoryOptions m;
    m.order = order;
    m.rules = rules;
    const std::int64_t by_definition = testing::PeakByDefinition(ComputeLiveness(g, order, rules));
    EXPECT_EQ(eval.PeakBytes(order), by_definition) << "seed " << seed;
    EXPECT_EQ(AnalyzeMemory(g, m).peak_activation_bytes, by_definition) << "seed " << seed;
    const OrderSearchResult r = FindBestOrder(g, OrderSearchOptions{order, rules});
    EXPECT_EQ(r.given_peak_bytes, by_definition);
    EXPECT_LE(r.best_peak_bytes, by_definition);
    EXPECT_GE(r.best_peak_bytes, r.lower_bound_bytes);
    EXPECT_EQ(testing::PeakByDefinition(ComputeLiveness(g, r.best_order, rules)),
              r.best_peak_bytes);
  }
}

TEST(OrderSearch, StateBoundGivesHeuristicResultNotProven) {
  OrderSearchOptions o;
  o.max_states = 1;
  const OrderSearchResult r = FindBestOrder(TwoBranches(), o);
  EXPECT_TRUE(r.exact_search);
  EXPECT_FALSE(r.optimal);
  EXPECT_EQ(r.stop_reason, OrderSearchStop::kStateBudget);
  EXPECT_LE(r.best_peak_bytes, r.given_peak_bytes);
  EXPECT_GE(r.best_peak_bytes, 111);
}

// An 80-op random DAG under a small state budget: a valid order, and a stop reason exactly when
// it is not proven.
TEST(OrderSearch, LargeGraphReturnsAValidOrder) {
  const Graph g = testing::RandomDag(4242, 80);
  OrderSearchOptions o;
  o.max_states = 20000;
  const OrderSearchResult r = FindBestOrder(g, o);
  EXPECT_LE(r.best_peak_bytes, r.given_peak_bytes);
  MemoryOptions m;
  m.order = r.best_order;
  EXPECT_EQ(AnalyzeMemory(g, m).peak_activation_bytes, r.best_peak_bytes);
  EXPECT_LE(r.states_visited, o.max_states);
  EXPECT_EQ(r.optimal, r.stop_reason == OrderSearchStop::kNone);
}

// Cell `c` of the two-branch shape, reading x: branches a and b (100 B, then 1 B each) joined
// by a concat whose output of `out_bytes` the cell returns. Tensor and op names start "c<c>_".
TensorId AddTwoBranchCell(Graph& g, int c, TensorId x, std::int64_t out_bytes) {
  std::string p = "c";
  p += std::to_string(c);
  p += '_';
  const TensorId a1 = Act(g, p + "a1", 100), b1 = Act(g, p + "b1", 100);
  const TensorId a2 = Act(g, p + "a2", 1), b2 = Act(g, p + "b2", 1);
  const TensorId y = Act(g, p + "y", out_bytes);
  Op(g, p + "a1", OpType::kConv2D, {x}, a1);
  Op(g, p + "b1", OpType::kConv2D, {x}, b1);
  Op(g, p + "a2", OpType::kConv2D, {a1}, a2);
  Op(g, p + "b2", OpType::kConv2D, {b1}, b2);
  Op(g, p + "y", OpType::kConcat, {a2, b2}, y);
  return y;
}

// Three copies of the two-branch cell in sequence, joined by 1 B tensors: 15 ops, split at the
// concats into cells searched alone. Each cell peaks at 210 B interleaved and 111 B branch by
// branch (plus the 1-2 B tensors entering from the previous cell: x is 10 B again).
Graph StackedCells(int cells) {
  Graph g("stacked");
  TensorId x = Act(g, "x0", 10);
  g.SetInputs({x});
  for (int c = 0; c < cells; ++c) {
    x = AddTwoBranchCell(g, c, x, 10);
  }
  g.SetOutputs({x});
  return g;
}

TEST(OrderSearch, StackedCellsAreSearchedCellByCell) {
  const Graph g = StackedCells(3);
  const OrderSearchResult r = FindBestOrder(g);
  EXPECT_EQ(r.given_peak_bytes, 210);
  EXPECT_EQ(r.best_peak_bytes, 111);
  EXPECT_TRUE(r.optimal);
  EXPECT_TRUE(r.exact_search);
  std::int64_t brute = std::numeric_limits<std::int64_t>::max();
  PeakEvaluator eval(g);
  testing::ForEachTopologicalOrder(
      g, [&](const ExecutionOrder& order) { brute = std::min(brute, eval.PeakBytes(order)); });
  EXPECT_EQ(brute, 111);
}

// 14 cells = 70 ops: more than the 64 ops one search state can hold, exact by segments.
TEST(OrderSearch, LongStackOfCellsStaysExact) {
  const Graph g = StackedCells(14);
  const OrderSearchResult r = FindBestOrder(g);
  EXPECT_EQ(r.best_peak_bytes, 111);
  EXPECT_TRUE(r.optimal);
  MemoryOptions m;
  m.order = r.best_order;
  EXPECT_EQ(AnalyzeMemory(g, m).peak_activation_bytes, 111);
}

// `cells` copies of the two-branch cell side by side, all reading one input x (10 B); their
// outputs (2 B each) are graph outputs, live to the end. No op is a cut: one segment of
// 5 * cells ops. Optimum 111 + 2 (cells - 1) B: at the last big op (a1 or b1) of all, x and its
// 100 B are live, its cell's other branch holds >= 1 B and every other cell >= 2 B; running the
// cells one after the other reaches that.
Graph ParallelCells(int cells) {
  Graph g("parallel");
  const TensorId x = Act(g, "x", 10);
  g.SetInputs({x});
  std::vector<TensorId> outputs;
  for (int c = 0; c < cells; ++c) {
    outputs.push_back(AddTwoBranchCell(g, c, x, 2));
  }
  g.SetOutputs(outputs);
  return g;
}

// Interleaves the cells op by op: every a1 first, then every b1, ...: a poor given order.
ExecutionOrder Interleaved(int cells) {
  ExecutionOrder order;
  for (int op = 0; op < 5; ++op) {
    for (int c = 0; c < cells; ++c) order.push_back(c * 5 + op);
  }
  return order;
}

TEST(OrderSearch, ParallelCellsMatchBruteForce) {
  const Graph g = ParallelCells(2);
  std::int64_t brute = std::numeric_limits<std::int64_t>::max();
  PeakEvaluator eval(g);
  testing::ForEachTopologicalOrder(
      g, [&](const ExecutionOrder& order) { brute = std::min(brute, eval.PeakBytes(order)); });
  EXPECT_EQ(brute, 111 + 2);
  EXPECT_EQ(FindBestOrder(g).best_peak_bytes, brute);
}

// TwoBranches with each branch continued by a relu chain of `length` 1 B ops before the concat:
// one segment of 2 * length + 5 ops. The optimum stays 111 B (the argument of TwoBranches: every
// order starts with a1 or b1 and then needs 210 B or 111 B; the chains add at most 3 B live).
Graph LongBranches(int length) {
  Graph g("long_branches");
  const TensorId x = Act(g, "x", 10);
  g.SetInputs({x});
  TensorId ends[2];
  for (int branch = 0; branch < 2; ++branch) {
    std::string p = branch == 0 ? "a" : "b";
    TensorId t = Act(g, p + "1", 100);
    Op(g, p + "1", OpType::kConv2D, {x}, t);
    const TensorId reduced = Act(g, p + "2", 1);
    Op(g, p + "2", OpType::kConv2D, {t}, reduced);
    t = reduced;
    for (int i = 0; i < length; ++i) {
      std::string name = p + "_relu";
      name += std::to_string(i);
      const TensorId next = Act(g, name, 1);
      Op(g, name, OpType::kRelu, {t}, next);
      t = next;
    }
    ends[branch] = t;
  }
  const TensorId c = Act(g, "c", 2);
  Op(g, "c", OpType::kConcat, {ends[0], ends[1]}, c);
  g.SetOutputs({c});
  return g;
}

// Segments of 75 to 505 ops: state sets of 2, 4 and 8 words, every op's bit used.
TEST(OrderSearch, SegmentsBeyond64OpsAreSearchedExactly) {
  for (int length : {35, 100, 250}) {
    SCOPED_TRACE("chains of " + std::to_string(length));
    const Graph g = LongBranches(length);
    OrderSearchOptions o;
    for (int i = 0; i < length + 2; ++i) {  // interleaved: a1 b1 a2 b2 ...
      o.order.push_back(i);
      o.order.push_back(length + 2 + i);
    }
    o.order.push_back(2 * length + 4);
    const OrderSearchResult r = FindBestOrder(g, o);
    EXPECT_EQ(r.given_peak_bytes, 210);
    EXPECT_EQ(r.best_peak_bytes, 111);
    EXPECT_EQ(r.lower_bound_bytes, 110);
    EXPECT_TRUE(r.optimal);
    EXPECT_TRUE(r.exact_search);
    EXPECT_EQ(r.stop_reason, OrderSearchStop::kNone);
    EXPECT_EQ(PeakEvaluator(g).PeakBytes(r.best_order), 111);
  }
}

// The 9-node NAS cell of issue 16: 83 ops, one segment of 81.
TEST(OrderSearch, NineNodeNasCellIsProvenOptimal) {
  const Graph g = LoadModel(std::string(OPCOST_SOURCE_DIR) + "/models/nas_cell_9node.json");
  ASSERT_EQ(g.nodes().size(), 83u);
  const OrderSearchResult r = FindBestOrder(g);
  EXPECT_TRUE(r.exact_search);
  EXPECT_TRUE(r.optimal);
  EXPECT_EQ(r.stop_reason, OrderSearchStop::kNone);
  EXPECT_GT(r.best_peak_bytes, r.lower_bound_bytes);  // proven by the search, not the bound
  EXPECT_GT(r.states_visited, 0);
  MemoryOptions m;
  m.order = r.best_order;
  EXPECT_EQ(AnalyzeMemory(g, m).peak_activation_bytes, r.best_peak_bytes);
}

TEST(OrderSearch, StateBudgetStopIsReported) {
  OrderSearchOptions o;
  o.order = Interleaved(13);
  o.max_states = 1000;
  const OrderSearchResult r = FindBestOrder(ParallelCells(13), o);
  EXPECT_TRUE(r.exact_search);
  EXPECT_FALSE(r.optimal);
  EXPECT_EQ(r.stop_reason, OrderSearchStop::kStateBudget);
  EXPECT_EQ(r.states_visited, 1000);
  EXPECT_LT(r.best_peak_bytes, r.given_peak_bytes);  // the greedy orders still help
}

// 40 side-by-side cells take far more than a millisecond to prove: the time budget stops the
// search (no timing is asserted, only that it returns unproven for that reason).
TEST(OrderSearch, TimeBudgetStopIsReported) {
  OrderSearchOptions o;
  o.order = Interleaved(40);
  o.max_seconds = 1e-3;
  o.max_states = std::int64_t{1} << 26;
  const OrderSearchResult r = FindBestOrder(ParallelCells(40), o);
  EXPECT_FALSE(r.optimal);
  EXPECT_EQ(r.stop_reason, OrderSearchStop::kTimeBudget);
  EXPECT_LT(r.states_visited, o.max_states);
  EXPECT_EQ(PeakEvaluator(ParallelCells(40)).PeakBytes(r.best_order), r.best_peak_bytes);
}

TEST(OrderSearch, SegmentOverTheWidestStateIsLeftToTheHeuristic) {
  const Graph g = ParallelCells(103);  // one segment of 515 ops
  const OrderSearchResult r = FindBestOrder(g);
  EXPECT_FALSE(r.exact_search);
  EXPECT_FALSE(r.optimal);
  EXPECT_EQ(r.stop_reason, OrderSearchStop::kSegmentTooLarge);
  EXPECT_EQ(r.states_visited, 0);
  EXPECT_EQ(PeakEvaluator(g).PeakBytes(r.best_order), r.best_peak_bytes);
}

TEST(OrderSearch, StopReasonsHaveStableNames) {
  EXPECT_STREQ(OrderSearchStopName(OrderSearchStop::kNone), "none");
  EXPECT_STREQ(OrderSearchStopName(OrderSearchStop::kStateBudget), "state_budget");
  EXPECT_STREQ(OrderSearchStopName(OrderSearchStop::kTimeBudget), "time_budget");
  EXPECT_STREQ(OrderSearchStopName(OrderSearchStop::kSegmentTooLarge), "segment_too_large");
}

TEST(OrderSearch, ChainIsOptimalByLowerBound) {
  GraphBuilder b("chain");
  TensorId x = b.Input("x", {1, 8, 8, 4});
  ConvOptions c;
  c.kernel_h = c.kernel_w = 3;
  c.filters = 8;
  x = b.Conv2D("c1", x, c);
  c.filters = 4;
  x = b.Conv2D("c2", x, c);
  const Graph g = b.Build();
  const OrderSearchResult r = FindBestOrder(g);
  EXPECT_TRUE(r.optimal);
  EXPECT_EQ(r.best_peak_bytes, 8 * 8 * 4 + 8 * 8 * 8);
  EXPECT_EQ(r.best_peak_bytes, r.lower_bound_bytes);
}

TEST(OrderSearch, BundledNasCellSearchIsExact) {
  const Graph g = LoadModel(std::string(OPCOST_SOURCE_DIR) + "/models/nas_cell.json");
  const OrderSearchResult r = FindBestOrder(g);
  EXPECT_TRUE(r.exact_search);
  EXPECT_TRUE(r.optimal);
  EXPECT_LE(r.best_peak_bytes, r.given_peak_bytes);
  MemoryOptions m;
  m.order = r.best_order;
  EXPECT_EQ(AnalyzeMemory(g, m).peak_activation_bytes, r.best_peak_bytes);
}

TEST(OrderSearch, RejectsNonPositiveStateBound) {
  OrderSearchOptions o;
  o.max_states = 0;
  try {
    FindBestOrder(TwoBranches(), o);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_THAT(e.what(), HasSubstr("max_states must be >= 1 (got 0)"));
  }
}

TEST(OrderSearch, RejectsNegativeOrNanTimeBudget) {
  for (double seconds : {-1.0, std::numeric_limits<double>::quiet_NaN()}) {
    OrderSearchOptions o;
    o.max_seconds = seconds;
    try {
      FindBestOrder(TwoBranches(), o);
      ADD_FAILURE() << seconds;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
      EXPECT_THAT(e.what(), HasSubstr("max_seconds must be >= 0"));
    }
  }
}

TEST(OrderSearch, HugeTimeBudgetIsNoBudget) {
  for (double seconds : {1e300, std::numeric_limits<double>::infinity()}) {
    OrderSearchOptions o;
    o.max_seconds = seconds;
    const OrderSearchResult r = FindBestOrder(TwoBranches(), o);
    EXPECT_TRUE(r.optimal);
    EXPECT_EQ(r.best_peak_bytes, 111);
  }
}

TEST(OrderSearch, RejectsInvalidGivenOrder) {
  OrderSearchOptions o;
  o.order = {2, 0, 1, 3, 4};
  try {
    FindBestOrder(TwoBranches(), o);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_THAT(e.what(), HasSubstr("runs op 'a2' (#2) before op 'a1' (#0)"));
  }
}

}  // namespace
}  // namespace opcost
