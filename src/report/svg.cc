#include "report/svg.h"

#include <cmath>
#include <cstdio>
#include <string>

#include "report/escape.h"

namespace opcost::report {
namespace {

// Two decimals are finer than a pixel; a non-finite coordinate (never expected) becomes 0 so
// the markup stays valid.
std::string Coord(double v) {
  if (!std::isfinite(v)) v = 0.0;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

std::string Tooltip(const std::string& text) {
  return text.empty() ? "" : "<title>" + EscapeHtml(text) + "</title>";
}

// Closes a shape: self-closing without a tooltip, else with a <title> child.
std::string CloseShape(const char* tag, const std::string& tooltip) {
  if (tooltip.empty()) return "/>";
  return ">" + Tooltip(tooltip) + "</" + tag + ">";
}

}  // namespace

Svg::Svg(double width, double height, const std::string& description) {
  // No xmlns: the HTML parser puts inline <svg> in the SVG namespace, and the page then names
  // no URL at all.
  out_ = "<svg viewBox=\"0 0 " + Coord(width) + " " + Coord(height) +
         "\" width=\"100%\" style=\"max-width:" + Coord(width) + "px\" role=\"img\" aria-label=\"" +
         EscapeHtml(description) + "\">";
}

void Svg::Rect(double x, double y, double w, double h, const std::string& fill,
               const std::string& tooltip) {
  out_ += "<rect x=\"" + Coord(x) + "\" y=\"" + Coord(y) + "\" width=\"" + Coord(std::fmax(w, 0)) +
          "\" height=\"" + Coord(std::fmax(h, 0)) + "\" fill=\"" + fill + "\"" +
          CloseShape("rect", tooltip);
}

void Svg::Line(double x1, double y1, double x2, double y2, const std::string& stroke,
               double stroke_width, bool dashed) {
  out_ += "<line x1=\"" + Coord(x1) + "\" y1=\"" + Coord(y1) + "\" x2=\"" + Coord(x2) + "\" y2=\"" +
          Coord(y2) + "\" stroke=\"" + stroke + "\" stroke-width=\"" + Coord(stroke_width) + "\"" +
          (dashed ? " stroke-dasharray=\"6 4\"" : "") + "/>";
}

void Svg::Polyline(const std::vector<std::pair<double, double>>& points, const std::string& stroke,
                   double stroke_width, bool dashed) {
  std::string coords;
  for (const auto& [x, y] : points) {
    if (!coords.empty()) coords += ' ';
    coords += Coord(x) + "," + Coord(y);
  }
  out_ += "<polyline fill=\"none\" points=\"" + coords + "\" stroke=\"" + stroke +
          "\" stroke-width=\"" + Coord(stroke_width) + "\"" +
          (dashed ? " stroke-dasharray=\"6 4\"" : "") + "/>";
}

void Svg::Circle(double cx, double cy, double r, const std::string& fill,
                 const std::string& tooltip) {
  out_ += "<circle cx=\"" + Coord(cx) + "\" cy=\"" + Coord(cy) + "\" r=\"" + Coord(r) +
          "\" fill=\"" + fill + "\" stroke=\"#fff\" stroke-width=\"1\"" +
          CloseShape("circle", tooltip);
}

void Svg::Text(double x, double y, const std::string& text, const char* anchor,
               const std::string& fill) {
  out_ += "<text x=\"" + Coord(x) + "\" y=\"" + Coord(y) + "\" text-anchor=\"" + anchor +
          "\" fill=\"" + fill + "\">" + EscapeHtml(text) + "</text>";
}

std::string Svg::Finish() {
  out_ += "</svg>";
  return std::move(out_);
}

double LinearScale::operator()(double v) const {
  const double span = domain_max - domain_min;
  if (!(span > 0.0) || !std::isfinite(v)) return range_min;
  return range_min + (v - domain_min) / span * (range_max - range_min);
}

double LogScale::operator()(double v) const {
  if (!(v > 0.0) || !(domain_min > 0.0) || !(domain_max > domain_min)) return range_min;
  const double t =
      (std::log10(v) - std::log10(domain_min)) / (std::log10(domain_max) - std::log10(domain_min));
  return range_min + t * (range_max - range_min);
}

std::vector<double> NiceTicks(double max, int count) {
  if (!(max > 0.0) || !std::isfinite(max) || count < 1) return {0.0};
  const double raw_step = max / count;
  const double power = std::pow(10.0, std::floor(std::log10(raw_step)));
  double step = power;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    step = m * power;
    if (step >= raw_step) break;
  }
  std::vector<double> ticks;
  for (int i = 0; i * step < max + step; ++i) ticks.push_back(i * step);
  return ticks;
}

std::vector<double> DecadeTicks(double min, double max) {
  std::vector<double> ticks;
  if (!(min > 0.0) || !(max >= min) || !std::isfinite(max)) return ticks;
  for (double p = std::pow(10.0, std::ceil(std::log10(min))); p <= max * (1 + 1e-9); p *= 10.0) {
    ticks.push_back(p);
  }
  return ticks;
}

}  // namespace opcost::report
