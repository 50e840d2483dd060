// The profile's throughput curves with the model's layers on them (seed paper Fig. 2), and the
// per-element costs of the other categories as a table.
#include <algorithm>
#include <cstddef>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "report/category_colors.h"
#include "report/charts.h"
#include "report/escape.h"
#include "report/svg.h"
#include "report/text_format.h"

namespace opcost::report {
namespace {

constexpr double kWidth = 1000, kHeight = 380;
constexpr double kLeft = 60, kRight = 20, kTop = 16, kBottom = 44;

// The value ranges the chart shows: every curve point and every MAC layer of the model.
struct Extent {
  double x_min = std::numeric_limits<double>::infinity();
  double x_max = 0.0;
  double y_max = 0.0;

  void Add(double x, double y) {
    if (!(x > 0.0)) return;  // a log axis has no place for 0
    x_min = std::min(x_min, x);
    x_max = std::max(x_max, x);
    y_max = std::max(y_max, y);
  }
};

bool Plotted(const ReportData& r, OpCategory c) {
  return IsMacCategory(c) && r.profile.category(c).characterized &&
         !r.profile.category(c).curve.empty();
}

Extent ChartExtent(const ReportData& r) {
  Extent e;
  for (int c = 0; c < kNumOpCategories; ++c) {
    const OpCategory category = static_cast<OpCategory>(c);
    if (!Plotted(r, category)) continue;
    for (const ThroughputCurve::Point& p : r.profile.category(category).curve.points()) {
      e.Add(p.macs_per_output, p.macs_per_cycle);
    }
  }
  for (const LayerEstimate& l : r.estimate.layers) {
    if (Plotted(r, l.category)) e.Add(l.macs_per_output, l.throughput);
  }
  if (!(e.x_max > 0.0)) e = Extent{1.0, 1000.0, 1.0};
  // Room on both sides for the clamped ends of the curves.
  e.x_min /= 2.0;
  e.x_max *= 2.0;
  if (!(e.y_max > 0.0)) e.y_max = 1.0;
  return e;
}

void DrawAxes(Svg* svg, const LogScale& x, const LinearScale& y, const Extent& e) {
  for (double t : DecadeTicks(e.x_min, e.x_max)) {
    svg->Line(x(t), kTop, x(t), kHeight - kBottom, "#e3e3e3");
    svg->Text(x(t), kHeight - kBottom + 14, Significant(t), "middle");
  }
  for (double t : NiceTicks(e.y_max * 1.05, 5)) {
    svg->Line(kLeft, y(t), kWidth - kRight, y(t), "#e3e3e3");
    svg->Text(kLeft - 6, y(t) + 4, Significant(t), "end");
  }
  svg->Line(kLeft, kHeight - kBottom, kWidth - kRight, kHeight - kBottom, "#888");
  svg->Line(kLeft, kTop, kLeft, kHeight - kBottom, "#888");
  svg->Text((kLeft + kWidth - kRight) / 2, kHeight - 8, "MACs per output (log scale)", "middle");
  svg->Text(kLeft + 6, kTop + 12, "MACs per cycle");
}

// The curve between its points, and dashed where the estimator clamps it to the end values.
void DrawCurve(Svg* svg, const LogScale& x, const LinearScale& y, const Extent& e,
               const ThroughputCurve& curve, const std::string& color) {
  const std::vector<ThroughputCurve::Point>& points = curve.points();
  std::vector<std::pair<double, double>> line;
  for (const ThroughputCurve::Point& p : points) {
    line.emplace_back(x(p.macs_per_output), y(p.macs_per_cycle));
  }
  if (line.size() > 1) svg->Polyline(line, color, 2.5);
  svg->Line(x(e.x_min), line.front().second, line.front().first, line.front().second, color, 1.5,
            true);
  svg->Line(line.back().first, line.back().second, x(e.x_max), line.back().second, color, 1.5,
            true);
  for (const auto& [px, py] : line) svg->Circle(px, py, 2.5, color);
}

std::string PerElementTable(const ReportData& r) {
  std::string s =
      "<table id=\"element-costs\"><tr><th>category</th><th class=\"n\">cycles per element</th>"
      "<th class=\"n\">overhead cycles</th><th class=\"n\">power mW</th>"
      "<th class=\"n\">layers here</th></tr>";
  for (int c = 0; c < kNumOpCategories; ++c) {
    const OpCategory category = static_cast<OpCategory>(c);
    if (IsMacCategory(category)) continue;
    const CategoryProfile& p = r.profile.category(category);
    const std::int64_t layers = r.estimate.by_category[static_cast<std::size_t>(c)].layers;
    s += "<tr><td><i style=\"color:" + std::string(CategoryColor(category)) + "\">&#9632;</i> " +
         OpCategoryName(category) + "</td>";
    if (p.characterized) {
      s += "<td class=\"n\">" + Significant(p.cycles_per_element) + "</td><td class=\"n\">" +
           Significant(p.overhead_cycles) + "</td><td class=\"n\">" + Significant(p.power_mw) +
           "</td>";
    } else {
      s += "<td colspan=\"3\">not characterized</td>";
    }
    s += "<td class=\"n\">" + std::to_string(layers) + "</td></tr>";
  }
  return s + "</table>";
}

}  // namespace

std::string ThroughputCurvesChart(const ReportData& r) {
  const Extent e = ChartExtent(r);
  const LogScale x{e.x_min, e.x_max, kLeft, kWidth - kRight};
  const LinearScale y{0.0, NiceTicks(e.y_max * 1.05, 5).back(), kHeight - kBottom, kTop};
  Svg svg(kWidth, kHeight, "throughput curves of the profile with the model's layers");
  DrawAxes(&svg, x, y, e);
  for (int c = 0; c < kNumOpCategories; ++c) {
    const OpCategory category = static_cast<OpCategory>(c);
    if (!Plotted(r, category)) continue;
    DrawCurve(&svg, x, y, e, r.profile.category(category).curve, CategoryColor(category));
  }
  for (std::size_t i = 0; i < r.estimate.layers.size(); ++i) {
    const LayerEstimate& l = r.estimate.layers[i];
    if (!Plotted(r, l.category) || !(l.macs_per_output > 0.0)) continue;
    svg.Circle(x(l.macs_per_output), y(l.throughput), 5, CategoryColor(l.category),
               r.layer_names[i] + ": " + Significant(l.macs_per_output) + " MACs per output, " +
                   Significant(l.throughput) + " MACs/cycle");
  }
  return svg.Finish() +
         "<p class=\"note\">Lines: the profile's curves (dashed where the estimator holds the end "
         "value). Large dots: this model's layers at the throughput used for them (off a curve "
         "when a variant rule applies). The other categories cost cycles per element:</p>" +
         PerElementTable(r);
}

}  // namespace opcost::report
