// Liveness rules (liveness.h) on hand-computed graphs, and the published tflite-tools example.
#include "opcost/liveness.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "memory/test_graphs.h"
#include "opcost/error.h"
#include "opcost/memory.h"
#include "opcost/model_io.h"

namespace opcost {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A tiny graph built op by op with int8 [1, bytes] tensors, so byte counts are the shapes.
class Net {
 public:
  Net() : g_("net") {}
  TensorId Input(const std::string& name, std::int64_t bytes) {
    const TensorId t = g_.AddTensor(Tensor::Activation(name, {1, bytes}, DataType::kInt8));
    inputs_.push_back(t);
    g_.SetInputs(inputs_);
    return t;
  }
  TensorId Op(const std::string& name, OpType type, std::vector<TensorId> in, std::int64_t bytes) {
    const TensorId out = g_.AddTensor(Tensor::Activation(name, {1, bytes}, DataType::kInt8));
    Node n;
    n.name = name;
    n.type = type;
    n.inputs = std::move(in);
    n.outputs = {out};
    g_.AddNode(std::move(n));
    return out;
  }
  TensorId Weights(const std::string& name, std::int64_t bytes) {
    Tensor t = Tensor::Constant(name, {bytes}, DataType::kInt8);
    return g_.AddTensor(t);
  }
  Graph& g() { return g_; }

 private:
  Graph g_;
  std::vector<TensorId> inputs_;
};

std::vector<std::int64_t> StepTotals(const Graph& g, const MemoryOptions& o = {}) {
  std::vector<std::int64_t> v;
  for (const MemoryStep& s : AnalyzeMemory(g, o).steps) v.push_back(s.total_bytes);
  return v;
}

// ---------------------------------------------------------------------------------------------
// ../shared/measured/tflite_tools_example_peak_memory.csv: per-operator working set and the
// 26,944 B peak printed by tflite-tools for its example CNN (models/tflite_tools_example.json).

struct CsvStep {
  std::string name;
  std::vector<std::string> tensors;
  std::int64_t bytes;
};

// Splits one CSV line honouring double quotes.
std::vector<std::string> SplitCsv(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '"') {
      if (quoted && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else {
        quoted = !quoted;
      }
    } else if (c == ',' && !quoted) {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

TEST(Liveness, ReproducesTfliteToolsExampleWorkingSets) {
  std::ifstream in(std::string(OPCOST_SHARED_DIR) +
                   "/measured/tflite_tools_example_peak_memory.csv");
  ASSERT_TRUE(in) << "missing shared/measured/tflite_tools_example_peak_memory.csv";
  std::string line;
  std::getline(in, line);                          // header
  std::map<std::string, std::string> tensor_name;  // tool's tensor id -> name
  std::vector<CsvStep> steps;
  std::int64_t published_peak = -1;
  while (std::getline(in, line)) {
    const std::vector<std::string> f = SplitCsv(line);
    ASSERT_GE(f.size(), 5u) << line;
    if (f[0] == "tensor") tensor_name[f[1]] = f[2];
    if (f[0] == "peak") published_peak = std::stoll(f[4]);
    if (f[0] == "schedule_step") {
      CsvStep s{f[2], {}, std::stoll(f[4])};
      std::string ids = f[3];  // "[1, 2]"
      for (char& c : ids) {
        if (c == '[' || c == ']' || c == ',') c = ' ';
      }
      std::istringstream is(ids);
      std::string id;
      while (is >> id) s.tensors.push_back(id);
      steps.push_back(s);
    }
  }
  ASSERT_EQ(published_peak, 26944);
  ASSERT_EQ(steps.size(), 6u);

  const Graph g = LoadModel(std::string(OPCOST_SOURCE_DIR) + "/models/tflite_tools_example.json");
  const MemoryReport r = AnalyzeMemory(g);
  ASSERT_EQ(r.steps.size(), steps.size());
  for (std::size_t s = 0; s < steps.size(); ++s) {
    SCOPED_TRACE(steps[s].name);
    EXPECT_EQ(g.node(r.steps[s].node).name, steps[s].name);
    EXPECT_EQ(r.steps[s].total_bytes, steps[s].bytes);
    std::vector<std::string> ours, theirs;
    for (TensorId t : r.steps[s].live_tensors) ours.push_back(g.tensor(t).name);
    for (const std::string& id : steps[s].tensors) theirs.push_back(tensor_name.at(id));
    std::sort(ours.begin(), ours.end());
    std::sort(theirs.begin(), theirs.end());
    EXPECT_EQ(ours, theirs);
  }
  EXPECT_EQ(r.peak_activation_bytes, published_peak);
  EXPECT_EQ(g.node(r.peak_node).name, "Conv2/Relu");
  EXPECT_EQ(r.peak_step, 1);
}

// ---------------------------------------------------------------------------------------------

TEST(Liveness, InputsLiveFromStartOutputsToEndInclusive) {
  Net n;
  const TensorId x = n.Input("x", 100);
  const TensorId a = n.Op("a", OpType::kConv2D, {x, n.Weights("w", 9)}, 40);
  const TensorId b = n.Op("b", OpType::kRelu, {a}, 40);
  const TensorId c = n.Op("c", OpType::kConv2D, {b}, 10);
  n.g().SetOutputs({a, c});  // a is read by b and also a graph output
  const Liveness l = ComputeLiveness(n.g());
  ASSERT_EQ(l.tensors.size(), 4u);  // the constant has no lifetime
  EXPECT_EQ(l.tensors[0].tensor, x);
  EXPECT_EQ(l.tensors[0].first_step, 0);
  EXPECT_EQ(l.tensors[0].last_step, 0);
  const TensorLifetime& la = l.tensors[1];
  EXPECT_EQ(la.tensor, a);
  EXPECT_EQ(la.first_step, 0);
  EXPECT_EQ(la.last_step, 2);  // graph output: to the last step
  EXPECT_EQ(l.tensors[2].first_step, 1);
  EXPECT_EQ(l.tensors[2].last_step, 2);
  EXPECT_EQ(l.tensors[3].first_step, 2);
  EXPECT_EQ(l.tensors[3].last_step, 2);
  // Steps: x+a = 140; a+b = 80; a+b+c = 90.
  EXPECT_THAT(StepTotals(n.g()), ElementsAre(140, 80, 90));
  EXPECT_EQ(LiveBytesAt(l, 2), 90);
}

TEST(Liveness, UnreadTensorLivesOnlyAtItsProducerStep) {
  Net n;
  const TensorId x = n.Input("x", 10);
  const TensorId a = n.Op("a", OpType::kConv2D, {x}, 20);
  n.Op("dead", OpType::kConv2D, {a}, 1000);  // nobody reads it; not a graph output
  const TensorId c = n.Op("c", OpType::kConv2D, {a}, 5);
  n.g().SetOutputs({c});
  // Steps: x+a=30; a+dead=1020; a+c=25.
  EXPECT_THAT(StepTotals(n.g()), ElementsAre(30, 1020, 25));
}

TEST(Liveness, ReshapeAndFlattenShareTheirInputBuffer) {
  Net n;
  const TensorId x = n.Input("x", 10);
  const TensorId a = n.Op("a", OpType::kConv2D, {x}, 100);
  const TensorId r = n.Op("r", OpType::kReshape, {a, n.Weights("shape", 2)}, 100);
  const TensorId f = n.Op("f", OpType::kFlatten, {r}, 100);
  const TensorId c = n.Op("c", OpType::kConv2D, {f, a}, 7);  // reads the alias and the original
  n.g().SetOutputs({c});
  const Liveness l = ComputeLiveness(n.g());
  // x; {a, r, f}; c.
  ASSERT_EQ(l.buffers.size(), 3u);
  EXPECT_THAT(l.buffers[1].tensors, ElementsAre(a, r, f));
  EXPECT_EQ(l.buffers[1].first_step, 0);
  EXPECT_EQ(l.buffers[1].last_step, 3);
  EXPECT_EQ(l.buffers[1].size_bytes, 100);
  // Steps: x+a=110; a/r=100; r/f=100; f/a+c=107.
  EXPECT_THAT(StepTotals(n.g()), ElementsAre(110, 100, 100, 107));
}

TEST(Liveness, InPlaceIsOffByDefaultAndUsesDyingInputWhenOn) {
  Net n;
  const TensorId x = n.Input("x", 10);
  const TensorId a = n.Op("a", OpType::kConv2D, {x}, 100);
  const TensorId b = n.Op("b", OpType::kRelu, {a}, 100);
  const TensorId c = n.Op("c", OpType::kConv2D, {b}, 100);
  const TensorId d = n.Op("d", OpType::kAdd, {c, b}, 100);  // b dies here, c too
  n.g().SetOutputs({d});
  EXPECT_THAT(StepTotals(n.g()), ElementsAre(110, 200, 200, 300));
  MemoryOptions o;
  o.rules.in_place = true;
  // relu into a (a dies at b); add into c (first dying input of the right size).
  EXPECT_THAT(StepTotals(n.g(), o), ElementsAre(110, 100, 200, 200));
  const Liveness l = ComputeLiveness(n.g(), {}, o.rules);
  EXPECT_THAT(l.in_place, ElementsAre(false, true, false, true));
  ASSERT_EQ(l.buffers.size(), 3u);  // x; {a, b}; {c, d}
  EXPECT_THAT(l.buffers[1].tensors, ElementsAre(a, b));
  EXPECT_THAT(l.buffers[2].tensors, ElementsAre(c, d));
}

TEST(Liveness, InPlaceNeedsAnInputThatDiesAndIsNotAGraphOutput) {
  Net n;
  const TensorId x = n.Input("x", 10);
  const TensorId a = n.Op("a", OpType::kConv2D, {x}, 100);
  const TensorId b = n.Op("b", OpType::kRelu, {a}, 100);     // a still read by e: not in place
  const TensorId c = n.Op("c", OpType::kSigmoid, {b}, 100);  // b is a graph output: not in place
  const TensorId d = n.Op("d", OpType::kRelu, {c}, 50);      // other size: not in place
  const TensorId e = n.Op("e", OpType::kAdd, {a, d}, 100);   // a dies here: in place
  n.g().SetOutputs({b, e});
  LivenessOptions o;
  o.in_place = true;
  const Liveness l = ComputeLiveness(n.g(), {}, o);
  EXPECT_THAT(l.in_place, ElementsAre(false, false, false, false, true));
}

TEST(Liveness, ScratchCountsAtItsNodesStepInAnyOrder) {
  Net n;
  const TensorId x = n.Input("x", 10);
  const TensorId a = n.Op("a", OpType::kConv2D, {x}, 20);
  const TensorId b = n.Op("b", OpType::kConv2D, {x}, 30);
  n.Op("c", OpType::kAdd, {a, b}, 20);
  MemoryOptions o;
  o.rules.scratch_bytes = {1, 2, 4};  // by node id
  o.order = {1, 0, 2};
  // Steps: b first: x+b+2=42; x+b+a+1=61; a+b+c+4=74.
  EXPECT_THAT(StepTotals(n.g(), o), ElementsAre(42, 61, 74));
  const Liveness l = ComputeLiveness(n.g(), o.order, o.rules);
  EXPECT_THAT(l.scratch_bytes, ElementsAre(2, 1, 4));
}

TEST(Liveness, UnreadGraphInputLivesAtStepZeroOnly) {
  Net n;
  const TensorId x = n.Input("x", 10);
  n.Input("unused", 1000);
  const TensorId a = n.Op("a", OpType::kConv2D, {x}, 20);
  n.Op("b", OpType::kConv2D, {a}, 30);
  EXPECT_THAT(StepTotals(n.g()), ElementsAre(1030, 50));
}

TEST(Liveness, RandomGraphsBuffersCoverExactlyTheirTensors) {
  for (std::uint32_t seed = 1; seed <= 50; ++seed) {
    const Graph g = testing::RandomDag(seed, 12);
    LivenessOptions o;
    o.in_place = seed % 2 == 0;
    const Liveness l = ComputeLiveness(g, {}, o);
    std::vector<int> seen(g.tensors().size(), 0);
    for (std::size_t b = 0; b < l.buffers.size(); ++b) {
      std::int32_t first = 1 << 30, last = -1;
      for (TensorId t : l.buffers[b].tensors) ++seen[static_cast<std::size_t>(t)];
      for (const TensorLifetime& t : l.tensors) {
        if (t.buffer != static_cast<std::int32_t>(b)) continue;
        first = std::min(first, t.first_step);
        last = std::max(last, t.last_step);
        EXPECT_LE(t.size_bytes, l.buffers[b].size_bytes);
      }
      // A buffer's lifetime is the union of its tensors' lifetimes.
      EXPECT_EQ(l.buffers[b].first_step, first) << "seed " << seed;
      EXPECT_EQ(l.buffers[b].last_step, last) << "seed " << seed;
    }
    for (const TensorLifetime& t : l.tensors)
      EXPECT_EQ(seen[static_cast<std::size_t>(t.tensor)], 1);
  }
}

// ---------------------------------------------------------------------------------------------
// Rejections.

template <typename F>
void ExpectError(F f, ErrorCode code, const std::string& substring) {
  try {
    f();
    ADD_FAILURE() << "expected an error containing '" << substring << "'";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    EXPECT_THAT(e.what(), HasSubstr(substring));
  }
}

Graph ThreeOps() {
  Net n;
  const TensorId x = n.Input("x", 10);
  const TensorId a = n.Op("a", OpType::kConv2D, {x}, 20);
  const TensorId b = n.Op("b", OpType::kConv2D, {a}, 30);
  n.Op("c", OpType::kAdd, {a, b}, 20);
  return n.g();
}

TEST(Liveness, RejectsGraphWithoutOps) {
  Graph g("empty");
  ExpectError([&] { ComputeLiveness(g); }, ErrorCode::kInvalidArgument, "has no ops");
}

TEST(Liveness, RejectsOrderOfWrongLength) {
  ExpectError(
      [&] {
        ComputeLiveness(ThreeOps(), {0, 1});
      },
      ErrorCode::kInvalidArgument, "each of the 3 ops once (got 2 entries)");
}

TEST(Liveness, RejectsOrderWithUnknownOp) {
  ExpectError(
      [&] {
        ComputeLiveness(ThreeOps(), {0, 1, 7});
      },
      ErrorCode::kInvalidArgument, "step 2 names op #7");
}

TEST(Liveness, RejectsOrderWithRepeatedOp) {
  ExpectError(
      [&] {
        ComputeLiveness(ThreeOps(), {0, 1, 1});
      },
      ErrorCode::kInvalidArgument, "op 'b' (#1) appears twice");
}

TEST(Liveness, RejectsOrderThatIsNotTopological) {
  ExpectError(
      [&] {
        ComputeLiveness(ThreeOps(), {0, 2, 1});
      },
      ErrorCode::kInvalidArgument,
      "step 1 runs op 'c' (#2) before op 'b' (#1), which produces its input 'b'");
}

TEST(Liveness, RejectsScratchOfWrongSize) {
  LivenessOptions o;
  o.scratch_bytes = {1, 2};
  ExpectError([&] { ComputeLiveness(ThreeOps(), {}, o); }, ErrorCode::kInvalidArgument,
              "one entry per op (got 2 for 3 ops)");
}

TEST(Liveness, RejectsNegativeScratch) {
  LivenessOptions o;
  o.scratch_bytes = {1, -2, 3};
  ExpectError([&] { ComputeLiveness(ThreeOps(), {}, o); }, ErrorCode::kInvalidArgument,
              "op 'b' (#1): scratch bytes must be >= 0 (got -2)");
}

TEST(Liveness, RejectsActivationThatNobodyProduces) {
  Graph g("dangling");
  const TensorId x = g.AddTensor(Tensor::Activation("x", {1, 4}, DataType::kInt8));
  const TensorId ghost = g.AddTensor(Tensor::Activation("ghost", {1, 4}, DataType::kInt8));
  const TensorId y = g.AddTensor(Tensor::Activation("y", {1, 4}, DataType::kInt8));
  g.SetInputs({x});
  Node n;
  n.name = "add";
  n.type = OpType::kAdd;
  n.inputs = {x, ghost};
  n.outputs = {y};
  g.AddNode(n);
  ExpectError([&] { ComputeLiveness(g); }, ErrorCode::kInvalidGraph,
              "activation 'ghost' is used but neither produced");
}

TEST(Liveness, RejectsBytesBeyondInt64) {
  Net n;
  const TensorId x = n.Input("x", std::int64_t{1} << 62);
  n.Op("a", OpType::kConv2D, {x}, std::int64_t{1} << 62);
  LivenessOptions o;
  o.scratch_bytes = {std::int64_t{1} << 62};
  ExpectError([&] { ComputeLiveness(n.g(), {}, o); }, ErrorCode::kOverflow,
              "activation and scratch bytes of graph 'net'");
}

}  // namespace
}  // namespace opcost
