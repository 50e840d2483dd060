// Arena planning: a byte offset in one activation arena for every buffer of a Liveness (and for
// each step's scratch), such that buffers live at the same step never share bytes.
//
//   opcost::Liveness l = opcost::ComputeLiveness(graph);
//   opcost::ArenaPlan plan = opcost::PlanArena(l);             // 16-byte alignment
//   plan.arena_bytes; plan.tensor_offset_bytes[tensor_id]; plan.fragmentation;
//
// Greedy by size, first fit (the TFLite Micro GreedyMemoryPlanner idea, written anew): buffers
// in order of decreasing aligned size (ties: earlier first_step, then lower index) each take the
// lowest aligned offset where they overlap no already placed buffer whose lifetime intersects
// theirs. Not optimal; never smaller than the peak. Work: O(blocks log blocks) plus, for each
// block, sorting the placed blocks whose lifetimes meet its own; bounded by the blocks times
// the most blocks live at one step, not by the square of all blocks (a 100k-op chain plans in
// well under a second).
#ifndef OPCOST_ARENA_PLANNER_H_
#define OPCOST_ARENA_PLANNER_H_

#include <cstdint>
#include <vector>

#include "opcost/liveness.h"

namespace opcost {

struct ArenaOptions {
  std::int64_t alignment_bytes = 16;  // a power of two >= 1; offsets and sizes round up to it
};

// One placed block: a buffer of the Liveness, or a step's scratch.
struct ArenaBlock {
  std::int32_t buffer = -1;        // index into Liveness::buffers; -1 for scratch
  std::int32_t scratch_step = -1;  // the step whose scratch this is; -1 for buffers
  std::int32_t first_step = 0;
  std::int32_t last_step = 0;
  std::int64_t size_bytes = 0;          // unaligned
  std::int64_t aligned_size_bytes = 0;  // rounded up to the alignment
  std::int64_t offset_bytes = 0;        // a multiple of the alignment
};

struct ArenaPlan {
  std::vector<ArenaBlock> blocks;  // buffers (Liveness::buffers order), then scratch by step
  // Offset of each activation tensor, indexed by TensorId (size = largest id + 1); -1 for
  // tensors without a lifetime (constants, unused tensors).
  std::vector<std::int64_t> tensor_offset_bytes;
  std::int64_t arena_bytes = 0;  // end of the highest block
  // The Liveness peak (buffers + scratch, unaligned): no plan can be smaller.
  std::int64_t peak_bytes = 0;
  // Without reuse: the sum of all aligned block sizes (the trivial plan).
  std::int64_t linear_arena_bytes = 0;
  // 1 - peak_bytes / arena_bytes: the share of the arena lost to holes and alignment.
  double fragmentation = 0.0;
};

// Throws Error{kInvalidArgument} if alignment_bytes is not a power of two or `liveness` is not
// consistent (as ComputeLiveness makes it: scratch per step, buffer lifetimes inside the steps,
// tensors naming existing buffers), Error{kOverflow} if the arena would exceed INT64_MAX bytes.
ArenaPlan PlanArena(const Liveness& liveness, const ArenaOptions& options = {});

}  // namespace opcost

#endif  // OPCOST_ARENA_PLANNER_H_
