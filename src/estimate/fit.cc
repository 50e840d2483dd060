// Least-squares fit of a profile's throughput in log space (docs/profiles.md).
//
// Parameters: one log multiplier per MAC curve point and per non-MAC category (cycles per
// element divided by the multiplier). Residuals: log(estimated / measured) per row, plus a prior
// pulling every multiplier to the one-parameter global scale and a smoothness term between
// neighbouring points. Gauss-Newton with a numerical Jacobian and Eigen's QR, step halving, and
// after each step a projection (pool-adjacent-violators) that keeps every MAC curve
// non-decreasing in MACs per output: more MACs per output amortize the same operand fetches.
#include "opcost/fit.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "opcost/error.h"
#include "opcost/estimator.h"

namespace opcost {
namespace {

struct Param {
  OpCategory category;
  int point;  // curve point, -1 for cycles per element
};

struct Problem {
  const HardwareProfile* base;
  std::vector<Param> params;
  std::vector<std::pair<int, int>> neighbours;  // smoothness pairs
  std::vector<std::vector<int>> curves;         // param indices per MAC curve, in x order
  // Tied fits (FitOptions::scale_only): the free constant each param takes; empty: every param
  // is free.
  std::vector<int> group;
  int free_count() const {
    return group.empty() ? static_cast<int>(params.size())
                         : *std::max_element(group.begin(), group.end()) + 1;
  }
  // The per-param multipliers (log) of free constants `phi`.
  Eigen::VectorXd Expand(const Eigen::VectorXd& phi) const {
    if (group.empty()) return phi;
    Eigen::VectorXd theta(static_cast<Eigen::Index>(params.size()));
    for (std::size_t i = 0; i < params.size(); ++i) {
      theta[static_cast<Eigen::Index>(i)] = phi[group[i]];
    }
    return theta;
  }
};

Problem Setup(const HardwareProfile& base, const FitOptions& o) {
  Problem p;
  p.base = &base;
  for (int c = 0; c < kNumOpCategories; ++c) {
    const auto cat = static_cast<OpCategory>(c);
    const CategoryProfile& cp = base.category(cat);
    if (!cp.characterized) continue;
    if (IsMacCategory(cat)) {
      std::vector<int> idx;
      for (std::size_t k = 0; k < cp.curve.points().size(); ++k) {
        idx.push_back(static_cast<int>(p.params.size()));
        p.params.push_back({cat, static_cast<int>(k)});
        if (k > 0) p.neighbours.emplace_back(idx[k - 1], idx[k]);
      }
      p.curves.push_back(idx);
    } else {
      p.params.push_back({cat, -1});
    }
  }
  if (o.scale_only) {
    // Constant 0 is the scale; each own-scale category gets the next one.
    for (const Param& param : p.params) {
      int g = 0;
      for (std::size_t k = 0; k < o.own_scale.size(); ++k) {
        if (o.own_scale[k] == param.category) g = static_cast<int>(k) + 1;
      }
      p.group.push_back(g);
    }
    p.neighbours.clear();  // tied points are equal: nothing to smooth
    p.curves.clear();      // a multiplier per curve keeps a monotone curve monotone
  }
  return p;
}

HardwareProfile Apply(const Problem& pr, const Eigen::VectorXd& theta) {
  HardwareProfile p = *pr.base;
  for (int c = 0; c < kNumOpCategories; ++c) {
    const auto cat = static_cast<OpCategory>(c);
    CategoryProfile& cp = p.mutable_category(cat);
    if (!cp.characterized || !IsMacCategory(cat)) continue;
    std::vector<ThroughputCurve::Point> pts = cp.curve.points();
    for (std::size_t i = 0; i < pr.params.size(); ++i) {
      if (pr.params[i].category == cat) {
        pts[static_cast<std::size_t>(pr.params[i].point)].macs_per_cycle *=
            std::exp(theta[static_cast<Eigen::Index>(i)]);
      }
    }
    cp.curve = ThroughputCurve(std::move(pts));
  }
  for (std::size_t i = 0; i < pr.params.size(); ++i) {
    if (pr.params[i].point < 0) {
      p.mutable_category(pr.params[i].category).cycles_per_element *=
          std::exp(-theta[static_cast<Eigen::Index>(i)]);
    }
  }
  return p;
}

double Predict(const HardwareProfile& p, const FitRow& row) {
  const Estimator est(p);
  try {
    return est.EstimateTotalsOnly(row.layers.data(), row.layers.size()).latency_s;
  } catch (const Error& e) {
    throw Error(e.code(), "fit row '" + row.name + "': " + e.what());
  }
}

// Log residuals of the free constants `phi` (Problem::Expand).
Eigen::VectorXd LogResiduals(const Problem& pr, const Eigen::VectorXd& phi,
                             const std::vector<const FitRow*>& rows) {
  const HardwareProfile p = Apply(pr, pr.Expand(phi));
  Eigen::VectorXd r(static_cast<Eigen::Index>(rows.size()));
  for (std::size_t n = 0; n < rows.size(); ++n) {
    r[static_cast<Eigen::Index>(n)] = std::log(Predict(p, *rows[n]) / rows[n]->measured_s);
  }
  return r;
}

// Isotonic (non-decreasing) least-squares fit of `v`, equal weights.
void PoolAdjacentViolators(std::vector<double>* v) {
  std::vector<double> mean;
  std::vector<int> count;
  for (double x : *v) {
    mean.push_back(x);
    count.push_back(1);
    while (mean.size() > 1 && mean[mean.size() - 2] > mean.back()) {
      const double m =
          (mean[mean.size() - 2] * count[count.size() - 2] + mean.back() * count.back()) /
          (count[count.size() - 2] + count.back());
      const int c = count[count.size() - 2] + count.back();
      mean.pop_back();
      count.pop_back();
      mean.back() = m;
      count.back() = c;
    }
  }
  std::size_t k = 0;
  for (std::size_t b = 0; b < mean.size(); ++b) {
    for (int i = 0; i < count[b]; ++i) (*v)[k++] = mean[b];
  }
}

void ProjectMonotone(const Problem& pr, Eigen::VectorXd* theta) {
  for (const std::vector<int>& curve : pr.curves) {
    const CategoryProfile& cp =
        pr.base->category(pr.params[static_cast<std::size_t>(curve[0])].category);
    std::vector<double> logy;
    for (std::size_t k = 0; k < curve.size(); ++k) {
      logy.push_back(std::log(cp.curve.points()[k].macs_per_cycle) + (*theta)[curve[k]]);
    }
    PoolAdjacentViolators(&logy);
    for (std::size_t k = 0; k < curve.size(); ++k) {
      (*theta)[curve[k]] = logy[k] - std::log(cp.curve.points()[k].macs_per_cycle);
    }
  }
}

struct Fitted {
  Eigen::VectorXd theta;
  double scale = 0.0;  // log global scale
};

constexpr double kMaxLogFactor = 20.72326583694641;  // ln(1e9)

Fitted Solve(const Problem& pr, const std::vector<const FitRow*>& rows, const FitOptions& o) {
  const auto np = static_cast<Eigen::Index>(pr.free_count());
  const auto nr = static_cast<Eigen::Index>(rows.size());
  const auto nn = static_cast<Eigen::Index>(pr.neighbours.size());
  // One-parameter fit first: every throughput times exp(s). Overheads make the model not
  // exactly proportional, so a few Newton steps on the mean log residual.
  double s = 0.0;
  for (int it = 0; it < 8; ++it) {
    const Eigen::VectorXd r = LogResiduals(pr, Eigen::VectorXd::Constant(np, s), rows);
    const double h = 1e-4;
    const Eigen::VectorXd r2 = LogResiduals(pr, Eigen::VectorXd::Constant(np, s + h), rows);
    const double g = r.sum(), d = (r2.sum() - g) / h;
    if (!(std::abs(d) > 1e-12)) break;
    const double step = -g / d;
    s = std::max(-kMaxLogFactor, std::min(kMaxLogFactor, s + step));
    if (std::abs(step) < 1e-9) break;
  }
  const double sp = std::sqrt(o.prior_weight), ss = std::sqrt(o.smoothness_weight);
  auto objective = [&](const Eigen::VectorXd& th, Eigen::VectorXd* r_out) {
    const Eigen::VectorXd r = LogResiduals(pr, th, rows);
    double f = r.squaredNorm() + o.prior_weight * (th.array() - s).square().sum();
    for (const auto& nb : pr.neighbours) {
      f += o.smoothness_weight * std::pow(th[nb.second] - th[nb.first], 2);
    }
    if (r_out != nullptr) *r_out = r;
    return f;
  };
  Eigen::VectorXd theta = Eigen::VectorXd::Constant(np, s);
  Eigen::VectorXd r;
  double f = objective(theta, &r);
  for (int it = 0; it < o.max_iterations; ++it) {
    Eigen::MatrixXd a = Eigen::MatrixXd::Zero(nr + np + nn, np);
    Eigen::VectorXd b = Eigen::VectorXd::Zero(nr + np + nn);
    const double h = 1e-5;
    for (Eigen::Index j = 0; j < np; ++j) {
      Eigen::VectorXd t2 = theta;
      t2[j] += h;
      a.block(0, j, nr, 1) = (LogResiduals(pr, t2, rows) - r) / h;
    }
    b.head(nr) = r;
    for (Eigen::Index j = 0; j < np; ++j) {
      a(nr + j, j) = sp;
      b[nr + j] = sp * (theta[j] - s);
    }
    for (Eigen::Index k = 0; k < nn; ++k) {
      const auto& nb = pr.neighbours[static_cast<std::size_t>(k)];
      a(nr + np + k, nb.first) = -ss;
      a(nr + np + k, nb.second) = ss;
      b[nr + np + k] = ss * (theta[nb.second] - theta[nb.first]);
    }
    const Eigen::VectorXd delta = a.colPivHouseholderQr().solve(-b);
    double step = 1.0;
    bool improved = false;
    for (int halving = 0; halving < 12; ++halving, step *= 0.5) {
      // Bounded: a factor beyond 1e9 on any curve point means the rows contradict each other.
      Eigen::VectorXd cand =
          (theta + step * delta).cwiseMax(-kMaxLogFactor).cwiseMin(kMaxLogFactor);
      ProjectMonotone(pr, &cand);
      Eigen::VectorXd rc;
      const double fc = objective(cand, &rc);
      if (fc < f) {
        const double gain = f - fc;
        theta = cand;
        r = rc;
        f = fc;
        improved = gain > 1e-12;
        break;
      }
    }
    if (!improved || step * delta.cwiseAbs().maxCoeff() < 1e-7) break;
  }
  if (!std::isfinite(s) || std::abs(s) >= kMaxLogFactor ||
      theta.cwiseAbs().maxCoeff() >= kMaxLogFactor - 1e-9) {
    throw Error(ErrorCode::kInvalidArgument,
                "cannot fit: the measurements ask for a throughput change beyond a factor of 1e9 "
                "against the base profile (contradictory rows, e.g. the same layer measured at "
                "very different times, or wrong units)");
  }
  return {theta, s};
}

double NaiveOpsPerCycle(const HardwareProfile& base, const std::vector<const FitRow*>& rows) {
  double sum = 0.0;
  for (const FitRow* row : rows) {
    std::int64_t ops = 0;
    for (const LayerDesc& d : row->layers) ops = CheckedAdd(ops, ComputeLayerMetrics(d).ops);
    sum += std::log(static_cast<double>(ops) / (row->measured_s * base.clock_hz));
  }
  return std::exp(sum / static_cast<double>(rows.size()));
}

double NaiveSeconds(const HardwareProfile& base, const FitRow& row, double ops_per_cycle) {
  std::int64_t ops = 0;
  for (const LayerDesc& d : row.layers) ops = CheckedAdd(ops, ComputeLayerMetrics(d).ops);
  return static_cast<double>(ops) / ops_per_cycle / base.clock_hz;
}

}  // namespace

FitResult FitProfile(const HardwareProfile& base, const std::vector<FitRow>& rows,
                     const FitOptions& options) {
  if (rows.size() < 2) {
    throw Error(ErrorCode::kInvalidArgument,
                "fit needs at least 2 measurement rows (got " + std::to_string(rows.size()) + ")");
  }
  for (const FitRow& row : rows) {
    if (row.layers.empty()) {
      throw Error(ErrorCode::kInvalidArgument, "fit row '" + row.name + "' has no layers");
    }
    if (!(std::isfinite(row.measured_s) && row.measured_s > 0.0)) {
      throw Error(ErrorCode::kInvalidArgument, "fit row '" + row.name +
                                                   "': measured time must be > 0 (got " +
                                                   std::to_string(row.measured_s) + " s)");
    }
  }
  const Problem pr = Setup(base, options);
  std::vector<const FitRow*> all;
  for (const FitRow& row : rows) all.push_back(&row);

  const Fitted fit = Solve(pr, all, options);
  FitResult result;
  result.profile = Apply(pr, pr.Expand(fit.theta));
  result.global_scale = std::exp(fit.scale);
  HardwareProfile& p = result.profile;

  // Provenance: one generator entry; every fitted number points to it.
  const std::string fit_id = "fit";
  p.sources.erase(std::remove_if(p.sources.begin(), p.sources.end(),
                                 [&](const ProvenanceSource& s) { return s.id == fit_id; }),
                  p.sources.end());
  std::string citation =
      options.generator_citation.empty() ? "opcost fit" : options.generator_citation;
  citation += "; " + std::to_string(rows.size()) + " rows (";
  for (std::size_t i = 0; i < rows.size(); ++i) citation += (i ? ", " : "") + rows[i].name;
  if (options.scale_only) {
    citation += "); constants: one scale on every throughput";
    for (OpCategory c : options.own_scale)
      citation += std::string(", own scale for ") + OpCategoryName(c);
    citation += " (" + std::to_string(pr.free_count()) + " in all";
  }
  citation += "); base profile '" + base.name + "'; log-space least squares, prior weight " +
              std::to_string(options.prior_weight) + ", smoothness weight " +
              std::to_string(options.smoothness_weight) + ", MAC curves kept non-decreasing";
  for (CategoryProfile& c : p.categories) {
    if (c.characterized) c.throughput_source = fit_id;
  }
  p.naive_ops_per_cycle = NaiveOpsPerCycle(base, all);
  p.naive_source = fit_id;

  const HardwareProfile& base_ref = base;
  double sum_sq = 0.0;
  for (const FitRow& row : rows) {
    FitRowResult rr;
    rr.name = row.name;
    rr.measured_s = row.measured_s;
    rr.fitted_s = Predict(p, row);
    rr.base_s = Predict(base_ref, row);
    rr.residual = rr.fitted_s / row.measured_s - 1.0;
    sum_sq += std::pow(std::log(rr.fitted_s / row.measured_s), 2);
    result.rows.push_back(rr);
  }
  result.rms_log_residual = std::sqrt(sum_sq / static_cast<double>(rows.size()));

  // Energy: one scale on every power figure when rows have measured energy.
  double log_ratio = 0.0;
  int energy_rows = 0;
  const Estimator fitted_est(p);
  for (const FitRow& row : rows) {
    if (row.measured_energy_j > 0.0) {
      const double e = fitted_est.EstimateTotalsOnly(row.layers.data(), row.layers.size()).energy_j;
      log_ratio += std::log(row.measured_energy_j / e);
      ++energy_rows;
    }
  }
  if (energy_rows > 0) {
    result.power_scale = std::exp(log_ratio / energy_rows);
    for (CategoryProfile& c : p.categories) {
      if (!c.characterized) continue;
      c.power_mw *= result.power_scale;
      c.power_source = fit_id;
    }
    citation += "; power scaled by " + std::to_string(result.power_scale) + " from " +
                std::to_string(energy_rows) + " energy rows";
  }
  p.sources.push_back({fit_id, "generator", citation});

  if (options.leave_one_out) {
    double sum_abs = 0.0, max_abs = 0.0, naive_abs = 0.0;
    for (std::size_t n = 0; n < rows.size(); ++n) {
      std::vector<const FitRow*> train;
      for (std::size_t m = 0; m < rows.size(); ++m) {
        if (m != n) train.push_back(&rows[m]);
      }
      const Fitted f = Solve(pr, train, options);
      FitRowResult& rr = result.rows[n];
      rr.loo_s = Predict(Apply(pr, pr.Expand(f.theta)), rows[n]);
      rr.loo_error = rr.loo_s / rows[n].measured_s - 1.0;
      const double naive_s = NaiveSeconds(base, rows[n], NaiveOpsPerCycle(base, train));
      rr.naive_loo_error = naive_s / rows[n].measured_s - 1.0;
      sum_abs += std::abs(rr.loo_error);
      max_abs = std::max(max_abs, std::abs(rr.loo_error));
      naive_abs += std::abs(rr.naive_loo_error);
    }
    const auto count = static_cast<double>(rows.size());
    result.loo_mean_abs_error = sum_abs / count;
    result.loo_max_abs_error = max_abs;
    result.naive_loo_mean_abs_error = naive_abs / count;
  }
  return result;
}

}  // namespace opcost
