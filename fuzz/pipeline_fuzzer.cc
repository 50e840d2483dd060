// libFuzzer target for everything after parsing: JSON model text -> shapes -> metrics ->
// estimate on a shipped profile -> memory report, exact order search and arena plan. A model
// that loads must go all the way through with only opcost::Error as a refusal, and the results
// must keep the invariants below. Anything else (a crash, a sanitizer report, a foreign
// exception, an abort from a broken invariant, a hang) is a bug.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "opcost/arena_planner.h"
#include "opcost/error.h"
#include "opcost/estimator.h"
#include "opcost/liveness.h"
#include "opcost/memory.h"
#include "opcost/metrics.h"
#include "opcost/model_io.h"
#include "opcost/order_search.h"
#include "opcost/profile.h"

#ifndef OPCOST_FUZZ_PROFILE_DIR
#error "OPCOST_FUZZ_PROFILE_DIR must name the source tree's profiles/ directory"
#endif

namespace {

// Small enough that one input never takes seconds, large enough that small graphs are solved
// exactly (the exact search and its fallback both get exercised).
constexpr std::int64_t kMaxStates = 4096;
// The planner's overlap check is quadratic; larger plans are checked only for their size.
constexpr std::size_t kMaxBlocksToCheck = 2000;

std::vector<opcost::HardwareProfile>* g_profiles = nullptr;

[[noreturn]] void Broken(const char* invariant) {
  std::fprintf(stderr, "pipeline_fuzzer: invariant broken: %s\n", invariant);
  std::abort();
}

void Check(bool ok, const char* invariant) {
  if (!ok) Broken(invariant);
}

bool FiniteNonNegative(double x) { return std::isfinite(x) && x >= 0.0; }

void CheckMetrics(const opcost::NetworkMetrics& m) {
  Check(m.total.macs >= 0 && m.total.params >= 0, "metrics totals are non-negative");
}

void CheckEstimate(const opcost::NetworkEstimate& e) {
  for (const opcost::LayerEstimate& l : e.layers) {
    Check(FiniteNonNegative(l.cycles) && FiniteNonNegative(l.memory_cycles) &&
              FiniteNonNegative(l.latency_s) && FiniteNonNegative(l.energy_j) &&
              FiniteNonNegative(l.naive_cycles) && FiniteNonNegative(l.naive_latency_s) &&
              FiniteNonNegative(l.naive_energy_j),
          "layer cycles, time and energy are finite and non-negative");
    Check(l.memory_cycles <= l.cycles, "memory cycles are part of the cycles");
  }
  const opcost::EstimateTotals& t = e.totals;
  Check(FiniteNonNegative(t.cycles) && FiniteNonNegative(t.latency_s) &&
            FiniteNonNegative(t.energy_j) && FiniteNonNegative(t.naive_cycles) &&
            FiniteNonNegative(t.naive_latency_s) && FiniteNonNegative(t.naive_energy_j),
        "total cycles, time and energy are finite and non-negative");
  for (const opcost::CategoryBreakdown& c : e.by_category) {
    for (double share : {c.ops_share, c.time_share, c.energy_share}) {
      Check(FiniteNonNegative(share) && share <= 1.0 + 1e-9, "category shares are in [0, 1]");
    }
  }
}

void CheckReport(const opcost::MemoryReport& r) {
  std::int64_t largest = 0;
  for (const opcost::MemoryStep& s : r.steps) {
    Check(s.activation_bytes >= 0 && s.scratch_bytes >= 0, "step bytes are non-negative");
    Check(s.total_bytes == s.activation_bytes + s.scratch_bytes, "step total is the sum");
    Check(s.total_bytes <= r.peak_activation_bytes, "the peak is >= every step's live bytes");
    if (s.total_bytes > largest) largest = s.total_bytes;
  }
  Check(r.steps.empty() || largest == r.peak_activation_bytes, "the peak is some step's bytes");
  Check(r.weight_bytes >= 0, "weight bytes are non-negative");
  Check(r.total_footprint_bytes == r.weight_bytes + r.peak_activation_bytes,
        "footprint = weights + peak");
}

void CheckSearch(const opcost::OrderSearchResult& s, const opcost::MemoryReport& given) {
  Check(s.given_peak_bytes == given.peak_activation_bytes,
        "the search's given peak equals the memory report's peak");
  Check(s.best_peak_bytes <= s.given_peak_bytes, "the best order is no worse than the given");
  Check(s.lower_bound_bytes <= s.best_peak_bytes, "the lower bound is below the best peak");
  Check(s.best_order.size() == given.steps.size(), "the best order runs every op once");
}

bool Intersect(const opcost::ArenaBlock& a, const opcost::ArenaBlock& b) {
  const bool live_together = a.first_step <= b.last_step && b.first_step <= a.last_step;
  const bool bytes_overlap = a.offset_bytes < b.offset_bytes + b.aligned_size_bytes &&
                             b.offset_bytes < a.offset_bytes + a.aligned_size_bytes;
  return live_together && bytes_overlap && a.size_bytes > 0 && b.size_bytes > 0;
}

void CheckPlan(const opcost::ArenaPlan& plan, const opcost::Liveness& liveness,
               std::int64_t best_peak) {
  Check(plan.peak_bytes == best_peak, "the plan's peak is the searched order's peak");
  Check(plan.arena_bytes >= plan.peak_bytes, "the arena is at least the peak");
  Check(plan.linear_arena_bytes >= plan.arena_bytes, "reuse never makes the arena larger");
  for (std::int32_t step = 0; step < liveness.num_steps(); ++step) {
    const std::int64_t live = opcost::LiveBytesAt(liveness, step) +
                              liveness.scratch_bytes[static_cast<std::size_t>(step)];
    Check(live <= plan.peak_bytes, "the plan's peak is >= every step's live bytes");
  }
  if (plan.blocks.size() > kMaxBlocksToCheck) return;
  for (std::size_t i = 0; i < plan.blocks.size(); ++i) {
    for (std::size_t j = i + 1; j < plan.blocks.size(); ++j) {
      Check(!Intersect(plan.blocks[i], plan.blocks[j]), "blocks live together never overlap");
    }
  }
}

// The memory half of `opcost memory --profile P --optimize-order --plan [--in-place]`.
void AnalyzeMemoryFully(const opcost::Graph& g, const opcost::HardwareProfile& profile,
                        bool in_place) {
  opcost::MemoryOptions options;
  options.rules.in_place = in_place;
  options.rules.scratch_bytes = opcost::ProfileScratchBytes(g, profile);
  const opcost::MemoryReport report = opcost::AnalyzeMemory(g, options);
  CheckReport(report);
  opcost::CheckFit(report, profile);

  opcost::OrderSearchOptions search_options;
  search_options.rules = options.rules;
  search_options.max_states = kMaxStates;
  const opcost::OrderSearchResult search = opcost::FindBestOrder(g, search_options);
  CheckSearch(search, report);
  opcost::PeakEvaluator evaluator(g, options.rules);
  Check(evaluator.PeakBytes(search.best_order) == search.best_peak_bytes,
        "the best order's peak re-evaluates to the reported value");

  const opcost::Liveness liveness = opcost::ComputeLiveness(g, search.best_order, options.rules);
  CheckPlan(opcost::PlanArena(liveness), liveness, search.best_peak_bytes);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  static std::vector<opcost::HardwareProfile> profiles;
  // A format-1 profile (throughput curves only) and a format-2 one (memory regions).
  for (const char* name : {"cortex-m7-f746.json", "stm32f746-x-cube-ai.json"}) {
    profiles.push_back(opcost::LoadProfile(std::string(OPCOST_FUZZ_PROFILE_DIR) + "/" + name));
  }
  g_profiles = &profiles;
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  // The input's length picks the options, so every seed is tried with each over time.
  const opcost::HardwareProfile& profile = (*g_profiles)[size % g_profiles->size()];
  const bool in_place = (size / 2) % 2 == 1;
  opcost::EstimateOptions estimate_options;
  estimate_options.allow_fallback = (size / 4) % 2 == 1;
  try {
    const opcost::Graph g = opcost::ParseModel(text, "fuzz.json");
    CheckMetrics(opcost::ComputeMetrics(g));
    try {
      const opcost::Estimator estimator(profile, estimate_options);
      CheckEstimate(estimator.EstimateGraph(g));
    } catch (const opcost::Error&) {
      // An op the profile cannot cost; the memory analysis does not depend on it.
    }
    AnalyzeMemoryFully(g, profile, in_place);
  } catch (const opcost::Error&) {
  }
  return 0;
}
