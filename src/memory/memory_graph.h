// The graph as the memory analyses see it (private to src/memory/): activation tensors merged
// into alias groups (reshape/flatten share their input's bytes), each group's size, consumer
// count and whether it holds a graph output, and per node the groups it reads and the groups it
// creates, in flat arrays. Built once per graph and options; the order evaluators then run
// without allocating.
#ifndef OPCOST_MEMORY_MEMORY_GRAPH_H_
#define OPCOST_MEMORY_MEMORY_GRAPH_H_

#include <cstdint>
#include <string>
#include <vector>

#include "opcost/graph.h"
#include "opcost/liveness.h"

namespace opcost::detail {

// Union-find root of `x` with path halving (alias groups: reshape/flatten outputs join their
// input).
inline std::int32_t Find(std::vector<std::int32_t>& parent, std::int32_t x) {
  while (parent[x] != x) {
    parent[x] = parent[parent[x]];
    x = parent[x];
  }
  return x;
}

struct MemoryGraph {
  std::int32_t num_nodes = 0;
  std::int32_t num_groups = 0;

  // Per alias group.
  std::vector<std::int64_t> group_size;       // bytes: the largest member
  std::vector<std::int32_t> group_consumers;  // distinct nodes reading any member
  std::vector<std::uint8_t> group_pinned;     // holds a graph output: lives to the last step
  std::vector<NodeId> group_birth_node;       // producer of the root; kNoNode: graph input

  // Per tensor: its group, or -1 (constant or not used by the graph).
  std::vector<std::int32_t> tensor_group;

  // Per node, CSR (begin has num_nodes + 1 entries).
  std::vector<std::int32_t> in_begin, in_groups;    // distinct data input groups
  std::vector<std::int32_t> out_begin, out_groups;  // groups whose root the node produces
  std::vector<std::int32_t> pred_begin, preds;      // distinct producer nodes of its inputs
  std::vector<TensorId> pred_tensor;                // an input tensor each pred produces
  // In-place candidates (only with LivenessOptions::in_place): input groups of the node's output
  // size, not pinned; the node runs in place into the first whose last consumer it is.
  std::vector<std::int32_t> inplace_begin, inplace_groups;
  std::vector<std::int64_t> scratch;  // per node

  std::int64_t initial_live_bytes = 0;    // graph-input groups with a consumer or pinned
  std::int64_t dangling_input_bytes = 0;  // graph-input groups with neither: step 0 only

  const Graph* graph = nullptr;  // for error messages only; must outlive this

  // Reused by the evaluators (sized at build).
  std::vector<std::int32_t> remaining;  // per group
  std::vector<std::uint8_t> executed;   // per node

  // Per tensor, used only while building; kept so that Rebuild does not allocate again.
  struct BuildScratch {
    std::vector<std::uint8_t> used, is_input, is_output;
    std::vector<std::uint8_t> is_alias;      // output of an alias op reading an activation
    std::vector<std::int32_t> parent;        // union-find of alias groups
    std::vector<std::int32_t> group_of_root;
  } scratch_space;

  // Throws as ComputeLiveness documents (all but order errors).
  static MemoryGraph Build(const Graph& graph, const LivenessOptions& options);
  // The same into this object, reusing its storage (a NAS loop's one evaluator). After a throw
  // `graph` is null and the object must be rebuilt before use.
  void Rebuild(const Graph& graph, const LivenessOptions& options);

  // Throws Error{kInvalidArgument} unless the graph's own node order is topological, with the
  // message CheckOrder gives for the order 0, 1, 2, ... No allocation.
  void CheckGraphOrder() const;
  // The order error of step `step` running node `n` before its `k`-th predecessor (preds[k]).
  [[noreturn]] void FailBeforeProducer(std::size_t step, NodeId n, std::int32_t k) const;

  // Throws Error{kInvalidArgument} unless `order` is a topological permutation of the nodes.
  // Uses `executed`.
  void CheckOrder(const ExecutionOrder& order);

  // Peak bytes (activations + scratch) of a checked order. No allocation.
  std::int64_t Peak(const ExecutionOrder& order);
  // Same for the node order 0, 1, 2, ...
  std::int64_t PeakOfGraphOrder();

  // Whether node `n` runs in place given the current `remaining` counts: returns the group it
  // writes into, or -1.
  std::int32_t InPlaceGroup(NodeId n) const {
    for (std::int32_t k = inplace_begin[n]; k < inplace_begin[n + 1]; ++k) {
      const std::int32_t g = inplace_groups[k];
      if (remaining[g] == 1) return g;
    }
    return -1;
  }
  // Bytes of the groups node `n` creates that occupy memory at its own step.
  std::int64_t BirthBytes(NodeId n) const {
    if (InPlaceGroup(n) >= 0) return 0;
    std::int64_t bytes = 0;
    for (std::int32_t k = out_begin[n]; k < out_begin[n + 1]; ++k)
      bytes += group_size[out_groups[k]];
    return bytes;
  }
  // Change of the bytes live between steps when `n` runs (given `remaining`, before updating).
  std::int64_t LiveDelta(NodeId n) const {
    std::int64_t delta = 0;
    for (std::int32_t k = out_begin[n]; k < out_begin[n + 1]; ++k) {
      const std::int32_t o = out_groups[k];
      if (group_consumers[o] > 0 || group_pinned[o]) delta += group_size[o];
    }
    for (std::int32_t k = in_begin[n]; k < in_begin[n + 1]; ++k) {
      const std::int32_t g = in_groups[k];
      if (remaining[g] == 1 && !group_pinned[g]) delta -= group_size[g];
    }
    return delta;
  }
  void Consume(NodeId n) {
    for (std::int32_t k = in_begin[n]; k < in_begin[n + 1]; ++k) --remaining[in_groups[k]];
  }
  void Unconsume(NodeId n) {
    for (std::int32_t k = in_begin[n]; k < in_begin[n + 1]; ++k) ++remaining[in_groups[k]];
  }
  void ResetRemaining() { remaining = group_consumers; }  // same size: no allocation
};

}  // namespace opcost::detail

#endif  // OPCOST_MEMORY_MEMORY_GRAPH_H_
