// The report page's charts, each a self-contained inline <svg> (svg.h) coloured by op
// category (category_colors.h). Every chart copes with zero-time layers, a zero-MAC model and a
// single layer without dividing by zero.
#ifndef OPCOST_SRC_REPORT_CHARTS_H_
#define OPCOST_SRC_REPORT_CHARTS_H_

#include <string>

#include "opcost/report.h"

namespace opcost::report {

// One row per layer: its time bar and its energy bar, with MACs and MACs per output. The
// height grows with the layer count; names are cut to fit.
std::string LayerBarsChart(const ReportData& r);
// The profile's MACs-per-cycle curves against MACs per output (log axis), one per MAC
// category, with the model's layers as dots (seed paper Fig. 2).
std::string ThroughputCurvesChart(const ReportData& r);
// Three 100 % bars, ops, time and energy, split by op category (seed paper Fig. 4).
std::string SharesChart(const ReportData& r);
// Live bytes per execution step (activations by the step's op category, scratch in grey),
// the peak step and the SRAM left for activations.
std::string MemoryTimelineChart(const ReportData& r);
// The arena plan: each buffer a box from its first to its last step at its offset.
std::string ArenaChart(const ReportData& r);
// The colour key (HTML, not SVG) of the categories the model uses and kernel scratch; with
// `profile_curves`, of the categories whose throughput curve the profile has instead.
std::string CategoryLegend(const ReportData& r, bool profile_curves = false);

}  // namespace opcost::report

#endif  // OPCOST_SRC_REPORT_CHARTS_H_
