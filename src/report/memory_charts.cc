// The memory section's charts: live bytes per execution step against the SRAM left for
// activations, the peak step's tensors, and the arena plan.
#include <algorithm>
#include <cstddef>
#include <string>

#include "report/category_colors.h"
#include "report/charts.h"
#include "report/escape.h"
#include "report/svg.h"
#include "report/text_format.h"

namespace opcost::report {
namespace {

constexpr double kWidth = 1000;
constexpr double kLeft = 78, kRight = 20, kTop = 20, kBottom = 34;
// The SRAM line is drawn when it is at most this many times the peak; further up, the bars
// would shrink to slivers, so the chart says where the line is instead.
constexpr double kMaxLineOverPeak = 4.0;
// Rows of the peak tensor table; the JSON lists them all.
constexpr std::size_t kListedPeakTensors = 50;

std::string Html(const std::string& text) { return EscapeHtml(text); }

OpCategory CategoryOfLayer(const ReportData& r, NodeId node) {
  return r.estimate.layers[static_cast<std::size_t>(node)].category;
}

void DrawYAxis(Svg* svg, const LinearScale& y, double y_max, double height) {
  for (double t : NiceTicks(y_max, 5)) {
    if (t > y_max) break;
    svg->Line(kLeft, y(t), kWidth - kRight, y(t), "#e3e3e3");
    svg->Text(kLeft - 6, y(t) + 4, GroupedInt(static_cast<std::int64_t>(t)), "end");
  }
  svg->Line(kLeft, height - kBottom, kWidth - kRight, height - kBottom, "#888");
  svg->Line(kLeft, kTop, kLeft, height - kBottom, "#888");
}

std::string StepTooltip(const ReportData& r, const MemoryStep& s) {
  return "step " + std::to_string(s.step) + ", " + r.layer_names[static_cast<std::size_t>(s.node)] +
         ": activations " + Bytes(s.activation_bytes) + " + scratch " + Bytes(s.scratch_bytes) +
         " = " + Bytes(s.total_bytes) + ", " + std::to_string(s.live_tensor_count) +
         " live tensors";
}

std::string PeakTensorTable(const ReportData& r) {
  const MemoryReport& m = r.memory;
  std::string s = "<p>Peak: " + std::string("<span id=\"memory-peak-bytes\" data-value=\"") +
                  std::to_string(m.peak_activation_bytes) + "\">" + Bytes(m.peak_activation_bytes) +
                  "</span> at step <span id=\"memory-peak-step\" data-value=\"" +
                  std::to_string(m.peak_step) + "\">" + std::to_string(m.peak_step) +
                  "</span> (layer <b>" +
                  Html(r.layer_names[static_cast<std::size_t>(m.peak_node)]) + "</b>; scratch " +
                  Bytes(r.peak_scratch_bytes) +
                  "). Live tensors then:</p>"
                  "<table id=\"peak-tensors\"><tr><th>tensor</th><th class=\"n\">bytes</th>"
                  "<th>made by</th></tr>";
  for (std::size_t i = 0; i < m.peak_tensors.size() && i < kListedPeakTensors; ++i) {
    const ReportTensor& t = r.tensors[static_cast<std::size_t>(m.peak_tensors[i])];
    const std::string producer = t.producer == kNoNode
                                     ? std::string("(model input)")
                                     : r.layer_names[static_cast<std::size_t>(t.producer)];
    s += "<tr><td class=\"name\">" + Html(t.name) + "</td><td class=\"n\">" +
         GroupedInt(t.size_bytes) + "</td><td class=\"name\">" + Html(producer) + "</td></tr>";
  }
  s += "</table>";
  if (m.peak_tensors.size() > kListedPeakTensors) {
    s += "<p class=\"note\">and " + std::to_string(m.peak_tensors.size() - kListedPeakTensors) +
         " more (all in the JSON report)</p>";
  }
  return s;
}

}  // namespace

std::string MemoryTimelineChart(const ReportData& r) {
  constexpr double kHeight = 300;
  const MemoryReport& m = r.memory;
  const double peak = static_cast<double>(m.peak_activation_bytes);
  const double limit = static_cast<double>(r.sram_for_activations_bytes);
  const bool line_on_scale = limit > 0.0 && limit <= kMaxLineOverPeak * std::max(peak, 1.0);
  const double y_max =
      NiceTicks(std::max(line_on_scale ? std::max(peak, limit) : peak, 1.0) * 1.08, 5).back();
  const LinearScale y{0.0, y_max, kHeight - kBottom, kTop};
  const double step_width = (kWidth - kLeft - kRight) / static_cast<double>(m.steps.size());
  Svg svg(kWidth, kHeight, "live bytes per execution step");
  DrawYAxis(&svg, y, y_max, kHeight);
  for (const MemoryStep& s : m.steps) {
    const double x = kLeft + static_cast<double>(s.step) * step_width;
    const double w = std::max(step_width - (step_width > 4 ? 1.0 : 0.0), 0.5);
    const std::string tooltip = StepTooltip(r, s);
    const double activation_top = y(static_cast<double>(s.activation_bytes));
    svg.Rect(x, activation_top, w, y(0) - activation_top, CategoryColor(CategoryOfLayer(r, s.node)),
             tooltip);
    const double total_top = y(static_cast<double>(s.total_bytes));
    svg.Rect(x, total_top, w, activation_top - total_top, kScratchColor, tooltip);
    if (s.step == m.peak_step) svg.Text(x + w / 2, total_top - 4, "peak", "middle");
  }
  svg.Text(kLeft, kHeight - 12, "step 0");
  svg.Text(kWidth - kRight, kHeight - 12, "step " + std::to_string(m.steps.size() - 1), "end");
  std::string note;
  if (line_on_scale) {
    svg.Line(kLeft, y(limit), kWidth - kRight, y(limit), kLimitColor, 1.5, true);
    svg.Text(kWidth - kRight, y(limit) - 5,
             "SRAM for activations " + Bytes(r.sram_for_activations_bytes), "end", kLimitColor);
  } else if (limit > 0.0) {
    note = "The SRAM left for activations, " + Bytes(r.sram_for_activations_bytes) +
           ", is far above this chart (" + Significant(limit / std::max(peak, 1.0), 3) +
           " x the peak).";
  } else {
    note =
        "No SRAM is left for activations: the runtime reserve and the weights copied to RAM "
        "take it all.";
  }
  return svg.Finish() + "<p class=\"note\">SRAM for activations = capacity " +
         Bytes(r.fit.sram_capacity_bytes) + " &minus; runtime reserve " +
         Bytes(r.fit.runtime_sram_bytes) +
         (r.fit.sram_weight_bytes > 0 ? " &minus; weights in RAM " + Bytes(r.fit.sram_weight_bytes)
                                      : "") +
         " = <span id=\"sram-for-activations-bytes\" data-value=\"" +
         std::to_string(r.sram_for_activations_bytes) + "\">" +
         Bytes(r.sram_for_activations_bytes) + "</span>. " + note + "</p>" + PeakTensorTable(r);
}

std::string ArenaChart(const ReportData& r) {
  constexpr double kHeight = 280;
  const ArenaPlan& a = r.arena;
  const double steps = static_cast<double>(r.liveness.num_steps());
  const LinearScale x{0.0, steps, kLeft, kWidth - kRight};
  const double y_max = NiceTicks(std::max(static_cast<double>(a.arena_bytes), 1.0), 5).back();
  const LinearScale y{0.0, y_max, kHeight - kBottom, kTop};
  Svg svg(kWidth, kHeight, "arena plan: offset of each buffer over the steps it lives");
  DrawYAxis(&svg, y, y_max, kHeight);
  for (const ArenaBlock& b : a.blocks) {
    std::string color = kScratchColor;
    std::string what;
    if (b.buffer >= 0) {
      const TensorId first = r.liveness.buffers[static_cast<std::size_t>(b.buffer)].tensors.front();
      const ReportTensor& t = r.tensors[static_cast<std::size_t>(first)];
      color = t.producer == kNoNode ? "#8c8c8c" : CategoryColor(CategoryOfLayer(r, t.producer));
      what = t.name;
    } else {
      what = "scratch of " + r.layer_names[static_cast<std::size_t>(
                                 r.liveness.order[static_cast<std::size_t>(b.scratch_step)])];
    }
    const double top = y(static_cast<double>(b.offset_bytes + b.size_bytes));
    svg.Rect(x(b.first_step), top, x(b.last_step + 1.0) - x(b.first_step),
             y(static_cast<double>(b.offset_bytes)) - top, color,
             what + ": offset " + GroupedInt(b.offset_bytes) + ", " + Bytes(b.size_bytes) +
                 ", steps " + std::to_string(b.first_step) + "-" + std::to_string(b.last_step));
  }
  svg.Line(kLeft, y(static_cast<double>(a.arena_bytes)), kWidth - kRight,
           y(static_cast<double>(a.arena_bytes)), "#333", 1, true);
  svg.Text(kLeft, kHeight - 12, "step 0");
  svg.Text(kWidth - kRight, kHeight - 12, "step " + std::to_string(r.liveness.num_steps() - 1),
           "end");
  return "<h3>Arena plan</h3><p>Greedy by size, first fit, alignment " +
         std::to_string(r.options.arena_alignment_bytes) +
         " B: <span id=\"arena-bytes\" data-value=\"" + std::to_string(a.arena_bytes) + "\">" +
         Bytes(a.arena_bytes) + "</span> (peak " + Bytes(a.peak_bytes) + ", fragmentation " +
         Percent(a.fragmentation) + ", without reuse " + Bytes(a.linear_arena_bytes) +
         "). Each box is a buffer at its offset (up) over the steps it lives (across), coloured by "
         "the op that writes it (dark grey: a model input; light grey: kernel scratch).</p>" +
         svg.Finish();
}

}  // namespace opcost::report
