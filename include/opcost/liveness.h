// Liveness of activation tensors along an execution order: which tensors (and which physical
// buffers) hold data at each step. The base of the memory report (memory.h), the order search
// (order_search.h) and the arena planner (arena_planner.h). Rules (docs/memory.md):
//   - Steps are positions in the execution order, 0 .. num_steps-1. Lifetimes are INCLUSIVE:
//     a tensor lives at every step s with first_step <= s <= last_step.
//   - A tensor lives from the step that produces it (graph inputs: from step 0) to the step of
//     its last consumer (graph outputs: to the last step). A tensor nobody consumes lives only
//     at its producer step. Constants (weights, bias) are in flash and have no lifetime here.
//   - reshape and flatten outputs always share their input's buffer (no copy).
//   - With `in_place`, relu/relu6/sigmoid/tanh and add write their output into a data input of
//     the same byte size whose buffer dies at that step (not a graph output). Off by default.
//   - The kernel's scratch bytes (e.g. im2col) count at the step of its node.
//
//   opcost::Liveness l = opcost::ComputeLiveness(graph);            // graph order, no scratch
//   for (const opcost::BufferLifetime& b : l.buffers) { b.first_step; b.size_bytes; ... }
#ifndef OPCOST_LIVENESS_H_
#define OPCOST_LIVENESS_H_

#include <cstdint>
#include <vector>

#include "opcost/graph.h"

namespace opcost {

// An execution order: every node id exactly once, each after the producers of its inputs.
using ExecutionOrder = std::vector<NodeId>;

// The rules that change how much memory an order needs.
struct LivenessOptions {
  // Let elementwise activations and add run in place (see the header comment). Off by default
  // because not every runtime does it (TFLite Micro does not).
  bool in_place = false;
  // Scratch bytes per node, indexed by NodeId (not by step); empty means no scratch. Values
  // must be >= 0. Fill it from a hardware profile with ProfileScratchBytes (memory.h) or with
  // your own kernel's buffer-size rule.
  std::vector<std::int64_t> scratch_bytes;
};

// One activation tensor's lifetime (inclusive steps) and the physical buffer that holds it.
struct TensorLifetime {
  TensorId tensor = kNoTensor;
  std::int32_t buffer = -1;  // index into Liveness::buffers
  std::int32_t first_step = 0;
  std::int32_t last_step = 0;
  std::int64_t size_bytes = 0;
};

// A physical buffer: one or more tensors that share bytes (reshape aliases, in-place chains).
// Its lifetime is the union of its tensors' lifetimes (always one contiguous interval).
struct BufferLifetime {
  std::int32_t first_step = 0;
  std::int32_t last_step = 0;
  std::int64_t size_bytes = 0;    // the largest of its tensors
  std::vector<TensorId> tensors;  // in tensor id order
};

struct Liveness {
  ExecutionOrder order;                     // step -> node
  std::vector<TensorLifetime> tensors;      // every activation tensor used by the graph, by id
  std::vector<BufferLifetime> buffers;      // in order of first_step, then first tensor id
  std::vector<std::int64_t> scratch_bytes;  // per step
  std::vector<bool> in_place;               // per step: the node wrote into a dying input

  std::int32_t num_steps() const { return static_cast<std::int32_t>(order.size()); }
};

// Lifetimes for `order` (empty: the graph's node order). The graph must be shape-inferred
// (as LoadModel, GraphBuilder::Build and InferShapes leave it).
// Throws Error{kInvalidArgument} if the graph has no nodes, `order` is not a permutation of
// the node ids, is not topological (names the op and the input it reads too early), or
// options.scratch_bytes has the wrong size or a negative value; Error{kInvalidGraph} if an
// activation is consumed but neither produced nor a graph input; Error{kOverflow} if the bytes
// of all activations and scratch exceed INT64_MAX.
Liveness ComputeLiveness(const Graph& graph, const ExecutionOrder& order = {},
                         const LivenessOptions& options = {});

// Bytes of the buffers live at `step` (without scratch). Precondition: 0 <= step < num_steps.
std::int64_t LiveBytesAt(const Liveness& liveness, std::int32_t step);

}  // namespace opcost

#endif  // OPCOST_LIVENESS_H_
