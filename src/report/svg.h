// A small writer of inline SVG for the report's charts: shapes with escaped tooltips and text,
// coordinates that are always finite, and the scales and ticks the axes need.
//
//   Svg svg(600, 200, "latency per layer");
//   svg.Rect(10, 10, 120, 12, "#4e79a7", "conv1: 1.2 ms");
//   std::string markup = svg.Finish();
#ifndef OPCOST_SRC_REPORT_SVG_H_
#define OPCOST_SRC_REPORT_SVG_H_

#include <string>
#include <utility>
#include <vector>

namespace opcost::report {

class Svg {
 public:
  // A chart `width` x `height` user units wide that scales to its container's width;
  // `description` is its accessible name (escaped).
  Svg(double width, double height, const std::string& description);

  // `tooltip` (plain text, escaped) shows when the pointer rests on the shape.
  void Rect(double x, double y, double w, double h, const std::string& fill,
            const std::string& tooltip = "");
  void Line(double x1, double y1, double x2, double y2, const std::string& stroke,
            double stroke_width = 1.0, bool dashed = false);
  void Polyline(const std::vector<std::pair<double, double>>& points, const std::string& stroke,
                double stroke_width = 2.0, bool dashed = false);
  void Circle(double cx, double cy, double r, const std::string& fill,
              const std::string& tooltip = "");
  // `text` is plain text (escaped); `anchor` is "start", "middle" or "end".
  void Text(double x, double y, const std::string& text, const char* anchor = "start",
            const std::string& fill = "#333");
  // Markup as is: for callers that build an attribute or element the methods above lack.
  void Raw(const std::string& markup) { out_ += markup; }

  std::string Finish();

 private:
  std::string out_;
};

// Maps [domain_min, domain_max] linearly onto [range_min, range_max]; a degenerate domain maps
// everything to range_min.
struct LinearScale {
  double domain_min, domain_max, range_min, range_max;
  double operator()(double v) const;
};
// The same in log10 of the value; values <= 0 map to range_min.
struct LogScale {
  double domain_min, domain_max, range_min, range_max;
  double operator()(double v) const;
};

// About `count` round tick values from 0 to at least `max` (1, 2, 5 x 10^k steps).
std::vector<double> NiceTicks(double max, int count);
// The powers of ten in [min, max].
std::vector<double> DecadeTicks(double min, double max);

}  // namespace opcost::report

#endif  // OPCOST_SRC_REPORT_SVG_H_
