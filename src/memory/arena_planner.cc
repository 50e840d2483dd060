#include "opcost/arena_planner.h"

#include <algorithm>
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

ArenaPlan PlanChecked(const Liveness& liveness, const ArenaOptions& options) {
  const std::int64_t align = options.alignment_bytes;
  if (align < 1 || (align & (align - 1)) != 0) {
    throw Error(ErrorCode::kInvalidArgument,
                "cannot plan arena: alignment_bytes must be a power of two >= 1 (got " +
                    std::to_string(align) + ")");
  }
  // A Liveness may come from elsewhere than ComputeLiveness: check what indexing relies on.
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
  }
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

  // Largest first; first fit among the placed blocks whose lifetimes intersect.
  std::vector<std::size_t> by_size(plan.blocks.size());
  std::iota(by_size.begin(), by_size.end(), 0);
  std::sort(by_size.begin(), by_size.end(), [&](std::size_t a, std::size_t b) {
    const ArenaBlock& x = plan.blocks[a];
    const ArenaBlock& y = plan.blocks[b];
    if (x.aligned_size_bytes != y.aligned_size_bytes) {
      return x.aligned_size_bytes > y.aligned_size_bytes;
    }
    if (x.first_step != y.first_step) return x.first_step < y.first_step;
    return a < b;
  });
  std::vector<std::size_t> placed, conflicts;
  placed.reserve(plan.blocks.size());
  conflicts.reserve(plan.blocks.size());
  for (std::size_t i : by_size) {
    ArenaBlock& block = plan.blocks[i];
    conflicts.clear();
    for (std::size_t j : placed) {
      const ArenaBlock& other = plan.blocks[j];
      if (other.first_step <= block.last_step && block.first_step <= other.last_step) {
        conflicts.push_back(j);
      }
    }
    std::sort(conflicts.begin(), conflicts.end(), [&](std::size_t a, std::size_t b) {
      return plan.blocks[a].offset_bytes < plan.blocks[b].offset_bytes;
    });
    std::int64_t offset = 0;
    for (std::size_t j : conflicts) {
      const ArenaBlock& other = plan.blocks[j];
      if (CheckedAdd(offset, block.aligned_size_bytes) <= other.offset_bytes) break;
      offset = std::max(offset, CheckedAdd(other.offset_bytes, other.aligned_size_bytes));
    }
    block.offset_bytes = offset;
    plan.arena_bytes = std::max(plan.arena_bytes, CheckedAdd(offset, block.aligned_size_bytes));
    placed.push_back(i);
  }

  TensorId max_id = -1;
  for (const TensorLifetime& t : liveness.tensors) max_id = std::max(max_id, t.tensor);
  plan.tensor_offset_bytes.assign(static_cast<std::size_t>(max_id + 1), -1);
  for (const TensorLifetime& t : liveness.tensors) {
    plan.tensor_offset_bytes[t.tensor] = plan.blocks[t.buffer].offset_bytes;
  }

  for (std::int32_t s = 0; s < liveness.num_steps(); ++s) {
    plan.peak_bytes =
        std::max(plan.peak_bytes, CheckedAdd(LiveBytesAt(liveness, s), liveness.scratch_bytes[s]));
  }
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
    throw WithContext(e, "cannot plan arena: sizes exceed INT64_MAX bytes");
  }
}

}  // namespace opcost
