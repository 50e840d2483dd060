// `opcost fit MEASUREMENTS.csv --base PROFILE -o NEW.json`: fits a profile's throughput to
// measured layer or network times (docs/profiles.md) and reports residuals and leave-one-out
// error beside the ops-proportional model's.
#include <algorithm>
#include <cmath>
#include <ostream>
#include <string>

#include "cli/command.h"
#include "cli/output.h"
#include "cli/profile_lookup.h"
#include "io/file_io.h"
#include "io/json_reader.h"
#include "opcost/error.h"
#include "opcost/fit.h"

namespace opcost::cli {
namespace {

constexpr char kHelp[] =
    "usage: opcost fit MEASUREMENTS.csv --base PROFILE -o NEW.json [--name NAME]\n"
    "                  [--format table|json] [--no-loo] [--constants scale[,CATEGORY...]]\n"
    "                  [--allow-unsupported]\n\n"
    "Fits the throughput curves of PROFILE (name or file) to the measured times in the CSV\n"
    "(whole networks: a model file per row; or single layers: op and shape columns; format in\n"
    "docs/profiles.md) by least squares in log space, keeping MAC curves non-decreasing in MACs\n"
    "per output, and writes the fitted profile with a provenance entry. Prints per-row\n"
    "residuals and the leave-one-out error, beside the leave-one-out error of a model with one\n"
    "average ops-per-cycle figure (naive). The new profile's name is --name or the file stem.\n"
    "  --constants scale[,CATEGORY...]\n"
    "                  fit only a few constants instead of every curve point: one multiplier on\n"
    "                  every throughput, and one more for each op category listed (e.g.\n"
    "                  scale,conv): a new runtime with few measurements on the shapes of a\n"
    "                  characterized base (memory costs stay as the base's memory section says)\n"
    "  --allow-unsupported  an op of a .tflite or .onnx model that opcost does not map costs\n"
    "                  zero instead of being an error: its real time then inflates the fitted\n"
    "                  throughput of the rest, so use it only for ops that take little time\n";

std::string ReadText(const std::string& path) {
  RejectDirectory(path, "CSV");
  return detail::ReadTextFile(path);
}

std::string Dir(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? std::string(".") : path.substr(0, slash);
}

std::string Stem(const std::string& path) {
  std::string base =
      path.substr(path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/') + 1);
  const auto dot = base.rfind('.');
  return dot == std::string::npos ? base : base.substr(0, dot);
}

std::string Pct(double v) { return FormatNumber(v * 100.0, 3); }

// The new profile's name: --name, or the output file's stem. Checked before fitting: a profile
// without a name is written but never loads again.
std::string ProfileName(const ParsedArgs& parsed, const std::string& output) {
  const std::string name = parsed.Has("name") ? parsed.Get("name") : Stem(output);
  if (name.empty()) {
    throw UsageError(parsed.Has("name") ? "--name must not be empty"
                                        : "cannot name the profile after '" + output +
                                              "' (empty file stem); give --name NAME");
  }
  if (!IsValidUtf8(name)) {
    throw UsageError(
        "the profile name is not valid UTF-8 (a profile is JSON); give a UTF-8 --name");
  }
  return name;
}

// A network row's model file: relative paths are relative to the CSV's folder.
std::string ModelPath(const FitMeasurement& m, const std::string& csv_path) {
  return m.model[0] == '/' ? m.model : Dir(csv_path) + "/" + m.model;
}

// One fit row per measurement: its layers (the one layer, or every node of the model file) and
// the measured time (latency, or cycles at the base profile's clock).
std::vector<FitRow> MakeRows(const std::vector<FitMeasurement>& measurements,
                             const std::string& csv_path, const HardwareProfile& base,
                             bool allow_unsupported) {
  std::vector<FitRow> rows;
  for (const FitMeasurement& m : measurements) {
    FitRow row;
    row.name = m.name;
    row.measured_s = m.latency_s > 0 ? m.latency_s : m.cycles / base.clock_hz;
    row.measured_energy_j = m.energy_j;
    if (m.is_layer) {
      row.layers.push_back(m.layer);
    } else {
      Graph g;
      try {
        g = LoadModelForCli(ModelPath(m, csv_path), allow_unsupported);
      } catch (const Error& e) {
        throw WithContext(e, csv_path + ":" + std::to_string(m.line));
      }
      for (NodeId id = 0; id < static_cast<NodeId>(g.nodes().size()); ++id) {
        row.layers.push_back(DescribeNode(g, id));
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

// --constants scale[,CATEGORY...]: fit one multiplier, and one more per category listed.
void ParseConstants(const std::string& list, FitOptions* options) {
  std::size_t begin = 0;
  bool first = true;
  while (begin <= list.size()) {
    const std::size_t end = std::min(list.find(',', begin), list.size());
    const std::string item = list.substr(begin, end - begin);
    OpCategory c;
    if (first && item != "scale") {
      throw UsageError("--constants starts with \"scale\" (got \"" + item + "\")");
    }
    if (!first) {
      if (!ParseOpCategory(item, &c)) {
        throw UsageError("--constants: \"" + item + "\" is not an op category");
      }
      if (std::find(options->own_scale.begin(), options->own_scale.end(), c) !=
          options->own_scale.end()) {
        throw UsageError("--constants names \"" + item + "\" twice");
      }
      options->own_scale.push_back(c);
    }
    first = false;
    begin = end + 1;
  }
  options->scale_only = true;
}

void PrintJson(const FitResult& r, const std::string& output, std::ostream& out) {
  OJson root;
  root["profile"] = r.profile.name;
  root["output"] = output;
  OJson rs = OJson::array();
  for (const FitRowResult& x : r.rows) {
    rs.push_back({{"name", x.name},
                  {"measured_s", x.measured_s},
                  {"base_s", x.base_s},
                  {"fitted_s", x.fitted_s},
                  {"residual", x.residual},
                  {"loo_s", x.loo_s},
                  {"loo_error", x.loo_error},
                  {"naive_loo_error", x.naive_loo_error}});
  }
  root["rows"] = rs;
  root["totals"] = {{"global_scale", r.global_scale},
                    {"rms_log_residual", r.rms_log_residual},
                    {"loo_mean_abs_error", r.loo_mean_abs_error},
                    {"loo_max_abs_error", r.loo_max_abs_error},
                    {"naive_loo_mean_abs_error", r.naive_loo_mean_abs_error},
                    {"power_scale", r.power_scale}};
  out << DumpJson(root) << "\n";
}

void PrintTable(const FitResult& r, bool leave_one_out, const std::string& output,
                std::ostream& out) {
  TextTable t({"row", "measured ms", "base ms", "fitted ms", "resid %", "LOO ms", "LOO err %",
               "naive LOO err %"},
              {true, false, false, false, false, false, false, false});
  for (const FitRowResult& x : r.rows) {
    t.AddRow({x.name, FormatNumber(x.measured_s * 1e3), FormatNumber(x.base_s * 1e3),
              FormatNumber(x.fitted_s * 1e3), Pct(x.residual),
              leave_one_out ? FormatNumber(x.loo_s * 1e3) : "",
              leave_one_out ? Pct(x.loo_error) : "",
              leave_one_out ? Pct(x.naive_loo_error) : ""});
  }
  t.Print(out);
  out << "fitted " << r.rows.size() << " rows; global throughput scale "
      << FormatNumber(r.global_scale) << "; rms log residual " << FormatNumber(r.rms_log_residual)
      << "\n";
  if (leave_one_out) {
    out << "leave-one-out: mean |error| " << Pct(r.loo_mean_abs_error) << " %, max "
        << Pct(r.loo_max_abs_error) << " %; naive (ops-proportional) mean |error| "
        << Pct(r.naive_loo_mean_abs_error) << " %\n";
  }
  out << "wrote " << output << " (profile '" << r.profile.name << "')\n";
}

int Run(const Args& args, std::ostream& out) {
  const ParsedArgs parsed =
      ParseArgs(args, {"base", "o", "output", "name", "format", "constants"},
                {"no-loo", "allow-unsupported"});
  if (parsed.positional.size() != 1) throw UsageError("fit takes one MEASUREMENTS.csv argument");
  if (!parsed.Has("base")) throw UsageError("fit needs --base PROFILE");
  const std::string output = parsed.Has("o") ? parsed.Get("o") : parsed.Get("output");
  if (output.empty()) throw UsageError("fit needs -o NEW.json");
  const std::string format = parsed.Get("format", "table");
  if (format != "table" && format != "json") throw UsageError("fit --format is table or json");
  const std::string profile_name = ProfileName(parsed, output);

  const std::string csv_path = parsed.positional[0];
  const HardwareProfile base = LoadProfileForCli(parsed.Get("base"));
  const std::vector<FitMeasurement> measurements = ParseFitCsv(ReadText(csv_path), csv_path);
  // Every input of the command, so that -o cannot destroy one (checked before fitting).
  std::vector<std::string> inputs = {csv_path, base.source_name};
  for (const FitMeasurement& m : measurements) {
    if (!m.is_layer) inputs.push_back(ModelPath(m, csv_path));
  }
  detail::RefuseOverwritingInputs(output, inputs);
  const std::vector<FitRow> rows =
      MakeRows(measurements, csv_path, base, parsed.Has("allow-unsupported"));
  FitOptions options;
  if (parsed.Has("constants")) ParseConstants(parsed.Get("constants"), &options);
  options.leave_one_out = !parsed.Has("no-loo");
  options.generator_citation =
      "opcost fit " + csv_path + " --base " + parsed.Get("base") +
      (parsed.Has("constants") ? " --constants " + parsed.Get("constants") : "");
  FitResult r;
  try {
    r = FitProfile(base, rows, options);
  } catch (const Error& e) {
    // The fitter's message does not know the file: name it (e.g. rows too few or contradictory).
    throw WithContext(e, csv_path + ": cannot fit profile '" + base.name + "'");
  }
  r.profile.name = profile_name;
  r.profile.description = "Fitted by 'opcost fit' to " + std::to_string(rows.size()) +
                          " measured rows of " + csv_path +
                          " (see source 'fit'). Base: " + base.name + ": " + base.description;
  // What is written must load again: a fit far outside the loader's ranges is refused.
  try {
    ParseProfile(SaveProfileToString(r.profile), output);
  } catch (const Error& e) {
    throw WithContext(e, csv_path + ": the fitted profile is outside the profile format's "
                                    "ranges, not written");
  }
  SaveProfile(r.profile, output);
  if (format == "json") {
    PrintJson(r, output, out);
  } else {
    PrintTable(r, options.leave_one_out, output, out);
  }
  return 0;
}

}  // namespace

const Command kFitCommand = {"fit", "fit a hardware profile to measured layer or network times",
                             kHelp, Run};

}  // namespace opcost::cli
