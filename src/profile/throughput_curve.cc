#include <algorithm>
#include <cmath>
#include <string>

#include "opcost/error.h"
#include "opcost/profile.h"

namespace opcost {

bool IsMacCategory(OpCategory category) {
  switch (category) {
    case OpCategory::kConv:
    case OpCategory::kConv1x1:
    case OpCategory::kDepthwiseConv:
    case OpCategory::kFullyConnected:
      return true;
    default:
      return false;
  }
}

ThroughputCurve::ThroughputCurve(std::vector<Point> points) : points_(std::move(points)) {
  if (points_.empty()) {
    throw Error(ErrorCode::kInvalidArgument, "throughput curve: needs at least one point");
  }
  for (std::size_t i = 0; i < points_.size(); ++i) {
    const Point& p = points_[i];
    if (!(std::isfinite(p.macs_per_output) && p.macs_per_output > 0.0) ||
        !(std::isfinite(p.macs_per_cycle) && p.macs_per_cycle > 0.0)) {
      throw Error(ErrorCode::kInvalidArgument,
                  "throughput curve: point " + std::to_string(i) +
                      " must have finite positive values (got " +
                      std::to_string(p.macs_per_output) + ", " +
                      std::to_string(p.macs_per_cycle) + ")");
    }
    if (i > 0 && !(p.macs_per_output > points_[i - 1].macs_per_output)) {
      throw Error(ErrorCode::kInvalidArgument,
                  "throughput curve: macs_per_output must be strictly increasing (point " +
                      std::to_string(i) + ": " + std::to_string(p.macs_per_output) +
                      " after " + std::to_string(points_[i - 1].macs_per_output) + ")");
    }
    log_x_.push_back(std::log(p.macs_per_output));
  }
  for (std::size_t i = 0; i + 1 < points_.size(); ++i) {
    slope_.push_back((points_[i + 1].macs_per_cycle - points_[i].macs_per_cycle) /
                     (log_x_[i + 1] - log_x_[i]));
  }
}

double ThroughputCurve::Evaluate(double macs_per_output, bool* extrapolated) const noexcept {
  // Clamp first: this also routes NaN and non-positive inputs to the low end without a log.
  if (!(macs_per_output >= points_.front().macs_per_output)) {
    if (!(macs_per_output == points_.front().macs_per_output)) *extrapolated = true;
    return points_.front().macs_per_cycle;
  }
  if (macs_per_output >= points_.back().macs_per_output) {
    if (macs_per_output > points_.back().macs_per_output) *extrapolated = true;
    return points_.back().macs_per_cycle;
  }
  // Few points: a linear scan beats a binary search here.
  std::size_t i = 0;
  while (points_[i + 1].macs_per_output <= macs_per_output) ++i;
  const double lx = std::log(macs_per_output);
  return points_[i].macs_per_cycle + slope_[i] * (lx - log_x_[i]);
}

}  // namespace opcost
