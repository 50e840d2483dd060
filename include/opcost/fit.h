// Fitting a hardware profile from measurements (docs/profiles.md): single layers or whole
// networks with measured times, a base profile whose curve points and categories are kept, and
// a least-squares fit in log space of per-point throughput multipliers (monotone in MACs per
// output for MAC categories), with per-row residuals and leave-one-out error.
//
//   std::vector<opcost::FitMeasurement> rows = opcost::ParseFitCsv(text, "m.csv");
//   std::vector<opcost::FitRow> fit_rows = ...;   // each row's layers (LayerDesc) + seconds
//   opcost::FitResult r = opcost::FitProfile(base, fit_rows, {});
//   opcost::SaveProfile(r.profile, "new.json");  r.loo_mean_abs_error;
#ifndef OPCOST_FIT_H_
#define OPCOST_FIT_H_

#include <string>
#include <vector>

#include "opcost/metrics.h"
#include "opcost/profile.h"

namespace opcost {

// One CSV row as written (docs/profiles.md): a whole network (`model` set) or one layer (`op`
// and shape fields set), with a measured latency (latency_s, or cycles at the profile clock).
struct FitMeasurement {
  std::string name;
  int line = 0;       // 1-based line in the CSV, for messages
  std::string model;  // network rows: model path as written (relative to the CSV)
  LayerDesc layer;    // layer rows
  bool is_layer = false;
  double latency_s = -1.0;  // -1: not given
  double cycles = -1.0;     // -1: not given
  double energy_j = -1.0;   // -1: not given
};

// Parses the CSV text. Throws Error{kInvalidArgument} naming `source_name`, the line and the
// column on an unknown column, a missing name, neither or both of model/op, a bad number, a
// non-positive measurement, or neither latency_s nor cycles.
std::vector<FitMeasurement> ParseFitCsv(const std::string& text, const std::string& source_name);

// A row ready to fit: the layers it runs and its measured time.
struct FitRow {
  std::string name;
  std::vector<LayerDesc> layers;
  double measured_s = 0.0;
  double measured_energy_j = -1.0;  // -1: not measured
};

struct FitOptions {
  // What the fit may change. Empty (default): one multiplier per MAC curve point and per non-MAC
  // category (needs many rows). Otherwise only a few constants, for a runtime with few
  // measurements on the shapes of a characterized base: one multiplier on every throughput
  // ("scale"), and one more for each category listed here, which replaces the scale for that
  // category. E.g. {} with scale_only = true: one constant; {kConv}: two.
  bool scale_only = false;
  std::vector<OpCategory> own_scale;  // with scale_only: categories with their own multiplier
  double prior_weight = 0.05;         // pull of each multiplier towards the global scale
  double smoothness_weight = 1.0;     // pull of neighbouring curve points towards each other
  int max_iterations = 50;
  bool leave_one_out = true;
  std::string generator_citation;  // written into the new profile's "fit" source
};

struct FitRowResult {
  std::string name;
  double measured_s = 0.0;
  double fitted_s = 0.0;         // the fitted profile's estimate
  double residual = 0.0;         // fitted / measured - 1
  double loo_s = 0.0;            // estimate of a profile fitted without this row
  double loo_error = 0.0;        // loo / measured - 1
  double naive_loo_error = 0.0;  // same for the ops-proportional model
  double base_s = 0.0;           // the base profile's estimate
};

struct FitResult {
  HardwareProfile profile;
  std::vector<FitRowResult> rows;
  double global_scale = 1.0;  // throughput multiplier of the first, one-parameter fit
  double rms_log_residual = 0.0;
  double loo_mean_abs_error = 0.0;  // mean |loo_error| (0 if leave_one_out is off)
  double loo_max_abs_error = 0.0;
  double naive_loo_mean_abs_error = 0.0;
  double power_scale = 1.0;  // applied to every power_mw when rows have energy
};

// Fits `base`'s throughput (MAC curve points and cycles per element; curve x positions, overheads
// and the category set are kept) to `rows`. Throws Error{kInvalidArgument} if there are fewer
// than 2 rows, a row has no layers or a non-positive time, and what the estimator throws
// (e.g. a layer whose category `base` does not characterize, naming the row).
FitResult FitProfile(const HardwareProfile& base, const std::vector<FitRow>& rows,
                     const FitOptions& options = {});

}  // namespace opcost

#endif  // OPCOST_FIT_H_
