// RenderReportJson: the report as one JSON document. Keys: docs/report.md.
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>

#include "opcost/report.h"
#include "report/category_colors.h"
#include "report/text_format.h"

namespace opcost {
namespace {

using Json = nlohmann::ordered_json;

Json ProfileJson(const HardwareProfile& p) {
  return {{"name", p.name},
          {"file", p.source_name},
          {"core", p.core},
          {"mcu", p.mcu},
          {"board", p.board},
          {"clock_hz", p.clock_hz},
          {"kernel_library", p.kernel_library},
          {"kernel_library_version", p.kernel_library_version}};
}

Json FlashJson(const ReportData& r) {
  const MemoryFit& f = r.fit;
  return {{"weight_bytes", f.flash_used_bytes - f.runtime_flash_bytes},
          {"runtime_reserve_bytes", f.runtime_flash_bytes},
          {"runtime_reserve_source", r.profile.runtime_reserve.flash_source},
          {"used_bytes", f.flash_used_bytes},
          {"capacity_bytes", f.flash_capacity_bytes},
          {"margin_bytes", f.flash_margin_bytes},
          {"fits", f.fits_flash}};
}

Json SramJson(const ReportData& r) {
  const MemoryFit& f = r.fit;
  return {{"peak_activation_bytes", r.memory.peak_activation_bytes},
          {"peak_scratch_bytes", r.peak_scratch_bytes},
          {"weight_bytes", f.sram_weight_bytes},
          {"runtime_reserve_bytes", f.runtime_sram_bytes},
          {"runtime_reserve_source", r.profile.runtime_reserve.sram_source},
          {"used_bytes", f.sram_used_bytes},
          {"capacity_bytes", f.sram_capacity_bytes},
          {"margin_bytes", f.sram_margin_bytes},
          {"fits", f.fits_sram}};
}

Json SummaryJson(const ReportData& r) {
  const EstimateTotals& t = r.estimate.totals;
  return {{"latency_s", t.latency_s},
          {"energy_j", t.energy_j},
          {"cycles", t.cycles},
          {"memory_cycles", t.memory_cycles},
          {"macs", r.metrics.total.macs},
          {"ops", r.metrics.total.ops},
          {"params", r.metrics.total.params},
          {"naive_latency_s", t.naive_latency_s},
          {"naive_energy_j", t.naive_energy_j},
          {"flash", FlashJson(r)},
          {"sram", SramJson(r)},
          {"fits", r.fit.fits},
          {"extrapolated_layers", t.extrapolated_layers},
          {"variant_layers", t.variant_layers},
          {"fallback_layers", t.fallback_layers},
          {"unsupported_layers", t.unsupported_layers}};
}

Json TrustJson(const ReportTrust& trust) {
  Json validation = Json::array();
  for (const ValidationRecord& v : trust.validation) {
    validation.push_back({{"kind", v.kind},
                          {"rows", v.rows},
                          {"in_sample_rows", v.in_sample_rows},
                          {"latency_error_pct", v.latency_error_pct},
                          {"naive_latency_error_pct", v.naive_latency_error_pct},
                          {"source", v.source}});
  }
  return {{"power_source_kind", trust.power_source_kind},
          {"power_measured", trust.power_measured},
          {"validation", validation}};
}

Json CategoriesJson(const NetworkEstimate& e) {
  Json cats = Json::array();
  for (int c = 0; c < kNumOpCategories; ++c) {
    const OpCategory category = static_cast<OpCategory>(c);
    const CategoryBreakdown& k = e.by_category[static_cast<std::size_t>(c)];
    cats.push_back({{"category", OpCategoryName(category)},
                    {"color", report::CategoryColor(category)},
                    {"layers", k.layers},
                    {"macs", k.macs},
                    {"ops", k.ops},
                    {"cycles", k.cycles},
                    {"latency_s", k.latency_s},
                    {"energy_j", k.energy_j},
                    {"ops_share", k.ops_share},
                    {"time_share", k.time_share},
                    {"energy_share", k.energy_share}});
  }
  return cats;
}

Json LayerJson(const ReportData& r, std::size_t i) {
  const OpMetrics& m = r.metrics.layers[i];
  const LayerEstimate& l = r.estimate.layers[i];
  const MemoryStep& step = r.memory.steps[static_cast<std::size_t>(r.step_of_layer[i])];
  const EstimateTotals& t = r.estimate.totals;
  Json flags = Json::array();
  for (const char* name : EstimateFlagNames(l.flags)) flags.push_back(name);
  return {{"index", i},
          {"name", r.layer_names[i]},
          {"op", OpTypeName(l.type)},
          {"category", OpCategoryName(l.category)},
          {"macs", m.macs},
          {"macs_per_output", m.macs_per_output},
          {"ops", m.ops},
          {"output_elements", m.output_elements},
          {"params", m.params},
          {"weight_bytes", m.weight_bytes},
          {"weights_region", r.weights_regions[i]},
          {"input_bytes", m.input_bytes},
          {"output_bytes", m.output_bytes},
          {"throughput", l.throughput},
          {"cycles", l.cycles},
          {"memory_cycles", l.memory_cycles},
          {"latency_s", l.latency_s},
          {"energy_j", l.energy_j},
          {"naive_latency_s", l.naive_latency_s},
          {"time_share", report::SafeRatio(l.latency_s, t.latency_s)},
          {"energy_share", report::SafeRatio(l.energy_j, t.energy_j)},
          {"step", step.step},
          {"scratch_bytes", step.scratch_bytes},
          {"live_bytes", step.total_bytes},
          {"flags", flags}};
}

Json CurveJson(const ReportData& r, OpCategory category) {
  const CategoryProfile& c = r.profile.category(category);
  const bool mac = IsMacCategory(category);
  Json points = Json::array();
  for (const ThroughputCurve::Point& p : c.curve.points()) {
    points.push_back(
        {{"macs_per_output", p.macs_per_output}, {"macs_per_cycle", p.macs_per_cycle}});
  }
  Json layers = Json::array();
  for (std::size_t i = 0; i < r.estimate.layers.size(); ++i) {
    const LayerEstimate& l = r.estimate.layers[i];
    if (l.category != category) continue;
    layers.push_back(
        {{"index", i}, {"macs_per_output", l.macs_per_output}, {"throughput", l.throughput}});
  }
  return {{"category", OpCategoryName(category)},
          {"characterized", c.characterized},
          {"throughput_unit", mac ? "macs_per_cycle" : "cycles_per_element"},
          {"points", points},
          {"cycles_per_element", c.cycles_per_element},
          {"overhead_cycles", c.overhead_cycles},
          {"power_mw", c.power_mw},
          {"layers", layers}};
}

Json MemoryJson(const ReportData& r) {
  const MemoryReport& m = r.memory;
  Json steps = Json::array();
  for (const MemoryStep& s : m.steps) {
    steps.push_back({{"step", s.step},
                     {"layer", s.node},
                     {"name", r.layer_names[static_cast<std::size_t>(s.node)]},
                     {"activation_bytes", s.activation_bytes},
                     {"scratch_bytes", s.scratch_bytes},
                     {"total_bytes", s.total_bytes},
                     {"live_tensor_count", s.live_tensor_count}});
  }
  Json peak_tensors = Json::array();
  for (TensorId id : m.peak_tensors) {
    const ReportTensor& t = r.tensors[static_cast<std::size_t>(id)];
    peak_tensors.push_back({{"name", t.name}, {"size_bytes", t.size_bytes}});
  }
  return {{"steps", steps},
          {"peak_step", m.peak_step},
          {"peak_layer", r.layer_names[static_cast<std::size_t>(m.peak_node)]},
          {"peak_bytes", m.peak_activation_bytes},
          {"peak_tensors", peak_tensors},
          {"weight_bytes", m.weight_bytes},
          {"sram_for_activations_bytes", r.sram_for_activations_bytes}};
}

Json ArenaBlockJson(const ReportData& r, const ArenaBlock& b) {
  Json j;
  if (b.buffer >= 0) {
    j["kind"] = "tensors";
    Json names = Json::array();
    for (TensorId id : r.liveness.buffers[static_cast<std::size_t>(b.buffer)].tensors) {
      names.push_back(r.tensors[static_cast<std::size_t>(id)].name);
    }
    j["tensors"] = names;
  } else {
    j["kind"] = "scratch";
    const NodeId node = r.liveness.order[static_cast<std::size_t>(b.scratch_step)];
    j["layer"] = r.layer_names[static_cast<std::size_t>(node)];
  }
  j["offset_bytes"] = b.offset_bytes;
  j["size_bytes"] = b.size_bytes;
  j["first_step"] = b.first_step;
  j["last_step"] = b.last_step;
  return j;
}

Json ArenaJson(const ReportData& r) {
  const ArenaPlan& a = r.arena;
  Json blocks = Json::array();
  for (const ArenaBlock& b : a.blocks) blocks.push_back(ArenaBlockJson(r, b));
  return {{"alignment_bytes", r.options.arena_alignment_bytes},
          {"arena_bytes", a.arena_bytes},
          {"peak_bytes", a.peak_bytes},
          {"linear_arena_bytes", a.linear_arena_bytes},
          {"fragmentation", a.fragmentation},
          {"blocks", blocks}};
}

}  // namespace

std::string RenderReportJson(const ReportData& r) {
  Json root;
  root["report_format_version"] = kReportFormatVersion;
  root["model"] = {{"name", r.model_name}, {"layers", r.layer_names.size()}};
  root["profile"] = ProfileJson(r.profile);
  root["summary"] = SummaryJson(r);
  root["trust"] = TrustJson(r.trust);
  root["by_category"] = CategoriesJson(r.estimate);
  Json layers = Json::array();
  for (std::size_t i = 0; i < r.layer_names.size(); ++i) layers.push_back(LayerJson(r, i));
  root["layers"] = layers;
  Json curves = Json::array();
  for (int c = 0; c < kNumOpCategories; ++c) {
    curves.push_back(CurveJson(r, static_cast<OpCategory>(c)));
  }
  root["curves"] = curves;
  root["memory"] = MemoryJson(r);
  root["arena"] = ArenaJson(r);
  return root.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace opcost
