#include "opcost/validation.h"

#include <cmath>
#include <cstddef>

namespace opcost {

double FitScale(const std::vector<double>& scaled, const std::vector<double>& fixed,
                const std::vector<double>& measured, const std::vector<bool>& use) {
  const auto used = [&](std::size_t i) { return use.empty() || use[i]; };
  bool any_fixed = false;
  double log_sum = 0.0;
  int n = 0;
  for (std::size_t i = 0; i < scaled.size(); ++i) {
    if (!used(i)) continue;
    any_fixed = any_fixed || fixed[i] > 0.0;
    log_sum += std::log(measured[i] / scaled[i]);
    ++n;
  }
  if (n == 0) return 1.0;
  if (!any_fixed) return std::exp(log_sum / n);  // closed form
  // The cost is convex in log s for s x a + b with a, b >= 0: golden-section search.
  const auto cost = [&](double log_s) {
    const double s = std::exp(log_s);
    double c = 0.0;
    for (std::size_t i = 0; i < scaled.size(); ++i) {
      if (!used(i)) continue;
      const double r = std::log((s * scaled[i] + fixed[i]) / measured[i]);
      c += r * r;
    }
    return c;
  };
  const double golden = (std::sqrt(5.0) - 1.0) / 2.0;
  double lo = -12.0, hi = 12.0;  // s in [6e-6, 1.6e5]
  for (int it = 0; it < 120; ++it) {
    const double a = hi - golden * (hi - lo), b = lo + golden * (hi - lo);
    if (cost(a) < cost(b)) {
      hi = b;
    } else {
      lo = a;
    }
  }
  return std::exp((lo + hi) / 2.0);
}

std::vector<double> LeaveOneOutErrors(const std::vector<double>& scaled,
                                      const std::vector<double>& fixed,
                                      const std::vector<double>& measured) {
  std::vector<double> errors;
  if (scaled.size() < 2) return errors;
  std::vector<bool> use(scaled.size(), true);
  for (std::size_t i = 0; i < scaled.size(); ++i) {
    use[i] = false;
    const double s = FitScale(scaled, fixed, measured, use);
    use[i] = true;
    errors.push_back(std::fabs((s * scaled[i] + fixed[i]) / measured[i] - 1.0));
  }
  return errors;
}

}  // namespace opcost
