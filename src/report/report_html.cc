// RenderReportHtml: the report as one self-contained page. Structure: summary (the numbers a
// deployer decides on, each with a stable id and an exact data-value), the charts (charts.h),
// then the per-layer table. No script, no external resource: it opens from disk anywhere.
#include <cstddef>
#include <string>
#include <vector>

#include "opcost/report.h"
#include "report/category_colors.h"
#include "report/charts.h"
#include "report/escape.h"
#include "report/text_format.h"

namespace opcost {
namespace {

using report::Bytes;
using report::EscapeHtml;
using report::ExactNumber;
using report::GroupedInt;

constexpr char kStyle[] = R"css(
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
 color:#222;background:#fff;margin:0}
main{max-width:1100px;margin:0 auto;padding:16px 24px 48px}
h1{font-size:24px;margin:8px 0 2px;word-break:break-all}
h2{font-size:18px;margin:32px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.meta{color:#555;margin:0 0 8px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0}
.card{flex:1 1 200px;border:1px solid #ddd;border-radius:6px;padding:10px 14px;background:#f8f9fb}
.card h3{font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:#666;margin:0}
.card .big{font-size:26px;font-weight:600;margin:2px 0}
.card p{margin:2px 0;color:#444}
.card.fits{background:#eaf6ec;border-color:#9ccc9f}
.card.nofit{background:#fbeaea;border-color:#e0a0a0}
table{border-collapse:collapse;font-size:13px}
th,td{border-bottom:1px solid #e4e4e4;padding:3px 8px;text-align:left;vertical-align:top;
 white-space:nowrap}
th{background:#f3f4f6;position:sticky;top:0}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.ok{color:#1e7b34;font-weight:600}.bad{color:#c0392b;font-weight:600}
.legend{display:flex;flex-wrap:wrap;gap:6px 16px;margin:6px 0 10px;font-size:13px}
.legend span{display:inline-flex;align-items:center;gap:5px}
.legend i{display:inline-block;width:12px;height:12px;border-radius:2px}
.scroll{overflow-x:auto;max-width:100%}
.note{color:#555;font-size:13px}
svg text{font-size:11px}
td.name{white-space:normal;min-width:160px;max-width:320px;overflow-wrap:anywhere}
#fit td{white-space:normal}
#memory svg rect{stroke:#fff;stroke-width:.5}
)css";

// A number a test reads: the text people see, the exact value in data-value.
std::string Value(const std::string& id, const std::string& exact, const std::string& text) {
  return "<span id=\"" + id + "\" data-value=\"" + EscapeHtml(exact) + "\">" + EscapeHtml(text) +
         "</span>";
}

std::string BytesValue(const std::string& id, std::int64_t bytes) {
  return Value(id, std::to_string(bytes), Bytes(bytes));
}

std::string Head(const ReportData& r) {
  return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
         "<title>opcost report: " +
         EscapeHtml(r.model_name) + " on " + EscapeHtml(r.profile.name) + "</title><style>" +
         kStyle + "</style></head>\n";
}

std::string Header(const ReportData& r) {
  const HardwareProfile& p = r.profile;
  return "<header><h1 id=\"model-name\">" + EscapeHtml(r.model_name) +
         "</h1><p class=\"meta\">on <b id=\"profile-name\">" + EscapeHtml(p.name) +
         "</b>: " + EscapeHtml(p.core) + (p.mcu.empty() ? "" : ", " + EscapeHtml(p.mcu)) + ", " +
         report::Significant(p.clock_hz / 1e6) + " MHz, " + EscapeHtml(p.kernel_library) + " " +
         EscapeHtml(p.kernel_library_version) + " &middot; " +
         Value("layer-count", std::to_string(r.layer_names.size()),
               std::to_string(r.layer_names.size())) +
         " layers &middot; made by opcost report</p></header>\n";
}

// The recorded latency error people quote: leave-one-out when the profile has it (it says how
// the model does on networks it was not fitted to), else the absolute one.
const ValidationRecord* HeadlineValidation(const ReportTrust& trust) {
  const ValidationRecord* best = nullptr;
  for (const ValidationRecord& v : trust.validation) {
    if (best == nullptr || v.kind == "leave_one_out") best = &v;
  }
  return best;
}

std::string Card(const std::string& css_class, const std::string& title, const std::string& big,
                 const std::string& detail) {
  return "<div class=\"card " + css_class + "\"><h3>" + title + "</h3><p class=\"big\">" + big +
         "</p><p>" + detail + "</p></div>";
}

// Plain text (callers escape it).
std::string PowerText(const ReportTrust& t) {
  if (t.power_measured) return "power measured";
  return "power: " + (t.power_source_kind.empty() ? "unknown" : t.power_source_kind) +
         " (not measured)";
}

// Where a runtime reserve comes from: the command line, or the profile's provenance entry.
std::string ReserveOrigin(const HardwareProfile& p, const std::string& source_id) {
  if (source_id.empty()) return "not given by the profile (0 B)";
  for (const ProvenanceSource& s : p.sources) {
    if (s.id == source_id) return s.kind + ": " + s.citation;
  }
  return source_id;
}

std::string SummaryCards(const ReportData& r) {
  const EstimateTotals& t = r.estimate.totals;
  const MemoryFit& f = r.fit;
  std::string verdict = f.fits ? "fits" : "does not fit";
  std::string why;
  if (!f.fits_flash) why += "flash too small. ";
  if (!f.fits_sram) why += "SRAM too small. ";
  return "<div class=\"cards\">" +
         Card("", "Latency",
              Value("latency-s", ExactNumber(t.latency_s), report::Seconds(t.latency_s)),
              GroupedInt(static_cast<std::int64_t>(t.cycles + 0.5)) + " cycles at " +
                  report::Significant(r.profile.clock_hz / 1e6) + " MHz") +
         Card("", "Energy per inference",
              Value("energy-j", ExactNumber(t.energy_j), report::Joules(t.energy_j)),
              EscapeHtml(PowerText(r.trust))) +
         Card("", "MACs",
              Value("macs", std::to_string(r.metrics.total.macs), GroupedInt(r.metrics.total.macs)),
              GroupedInt(r.metrics.total.ops) + " ops, " + GroupedInt(r.metrics.total.params) +
                  " params") +
         Card(f.fits ? "fits" : "nofit", "Fits the device",
              Value("fit-verdict", f.fits ? "fits" : "does-not-fit", verdict),
              why + "flash margin " + Bytes(f.flash_margin_bytes) + ", SRAM margin " +
                  Bytes(f.sram_margin_bytes)) +
         "</div>\n";
}

std::string FitCell(bool fits) {
  return fits ? "<td class=\"ok\">fits</td>" : "<td class=\"bad\">does not fit</td>";
}

std::string ReserveNote(const ReportData& r) {
  const RuntimeReserve& reserve = r.profile.runtime_reserve;
  std::string s =
      "<p class=\"note\">Runtime reserve (the runtime's own code in flash, its own "
      "RAM in SRAM): flash from " +
      EscapeHtml(ReserveOrigin(r.profile, reserve.flash_source));
  if (reserve.sram_source != reserve.flash_source) {
    s += "; SRAM from " + EscapeHtml(ReserveOrigin(r.profile, reserve.sram_source));
  }
  if (!reserve.note.empty()) s += ". " + EscapeHtml(reserve.note);
  return s + "</p>\n";
}

std::string FitTable(const ReportData& r) {
  const MemoryFit& f = r.fit;
  std::string sram_parts =
      "peak activations " +
      BytesValue("sram-peak-activation-bytes", r.memory.peak_activation_bytes) + " (scratch " +
      Bytes(r.peak_scratch_bytes) + " of it)";
  if (f.sram_weight_bytes > 0) {
    sram_parts +=
        " + weights copied to RAM " + BytesValue("sram-weight-bytes", f.sram_weight_bytes);
  }
  sram_parts += " + runtime reserve " + BytesValue("sram-reserve-bytes", f.runtime_sram_bytes);
  return "<table id=\"fit\"><tr><th></th><th class=\"n\">used</th><th>made of</th>"
         "<th class=\"n\">capacity</th><th class=\"n\">margin</th><th></th></tr>"
         "<tr><th>flash</th><td class=\"n\">" +
         BytesValue("flash-used-bytes", f.flash_used_bytes) + "</td><td>weights " +
         BytesValue("flash-weight-bytes", f.flash_used_bytes - f.runtime_flash_bytes) +
         " + runtime reserve " + BytesValue("flash-reserve-bytes", f.runtime_flash_bytes) +
         "</td><td class=\"n\">" + BytesValue("flash-capacity-bytes", f.flash_capacity_bytes) +
         "</td><td class=\"n\">" + BytesValue("flash-margin-bytes", f.flash_margin_bytes) +
         "</td>" + FitCell(f.fits_flash) + "</tr><tr><th>SRAM</th><td class=\"n\">" +
         BytesValue("sram-used-bytes", f.sram_used_bytes) + "</td><td>" + sram_parts +
         "</td><td class=\"n\">" + BytesValue("sram-capacity-bytes", f.sram_capacity_bytes) +
         "</td><td class=\"n\">" + BytesValue("sram-margin-bytes", f.sram_margin_bytes) + "</td>" +
         FitCell(f.fits_sram) + "</tr></table>\n" + ReserveNote(r);
}

std::string TrustParagraph(const ReportData& r) {
  std::string s = "<p id=\"trust\"><b>How far to trust these numbers:</b> ";
  const ValidationRecord* v = HeadlineValidation(r.trust);
  if (v == nullptr) {
    s += Value("validation-error-pct", "", "latency not validated") +
         " against measurements for this profile";
  } else {
    s += "latency error " +
         Value("validation-error-pct", ExactNumber(v->latency_error_pct),
               report::Significant(v->latency_error_pct, 3) + " %") +
         " (mean " + (v->kind == "leave_one_out" ? "leave-one-out" : "absolute") + " over " +
         std::to_string(v->rows) + " measured networks" + InSampleText(*v) +
         "; an ops-proportional model: " + report::Significant(v->naive_latency_error_pct, 3) +
         " %)";
  }
  s += "; " +
       Value("power-measured", r.trust.power_measured ? "true" : "false",
             r.trust.power_measured ? "power measured" : PowerText(r.trust)) +
       ".";
  const EstimateTotals& t = r.estimate.totals;
  if (t.extrapolated_layers + t.fallback_layers + t.unsupported_layers > 0) {
    s += " <span class=\"bad\">" + std::to_string(t.extrapolated_layers) +
         " layer(s) beyond the profile's curves, " + std::to_string(t.fallback_layers) +
         " on the ops-proportional fallback, " + std::to_string(t.unsupported_layers) +
         " unsupported (zero cost).</span>";
  }
  return s + "</p>\n";
}

std::string Section(const std::string& id, const std::string& title, const std::string& body) {
  return "<section id=\"" + id + "\"><h2>" + title + "</h2>" + body + "</section>\n";
}

std::string Cell(const std::string& text, bool numeric = true) {
  return std::string(numeric ? "<td class=\"n\">" : "<td>") + EscapeHtml(text) + "</td>";
}

std::string LayerRow(const ReportData& r, std::size_t i) {
  const OpMetrics& m = r.metrics.layers[i];
  const LayerEstimate& l = r.estimate.layers[i];
  const MemoryStep& step = r.memory.steps[static_cast<std::size_t>(r.step_of_layer[i])];
  const EstimateTotals& t = r.estimate.totals;
  std::string flags;
  for (const char* name : EstimateFlagNames(l.flags))
    flags += std::string(flags.empty() ? "" : " ") + name;
  return "<tr data-layer=\"" + std::to_string(i) + "\">" + Cell(std::to_string(i)) +
         "<td class=\"name\">" + EscapeHtml(r.layer_names[i]) + "</td>" +
         Cell(OpTypeName(l.type), false) +
         "<td><i style=\"color:" + report::CategoryColor(l.category) + "\">&#9632;</i> " +
         OpCategoryName(l.category) + "</td>" + Cell(GroupedInt(m.macs)) +
         Cell(report::Significant(m.macs_per_output)) + Cell(GroupedInt(m.ops)) +
         Cell(GroupedInt(m.params)) + Cell(GroupedInt(m.weight_bytes)) +
         Cell(r.weights_regions[i], false) + Cell(GroupedInt(m.input_bytes)) +
         Cell(GroupedInt(m.output_bytes)) + Cell(report::Significant(l.throughput)) +
         Cell(GroupedInt(static_cast<std::int64_t>(l.cycles + 0.5))) +
         Cell(GroupedInt(static_cast<std::int64_t>(l.memory_cycles + 0.5))) +
         Cell(report::Significant(l.latency_s * 1e3)) +
         Cell(report::Percent(report::SafeRatio(l.latency_s, t.latency_s))) +
         Cell(report::Significant(l.energy_j * 1e6)) +
         Cell(report::Percent(report::SafeRatio(l.energy_j, t.energy_j))) +
         Cell(report::Significant(l.naive_latency_s * 1e3)) + Cell(GroupedInt(step.scratch_bytes)) +
         Cell(GroupedInt(step.total_bytes)) + Cell(flags, false) + "</tr>\n";
}

std::string LayerTable(const ReportData& r) {
  static const char* const kColumns[] = {
      "#",          "layer",    "op",         "category",   "MACs",    "MACs/out",
      "ops",        "params",   "weight B",   "weights in", "input B", "output B",
      "throughput", "cycles",   "mem cycles", "ms",         "% time",  "&micro;J",
      "% energy",   "naive ms", "scratch B",  "live B",     "flags"};
  static const bool kText[] = {false, true,  true,  true,  false, false, false, false,
                               false, true,  false, false, false, false, false, false,
                               false, false, false, false, false, false, true};
  std::string s = "<div class=\"scroll\"><table id=\"layers\"><thead><tr>";
  for (std::size_t c = 0; c < sizeof kText / sizeof kText[0]; ++c) {
    s += std::string(kText[c] ? "<th>" : "<th class=\"n\">") + kColumns[c] + "</th>";
  }
  s += "</tr></thead><tbody>\n";
  for (std::size_t i = 0; i < r.layer_names.size(); ++i) s += LayerRow(r, i);
  return s +
         "</tbody></table></div><p class=\"note\">throughput: MACs per cycle for conv, "
         "depthwise and fully connected layers, cycles per element for the others. "
         "live B: activations and scratch live at the layer's step. Flags: "
         "extrapolated = beyond the profile's curve, variant = a slower kernel path, "
         "fallback = ops-proportional model, unsupported_op = zero cost.</p>";
}

}  // namespace

std::string RenderReportHtml(const ReportData& r) {
  std::string page = Head(r);
  page += "<body><main>\n" + Header(r);
  page += Section("summary", "Summary", SummaryCards(r) + FitTable(r) + TrustParagraph(r));
  const std::string legend = report::CategoryLegend(r);
  page += Section("layer-bars", "Time and energy per layer", legend + report::LayerBarsChart(r));
  page += Section("curves", "Throughput curves of the profile (seed paper Fig. 2)",
                  report::CategoryLegend(r, true) + report::ThroughputCurvesChart(r));
  page += Section("shares", "Ops vs time vs energy per op type (seed paper Fig. 4)",
                  legend + report::SharesChart(r));
  page += Section("memory", "Memory over the execution",
                  legend + report::MemoryTimelineChart(r) + report::ArenaChart(r));
  page += Section("layer-table", "Every layer", LayerTable(r));
  page += "</main></body></html>\n";
  return page;
}

}  // namespace opcost
