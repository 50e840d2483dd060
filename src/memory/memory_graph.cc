#include "memory/memory_graph.h"

#include <algorithm>
#include <numeric>
#include <string>

#include "core/op_registry.h"
#include "opcost/error.h"
#include "opcost/types.h"

namespace opcost::detail {
namespace {

[[noreturn]] void ArgFail(const std::string& message) {
  throw Error(ErrorCode::kInvalidArgument, message);
}

// Appends `v` to the CSR row being built (from `row_begin`) unless it is already there.
void PushUnique(std::vector<std::int32_t>& list, std::size_t row_begin, std::int32_t v) {
  for (std::size_t i = row_begin; i < list.size(); ++i) {
    if (list[i] == v) return;
  }
  list.push_back(v);
}

std::string Label(const Graph& g, NodeId n) {
  return "op '" + g.node(n).name + "' (#" + std::to_string(n) + ")";
}

void CheckOptions(const Graph& graph, const LivenessOptions& options) {
  const auto num_nodes = static_cast<std::int32_t>(graph.nodes().size());
  if (num_nodes == 0) {
    ArgFail("cannot analyse memory of graph '" + graph.name() + "': it has no ops");
  }
  if (options.scratch_bytes.empty()) return;
  if (options.scratch_bytes.size() != static_cast<std::size_t>(num_nodes)) {
    ArgFail("cannot analyse memory of graph '" + graph.name() +
            "': scratch_bytes must have one entry per op (got " +
            std::to_string(options.scratch_bytes.size()) + " for " + std::to_string(num_nodes) +
            " ops)");
  }
  for (NodeId n = 0; n < num_nodes; ++n) {
    if (options.scratch_bytes[n] < 0) {
      ArgFail("cannot analyse memory of " + Label(graph, n) +
              ": scratch bytes must be >= 0 (got " + std::to_string(options.scratch_bytes[n]) +
              ")");
    }
  }
}

using Activations = MemoryGraph::BuildScratch;

// Per tensor: which are activations the graph uses, and their roles.
void FindActivations(const Graph& graph, Activations& a) {
  const auto num_tensors = static_cast<std::int32_t>(graph.tensors().size());
  a.used.assign(num_tensors, 0);
  a.is_input.assign(num_tensors, 0);
  a.is_output.assign(num_tensors, 0);
  a.is_alias.assign(num_tensors, 0);
  for (TensorId t : graph.inputs()) a.used[t] = a.is_input[t] = 1;
  for (TensorId t : graph.outputs()) a.used[t] = a.is_output[t] = 1;
  for (const Node& node : graph.nodes()) {
    for (TensorId t : node.inputs) a.used[t] = 1;
    for (TensorId t : node.outputs) a.used[t] = 1;
  }
  for (TensorId t = 0; t < num_tensors; ++t) {
    if (graph.tensor(t).is_constant) a.used[t] = 0;
  }
  for (TensorId t = 0; t < num_tensors; ++t) {
    if (a.used[t] && !a.is_input[t] && graph.producer(t) == kNoNode) {
      throw Error(ErrorCode::kInvalidGraph, "cannot analyse memory of graph '" + graph.name() +
                                                "': activation '" + graph.tensor(t).name +
                                                "' is used but neither produced by an op nor a " +
                                                "graph input");
    }
  }
}

// Alias groups: the output of an alias op (reshape, flatten) joins its (activation) input.
// Fills the per-group and per-tensor tables of `m`; marks `a.is_alias`.
void FormAliasGroups(const Graph& graph, Activations& a, MemoryGraph& m) {
  const auto num_tensors = static_cast<std::int32_t>(graph.tensors().size());
  std::vector<std::int32_t>& parent = a.parent;
  parent.resize(static_cast<std::size_t>(num_tensors));
  std::iota(parent.begin(), parent.end(), 0);
  for (const Node& node : graph.nodes()) {
    if (!GetOpInfo(node.type).alias || node.inputs.empty() || node.outputs.size() != 1) continue;
    const TensorId in = node.inputs[0];
    if (graph.tensor(in).is_constant) continue;
    const TensorId out = node.outputs[0];
    a.is_alias[out] = 1;
    parent[Find(parent, out)] = Find(parent, in);
  }
  m.tensor_group.assign(num_tensors, -1);
  std::vector<std::int32_t>& group_of_root = a.group_of_root;
  group_of_root.assign(num_tensors, -1);
  m.group_size.reserve(static_cast<std::size_t>(num_tensors));
  m.group_pinned.reserve(static_cast<std::size_t>(num_tensors));
  m.group_birth_node.reserve(static_cast<std::size_t>(num_tensors));
  for (TensorId t = 0; t < num_tensors; ++t) {
    if (!a.used[t]) continue;
    const std::int32_t r = Find(parent, t);
    if (group_of_root[r] < 0) {
      group_of_root[r] = m.num_groups++;
      m.group_size.push_back(0);
      m.group_pinned.push_back(0);
      m.group_birth_node.push_back(kNoNode);
    }
    const std::int32_t g = group_of_root[r];
    m.tensor_group[t] = g;
    m.group_size[g] = std::max(m.group_size[g], graph.tensor(t).SizeBytes());
    if (a.is_output[t]) m.group_pinned[g] = 1;
    if (!a.is_alias[t]) m.group_birth_node[g] = graph.producer(t);
  }
}

// Per node rows, reserved at their bounds: growing them by push_back reallocated ~60 times
// per graph, a tenth of a NAS loop's allocations.
void ReserveNodeRows(const Graph& graph, MemoryGraph& m) {
  std::size_t edges = 0;
  for (const Node& node : graph.nodes()) edges += node.inputs.size();
  for (auto* row : {&m.in_begin, &m.out_begin, &m.pred_begin, &m.inplace_begin}) {
    row->reserve(static_cast<std::size_t>(m.num_nodes) + 1);
  }
  m.in_groups.reserve(edges);
  m.preds.reserve(edges);
  m.pred_tensor.reserve(edges);
  m.out_groups.reserve(static_cast<std::size_t>(m.num_nodes));
  m.in_begin.push_back(0);
  m.out_begin.push_back(0);
  m.pred_begin.push_back(0);
  m.inplace_begin.push_back(0);
}

// Appends node `n`'s rows: the groups it reads (and their producers), the groups it creates,
// its in-place candidates.
void AddNodeRows(const Graph& graph, NodeId n, const Activations& a,
                 const LivenessOptions& options, MemoryGraph& m) {
  const Node& node = graph.node(n);
  const std::size_t in_row = m.in_groups.size();
  for (TensorId t : node.inputs) {
    if (!a.used[t]) continue;
    PushUnique(m.in_groups, in_row, m.tensor_group[t]);
    const NodeId p = graph.producer(t);
    if (p != kNoNode) {
      const std::size_t before = m.preds.size();
      PushUnique(m.preds, static_cast<std::size_t>(m.pred_begin.back()), p);
      if (m.preds.size() != before) m.pred_tensor.push_back(t);
    }
  }
  for (std::size_t i = in_row; i < m.in_groups.size(); ++i) ++m.group_consumers[m.in_groups[i]];
  const std::size_t out_row = m.out_groups.size();
  for (TensorId t : node.outputs) {
    if (a.used[t] && !a.is_alias[t]) PushUnique(m.out_groups, out_row, m.tensor_group[t]);
  }
  if (options.in_place && GetOpInfo(node.type).in_place && m.out_groups.size() == out_row + 1) {
    const std::int32_t o = m.out_groups[out_row];
    for (std::size_t i = in_row; i < m.in_groups.size(); ++i) {
      const std::int32_t g = m.in_groups[i];
      if (g != o && m.group_size[g] == m.group_size[o] && !m.group_pinned[g]) {
        m.inplace_groups.push_back(g);
      }
    }
  }
  if (!options.scratch_bytes.empty()) m.scratch[n] = options.scratch_bytes[n];
  m.in_begin.push_back(static_cast<std::int32_t>(m.in_groups.size()));
  m.out_begin.push_back(static_cast<std::int32_t>(m.out_groups.size()));
  m.pred_begin.push_back(static_cast<std::int32_t>(m.preds.size()));
  m.inplace_begin.push_back(static_cast<std::int32_t>(m.inplace_groups.size()));
}

// Every partial sum the evaluators form is bounded by this total: check it once here.
void CheckTotalBytes(const Graph& graph, const MemoryGraph& m) {
  try {
    std::int64_t total = 0;
    for (std::int64_t s : m.group_size) total = CheckedAdd(total, s);
    for (std::int64_t s : m.scratch) total = CheckedAdd(total, s);
  } catch (const Error& e) {
    throw WithContext(e,
                      "summing the activation and scratch bytes of graph '" + graph.name() + "'");
  }
}

// Graph-input groups: live from the start if read or pinned, else only at step 0.
void SumInputBytes(MemoryGraph& m) {
  for (std::int32_t g = 0; g < m.num_groups; ++g) {
    if (m.group_birth_node[g] != kNoNode) continue;
    if (m.group_consumers[g] > 0 || m.group_pinned[g]) {
      m.initial_live_bytes += m.group_size[g];
    } else {
      m.dangling_input_bytes += m.group_size[g];
    }
  }
}

}  // namespace

MemoryGraph MemoryGraph::Build(const Graph& graph, const LivenessOptions& options) {
  MemoryGraph m;
  m.Rebuild(graph, options);
  return m;
}

void MemoryGraph::Rebuild(const Graph& g, const LivenessOptions& options) {
  graph = nullptr;
  CheckOptions(g, options);
  num_nodes = static_cast<std::int32_t>(g.nodes().size());
  num_groups = 0;
  initial_live_bytes = dangling_input_bytes = 0;
  // clear() keeps every row's capacity: a rebuild for a graph of similar size allocates nothing.
  group_size.clear();
  for (auto* row : {&tensor_group, &in_begin, &in_groups, &out_begin, &out_groups,
                    &pred_begin, &preds, &inplace_begin, &inplace_groups}) {
    row->clear();
  }
  group_pinned.clear();
  group_birth_node.clear();
  pred_tensor.clear();
  FindActivations(g, scratch_space);
  FormAliasGroups(g, scratch_space, *this);
  group_consumers.assign(num_groups, 0);
  scratch.assign(num_nodes, 0);
  ReserveNodeRows(g, *this);
  for (NodeId n = 0; n < num_nodes; ++n) AddNodeRows(g, n, scratch_space, options, *this);
  CheckTotalBytes(g, *this);
  SumInputBytes(*this);
  remaining = group_consumers;
  executed.assign(num_nodes, 0);
  graph = &g;
}

void MemoryGraph::FailBeforeProducer(std::size_t step, NodeId n, std::int32_t k) const {
  ArgFail("invalid execution order: step " + std::to_string(step) + " runs op '" +
          graph->node(n).name + "' (#" + std::to_string(n) + ") before op '" +
          graph->node(preds[k]).name + "' (#" + std::to_string(preds[k]) +
          "), which produces its input '" + graph->tensor(pred_tensor[k]).name + "'");
}

void MemoryGraph::CheckGraphOrder() const {
  for (NodeId n = 0; n < num_nodes; ++n) {
    for (std::int32_t k = pred_begin[n]; k < pred_begin[n + 1]; ++k) {
      if (preds[k] >= n) FailBeforeProducer(static_cast<std::size_t>(n), n, k);
    }
  }
}

void MemoryGraph::CheckOrder(const ExecutionOrder& order) {
  if (order.size() != static_cast<std::size_t>(num_nodes)) {
    ArgFail("invalid execution order: it must list each of the " + std::to_string(num_nodes) +
            " ops once (got " + std::to_string(order.size()) + " entries)");
  }
  std::fill(executed.begin(), executed.end(), 0);
  for (std::size_t s = 0; s < order.size(); ++s) {
    const NodeId n = order[s];
    if (n < 0 || n >= num_nodes) {
      ArgFail("invalid execution order: step " + std::to_string(s) + " names op #" +
              std::to_string(n) + ", outside [0, " + std::to_string(num_nodes) + ")");
    }
    if (executed[n]) {
      ArgFail("invalid execution order: op '" + graph->node(n).name + "' (#" + std::to_string(n) +
              ") appears twice (again at step " + std::to_string(s) + ")");
    }
    for (std::int32_t k = pred_begin[n]; k < pred_begin[n + 1]; ++k) {
      if (!executed[preds[k]]) FailBeforeProducer(s, n, k);
    }
    executed[n] = 1;
  }
}

std::int64_t MemoryGraph::Peak(const ExecutionOrder& order) {
  ResetRemaining();
  std::int64_t live = initial_live_bytes;
  std::int64_t peak = 0;
  for (std::size_t s = 0; s < order.size(); ++s) {
    const NodeId n = order[s];
    std::int64_t step = live + scratch[n] + BirthBytes(n);
    if (s == 0) step += dangling_input_bytes;
    peak = std::max(peak, step);
    live += LiveDelta(n);
    Consume(n);
  }
  return peak;
}

std::int64_t MemoryGraph::PeakOfGraphOrder() {
  ResetRemaining();
  std::int64_t live = initial_live_bytes;
  std::int64_t peak = 0;
  for (NodeId n = 0; n < num_nodes; ++n) {
    std::int64_t step = live + scratch[n] + BirthBytes(n);
    if (n == 0) step += dangling_input_bytes;
    peak = std::max(peak, step);
    live += LiveDelta(n);
    Consume(n);
  }
  return peak;
}

}  // namespace opcost::detail
