#include "opcost/liveness.h"

#include <algorithm>
#include <numeric>

#include "memory/memory_graph.h"
#include "opcost/types.h"

namespace opcost {
namespace {

std::int32_t Find(std::vector<std::int32_t>& parent, std::int32_t x) {
  while (parent[x] != x) {
    parent[x] = parent[parent[x]];
    x = parent[x];
  }
  return x;
}

}  // namespace

Liveness ComputeLiveness(const Graph& graph, const ExecutionOrder& order,
                         const LivenessOptions& options) {
  detail::MemoryGraph m = detail::MemoryGraph::Build(graph, options);
  Liveness l;
  if (order.empty()) {
    l.order.resize(static_cast<std::size_t>(m.num_nodes));
    std::iota(l.order.begin(), l.order.end(), 0);
  } else {
    l.order = order;
  }
  m.CheckOrder(l.order);
  const std::int32_t num_steps = m.num_nodes;
  const std::int32_t last = num_steps - 1;
  std::vector<std::int32_t> step_of(static_cast<std::size_t>(num_steps));
  for (std::int32_t s = 0; s < num_steps; ++s) step_of[l.order[s]] = s;

  // Group lifetimes.
  std::vector<std::int32_t> first(m.num_groups, 0), end(m.num_groups, -1);
  for (std::int32_t g = 0; g < m.num_groups; ++g) {
    first[g] = m.group_birth_node[g] == kNoNode ? 0 : step_of[m.group_birth_node[g]];
  }
  for (NodeId n = 0; n < m.num_nodes; ++n) {
    for (std::int32_t k = m.in_begin[n]; k < m.in_begin[n + 1]; ++k) {
      end[m.in_groups[k]] = std::max(end[m.in_groups[k]], step_of[n]);
    }
  }
  for (std::int32_t g = 0; g < m.num_groups; ++g) {
    if (m.group_pinned[g]) end[g] = last;
    if (end[g] < first[g]) end[g] = first[g];  // never consumed: its producer step only
  }

  // In place: the output group of a node joins the dying input group's buffer.
  std::vector<std::int32_t> parent(m.num_groups);
  std::iota(parent.begin(), parent.end(), 0);
  l.in_place.assign(static_cast<std::size_t>(num_steps), false);
  m.ResetRemaining();
  for (std::int32_t s = 0; s < num_steps; ++s) {
    const NodeId n = l.order[s];
    const std::int32_t g = m.InPlaceGroup(n);
    if (g >= 0) {
      l.in_place[s] = true;
      parent[Find(parent, m.out_groups[m.out_begin[n]])] = Find(parent, g);
    }
    m.Consume(n);
  }

  // Physical buffers.
  std::vector<std::int32_t> buffer_of_root(m.num_groups, -1);
  std::vector<BufferLifetime> buffers;
  std::vector<std::int32_t> group_buffer(m.num_groups);
  for (std::int32_t g = 0; g < m.num_groups; ++g) {
    const std::int32_t r = Find(parent, g);
    if (buffer_of_root[r] < 0) {
      buffer_of_root[r] = static_cast<std::int32_t>(buffers.size());
      BufferLifetime b;
      b.first_step = first[g];
      b.last_step = end[g];
      buffers.push_back(b);
    }
    BufferLifetime& b = buffers[buffer_of_root[r]];
    b.first_step = std::min(b.first_step, first[g]);
    b.last_step = std::max(b.last_step, end[g]);
    b.size_bytes = std::max(b.size_bytes, m.group_size[g]);
    group_buffer[g] = buffer_of_root[r];
  }
  const auto num_tensors = static_cast<TensorId>(graph.tensors().size());
  for (TensorId t = 0; t < num_tensors; ++t) {
    if (m.tensor_group[t] >= 0) buffers[group_buffer[m.tensor_group[t]]].tensors.push_back(t);
  }
  // Sort buffers by first step, then first tensor, and renumber.
  std::vector<std::int32_t> perm(buffers.size());
  std::iota(perm.begin(), perm.end(), 0);
  std::sort(perm.begin(), perm.end(), [&](std::int32_t a, std::int32_t b) {
    if (buffers[a].first_step != buffers[b].first_step) {
      return buffers[a].first_step < buffers[b].first_step;
    }
    return buffers[a].tensors.front() < buffers[b].tensors.front();
  });
  std::vector<std::int32_t> new_index(buffers.size());
  l.buffers.reserve(buffers.size());
  for (std::size_t i = 0; i < perm.size(); ++i) {
    new_index[perm[i]] = static_cast<std::int32_t>(i);
    l.buffers.push_back(std::move(buffers[perm[i]]));
  }

  // Tensor lifetimes.
  std::vector<std::int32_t> tensor_last(num_tensors, -1);
  for (NodeId n = 0; n < m.num_nodes; ++n) {
    for (TensorId t : graph.node(n).inputs) {
      tensor_last[t] = std::max(tensor_last[t], step_of[n]);
    }
  }
  for (TensorId t : graph.outputs()) tensor_last[t] = last;
  for (TensorId t = 0; t < num_tensors; ++t) {
    const std::int32_t g = m.tensor_group[t];
    if (g < 0) continue;
    TensorLifetime tl;
    tl.tensor = t;
    tl.buffer = new_index[group_buffer[g]];
    const NodeId p = graph.producer(t);
    tl.first_step = p == kNoNode ? 0 : step_of[p];
    tl.last_step = std::max(tl.first_step, tensor_last[t]);
    tl.size_bytes = graph.tensor(t).SizeBytes();
    l.tensors.push_back(tl);
  }

  l.scratch_bytes.resize(static_cast<std::size_t>(num_steps));
  for (std::int32_t s = 0; s < num_steps; ++s) l.scratch_bytes[s] = m.scratch[l.order[s]];
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
