// The per-layer charts of the page: time and energy bars per layer, the category shares, and
// the legend they share.
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

// Layout of the bars chart, in user units.
constexpr double kWidth = 1000;
constexpr double kRowHeight = 16;
constexpr double kTop = 26;
constexpr double kTimeX = 200, kTimeMaxWidth = 250;
constexpr double kEnergyX = 540, kEnergyMaxWidth = 160;
constexpr double kTextX = 780;
constexpr std::size_t kLabelChars = 30;

std::string LayerTooltip(const ReportData& r, std::size_t i) {
  const LayerEstimate& l = r.estimate.layers[i];
  const OpMetrics& m = r.metrics.layers[i];
  return r.layer_names[i] + " (" + OpTypeName(l.type) + ", " + OpCategoryName(l.category) +
         "): " + Seconds(l.latency_s) + ", " + Joules(l.energy_j) + ", " + GroupedInt(m.macs) +
         " MACs, " + Significant(m.macs_per_output) + " MACs per output";
}

double MaxOf(const ReportData& r, double LayerEstimate::*field) {
  double max = 0.0;
  for (const LayerEstimate& l : r.estimate.layers) max = std::max(max, l.*field);
  return max;
}

}  // namespace

std::string CategoryLegend(const ReportData& r, bool profile_curves) {
  std::string s = "<div class=\"legend\">";
  for (int c = 0; c < kNumOpCategories; ++c) {
    const OpCategory category = static_cast<OpCategory>(c);
    const bool shown = profile_curves
                           ? IsMacCategory(category) && r.profile.category(category).characterized
                           : r.estimate.by_category[static_cast<std::size_t>(c)].layers > 0;
    if (!shown) continue;
    s += "<span><i style=\"background:" + std::string(CategoryColor(category)) + "\"></i>" +
         OpCategoryName(category) + "</span>";
  }
  if (profile_curves) return s + "</div>";
  return s + "<span><i style=\"background:" + kScratchColor + "\"></i>kernel scratch</span></div>";
}

std::string LayerBarsChart(const ReportData& r) {
  const std::size_t n = r.layer_names.size();
  const double height = kTop + static_cast<double>(n) * kRowHeight + 6;
  const double max_latency = MaxOf(r, &LayerEstimate::latency_s);
  const double max_energy = MaxOf(r, &LayerEstimate::energy_j);
  Svg svg(kWidth, height, "time and energy per layer");
  svg.Text(0, 14, "layer");
  svg.Text(kTimeX, 14, "time");
  svg.Text(kEnergyX, 14, "energy");
  svg.Text(kTextX, 14, "MACs, MACs per output");
  for (std::size_t i = 0; i < n; ++i) {
    const LayerEstimate& l = r.estimate.layers[i];
    const OpMetrics& m = r.metrics.layers[i];
    const double y = kTop + static_cast<double>(i) * kRowHeight;
    const std::string color = CategoryColor(l.category);
    const std::string tooltip = LayerTooltip(r, i);
    const double time_width = SafeRatio(l.latency_s, max_latency) * kTimeMaxWidth;
    const double energy_width = SafeRatio(l.energy_j, max_energy) * kEnergyMaxWidth;
    svg.Text(0, y + 11, Truncate(r.layer_names[i], kLabelChars));
    svg.Rect(kTimeX, y + 2, time_width, kRowHeight - 4, color, tooltip);
    svg.Text(kTimeX + time_width + 4, y + 11, Seconds(l.latency_s));
    svg.Rect(kEnergyX, y + 2, energy_width, kRowHeight - 4, color, tooltip);
    svg.Text(kEnergyX + energy_width + 4, y + 11, Joules(l.energy_j));
    svg.Text(kTextX, y + 11,
             GroupedInt(m.macs) + " MACs, " + Significant(m.macs_per_output) + "/out");
  }
  return svg.Finish();
}

std::string SharesChart(const ReportData& r) {
  constexpr double kLabelWidth = 70, kBarWidth = 900, kBarHeight = 26, kGap = 10;
  struct Row {
    const char* label;
    double CategoryBreakdown::*share;
  };
  static constexpr Row kRows[] = {{"ops", &CategoryBreakdown::ops_share},
                                  {"time", &CategoryBreakdown::time_share},
                                  {"energy", &CategoryBreakdown::energy_share}};
  Svg svg(kLabelWidth + kBarWidth + 10, 3 * (kBarHeight + kGap),
          "share of ops, time and energy per op category");
  for (std::size_t row = 0; row < 3; ++row) {
    const double y = static_cast<double>(row) * (kBarHeight + kGap);
    svg.Text(0, y + 17, kRows[row].label);
    double x = kLabelWidth;
    for (int c = 0; c < kNumOpCategories; ++c) {
      const CategoryBreakdown& k = r.estimate.by_category[static_cast<std::size_t>(c)];
      const double width = k.*kRows[row].share * kBarWidth;
      if (k.layers == 0 || !(width > 0.0)) continue;
      const OpCategory category = static_cast<OpCategory>(c);
      svg.Rect(x, y, width, kBarHeight, CategoryColor(category),
               std::string(OpCategoryName(category)) + ": " + Percent(k.*kRows[row].share) +
                   " of " + kRows[row].label);
      if (width > 44)
        svg.Text(x + width / 2, y + 17, Percent(k.*kRows[row].share), "middle", "#fff");
      x += width;
    }
  }
  std::string table =
      "<table id=\"shares-table\"><tr><th>category</th><th class=\"n\">layers</th>"
      "<th class=\"n\">MACs</th><th class=\"n\">ops %</th><th class=\"n\">time %</th>"
      "<th class=\"n\">energy %</th></tr>";
  for (int c = 0; c < kNumOpCategories; ++c) {
    const CategoryBreakdown& k = r.estimate.by_category[static_cast<std::size_t>(c)];
    if (k.layers == 0) continue;
    const OpCategory category = static_cast<OpCategory>(c);
    table += "<tr data-category=\"" + std::string(OpCategoryName(category)) +
             "\"><td><i style=\"color:" + CategoryColor(category) + "\">&#9632;</i> " +
             OpCategoryName(category) + "</td><td class=\"n\">" + std::to_string(k.layers) +
             "</td><td class=\"n\">" + GroupedInt(k.macs) + "</td><td class=\"n\">" +
             EscapeHtml(Percent(k.ops_share)) + "</td><td class=\"n\">" +
             EscapeHtml(Percent(k.time_share)) + "</td><td class=\"n\">" +
             EscapeHtml(Percent(k.energy_share)) + "</td></tr>";
  }
  return svg.Finish() + table + "</table>";
}

}  // namespace opcost::report
