// Least-squares fit of a profile's throughput in log space (docs/profiles.md).
//
// Parameters: one log multiplier per MAC curve point and per non-MAC category (cycles per
// element divided by the multiplier). Residuals: log(estimated / measured) per row, plus a prior
// pulling every multiplier to the one-parameter global scale and a smoothness term between
// neighbouring points. Gauss-Newton with a numerical Jacobian and Eigen's QR, step halving, and
// after each step a projection (pool-adjacent-violators) that keeps every MAC curve
// non-decreasing in MACs per output: more MACs per output amortize the same operand fetches.
//
// Cost: a row's estimate reads at most two curve points per layer, so a Jacobian column
// re-estimates only the rows that read its constant (the others' differences are exactly
// zero), with one Estimator per evaluation and every layer's metrics computed once. A fit then
// costs O(rows) per iteration and leave-one-out n fits, not n fits of n x parameters rows each
// (500 layer rows: minutes before, about 1 s now, the same numbers bit for bit).
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
  // The free constant param `i` takes.
  int Constant(std::size_t i) const { return group.empty() ? static_cast<int>(i) : group[i]; }
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
    throw WithContext(e, "fit row '" + row.name + "'");
  }
}

// A row with what every evaluation would otherwise recompute: its layers' metrics and ops, and
// the free constants (Problem::Expand) its estimate reads.
struct PreparedRow {
  const FitRow* row = nullptr;
  std::vector<OpMetrics> metrics;
  std::int64_t ops = 0;
  std::vector<int> constants;
};

// The same sum as Estimator::EstimateTotalsOnly with the metrics given, so bit for bit the
// same time. On an error, the slow path reports it in its usual words.
double PredictPrepared(const Estimator& est, const PreparedRow& r) {
  EstimateTotals t;
  try {
    for (std::size_t i = 0; i < r.metrics.size(); ++i) {
      AddToTotals(est.EstimateLayer(r.row->layers[i], r.metrics[i]), &t);
    }
  } catch (const Error&) {
    Predict(est.profile(), *r.row);
    throw;
  }
  return t.latency_s;
}

double LogResidual(const Estimator& est, const PreparedRow& r) {
  return std::log(PredictPrepared(est, r) / r.row->measured_s);
}

// The rows of one fit (all rows, or all but one for leave-one-out) and, per free constant, the
// rows whose estimate reads it: a Jacobian column only changes those rows.
struct FitRows {
  std::vector<const PreparedRow*> rows;
  std::vector<std::vector<int>> rows_reading;

  FitRows(std::vector<const PreparedRow*> fit_rows, int free_count)
      : rows(std::move(fit_rows)), rows_reading(static_cast<std::size_t>(free_count)) {
    for (std::size_t n = 0; n < rows.size(); ++n) {
      for (int k : rows[n]->constants) {
        rows_reading[static_cast<std::size_t>(k)].push_back(static_cast<int>(n));
      }
    }
  }
};

// Log residuals of the free constants `phi` (Problem::Expand).
Eigen::VectorXd LogResiduals(const Problem& pr, const Eigen::VectorXd& phi, const FitRows& rows) {
  const Estimator est(Apply(pr, pr.Expand(phi)));
  Eigen::VectorXd r(static_cast<Eigen::Index>(rows.rows.size()));
  for (std::size_t n = 0; n < rows.rows.size(); ++n) {
    r[static_cast<Eigen::Index>(n)] = LogResidual(est, *rows.rows[n]);
  }
  return r;
}

// Forward differences of the residuals `r` at `theta`, column by column. A row that does not
// read constant j has the same residual at theta + h e_j, so its entry is exactly the zero the
// full difference would give: only the rows reading j are evaluated.
Eigen::MatrixXd NumericalJacobian(const Problem& pr, const Eigen::VectorXd& theta,
                                  const Eigen::VectorXd& r, const FitRows& rows, double h) {
  Eigen::MatrixXd jac = Eigen::MatrixXd::Zero(r.size(), theta.size());
  for (Eigen::Index j = 0; j < theta.size(); ++j) {
    const std::vector<int>& reading = rows.rows_reading[static_cast<std::size_t>(j)];
    if (reading.empty()) continue;
    Eigen::VectorXd t2 = theta;
    t2[j] += h;
    const Estimator est(Apply(pr, pr.Expand(t2)));
    for (int n : reading) {
      jac(n, j) = (LogResidual(est, *rows.rows[static_cast<std::size_t>(n)]) - r[n]) / h;
    }
  }
  return jac;
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

Fitted Solve(const Problem& pr, const FitRows& rows, const FitOptions& o) {
  const auto np = static_cast<Eigen::Index>(pr.free_count());
  const auto nr = static_cast<Eigen::Index>(rows.rows.size());
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
    a.topRows(nr) = NumericalJacobian(pr, theta, r, rows, 1e-5);
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

double NaiveOpsPerCycle(const HardwareProfile& base, const std::vector<const PreparedRow*>& rows) {
  double sum = 0.0;
  for (const PreparedRow* r : rows) {
    sum += std::log(static_cast<double>(r->ops) / (r->row->measured_s * base.clock_hz));
  }
  return std::exp(sum / static_cast<double>(rows.size()));
}

double NaiveSeconds(const HardwareProfile& base, const PreparedRow& r, double ops_per_cycle) {
  return static_cast<double>(r.ops) / ops_per_cycle / base.clock_hz;
}

// Whether ThroughputCurve::Evaluate at `x` reads point `point`: outside the curve the end
// point, inside the two points around x.
bool ReadsCurvePoint(const ThroughputCurve& curve, int point, double x) {
  const std::vector<ThroughputCurve::Point>& pts = curve.points();
  if (!(x >= pts.front().macs_per_output)) return point == 0;
  if (x >= pts.back().macs_per_output) return point == static_cast<int>(pts.size()) - 1;
  int i = 0;
  while (pts[static_cast<std::size_t>(i) + 1].macs_per_output <= x) ++i;
  return point == i || point == i + 1;
}

// The free constants a row's estimate reads (Estimator::Estimate): per layer, the cycles per
// element of its category, or the curve points its throughput is interpolated from.
std::vector<int> ConstantsRead(const Problem& pr, const std::vector<OpMetrics>& metrics) {
  std::vector<bool> read(static_cast<std::size_t>(pr.free_count()), false);
  for (const OpMetrics& m : metrics) {
    for (std::size_t i = 0; i < pr.params.size(); ++i) {
      const Param& param = pr.params[i];
      if (param.category != m.category) continue;
      if (param.point < 0 ||
          ReadsCurvePoint(pr.base->category(m.category).curve, param.point, m.macs_per_output)) {
        read[static_cast<std::size_t>(pr.Constant(i))] = true;
      }
    }
  }
  std::vector<int> constants;
  for (std::size_t k = 0; k < read.size(); ++k) {
    if (read[k]) constants.push_back(static_cast<int>(k));
  }
  return constants;
}

// Each row once: its estimate under `base` (which throws, in row order and in the usual words,
// what any later estimate would throw), its metrics and the constants it reads.
std::vector<PreparedRow> PrepareRows(const Problem& pr, const HardwareProfile& base,
                                     const std::vector<FitRow>& rows, std::vector<double>* base_s) {
  std::vector<PreparedRow> prepared(rows.size());
  for (std::size_t n = 0; n < rows.size(); ++n) {
    base_s->push_back(Predict(base, rows[n]));
    PreparedRow& r = prepared[n];
    r.row = &rows[n];
    for (const LayerDesc& d : rows[n].layers) {
      r.metrics.push_back(ComputeLayerMetrics(d));
      r.ops = CheckedAdd(r.ops, r.metrics.back().ops);
    }
    if (r.ops == 0) {
      // Nothing to fit a throughput to (e.g. a model of unsupported ops only, which cost zero):
      // the ops-proportional model's log would be -inf.
      throw Error(ErrorCode::kInvalidArgument,
                  "row '" + rows[n].name + "': the model has no work to fit (0 ops)");
    }
    r.constants = ConstantsRead(pr, r.metrics);
  }
  return prepared;
}

// Leave-one-out: the whole fit again without each row, that row predicted; the same for the
// ops-proportional model. Each fit is as costly as the full one (only the rows a Jacobian
// column changes are evaluated), so n rows cost n fits, not more.
void LeaveOneOut(const Problem& pr, const HardwareProfile& base,
                 const std::vector<PreparedRow>& prepared, const FitOptions& options,
                 FitResult* result) {
  double sum_abs = 0.0, max_abs = 0.0, naive_abs = 0.0;
  for (std::size_t n = 0; n < prepared.size(); ++n) {
    std::vector<const PreparedRow*> train;
    for (std::size_t m = 0; m < prepared.size(); ++m) {
      if (m != n) train.push_back(&prepared[m]);
    }
    const Fitted f = Solve(pr, FitRows(train, pr.free_count()), options);
    const FitRow& row = *prepared[n].row;
    FitRowResult& rr = result->rows[n];
    rr.loo_s = PredictPrepared(Estimator(Apply(pr, pr.Expand(f.theta))), prepared[n]);
    rr.loo_error = rr.loo_s / row.measured_s - 1.0;
    const double naive_s = NaiveSeconds(base, prepared[n], NaiveOpsPerCycle(base, train));
    rr.naive_loo_error = naive_s / row.measured_s - 1.0;
    sum_abs += std::abs(rr.loo_error);
    max_abs = std::max(max_abs, std::abs(rr.loo_error));
    naive_abs += std::abs(rr.naive_loo_error);
  }
  const auto count = static_cast<double>(prepared.size());
  result->loo_mean_abs_error = sum_abs / count;
  result->loo_max_abs_error = max_abs;
  result->naive_loo_mean_abs_error = naive_abs / count;
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
  std::vector<double> base_s;
  const std::vector<PreparedRow> prepared = PrepareRows(pr, base, rows, &base_s);
  std::vector<const PreparedRow*> all;
  for (const PreparedRow& r : prepared) all.push_back(&r);

  const Fitted fit = Solve(pr, FitRows(all, pr.free_count()), options);
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

  double sum_sq = 0.0;
  for (std::size_t n = 0; n < rows.size(); ++n) {
    const FitRow& row = rows[n];
    FitRowResult rr;
    rr.name = row.name;
    rr.measured_s = row.measured_s;
    rr.fitted_s = Predict(p, row);
    rr.base_s = base_s[n];
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

  if (options.leave_one_out) LeaveOneOut(pr, base, prepared, options, &result);
  return result;
}

}  // namespace opcost
