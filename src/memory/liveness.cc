#include "opcost/liveness.h"

#include <algorithm>
#include <numeric>

#include "memory/memory_graph.h"
#include "opcost/types.h"

namespace opcost {
namespace {

// `order` given, or the graph's node order when it is empty.
ExecutionOrder OrderOrDefault(const ExecutionOrder& order, std::int32_t num_nodes) {
  if (!order.empty()) return order;
  ExecutionOrder identity(static_cast<std::size_t>(num_nodes));
  std::iota(identity.begin(), identity.end(), 0);
  return identity;
}

// Per node: the step it runs at.
std::vector<std::int32_t> StepOf(const ExecutionOrder& order) {
  std::vector<std::int32_t> step_of(order.size());
  for (std::size_t s = 0; s < order.size(); ++s) step_of[order[s]] = static_cast<std::int32_t>(s);
  return step_of;
}

// Per group: the step its producer runs (0 for a graph input) and the last step that reads it.
struct GroupSteps {
  std::vector<std::int32_t> first, last;
};

GroupSteps GroupLifetimes(const detail::MemoryGraph& m, const std::vector<std::int32_t>& step_of) {
  GroupSteps steps;
  steps.first.assign(m.num_groups, 0);
  steps.last.assign(m.num_groups, -1);
  for (std::int32_t g = 0; g < m.num_groups; ++g) {
    if (m.group_birth_node[g] != kNoNode) steps.first[g] = step_of[m.group_birth_node[g]];
  }
  for (NodeId n = 0; n < m.num_nodes; ++n) {
    for (std::int32_t k = m.in_begin[n]; k < m.in_begin[n + 1]; ++k) {
      std::int32_t& last = steps.last[m.in_groups[k]];
      last = std::max(last, step_of[n]);
    }
  }
  const std::int32_t last_step = m.num_nodes - 1;
  for (std::int32_t g = 0; g < m.num_groups; ++g) {
    if (m.group_pinned[g]) steps.last[g] = last_step;
    // Never consumed: its producer step only.
    if (steps.last[g] < steps.first[g]) steps.last[g] = steps.first[g];
  }
  return steps;
}

// In place: the output group of a node joins the dying input group's buffer. Returns the
// union-find parents of the groups (Find gives a group's buffer root) and marks in `in_place`
// the steps that wrote into an input.
std::vector<std::int32_t> JoinInPlace(detail::MemoryGraph& m, const ExecutionOrder& order,
                                      std::vector<bool>* in_place) {
  std::vector<std::int32_t> parent(m.num_groups);
  std::iota(parent.begin(), parent.end(), 0);
  in_place->assign(order.size(), false);
  m.ResetRemaining();
  for (std::size_t s = 0; s < order.size(); ++s) {
    const NodeId n = order[s];
    const std::int32_t g = m.InPlaceGroup(n);
    if (g >= 0) {
      (*in_place)[s] = true;
      parent[detail::Find(parent, m.out_groups[m.out_begin[n]])] = detail::Find(parent, g);
    }
    m.Consume(n);
  }
  return parent;
}

// One physical buffer per set of joined groups, spanning their steps and as large as the
// largest, with its tensors in id order. `group_buffer` gets each group's buffer index.
std::vector<BufferLifetime> PhysicalBuffers(const detail::MemoryGraph& m, const GroupSteps& steps,
                                            std::vector<std::int32_t>& parent,
                                            std::vector<std::int32_t>* group_buffer) {
  std::vector<std::int32_t> buffer_of_root(m.num_groups, -1);
  std::vector<BufferLifetime> buffers;
  group_buffer->assign(m.num_groups, 0);
  for (std::int32_t g = 0; g < m.num_groups; ++g) {
    const std::int32_t r = detail::Find(parent, g);
    if (buffer_of_root[r] < 0) {
      buffer_of_root[r] = static_cast<std::int32_t>(buffers.size());
      BufferLifetime b;
      b.first_step = steps.first[g];
      b.last_step = steps.last[g];
      buffers.push_back(b);
    }
    BufferLifetime& b = buffers[buffer_of_root[r]];
    b.first_step = std::min(b.first_step, steps.first[g]);
    b.last_step = std::max(b.last_step, steps.last[g]);
    b.size_bytes = std::max(b.size_bytes, m.group_size[g]);
    (*group_buffer)[g] = buffer_of_root[r];
  }
  const auto num_tensors = static_cast<TensorId>(m.tensor_group.size());
  for (TensorId t = 0; t < num_tensors; ++t) {
    if (m.tensor_group[t] >= 0) buffers[(*group_buffer)[m.tensor_group[t]]].tensors.push_back(t);
  }
  return buffers;
}

// `buffers` in order of first step, then first tensor; `group_buffer` renumbered to match.
std::vector<BufferLifetime> SortBuffers(std::vector<BufferLifetime> buffers,
                                        std::vector<std::int32_t>* group_buffer) {
  std::vector<std::int32_t> perm(buffers.size());
  std::iota(perm.begin(), perm.end(), 0);
  std::sort(perm.begin(), perm.end(), [&](std::int32_t a, std::int32_t b) {
    if (buffers[a].first_step != buffers[b].first_step) {
      return buffers[a].first_step < buffers[b].first_step;
    }
    return buffers[a].tensors.front() < buffers[b].tensors.front();
  });
  std::vector<std::int32_t> new_index(buffers.size());
  std::vector<BufferLifetime> sorted;
  sorted.reserve(buffers.size());
  for (std::size_t i = 0; i < perm.size(); ++i) {
    new_index[perm[i]] = static_cast<std::int32_t>(i);
    sorted.push_back(std::move(buffers[perm[i]]));
  }
  for (std::int32_t& b : *group_buffer) b = new_index[b];
  return sorted;
}

// Every activation tensor, by id: from its producer's step to its last reader's (the last step
// for a graph output), in the buffer of its group.
std::vector<TensorLifetime> TensorLifetimes(const Graph& graph, const detail::MemoryGraph& m,
                                            const std::vector<std::int32_t>& step_of,
                                            const std::vector<std::int32_t>& group_buffer) {
  const auto num_tensors = static_cast<TensorId>(graph.tensors().size());
  std::vector<std::int32_t> tensor_last(num_tensors, -1);
  for (NodeId n = 0; n < m.num_nodes; ++n) {
    for (TensorId t : graph.node(n).inputs) {
      tensor_last[t] = std::max(tensor_last[t], step_of[n]);
    }
  }
  for (TensorId t : graph.outputs()) tensor_last[t] = m.num_nodes - 1;
  std::vector<TensorLifetime> tensors;
  for (TensorId t = 0; t < num_tensors; ++t) {
    const std::int32_t g = m.tensor_group[t];
    if (g < 0) continue;
    TensorLifetime tl;
    tl.tensor = t;
    tl.buffer = group_buffer[g];
    const NodeId p = graph.producer(t);
    tl.first_step = p == kNoNode ? 0 : step_of[p];
    tl.last_step = std::max(tl.first_step, tensor_last[t]);
    tl.size_bytes = graph.tensor(t).SizeBytes();
    tensors.push_back(tl);
  }
  return tensors;
}

}  // namespace

Liveness ComputeLiveness(const Graph& graph, const ExecutionOrder& order,
                         const LivenessOptions& options) {
  detail::MemoryGraph m = detail::MemoryGraph::Build(graph, options);
  Liveness l;
  l.order = OrderOrDefault(order, m.num_nodes);
  m.CheckOrder(l.order);
  const std::vector<std::int32_t> step_of = StepOf(l.order);
  const GroupSteps steps = GroupLifetimes(m, step_of);
  std::vector<std::int32_t> parent = JoinInPlace(m, l.order, &l.in_place);
  std::vector<std::int32_t> group_buffer;
  l.buffers = SortBuffers(PhysicalBuffers(m, steps, parent, &group_buffer), &group_buffer);
  l.tensors = TensorLifetimes(graph, m, step_of, group_buffer);
  l.scratch_bytes.resize(l.order.size());
  for (std::size_t s = 0; s < l.order.size(); ++s) l.scratch_bytes[s] = m.scratch[l.order[s]];
  return l;
}

std::int64_t LiveBytesAt(const Liveness& liveness, std::int32_t step) {
  std::int64_t bytes = 0;
  for (const BufferLifetime& b : liveness.buffers) {
    if (b.first_step <= step && step <= b.last_step) bytes = CheckedAdd(bytes, b.size_bytes);
  }
  return bytes;
}

}  // namespace opcost
