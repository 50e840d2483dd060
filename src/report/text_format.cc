#include "report/text_format.h"

#include <cmath>
#include <cstdio>
#include <string>

namespace opcost::report {
namespace {

double Finite(double v) { return std::isfinite(v) ? v : 0.0; }

// A value scaled into the unit whose range holds it; `units` from the largest down.
struct Unit {
  double scale;
  const char* name;
};

template <std::size_t N>
std::string WithUnit(double v, const Unit (&units)[N]) {
  v = Finite(v);
  for (const Unit& u : units) {
    if (std::fabs(v) >= u.scale) return Significant(v / u.scale) + " " + u.name;
  }
  const Unit& smallest = units[N - 1];
  return Significant(v / smallest.scale) + " " + smallest.name;
}

}  // namespace

std::string ExactNumber(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", Finite(v));
  return buf;
}

std::string GroupedInt(std::int64_t v) {
  const std::string digits = std::to_string(v);
  const std::size_t sign = v < 0 ? 1 : 0;
  std::string out = digits.substr(0, sign);
  for (std::size_t i = sign; i < digits.size(); ++i) {
    out += digits[i];
    const std::size_t left = digits.size() - i - 1;
    if (left > 0 && left % 3 == 0) out += ',';
  }
  return out;
}

std::string Significant(double v, int digits) {
  v = Finite(v);
  if (v == 0.0) return "0";
  const double magnitude = std::fabs(v);
  char buf[64];
  if (magnitude < 1e-6 || magnitude >= 1e15) {
    std::snprintf(buf, sizeof buf, "%.*g", digits, v);
    return buf;
  }
  // Decimals so that `digits` significant digits show, then trailing zeros trimmed.
  const int integer_digits = static_cast<int>(std::floor(std::log10(magnitude))) + 1;
  const int decimals = digits > integer_digits ? digits - integer_digits : 0;
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  std::string s = buf;
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  return s;
}

std::string Seconds(double seconds) {
  static constexpr Unit kUnits[] = {{1.0, "s"}, {1e-3, "ms"}, {1e-6, "\xC2\xB5s"}, {1e-9, "ns"}};
  return WithUnit(seconds, kUnits);
}

std::string Joules(double joules) {
  static constexpr Unit kUnits[] = {{1.0, "J"}, {1e-3, "mJ"}, {1e-6, "\xC2\xB5J"}, {1e-9, "nJ"}};
  return WithUnit(joules, kUnits);
}

std::string Bytes(std::int64_t bytes) { return GroupedInt(bytes) + " B"; }

std::string Percent(double fraction) { return Significant(100.0 * Finite(fraction), 3) + " %"; }

double SafeRatio(double a, double b) {
  if (b == 0.0) return 0.0;
  const double r = a / b;
  return std::isfinite(r) ? r : 0.0;
}

}  // namespace opcost::report
