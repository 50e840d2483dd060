// RenderReportMarkdown: what a pull-request comment needs, short: the summary table and the
// layers that take the most time.
#include <algorithm>
#include <cstddef>
#include <numeric>
#include <string>
#include <vector>

#include "opcost/report.h"
#include "report/escape.h"
#include "report/text_format.h"

namespace opcost {
namespace {

using report::Bytes;
using report::EscapeMarkdown;

constexpr std::size_t kTopLayers = 10;

std::string Row(const std::string& label, const std::string& value) {
  return "| " + label + " | " + value + " |\n";
}

std::string TrustText(const ReportData& r) {
  std::string s;
  for (const ValidationRecord& v : r.trust.validation) {
    if (!s.empty()) s += "; ";
    s += "latency error " + report::Significant(v.latency_error_pct, 3) + " % (" +
         (v.kind == "leave_one_out" ? "leave-one-out" : "absolute") + ", " +
         std::to_string(v.rows) + " networks" + InSampleText(v) + ")";
  }
  if (s.empty()) s = "latency not validated against measurements";
  s += "; power " + std::string(r.trust.power_measured
                                    ? "measured"
                                    : EscapeMarkdown(r.trust.power_source_kind) + ", not measured");
  return s;
}

std::string SummaryTable(const ReportData& r) {
  const EstimateTotals& t = r.estimate.totals;
  const MemoryFit& f = r.fit;
  std::string sram = Bytes(f.sram_used_bytes) + " = peak activations " +
                     Bytes(r.memory.peak_activation_bytes) + " (scratch included)";
  if (f.sram_weight_bytes > 0) sram += " + weights in RAM " + Bytes(f.sram_weight_bytes);
  sram += " + runtime reserve " + Bytes(f.runtime_sram_bytes) + ", of " +
          Bytes(f.sram_capacity_bytes) + " (margin " + Bytes(f.sram_margin_bytes) + ")";
  std::string verdict = f.fits ? "yes" : "**no**";
  if (!f.fits_flash) verdict += ", flash too small";
  if (!f.fits_sram) verdict += ", SRAM too small";
  return "| | |\n|---|---|\n" + Row("latency", report::Seconds(t.latency_s)) +
         Row("energy per inference", report::Joules(t.energy_j)) +
         Row("MACs", report::GroupedInt(r.metrics.total.macs)) +
         Row("flash used", Bytes(f.flash_used_bytes) + " = weights " +
                               Bytes(f.flash_used_bytes - f.runtime_flash_bytes) +
                               " + runtime reserve " + Bytes(f.runtime_flash_bytes) + ", of " +
                               Bytes(f.flash_capacity_bytes) + " (margin " +
                               Bytes(f.flash_margin_bytes) + ")") +
         Row("peak SRAM", sram) + Row("fits", verdict) + Row("trust", TrustText(r));
}

std::string TopLayers(const ReportData& r) {
  std::vector<std::size_t> order(r.layer_names.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  const std::size_t shown = std::min(kTopLayers, order.size());
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(shown), order.end(),
                    [&](std::size_t a, std::size_t b) {
                      return r.estimate.layers[a].latency_s > r.estimate.layers[b].latency_s;
                    });
  std::string s =
      "\nLayers that take the most time:\n\n| # | layer | op | MACs | time | % time |\n"
      "|---:|---|---|---:|---:|---:|\n";
  for (std::size_t k = 0; k < shown; ++k) {
    const std::size_t i = order[k];
    const LayerEstimate& l = r.estimate.layers[i];
    s += "| " + std::to_string(i) + " | " + EscapeMarkdown(report::Truncate(r.layer_names[i], 48)) +
         " | " + EscapeMarkdown(OpTypeName(l.type)) + " | " + report::GroupedInt(l.macs) + " | " +
         report::Seconds(l.latency_s) + " | " +
         report::Percent(report::SafeRatio(l.latency_s, r.estimate.totals.latency_s)) + " |\n";
  }
  return s;
}

}  // namespace

std::string RenderReportMarkdown(const ReportData& r) {
  return "### opcost report: " + EscapeMarkdown(r.model_name) + " on " +
         EscapeMarkdown(r.profile.name) + "\n\n" + std::to_string(r.layer_names.size()) +
         " layers, " + EscapeMarkdown(r.profile.core) + " at " +
         report::Significant(r.profile.clock_hz / 1e6) + " MHz, " +
         EscapeMarkdown(r.profile.kernel_library) + ".\n\n" + SummaryTable(r) + TopLayers(r);
}

}  // namespace opcost
