// opcost.memory: liveness, peak, footprint, fit, best order and arena plan, with the names of
// `opcost memory --format json`.
#include <pybind11/stl.h>

#include <string>
#include <vector>

#include "bindings.h"
#include "opcost/arena_planner.h"
#include "opcost/memory.h"
#include "opcost/order_search.h"

namespace opcost::python {
namespace {

struct MemoryRequest {
  const PyProfile* profile = nullptr;  // scratch and fit; may be null
  bool optimize_order = false;
  bool plan = false;
  bool in_place = false;
  std::int64_t alignment = 16;
  std::int64_t max_states = OrderSearchOptions().max_states;
  double max_seconds = 0;  // none
};

struct MemoryResult {
  MemoryReport report;
  bool searched = false;
  OrderSearchResult search;
  bool planned = false;
  ArenaPlan arena;
  bool has_fit = false;
  MemoryFit fit;
};

MemoryResult Analyze(const Graph& g, const MemoryRequest& r) {
  MemoryResult out;
  LivenessOptions rules;
  rules.in_place = r.in_place;
  if (r.profile != nullptr)
    rules.scratch_bytes = ProfileScratchBytes(g, r.profile->estimator->profile());
  MemoryOptions options;
  options.rules = rules;
  out.report = AnalyzeMemory(g, options);
  ExecutionOrder plan_order = out.report.order;
  if (r.optimize_order) {
    OrderSearchOptions search;
    search.rules = rules;
    search.max_states = r.max_states;
    search.max_seconds = r.max_seconds;
    out.search = FindBestOrder(g, search);
    out.searched = true;
    plan_order = out.search.best_order;
  }
  if (r.plan) {
    ArenaOptions arena;
    arena.alignment_bytes = r.alignment;
    out.arena = PlanArena(ComputeLiveness(g, plan_order, rules), arena);
    out.planned = true;
  }
  if (r.profile != nullptr) {
    const Estimator& est = *r.profile->estimator;
    out.fit = CheckFit(out.report, est.profile(), g, est.options().weights);
    out.has_fit = true;
  }
  return out;
}

py::list Names(const Graph& g, const std::vector<TensorId>& ids) {
  py::list names;
  for (TensorId t : ids) names.append(g.tensor(t).name);
  return names;
}

py::list OrderNames(const Graph& g, const ExecutionOrder& order) {
  py::list names;
  for (NodeId n : order) names.append(g.node(n).name);
  return names;
}

py::dict FitDict(const MemoryFit& f) {
  py::dict d;
  d["flash_capacity_bytes"] = f.flash_capacity_bytes;
  d["sram_capacity_bytes"] = f.sram_capacity_bytes;
  d["flash_used_bytes"] = f.flash_used_bytes;
  d["sram_used_bytes"] = f.sram_used_bytes;
  d["flash_margin_bytes"] = f.flash_margin_bytes;
  d["sram_margin_bytes"] = f.sram_margin_bytes;
  d["fits_flash"] = f.fits_flash;
  d["fits_sram"] = f.fits_sram;
  d["fits"] = f.fits;
  d["sram_weight_bytes"] = f.sram_weight_bytes;
  d["runtime_flash_bytes"] = f.runtime_flash_bytes;
  d["runtime_sram_bytes"] = f.runtime_sram_bytes;
  return d;
}

py::dict ResultDict(const Graph& g, const MemoryRequest& req, const MemoryResult& r) {
  const MemoryReport& m = r.report;
  py::dict root;
  root["model"] = g.name();
  root["in_place"] = req.in_place;
  if (req.profile != nullptr) root["profile"] = req.profile->estimator->profile().name;
  root["order"] = OrderNames(g, m.order);
  py::list steps;
  for (const MemoryStep& s : m.steps) {
    py::dict d;
    d["step"] = s.step;
    d["layer"] = g.node(s.node).name;
    d["op"] = OpTypeName(g.node(s.node).type);
    d["activation_bytes"] = s.activation_bytes;
    d["scratch_bytes"] = s.scratch_bytes;
    d["total_bytes"] = s.total_bytes;
    d["in_place"] = s.in_place;
    d["live_tensors"] = Names(g, s.live_tensors);
    steps.append(d);
  }
  root["steps"] = steps;
  root["peak_activation_bytes"] = m.peak_activation_bytes;
  root["peak_step"] = m.peak_step;
  root["peak_layer"] = m.peak_node == kNoNode ? std::string() : g.node(m.peak_node).name;
  root["peak_tensors"] = Names(g, m.peak_tensors);
  root["weight_bytes"] = m.weight_bytes;
  root["total_footprint_bytes"] = m.total_footprint_bytes;
  root["activation_share"] = m.total_footprint_bytes > 0
                                 ? static_cast<double>(m.peak_activation_bytes) /
                                       static_cast<double>(m.total_footprint_bytes)
                                 : 0.0;
  if (r.searched) {
    root["optimized_peak_activation_bytes"] = r.search.best_peak_bytes;
    root["optimal"] = r.search.optimal;
    root["exact_search"] = r.search.exact_search;
    root["lower_bound_bytes"] = r.search.lower_bound_bytes;
    root["states_visited"] = r.search.states_visited;
    root["stop_reason"] = OrderSearchStopName(r.search.stop_reason);
    root["optimized_order"] = OrderNames(g, r.search.best_order);
  }
  if (r.planned) {
    root["arena_bytes"] = r.arena.arena_bytes;
    py::dict arena;
    arena["order"] = r.searched ? "optimized" : "given";
    arena["alignment_bytes"] = req.alignment;
    arena["peak_bytes"] = r.arena.peak_bytes;
    arena["fragmentation"] = r.arena.fragmentation;
    arena["linear_arena_bytes"] = r.arena.linear_arena_bytes;
    root["arena"] = arena;
  }
  if (r.has_fit) root["fit"] = FitDict(r.fit);
  return root;
}

py::dict Memory(const PyGraph& g, const PyProfile* profile, bool optimize_order, bool plan,
                bool in_place, std::int64_t alignment, std::int64_t max_states,
                double max_seconds) {
  MemoryRequest req;
  req.profile = profile;
  req.optimize_order = optimize_order;
  req.plan = plan;
  req.in_place = in_place;
  req.alignment = alignment;
  req.max_states = max_states;
  req.max_seconds = max_seconds;
  if (alignment < 1 || alignment > 4096 || (alignment & (alignment - 1)) != 0) {
    throw Error(ErrorCode::kInvalidArgument, "alignment must be a power of two up to 4096 (got " +
                                                 std::to_string(alignment) + ")");
  }
  if (max_states < 1 || max_states > (std::int64_t{1} << 26)) {
    throw Error(ErrorCode::kInvalidArgument,
                "max_states must be in [1, 67108864] (got " + std::to_string(max_states) + ")");
  }
  if (!(max_seconds >= 0) || max_seconds > 86400) {  // also rejects NaN
    std::string got = std::to_string(max_seconds);
    throw Error(ErrorCode::kInvalidArgument,
                "max_seconds must be in [0, 86400], 0 for none (got " + got + ")");
  }
  MemoryResult r;
  {
    py::gil_scoped_release release;
    r = Analyze(*g.graph, req);
  }
  return ResultDict(*g.graph, req, r);
}

}  // namespace

std::int64_t PeakWithScratch(const Graph& g, const PyProfile& profile) {
  MemoryOptions options;
  options.rules.scratch_bytes = ProfileScratchBytes(g, profile.estimator->profile());
  options.max_listed_tensors = 0;  // only the peak is wanted: no per-step lists
  return AnalyzeMemory(g, options).peak_activation_bytes;
}

void BindMemory(py::module_& m) {
  m.def("_memory", &Memory, py::arg("graph"), py::arg("profile") = nullptr,
        py::arg("optimize_order") = false, py::arg("plan") = false, py::arg("in_place") = false,
        py::arg("alignment") = 16, py::arg("max_states") = OrderSearchOptions().max_states,
        py::arg("max_seconds") = 0.0);
}

}  // namespace opcost::python
