// Checking estimates against published measurements (docs/accuracy.md): absolute error, and
// leave-one-out error with one free scale per system, for opcost and for the ops-proportional
// model with the same single parameter.
//
//   // One system: the rows' compute seconds (scaled by the free factor), memory seconds (fixed:
//   // datasheet wait states do not depend on the runtime) and the measured seconds.
//   std::vector<double> loo = opcost::LeaveOneOutErrors(compute_s, memory_s, measured_s);
#ifndef OPCOST_VALIDATION_H_
#define OPCOST_VALIDATION_H_

#include <vector>

namespace opcost {

// The scale s > 0 minimizing sum_i log((s x scaled[i] + fixed[i]) / measured[i])^2 over the rows
// whose `use[i]` is true (all when `use` is empty). With fixed all 0 this is the geometric mean
// of measured / scaled. Preconditions: equal sizes, scaled > 0, fixed >= 0, measured > 0.
double FitScale(const std::vector<double>& scaled, const std::vector<double>& fixed,
                const std::vector<double>& measured, const std::vector<bool>& use = {});

// For each row i: |prediction_i / measured_i - 1| where the prediction uses the scale fitted on
// every other row (FitScale). Empty for fewer than 2 rows.
std::vector<double> LeaveOneOutErrors(const std::vector<double>& scaled,
                                      const std::vector<double>& fixed,
                                      const std::vector<double>& measured);

}  // namespace opcost

#endif  // OPCOST_VALIDATION_H_
