// Graphs and oracles shared by the memory tests: seeded random DAGs (built directly on Graph, with
// tensor sizes chosen freely since only bytes matter here), a brute force over all topological
// orders, and the peak computed straight from the definition (sum of the buffers whose inclusive
// lifetime covers the step, plus that step's scratch).
#ifndef OPCOST_TESTS_MEMORY_TEST_GRAPHS_H_
#define OPCOST_TESTS_MEMORY_TEST_GRAPHS_H_

#include <algorithm>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "opcost/graph.h"
#include "opcost/liveness.h"

namespace opcost::testing {

// A random DAG of `num_nodes` ops over 1-2 graph inputs. Ops: conv2d (with a constant weight
// input), relu (same size), add (two inputs, the first one's size), concat (sum of sizes),
// reshape (alias). Tensors are int8 [1, k] with k a multiple of 16.
inline Graph RandomDag(std::uint32_t seed, int num_nodes) {
  std::mt19937 rng(seed);
  auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  Graph g("random_" + std::to_string(seed));
  std::vector<TensorId> acts;
  const int num_inputs = uniform(1, 2);
  std::vector<TensorId> inputs;
  for (int i = 0; i < num_inputs; ++i) {
    const TensorId t = g.AddTensor(
        Tensor::Activation("in" + std::to_string(i), {1, 16 * uniform(1, 8)}, DataType::kInt8));
    inputs.push_back(t);
    acts.push_back(t);
  }
  g.SetInputs(inputs);
  auto pick = [&]() {
    // Prefer recent tensors so chains form, but reach back for skip edges.
    const int n = static_cast<int>(acts.size());
    const int back = std::min(n - 1, uniform(0, 1) == 0 ? uniform(0, 1) : uniform(0, n - 1));
    return acts[static_cast<std::size_t>(n - 1 - back)];
  };
  for (int i = 0; i < num_nodes; ++i) {
    Node node;
    node.name = "op" + std::to_string(i);
    const int kind = uniform(0, 9);
    std::int64_t out_elems = 0;
    const TensorId a = pick();
    const std::int64_t a_elems = g.tensor(a).shape.NumElements();
    if (kind <= 2) {  // conv
      node.type = OpType::kConv2D;
      node.inputs = {
          a, g.AddTensor(Tensor::Constant(node.name + "/weights", {4, 4}, DataType::kInt8))};
      out_elems = 16 * uniform(1, 8);
    } else if (kind <= 4) {
      node.type = OpType::kRelu;
      node.inputs = {a};
      out_elems = a_elems;
    } else if (kind <= 6) {
      node.type = OpType::kAdd;
      node.inputs = {a, pick()};
      out_elems = a_elems;
    } else if (kind <= 8) {
      node.type = OpType::kConcat;
      node.inputs = {a, pick()};
      if (uniform(0, 1) == 1) node.inputs.push_back(pick());
      for (TensorId t : node.inputs) out_elems += g.tensor(t).shape.NumElements();
    } else {
      node.type = OpType::kReshape;
      node.inputs = {a};
      out_elems = a_elems;
    }
    const TensorId out =
        g.AddTensor(Tensor::Activation(node.name, {1, out_elems}, DataType::kInt8));
    node.outputs = {out};
    g.AddNode(std::move(node));
    acts.push_back(out);
  }
  // Outputs: every activation no op reads, and sometimes one more that is also read.
  std::vector<bool> read(g.tensors().size(), false);
  for (const Node& n : g.nodes()) {
    for (TensorId t : n.inputs) read[static_cast<std::size_t>(t)] = true;
  }
  std::vector<TensorId> outputs;
  for (TensorId t : acts) {
    if (!read[static_cast<std::size_t>(t)] && g.producer(t) != kNoNode) outputs.push_back(t);
  }
  if (uniform(0, 2) == 0) {
    const TensorId extra = acts[static_cast<std::size_t>(uniform(num_inputs, num_nodes))];
    if (std::find(outputs.begin(), outputs.end(), extra) == outputs.end()) {
      outputs.push_back(extra);
    }
  }
  g.SetOutputs(outputs);
  g.Validate();
  return g;
}

// Peak from the definition, over a Liveness.
inline std::int64_t PeakByDefinition(const Liveness& l) {
  std::int64_t peak = 0;
  for (std::int32_t s = 0; s < l.num_steps(); ++s) {
    std::int64_t bytes = l.scratch_bytes[static_cast<std::size_t>(s)];
    for (const BufferLifetime& b : l.buffers) {
      if (b.first_step <= s && s <= b.last_step) bytes += b.size_bytes;
    }
    peak = std::max(peak, bytes);
  }
  return peak;
}

// Calls `visit` with every topological order of `g`.
inline void ForEachTopologicalOrder(const Graph& g,
                                    const std::function<void(const ExecutionOrder&)>& visit) {
  const auto n = static_cast<NodeId>(g.nodes().size());
  std::vector<std::vector<NodeId>> preds(static_cast<std::size_t>(n));
  for (NodeId v = 0; v < n; ++v) {
    for (TensorId t : g.node(v).inputs) {
      if (g.producer(t) != kNoNode) preds[static_cast<std::size_t>(v)].push_back(g.producer(t));
    }
  }
  std::vector<bool> done(static_cast<std::size_t>(n), false);
  ExecutionOrder order;
  std::function<void()> rec = [&]() {
    if (static_cast<NodeId>(order.size()) == n) {
      visit(order);
      return;
    }
    for (NodeId v = 0; v < n; ++v) {
      if (done[static_cast<std::size_t>(v)]) continue;
      bool ready = true;
      for (NodeId p : preds[static_cast<std::size_t>(v)])
        ready = ready && done[static_cast<std::size_t>(p)];
      if (!ready) continue;
      done[static_cast<std::size_t>(v)] = true;
      order.push_back(v);
      rec();
      order.pop_back();
      done[static_cast<std::size_t>(v)] = false;
    }
  };
  rec();
}

}  // namespace opcost::testing

#endif  // OPCOST_TESTS_MEMORY_TEST_GRAPHS_H_
