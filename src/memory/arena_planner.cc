#include "opcost/arena_planner.h"

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <string>

#include "opcost/error.h"
#include "opcost/types.h"

namespace opcost {
namespace {

std::int64_t AlignUp(std::int64_t bytes, std::int64_t alignment) {
  const std::int64_t rem = bytes % alignment;
  return rem == 0 ? bytes : CheckedAdd(bytes, alignment - rem);
}

// Bytes [begin, end) of a placed block.
struct Span {
  std::int64_t begin;
  std::int64_t end;
};

// The placed blocks by lifetime, for the one query of the greedy placement: where are the
// placed blocks that live at some step of [first, last]? Answered without looking at the
// others, so a placement costs O(log steps + the blocks it meets + last - first) instead of
// O(all placed blocks).
class PlacedByLifetime {
 public:
  explicit PlacedByLifetime(std::int32_t num_steps)
      : leaves_(LeafCount(num_steps)),
        covering_(2 * static_cast<std::size_t>(leaves_)),
        starting_(static_cast<std::size_t>(num_steps)) {}

  void Add(const ArenaBlock& block) {
    const Span span{block.offset_bytes, block.offset_bytes + block.aligned_size_bytes};
    starting_[static_cast<std::size_t>(block.first_step)].push_back(span);
    // The O(log steps) tree nodes whose step ranges tile the block's lifetime.
    for (std::int64_t lo = block.first_step + leaves_, hi = block.last_step + leaves_ + 1; lo < hi;
         lo /= 2, hi /= 2) {
      if (lo % 2 == 1) covering_[static_cast<std::size_t>(lo++)].push_back(span);
      if (hi % 2 == 1) covering_[static_cast<std::size_t>(--hi)].push_back(span);
    }
  }

  // Appends each placed block whose lifetime intersects [first, last] once: those alive at
  // `first` (the tree nodes on the path to its leaf), then those starting after it.
  void Collect(std::int32_t first, std::int32_t last, std::vector<Span>* out) const {
    for (std::int64_t node = first + leaves_; node >= 1; node /= 2) {
      const std::vector<Span>& c = covering_[static_cast<std::size_t>(node)];
      out->insert(out->end(), c.begin(), c.end());
    }
    for (std::int32_t s = first + 1; s <= last; ++s) {
      const std::vector<Span>& c = starting_[static_cast<std::size_t>(s)];
      out->insert(out->end(), c.begin(), c.end());
    }
  }

 private:
  static std::int64_t LeafCount(std::int32_t num_steps) {
    std::int64_t n = 1;
    while (n < num_steps) n *= 2;
    return n;
  }

  std::int64_t leaves_;
  std::vector<std::vector<Span>> covering_;  // per tree node: blocks spanning all its steps
  std::vector<std::vector<Span>> starting_;  // per step: blocks whose first step it is
};

// The lowest offset at which `bytes` overlap none of `taken` (sorted by begin).
std::int64_t FirstFit(std::int64_t bytes, const std::vector<Span>& taken) {
  std::int64_t offset = 0;
  for (const Span& t : taken) {
    if (CheckedAdd(offset, bytes) <= t.begin) break;
    offset = std::max(offset, t.end);
  }
  return offset;
}

// Largest first (ties: earlier first step, then lower index); each block takes the lowest
// offset free of the placed blocks whose lifetimes intersect its own.
void PlaceLargestFirst(std::int32_t num_steps, ArenaPlan* plan) {
  std::vector<ArenaBlock>& blocks = plan->blocks;
  std::vector<std::uint32_t> by_size(blocks.size());
  std::iota(by_size.begin(), by_size.end(), 0u);
  std::sort(by_size.begin(), by_size.end(), [&](std::uint32_t a, std::uint32_t b) {
    const ArenaBlock& x = blocks[a];
    const ArenaBlock& y = blocks[b];
    if (x.aligned_size_bytes != y.aligned_size_bytes) {
      return x.aligned_size_bytes > y.aligned_size_bytes;
    }
    if (x.first_step != y.first_step) return x.first_step < y.first_step;
    return a < b;
  });
  PlacedByLifetime placed(num_steps);
  std::vector<Span> taken;
  for (std::uint32_t i : by_size) {
    ArenaBlock& block = blocks[i];
    taken.clear();
    placed.Collect(block.first_step, block.last_step, &taken);
    // A merge sort: the spans come in runs (one list per tree node or step) that are often
    // already in order, where introsort fell back to heapsort (4x slower on a 20,000-way
    // fan-in). Equal begins may come in any order: the first fit does not depend on it.
    std::stable_sort(taken.begin(), taken.end(),
                     [](const Span& a, const Span& b) { return a.begin < b.begin; });
    block.offset_bytes = FirstFit(block.aligned_size_bytes, taken);
    const std::int64_t end = CheckedAdd(block.offset_bytes, block.aligned_size_bytes);
    plan->arena_bytes = std::max(plan->arena_bytes, end);
    placed.Add(block);
  }
}

// Largest bytes of the buffers live at one step plus that step's scratch: a difference array
// over the buffers' lifetimes (a scan of every buffer per step was quadratic).
std::int64_t PeakBytes(const Liveness& liveness) {
  std::vector<std::int64_t> delta(static_cast<std::size_t>(liveness.num_steps()) + 1, 0);
  for (const BufferLifetime& b : liveness.buffers) {
    delta[static_cast<std::size_t>(b.first_step)] =
        CheckedAdd(delta[static_cast<std::size_t>(b.first_step)], b.size_bytes);
    delta[static_cast<std::size_t>(b.last_step) + 1] -= b.size_bytes;
  }
  std::int64_t live = 0, peak = 0;
  for (std::int32_t s = 0; s < liveness.num_steps(); ++s) {
    live = CheckedAdd(live, delta[static_cast<std::size_t>(s)]);
    peak = std::max(peak, CheckedAdd(live, liveness.scratch_bytes[static_cast<std::size_t>(s)]));
  }
  return peak;
}

// A Liveness may come from elsewhere than ComputeLiveness: check what indexing relies on.
void CheckInput(const Liveness& liveness, std::int64_t align) {
  if (align < 1 || (align & (align - 1)) != 0) {
    throw Error(ErrorCode::kInvalidArgument,
                "cannot plan arena: alignment_bytes must be a power of two >= 1 (got " +
                    std::to_string(align) + ")");
  }
  const auto num_buffers = static_cast<std::int32_t>(liveness.buffers.size());
  if (liveness.scratch_bytes.size() != liveness.order.size()) {
    throw Error(ErrorCode::kInvalidArgument,
                "cannot plan arena: scratch_bytes must have one entry per step (got " +
                    std::to_string(liveness.scratch_bytes.size()) + " for " +
                    std::to_string(liveness.order.size()) + " steps)");
  }
  for (const TensorLifetime& t : liveness.tensors) {
    if (t.tensor < 0 || t.buffer < 0 || t.buffer >= num_buffers) {
      throw Error(ErrorCode::kInvalidArgument,
                  "cannot plan arena: tensor #" + std::to_string(t.tensor) + " names buffer #" +
                      std::to_string(t.buffer) + " of " + std::to_string(num_buffers));
    }
  }
  for (std::int32_t b = 0; b < num_buffers; ++b) {
    const BufferLifetime& buf = liveness.buffers[b];
    if (buf.size_bytes < 0 || buf.first_step > buf.last_step) {
      throw Error(ErrorCode::kInvalidArgument,
                  "cannot plan arena: buffer #" + std::to_string(b) +
                      " needs size >= 0 and first_step <= last_step (got " +
                      std::to_string(buf.size_bytes) + " B, steps " +
                      std::to_string(buf.first_step) + ".." + std::to_string(buf.last_step) + ")");
    }
    if (buf.first_step < 0 || buf.last_step >= liveness.num_steps()) {
      throw Error(ErrorCode::kInvalidArgument,
                  "cannot plan arena: buffer #" + std::to_string(b) + " lives at steps " +
                      std::to_string(buf.first_step) + ".." + std::to_string(buf.last_step) +
                      ", outside the " + std::to_string(liveness.num_steps()) + " steps");
    }
  }
}

ArenaPlan PlanChecked(const Liveness& liveness, const ArenaOptions& options) {
  const std::int64_t align = options.alignment_bytes;
  CheckInput(liveness, align);
  ArenaPlan plan;
  for (std::size_t b = 0; b < liveness.buffers.size(); ++b) {
    const BufferLifetime& buf = liveness.buffers[b];
    ArenaBlock block;
    block.buffer = static_cast<std::int32_t>(b);
    block.first_step = buf.first_step;
    block.last_step = buf.last_step;
    block.size_bytes = buf.size_bytes;
    plan.blocks.push_back(block);
  }
  for (std::int32_t s = 0; s < liveness.num_steps(); ++s) {
    if (liveness.scratch_bytes[s] <= 0) continue;
    ArenaBlock block;
    block.scratch_step = s;
    block.first_step = block.last_step = s;
    block.size_bytes = liveness.scratch_bytes[s];
    plan.blocks.push_back(block);
  }
  for (ArenaBlock& block : plan.blocks) {
    block.aligned_size_bytes = AlignUp(block.size_bytes, align);
    plan.linear_arena_bytes = CheckedAdd(plan.linear_arena_bytes, block.aligned_size_bytes);
  }

  PlaceLargestFirst(liveness.num_steps(), &plan);

  TensorId max_id = -1;
  for (const TensorLifetime& t : liveness.tensors) max_id = std::max(max_id, t.tensor);
  plan.tensor_offset_bytes.assign(static_cast<std::size_t>(max_id + 1), -1);
  for (const TensorLifetime& t : liveness.tensors) {
    plan.tensor_offset_bytes[t.tensor] = plan.blocks[t.buffer].offset_bytes;
  }

  plan.peak_bytes = PeakBytes(liveness);
  plan.fragmentation = plan.arena_bytes > 0 ? 1.0 - static_cast<double>(plan.peak_bytes) /
                                                        static_cast<double>(plan.arena_bytes)
                                            : 0.0;
  return plan;
}

}  // namespace

ArenaPlan PlanArena(const Liveness& liveness, const ArenaOptions& options) {
  try {
    return PlanChecked(liveness, options);
  } catch (const Error& e) {
    if (e.code() != ErrorCode::kOverflow) throw;
    throw WithContext(e, "cannot plan arena (sizes exceed INT64_MAX bytes)");
  }
}

}  // namespace opcost
