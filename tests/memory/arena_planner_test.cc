// Arena planning (arena_planner.h): hand-computed plans and properties on random graphs.
#include "opcost/arena_planner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <string>

#include "memory/test_graphs.h"
#include "opcost/error.h"
#include "opcost/model_io.h"

namespace opcost {
namespace {

using ::testing::HasSubstr;

bool TimeOverlap(const ArenaBlock& a, const ArenaBlock& b) {
  return a.first_step <= b.last_step && b.first_step <= a.last_step;
}
bool SpaceOverlap(const ArenaBlock& a, const ArenaBlock& b) {
  return a.offset_bytes < b.offset_bytes + b.size_bytes &&
         b.offset_bytes < a.offset_bytes + a.size_bytes;
}

void CheckPlan(const Liveness& l, const ArenaPlan& p, std::int64_t alignment,
               const std::string& label) {
  SCOPED_TRACE(label);
  for (std::size_t i = 0; i < p.blocks.size(); ++i) {
    EXPECT_EQ(p.blocks[i].offset_bytes % alignment, 0);
    EXPECT_GE(p.blocks[i].aligned_size_bytes, p.blocks[i].size_bytes);
    EXPECT_LE(p.blocks[i].offset_bytes + p.blocks[i].aligned_size_bytes, p.arena_bytes);
    for (std::size_t j = i + 1; j < p.blocks.size(); ++j) {
      if (TimeOverlap(p.blocks[i], p.blocks[j])) {
        EXPECT_FALSE(SpaceOverlap(p.blocks[i], p.blocks[j])) << "blocks " << i << ", " << j;
      }
    }
  }
  EXPECT_EQ(p.peak_bytes, testing::PeakByDefinition(l));
  EXPECT_GE(p.arena_bytes, p.peak_bytes);
  EXPECT_LE(p.arena_bytes, p.linear_arena_bytes);
  for (const TensorLifetime& t : l.tensors) {
    EXPECT_EQ(p.tensor_offset_bytes[static_cast<std::size_t>(t.tensor)],
              p.blocks[static_cast<std::size_t>(t.buffer)].offset_bytes);
  }
}

TEST(ArenaPlanner, TfliteToolsExampleFitsExactlyInItsPeak) {
  // Buffers (bytes, steps): input 3072 [0,0], conv1 14400 [0,1], conv2 12544 [1,2],
  // pool 3136 [2,3], fc1 128 [3,4], fc2 10 [4,5], softmax 10 [5,5]. Largest first: conv1 at 0,
  // conv2 at 14400, input at 14400 (conv2 is not live at step 0), pool at 0, ... -> 26944 B,
  // the published peak (tflite_tools_example_peak_memory.csv), with alignment 16.
  const Graph g = LoadModel(std::string(OPCOST_SOURCE_DIR) + "/models/tflite_tools_example.json");
  const Liveness l = ComputeLiveness(g);
  const ArenaPlan p = PlanArena(l);
  EXPECT_EQ(p.arena_bytes, 26944);
  EXPECT_EQ(p.peak_bytes, 26944);
  EXPECT_DOUBLE_EQ(p.fragmentation, 0.0);
  EXPECT_EQ(p.tensor_offset_bytes[static_cast<std::size_t>(g.FindTensor("Conv1/Relu"))], 0);
  EXPECT_EQ(p.tensor_offset_bytes[static_cast<std::size_t>(g.FindTensor("Conv2/Relu"))], 14400);
  EXPECT_EQ(p.tensor_offset_bytes[static_cast<std::size_t>(g.FindTensor("Conv1_input"))], 14400);
  EXPECT_EQ(p.tensor_offset_bytes[static_cast<std::size_t>(g.FindTensor("max_pooling2d/MaxPool"))],
            0);
  // Constants (weights, bias) have no place in the arena.
  for (TensorId t = 0; t < static_cast<TensorId>(p.tensor_offset_bytes.size()); ++t) {
    if (g.tensor(t).is_constant) {
      EXPECT_EQ(p.tensor_offset_bytes[static_cast<std::size_t>(t)], -1);
    }
  }
  // No reuse: 3072+14400+12544+3136+128+16+16 (10 B rounded up to 16).
  EXPECT_EQ(p.linear_arena_bytes, 33312);
  CheckPlan(l, p, 16, "tflite_tools_example");
}

// Three buffers where first fit leaves a hole: A 100 [0,1], B 60 [1,2], C 50 [2,3] with
// alignment 1. A at 0, B at 100, C at 0 (A dead at step 2): arena 160, peak 160 (step 1).
// With alignment 64: A 128 @0, B 64 @128, C 64 @0 -> arena 192, fragmentation 1 - 160/192.
Liveness ThreeBlocks() {
  Liveness l;
  l.order = {0, 1, 2, 3};
  l.scratch_bytes = {0, 0, 0, 0};
  l.in_place = {false, false, false, false};
  l.buffers = {{0, 1, 100, {0}}, {1, 2, 60, {1}}, {2, 3, 50, {2}}};
  l.tensors = {{0, 0, 0, 1, 100}, {1, 1, 1, 2, 60}, {2, 2, 2, 3, 50}};
  return l;
}

TEST(ArenaPlanner, FirstFitReusesGapLeftByDeadBuffer) {
  const ArenaPlan p = PlanArena(ThreeBlocks(), {1});
  EXPECT_EQ(p.blocks[0].offset_bytes, 0);
  EXPECT_EQ(p.blocks[1].offset_bytes, 100);
  EXPECT_EQ(p.blocks[2].offset_bytes, 0);
  EXPECT_EQ(p.arena_bytes, 160);
  EXPECT_EQ(p.peak_bytes, 160);
}

TEST(ArenaPlanner, AlignmentRoundsOffsetsAndSizes) {
  const ArenaPlan p = PlanArena(ThreeBlocks(), {64});
  EXPECT_EQ(p.blocks[0].aligned_size_bytes, 128);
  EXPECT_EQ(p.blocks[1].offset_bytes, 128);
  EXPECT_EQ(p.arena_bytes, 192);
  EXPECT_DOUBLE_EQ(p.fragmentation, 1.0 - 160.0 / 192.0);
}

TEST(ArenaPlanner, ScratchGetsItsOwnBlockAtItsStep) {
  Liveness l = ThreeBlocks();
  l.scratch_bytes = {0, 0, 0, 30};  // step 3: only C (50 B) is live
  const ArenaPlan p = PlanArena(l, {1});
  ASSERT_EQ(p.blocks.size(), 4u);
  EXPECT_EQ(p.blocks[3].scratch_step, 3);
  EXPECT_EQ(p.blocks[3].buffer, -1);
  EXPECT_EQ(p.blocks[3].offset_bytes, 50);  // first fit above C, in the hole B left
  EXPECT_EQ(p.arena_bytes, 160);
}

TEST(ArenaPlanner, PropertiesHoldOnRandomGraphs) {
  for (std::uint32_t seed = 1; seed <= 200; ++seed) {
    const int nodes = 5 + static_cast<int>(seed % 40);
    const Graph g = testing::RandomDag(seed, nodes);
    LivenessOptions rules;
    rules.in_place = seed % 2 == 0;
    if (seed % 3 == 0) {
      for (int i = 0; i < nodes; ++i) rules.scratch_bytes.push_back((seed * 5 + i * 11) % 70);
    }
    const Liveness l = ComputeLiveness(g, {}, rules);
    for (std::int64_t alignment : {1, 16, 64}) {
      CheckPlan(l, PlanArena(l, {alignment}), alignment,
                "seed " + std::to_string(seed) + " alignment " + std::to_string(alignment));
    }
  }
}

// The planner's rule written the plain quadratic way (every placed block checked for each new
// one): the indexed planner must give exactly these offsets.
std::vector<std::int64_t> ReferenceOffsets(const ArenaPlan& plan) {
  const std::vector<ArenaBlock>& blocks = plan.blocks;
  std::vector<std::size_t> by_size(blocks.size());
  std::iota(by_size.begin(), by_size.end(), 0);
  std::sort(by_size.begin(), by_size.end(), [&](std::size_t a, std::size_t b) {
    if (blocks[a].aligned_size_bytes != blocks[b].aligned_size_bytes) {
      return blocks[a].aligned_size_bytes > blocks[b].aligned_size_bytes;
    }
    if (blocks[a].first_step != blocks[b].first_step) {
      return blocks[a].first_step < blocks[b].first_step;
    }
    return a < b;
  });
  std::vector<std::int64_t> offset(blocks.size(), -1);
  std::vector<std::size_t> placed;
  for (std::size_t i : by_size) {
    std::vector<std::pair<std::int64_t, std::int64_t>> taken;  // [begin, end) of conflicts
    for (std::size_t j : placed) {
      if (TimeOverlap(blocks[i], blocks[j])) {
        taken.emplace_back(offset[j], offset[j] + blocks[j].aligned_size_bytes);
      }
    }
    std::sort(taken.begin(), taken.end());
    std::int64_t at = 0;
    for (const auto& [begin, end] : taken) {
      if (at + blocks[i].aligned_size_bytes <= begin) break;
      at = std::max(at, end);
    }
    offset[i] = at;
    placed.push_back(i);
  }
  return offset;
}

void ExpectReferencePlan(const ArenaPlan& p, const std::string& label) {
  SCOPED_TRACE(label);
  const std::vector<std::int64_t> want = ReferenceOffsets(p);
  std::int64_t arena = 0;
  for (std::size_t i = 0; i < p.blocks.size(); ++i) {
    EXPECT_EQ(p.blocks[i].offset_bytes, want[i]) << "block " << i;
    arena = std::max(arena, want[i] + p.blocks[i].aligned_size_bytes);
  }
  EXPECT_EQ(p.arena_bytes, arena);
}

TEST(ArenaPlanner, EqualsTheQuadraticReferenceOnRandomGraphs) {
  for (std::uint32_t seed = 1; seed <= 150; ++seed) {
    const int nodes = 5 + static_cast<int>(seed % 60);
    const Graph g = testing::RandomDag(seed, nodes);
    LivenessOptions rules;
    rules.in_place = seed % 2 == 1;
    if (seed % 4 == 0) {
      for (int i = 0; i < nodes; ++i) rules.scratch_bytes.push_back((seed * 7 + i * 13) % 90);
    }
    const Liveness l = ComputeLiveness(g, {}, rules);
    for (std::int64_t alignment : {1, 16, 128}) {
      ExpectReferencePlan(PlanArena(l, {alignment}), "seed " + std::to_string(seed) +
                                                         " alignment " + std::to_string(alignment));
    }
  }
}

// Hand-made lifetimes the graphs above rarely give: many equal sizes (ties), empty buffers,
// long-lived buffers over many short ones, scratch at most steps.
Liveness RandomLifetimes(std::uint32_t seed) {
  std::mt19937 rng(seed);
  auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  Liveness l;
  const int steps = uniform(1, 80);
  for (int s = 0; s < steps; ++s) {
    l.order.push_back(s);
    l.in_place.push_back(false);
    l.scratch_bytes.push_back(uniform(0, 2) == 0 ? 8 * uniform(0, 6) : 0);
  }
  const int buffers = uniform(1, 120);
  for (int b = 0; b < buffers; ++b) {
    const int first = uniform(0, steps - 1);
    const int last =
        uniform(0, 4) == 0 ? uniform(first, steps - 1) : std::min(steps - 1, first + uniform(0, 3));
    const std::int64_t size = uniform(0, 5) == 0 ? 0 : 4 * uniform(1, 12);
    l.buffers.push_back({first, last, size, {b}});
    l.tensors.push_back({b, b, first, last, size});
  }
  return l;
}

TEST(ArenaPlanner, EqualsTheQuadraticReferenceOnRandomLifetimes) {
  for (std::uint32_t seed = 1; seed <= 300; ++seed) {
    const Liveness l = RandomLifetimes(seed);
    for (std::int64_t alignment : {1, 8, 32}) {
      const ArenaPlan p = PlanArena(l, {alignment});
      ExpectReferencePlan(
          p, "seed " + std::to_string(seed) + " alignment " + std::to_string(alignment));
      CheckPlan(l, p, alignment, "seed " + std::to_string(seed));
    }
  }
}

TEST(ArenaPlanner, LongChainReusesTwoSlots) {
  // A relu chain: each tensor lives two steps, so two slots suffice (the case that used to take
  // quadratic time: 100k ops in 14 s).
  Liveness l;
  const int steps = 20000;
  for (int s = 0; s < steps; ++s) {
    l.order.push_back(s);
    l.in_place.push_back(false);
    l.scratch_bytes.push_back(0);
    l.buffers.push_back({s, std::min(s + 1, steps - 1), 64, {s}});
    l.tensors.push_back({s, s, s, std::min(s + 1, steps - 1), 64});
  }
  const ArenaPlan p = PlanArena(l);
  EXPECT_EQ(p.arena_bytes, 128);
  EXPECT_EQ(p.peak_bytes, 128);
  for (int s = 0; s < steps; ++s) EXPECT_EQ(p.blocks[s].offset_bytes, 64 * (s % 2)) << s;
}

TEST(ArenaPlanner, RejectsAlignmentThatIsNotAPowerOfTwo) {
  for (std::int64_t bad : {0, -16, 12}) {
    try {
      PlanArena(ThreeBlocks(), {bad});
      ADD_FAILURE() << bad;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
      EXPECT_THAT(e.what(), HasSubstr("power of two >= 1 (got " + std::to_string(bad) + ")"));
    }
  }
}

TEST(ArenaPlanner, RejectsInconsistentLiveness) {
  Liveness l = ThreeBlocks();
  l.tensors[1].buffer = 9;
  try {
    PlanArena(l);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_THAT(e.what(), HasSubstr("tensor #1 names buffer #9 of 3"));
  }
  l = ThreeBlocks();
  l.scratch_bytes.pop_back();
  try {
    PlanArena(l);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_THAT(e.what(), HasSubstr("one entry per step (got 3 for 4 steps)"));
  }
  l = ThreeBlocks();
  l.buffers[2].first_step = 5;
  try {
    PlanArena(l);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_THAT(e.what(), HasSubstr("buffer #2 needs size >= 0 and first_step <= last_step"));
  }
  l = ThreeBlocks();
  l.buffers[1].last_step = 4;  // 4 steps: 0..3
  try {
    PlanArena(l);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_THAT(e.what(), HasSubstr("buffer #1 lives at steps 1..4, outside the 4 steps"));
  }
}

TEST(ArenaPlanner, RejectsArenaBeyondInt64) {
  Liveness l = ThreeBlocks();
  l.buffers[0].size_bytes = l.buffers[1].size_bytes = std::int64_t{1} << 62;
  try {
    PlanArena(l, {1});
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kOverflow);
    EXPECT_THAT(e.what(), HasSubstr("cannot plan arena"));
  }
}

}  // namespace
}  // namespace opcost
