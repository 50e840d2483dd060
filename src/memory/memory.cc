#include "opcost/memory.h"

#include <algorithm>
#include <numeric>
#include <string>

#include "memory/memory_graph.h"
#include "opcost/error.h"
#include "opcost/types.h"

namespace opcost {

std::int64_t WeightBytes(const Graph& graph) {
  std::vector<std::uint8_t> seen(graph.tensors().size(), 0);
  std::int64_t bytes = 0;
  for (const Node& node : graph.nodes()) {
    for (TensorId t : node.inputs) {
      if (!graph.tensor(t).is_constant || seen[t]) continue;
      seen[t] = 1;
      bytes = CheckedAdd(bytes, graph.tensor(t).SizeBytes());
    }
  }
  return bytes;
}

namespace {

bool IsRam(const MemoryRegion& r) { return r.kind == "sram" || r.kind == "tcm"; }

void RequireMemory(const HardwareProfile& profile) {
  if (profile.memory.empty()) {
    throw Error(ErrorCode::kInvalidArgument,
                "weight placement: profile '" + profile.name +
                    "' has no memory section (format_version 2), so it cannot place weights");
  }
}

// Index of region `name` of `profile`, or an error naming it.
int RegionIndex(const HardwareProfile& profile, const std::string& name) {
  RequireMemory(profile);
  const int index = profile.memory.Find(name);
  if (index < 0) {
    throw Error(ErrorCode::kInvalidArgument, "weight placement: profile '" + profile.name +
                                                 "' has no memory region '" + name + "'");
  }
  return index;
}

}  // namespace

std::int64_t RamWeightBytes(const Graph& graph, const HardwareProfile& profile,
                            const WeightPlacement& placement) {
  if (placement.empty()) {
    if (profile.memory.empty()) return 0;
    const MemoryRegion& r =
        profile.memory.regions[static_cast<std::size_t>(profile.memory.weights_region)];
    return IsRam(r) ? WeightBytes(graph) : 0;
  }
  RequireMemory(profile);
  const int all = placement.all_layers.empty() ? profile.memory.weights_region
                                               : RegionIndex(profile, placement.all_layers);
  std::vector<int> region_of(graph.nodes().size(), all);
  for (const auto& [layer, region] : placement.layers) {
    const int index = RegionIndex(profile, region);
    bool found = false;
    for (std::size_t i = 0; i < graph.nodes().size(); ++i) {
      if (graph.nodes()[i].name == layer) {
        region_of[i] = index;
        found = true;
      }
    }
    if (!found) {
      throw Error(ErrorCode::kInvalidArgument,
                  "weight placement: model '" + graph.name() + "' has no layer '" + layer + "'");
    }
  }
  std::vector<std::uint8_t> seen(graph.tensors().size(), 0);
  std::int64_t bytes = 0;
  for (std::size_t i = 0; i < graph.nodes().size(); ++i) {
    if (!IsRam(profile.memory.regions[static_cast<std::size_t>(region_of[i])])) continue;
    for (TensorId t : graph.nodes()[i].inputs) {
      if (!graph.tensor(t).is_constant || seen[t]) continue;
      seen[t] = 1;
      bytes = CheckedAdd(bytes, graph.tensor(t).SizeBytes());
    }
  }
  return bytes;
}

namespace {

// Per step the number of live tensors and the first `max_listed` of them by id. A step that
// is full is skipped through `next_open` (the next step with room, path halving), so the work
// is O(tensors + steps x max_listed), not the sum of all lifetimes.
void ListLiveTensors(const Liveness& l, std::size_t max_listed, std::vector<MemoryStep>* steps) {
  const std::int32_t n = l.num_steps();
  std::vector<std::int32_t> count_delta(static_cast<std::size_t>(n) + 1, 0);
  std::vector<std::int32_t> next_open(static_cast<std::size_t>(n) + 1);
  std::iota(next_open.begin(), next_open.end(), 0);
  auto open_from = [&](std::int32_t s) {
    while (next_open[s] != s) s = next_open[s] = next_open[next_open[s]];
    return s;
  };
  for (const TensorLifetime& t : l.tensors) {
    const std::int32_t first = std::max<std::int32_t>(t.first_step, 0);
    const std::int32_t last = std::min(t.last_step, n - 1);
    if (first > last) continue;
    ++count_delta[first];
    --count_delta[last + 1];
    for (std::int32_t s = open_from(first); s <= last; s = open_from(s + 1)) {
      std::vector<TensorId>& listed = (*steps)[s].live_tensors;
      if (listed.size() < max_listed) listed.push_back(t.tensor);
      if (listed.size() >= max_listed) next_open[s] = s + 1;
    }
  }
  std::int32_t live = 0;
  for (std::int32_t s = 0; s < n; ++s) {
    live += count_delta[s];
    (*steps)[s].live_tensor_count = live;
  }
}

}  // namespace

MemoryReport AnalyzeMemory(const Graph& graph, const MemoryOptions& options) {
  const Liveness l = ComputeLiveness(graph, options.order, options.rules);
  MemoryReport r;
  r.order = l.order;
  r.steps.resize(l.order.size());
  r.peak_activation_bytes = -1;
  // Linear in the graph plus the listed live tensors (a step-by-tensor scan was quadratic: a
  // 100k-layer chain took a minute): bytes per step from a difference array over the buffers.
  std::vector<std::int64_t> delta(static_cast<std::size_t>(l.num_steps()) + 1, 0);
  for (const BufferLifetime& b : l.buffers) {
    if (b.first_step > b.last_step) continue;
    delta[static_cast<std::size_t>(b.first_step)] =
        CheckedAdd(delta[static_cast<std::size_t>(b.first_step)], b.size_bytes);
    delta[static_cast<std::size_t>(b.last_step) + 1] -= b.size_bytes;
  }
  ListLiveTensors(l, options.max_listed_tensors, &r.steps);
  std::int64_t live = 0;
  for (std::int32_t s = 0; s < l.num_steps(); ++s) {
    MemoryStep& step = r.steps[s];
    step.step = s;
    step.node = l.order[s];
    live = CheckedAdd(live, delta[static_cast<std::size_t>(s)]);
    step.activation_bytes = live;
    step.scratch_bytes = l.scratch_bytes[s];
    step.total_bytes = step.activation_bytes + step.scratch_bytes;  // bounded: checked in Build
    step.in_place = l.in_place[s];
    if (step.total_bytes > r.peak_activation_bytes) {
      r.peak_activation_bytes = step.total_bytes;
      r.peak_step = s;
    }
  }
  r.peak_node = l.order[r.peak_step];
  for (const TensorLifetime& t : l.tensors) {
    if (t.first_step <= r.peak_step && r.peak_step <= t.last_step) {
      r.peak_tensors.push_back(t.tensor);
    }
  }
  r.weight_bytes = WeightBytes(graph);
  r.total_footprint_bytes = CheckedAdd(r.weight_bytes, r.peak_activation_bytes);
  return r;
}

MemoryFit CheckFit(const MemoryReport& report, std::int64_t flash_capacity_bytes,
                   std::int64_t sram_capacity_bytes, const RuntimeReserve& reserve) {
  if (flash_capacity_bytes <= 0 || sram_capacity_bytes <= 0) {
    throw Error(ErrorCode::kInvalidArgument,
                "cannot check memory fit: flash and SRAM capacities must be > 0 (got flash " +
                    std::to_string(flash_capacity_bytes) + " B, SRAM " +
                    std::to_string(sram_capacity_bytes) + " B)");
  }
  if (reserve.flash_bytes < 0 || reserve.sram_bytes < 0) {
    throw Error(ErrorCode::kInvalidArgument,
                "cannot check memory fit: a runtime reserve must be >= 0 (got flash " +
                    std::to_string(reserve.flash_bytes) + " B, SRAM " +
                    std::to_string(reserve.sram_bytes) + " B)");
  }
  MemoryFit f;
  f.flash_capacity_bytes = flash_capacity_bytes;
  f.sram_capacity_bytes = sram_capacity_bytes;
  f.runtime_flash_bytes = reserve.flash_bytes;
  f.runtime_sram_bytes = reserve.sram_bytes;
  f.flash_used_bytes = CheckedAdd(report.weight_bytes, reserve.flash_bytes);
  f.sram_used_bytes = CheckedAdd(report.peak_activation_bytes, reserve.sram_bytes);
  // Both operands are non-negative, so the differences cannot overflow.
  f.flash_margin_bytes = flash_capacity_bytes - f.flash_used_bytes;
  f.sram_margin_bytes = sram_capacity_bytes - f.sram_used_bytes;
  f.fits_flash = f.flash_margin_bytes >= 0;
  f.fits_sram = f.sram_margin_bytes >= 0;
  f.fits = f.fits_flash && f.fits_sram;
  return f;
}

MemoryFit CheckFit(const MemoryReport& report, const HardwareProfile& profile) {
  try {
    return CheckFit(report, profile.flash_bytes, profile.sram_bytes, profile.runtime_reserve);
  } catch (const Error& e) {
    throw WithContext(e, "memory fit under profile '" + profile.name + "'");
  }
}

PeakEvaluator::PeakEvaluator(const Graph& graph, const LivenessOptions& options)
    : graph_(std::make_unique<detail::MemoryGraph>()) {
  Reset(graph, options);
}

void PeakEvaluator::Reset(const Graph& graph, const LivenessOptions& options) {
  graph_->Rebuild(graph, options);
  try {
    graph_->CheckGraphOrder();  // the graph's own order must be topological
  } catch (...) {
    graph_->graph = nullptr;
    throw;
  }
}
PeakEvaluator::~PeakEvaluator() = default;
PeakEvaluator::PeakEvaluator(PeakEvaluator&&) noexcept = default;
PeakEvaluator& PeakEvaluator::operator=(PeakEvaluator&&) noexcept = default;

std::int64_t PeakEvaluator::PeakBytes(const ExecutionOrder& order) {
  if (graph_->graph == nullptr) {
    throw Error(ErrorCode::kInvalidArgument,
                "PeakEvaluator: the last Reset failed; Reset with a valid graph first");
  }
  if (order.empty()) return graph_->PeakOfGraphOrder();
  graph_->CheckOrder(order);
  return graph_->Peak(order);
}

std::int32_t PeakEvaluator::num_nodes() const { return graph_->num_nodes; }

MemoryFit CheckFit(const MemoryReport& report, const HardwareProfile& profile, const Graph& graph,
                   const WeightPlacement& placement) {
  const std::int64_t ram_weights = RamWeightBytes(graph, profile, placement);
  MemoryReport with_weights = report;
  with_weights.peak_activation_bytes = CheckedAdd(report.peak_activation_bytes, ram_weights);
  MemoryFit f = CheckFit(with_weights, profile);
  f.sram_weight_bytes = ram_weights;
  return f;
}

}  // namespace opcost
