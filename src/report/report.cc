// BuildReport: runs the library's analyses once, in graph order, and keeps the names the
// renderers print so that they never need the graph.
#include "opcost/report.h"

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "opcost/arena_planner.h"
#include "opcost/estimator.h"
#include "opcost/liveness.h"
#include "opcost/memory.h"
#include "opcost/metrics.h"

namespace opcost {
namespace {

std::vector<ReportTensor> DescribeTensors(const Graph& graph) {
  std::vector<ReportTensor> tensors;
  tensors.reserve(graph.tensors().size());
  for (std::size_t i = 0; i < graph.tensors().size(); ++i) {
    const Tensor& t = graph.tensor(static_cast<TensorId>(i));
    ReportTensor r;
    r.name = t.name;
    r.producer = graph.producer(static_cast<TensorId>(i));
    // Constants live in flash: the memory sections only ever name activations.
    if (!t.is_constant) r.size_bytes = t.SizeBytes();
    tensors.push_back(std::move(r));
  }
  return tensors;
}

// Power is trusted as measured only if every characterized category's power_mw says so.
ReportTrust DescribeTrust(const HardwareProfile& profile) {
  ReportTrust trust;
  for (const CategoryProfile& c : profile.categories) {
    if (!c.characterized) continue;
    const std::string& kind = profile.SourceKind(c.power_source);
    if (trust.power_source_kind.empty()) {
      trust.power_source_kind = kind;
    } else if (kind != trust.power_source_kind) {
      trust.power_source_kind = "mixed";
    }
  }
  trust.power_measured = trust.power_source_kind == "measurement";
  trust.validation = profile.validation;
  return trust;
}

}  // namespace

ReportData BuildReport(const Graph& graph, const HardwareProfile& profile,
                       const ReportOptions& options) {
  ReportData r;
  r.model_name = graph.name();
  r.profile = profile;
  r.options = options;
  for (const Node& n : graph.nodes()) r.layer_names.push_back(n.name);
  r.tensors = DescribeTensors(graph);

  r.metrics = ComputeMetrics(graph);
  r.estimate = Estimator(profile, options.estimate).EstimateGraph(graph);
  for (const LayerEstimate& l : r.estimate.layers) {
    r.weights_regions.push_back(WeightsRegionName(profile, l));
  }

  MemoryOptions memory_options;
  memory_options.rules.scratch_bytes = ProfileScratchBytes(graph, profile);
  memory_options.max_listed_tensors = options.max_listed_tensors;
  r.memory = AnalyzeMemory(graph, memory_options);
  r.fit = CheckFit(r.memory, profile, graph, options.estimate.weights);

  r.liveness = ComputeLiveness(graph, r.memory.order, memory_options.rules);
  ArenaOptions arena_options;
  arena_options.alignment_bytes = options.arena_alignment_bytes;
  r.arena = PlanArena(r.liveness, arena_options);

  r.trust = DescribeTrust(profile);
  r.step_of_layer.assign(graph.nodes().size(), 0);
  for (const MemoryStep& s : r.memory.steps) {
    r.step_of_layer[static_cast<std::size_t>(s.node)] = s.step;
  }
  r.peak_scratch_bytes = r.memory.steps[static_cast<std::size_t>(r.memory.peak_step)].scratch_bytes;
  // Capacities and reserves are bounded far below INT64_MAX by the profile reader and CheckFit.
  r.sram_for_activations_bytes =
      r.fit.sram_capacity_bytes - r.fit.runtime_sram_bytes - r.fit.sram_weight_bytes;
  return r;
}

}  // namespace opcost
