// `opcost validate TABLE.csv [--format table|json] [--baseline FILE] [--margin POINTS]`: how far
// opcost's estimates are from published measurements, beside the ops-proportional model with the
// same number of free parameters (docs/accuracy.md).
//   network tables: per system (board x runtime), (a) absolute error where the row's profile is
//   the one for that board and runtime, (b) leave-one-out error with one free scale per system;
//   latency and, where given, energy.
//   layer tables: per-layer time shares of one network against the measured shares.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/output.h"
#include "cli/profile_lookup.h"
#include "io/csv_line.h"
#include "io/json_reader.h"
#include "opcost/error.h"
#include "opcost/estimator.h"
#include "opcost/profile_catalog.h"
#include "opcost/validation.h"

namespace opcost::cli {
namespace {

constexpr char kHelp[] =
    "usage: opcost validate TABLE.csv [--format table|json] [--baseline FILE]\n"
    "                       [--margin POINTS] [--allow-unsupported]\n\n"
    "Compares estimates with published measurements (docs/accuracy.md). A network table has\n"
    "the columns system, board, core, clock_hz, runtime, model, latency_ms, energy_uj (may be\n"
    "empty), profile, match, source; model and profile paths are relative to the table (a\n"
    "profile without '/' or '.json' is a shipped name). Per system it prints, for opcost and for\n"
    "the ops-proportional model:\n"
    "  absolute       |estimate / measured - 1|, rows whose match is \"exact\" (the profile is\n"
    "                 the one for that board and runtime) or \"calibration\" (also, the profile\n"
    "                 was calibrated or fitted on the row: in-sample, marked * per row);\n"
    "  leave-one-out  each row predicted with one scale fitted on the system's other rows\n"
    "                 (opcost: the scale multiplies compute time, memory time stays as the\n"
    "                 datasheet says; ops-proportional: the scale multiplies ops).\n"
    "A layer table (columns model, layer, measured_us, profile, source) compares each layer's\n"
    "share of the network time.\n\n"
    "  --baseline FILE   a JSON output of an earlier run: exit 1 when a mean error of opcost\n"
    "                    rose by more than --margin percentage points (default 1)\n"
    "  --allow-unsupported  an op of a model that opcost does not map costs zero instead of\n"
    "                    being an error (the estimate is then low by that op's time)\n";

struct Table {
  std::string path;
  std::string dir;  // with trailing '/', or empty
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<int> lines;

  [[noreturn]] void Fail(std::size_t row, const std::string& column,
                         const std::string& message) const {
    int col = 0;
    for (std::size_t i = 0; i < header.size(); ++i) {
      if (header[i] == column) col = static_cast<int>(i) + 1;
    }
    throw Error(ErrorCode::kInvalidArgument,
                path + ":" + std::to_string(lines[row]) +
                    (col > 0 ? ":" + std::to_string(col) + " (column " + column + ")" : "") + ": " +
                    message);
  }
  int Column(const std::string& name) const {
    for (std::size_t i = 0; i < header.size(); ++i) {
      if (header[i] == name) return static_cast<int>(i);
    }
    return -1;
  }
  bool Has(const std::string& name) const { return Column(name) >= 0; }
  std::string Get(std::size_t row, const std::string& column) const {
    const int c = Column(column);
    return c < 0 ? std::string() : rows[row][static_cast<std::size_t>(c)];
  }
  std::string Required(std::size_t row, const std::string& column) const {
    const std::string v = Get(row, column);
    if (v.empty()) Fail(row, column, "must not be empty");
    return v;
  }
  // A finite number > 0; `optional` lets an empty field be -1.
  double Number(std::size_t row, const std::string& column, bool optional = false) const {
    const std::string s = Get(row, column);
    if (s.empty() && optional) return -1.0;
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (s.empty() || end == s.c_str() || *end != '\0' || !std::isfinite(v) || !(v > 0.0)) {
      Fail(row, column, "must be a finite number > 0 (got \"" + s + "\")");
    }
    return v;
  }
  std::string Path(const std::string& relative) const {
    return !relative.empty() && relative[0] == '/' ? relative : dir + relative;
  }
};

Table ReadTable(const std::string& path, const std::vector<std::string>& required) {
  RejectDirectory(path, "validation table");
  Table t;
  t.path = path;
  const std::size_t slash = path.rfind('/');
  t.dir = slash == std::string::npos ? std::string() : path.substr(0, slash + 1);
  const std::string text = detail::ReadTextFile(path);
  detail::CsvLines lines(text, path);
  std::vector<std::string> fields;
  while (lines.Next(&fields)) {
    const int line = lines.line();
    if (t.header.empty()) {
      t.header = fields;
      detail::CheckUniqueColumns(fields, path, line);
      continue;
    }
    if (fields.size() != t.header.size()) {
      throw Error(ErrorCode::kInvalidArgument,
                  path + ":" + std::to_string(line) + ": has " + std::to_string(fields.size()) +
                      " fields, the header " + std::to_string(t.header.size()));
    }
    t.rows.push_back(std::move(fields));
    t.lines.push_back(line);
  }
  if (t.header.empty()) throw Error(ErrorCode::kInvalidArgument, path + ": empty table");
  for (const std::string& c : required) {
    if (!t.Has(c)) {
      throw Error(ErrorCode::kInvalidArgument, path + ":1: missing column \"" + c + "\"");
    }
  }
  if (t.rows.empty()) throw Error(ErrorCode::kInvalidArgument, path + ": no rows");
  return t;
}

// Profiles and models are loaded once per table.
class Cache {
 public:
  Cache(const Table& t, bool allow_unsupported) : table_(t), allow_unsupported_(allow_unsupported) {}
  const Estimator& Profile(std::size_t row) {
    const std::string name = table_.Required(row, "profile");
    const bool is_path = IsProfilePath(name);
    auto it = profiles_.find(name);
    if (it == profiles_.end()) {
      try {
        it = profiles_
                 .emplace(name, std::make_unique<Estimator>(
                                    LoadProfileForCli(is_path ? table_.Path(name) : name)))
                 .first;
      } catch (const Error& e) {
        table_.Fail(row, "profile", e.what());
      }
    }
    return *it->second;
  }
  const Graph& Model(std::size_t row) {
    const std::string path = table_.Path(table_.Required(row, "model"));
    auto it = models_.find(path);
    if (it == models_.end()) {
      try {
        it = models_.emplace(path, LoadModelForCli(path, allow_unsupported_)).first;
      } catch (const Error& e) {
        table_.Fail(row, "model", e.what());
      }
    }
    return it->second;
  }

 private:
  const Table& table_;
  std::map<std::string, std::unique_ptr<Estimator>> profiles_;
  std::map<std::string, Graph> models_;
  bool allow_unsupported_ = false;
};

double Mean(const std::vector<double>& v) {
  double s = 0.0;
  for (double x : v) s += x;
  return v.empty() ? 0.0 : s / static_cast<double>(v.size());
}

struct Row {
  std::string model, match;
  double measured_s = 0, estimate_s = 0, memory_s = 0, naive_s = 0;
  double measured_j = -1, estimate_j = 0, naive_j = 0;
  double abs_error = -1, naive_abs_error = -1, loo_error = -1, naive_loo_error = -1;
  double energy_abs_error = -1, naive_energy_abs_error = -1;
  double energy_loo_error = -1, naive_energy_loo_error = -1;
};

struct System {
  std::string name, board, core, runtime, profile;
  std::vector<Row> rows;
};

// Mean of the errors >= 0 of `field` over rows, and how many there were.
template <typename F>
std::pair<double, int> MeanOf(const std::vector<Row>& rows, F field) {
  std::vector<double> v;
  for (const Row& r : rows) {
    if (field(r) >= 0) v.push_back(field(r));
  }
  return {Mean(v), static_cast<int>(v.size())};
}

const char* kMetricNames[] = {"abs_error",        "naive_abs_error",       "loo_error",
                              "naive_loo_error",  "energy_abs_error",      "naive_energy_abs_error",
                              "energy_loo_error", "naive_energy_loo_error"};
double Metric(const Row& r, int i) {
  const double v[] = {r.abs_error,        r.naive_abs_error,       r.loo_error,
                      r.naive_loo_error,  r.energy_abs_error,      r.naive_energy_abs_error,
                      r.energy_loo_error, r.naive_energy_loo_error};
  return v[i];
}

OJson Summary(const std::vector<Row>& rows) {
  OJson j = OJson::object();
  for (int i = 0; i < 8; ++i) {
    const auto [mean, n] = MeanOf(rows, [i](const Row& r) { return Metric(r, i); });
    if (n > 0) j[std::string(kMetricNames[i]) + "_pct"] = {{"mean", mean * 100.0}, {"rows", n}};
  }
  return j;
}

// The system row `i` belongs to, created on its first row; a system keeps one profile and runtime.
System& SystemOf(const Table& t, std::size_t i, std::vector<System>* systems,
                 std::map<std::string, std::size_t>* index) {
  const std::string name = t.Required(i, "system");
  auto it = index->find(name);
  if (it == index->end()) {
    it = index->emplace(name, systems->size()).first;
    System s;
    s.name = name;
    s.board = t.Get(i, "board");
    s.core = t.Get(i, "core");
    s.runtime = t.Required(i, "runtime");
    s.profile = t.Required(i, "profile");
    systems->push_back(s);
  }
  System& s = (*systems)[it->second];
  if (t.Get(i, "profile") != s.profile || t.Get(i, "runtime") != s.runtime) {
    t.Fail(i, "profile", "system \"" + name + "\" has another profile or runtime on an earlier row");
  }
  return s;
}

// Row `i` of system `s`: the measurement, the estimate at the measured clock, absolute errors.
Row EvaluateRow(const Table& t, std::size_t i, Cache& cache, const System& s) {
  Row r;
  r.model = t.Required(i, "model");
  for (const Row& other : s.rows) {
    if (other.model == r.model) {
      t.Fail(i, "model",
             "duplicate row: system \"" + s.name + "\" already has model \"" + r.model + "\"");
    }
  }
  r.match = t.Required(i, "match");
  if (r.match != "exact" && r.match != "calibration" && r.match != "shape") {
    t.Fail(i, "match", "must be exact, calibration or shape (got \"" + r.match + "\")");
  }
  const double clock_hz = t.Number(i, "clock_hz");
  r.measured_s = t.Number(i, "latency_ms") * 1e-3;
  r.measured_j = t.Number(i, "energy_uj", true) * 1e-6;
  if (r.measured_j < 0) r.measured_j = -1;
  const Estimator& est = cache.Profile(i);
  NetworkEstimate e;
  try {
    est.EstimateGraph(cache.Model(i), &e);
  } catch (const Error& err) {
    t.Fail(i, "model", err.what());
  }
  // Cycles at the measured system's clock: the profile's cycles are per clock.
  r.estimate_s = e.totals.cycles / clock_hz;
  r.memory_s = e.totals.memory_cycles / clock_hz;
  r.naive_s = e.totals.naive_cycles / clock_hz;
  if (!(r.estimate_s - r.memory_s > 0.0) || !(r.naive_s > 0.0)) {
    t.Fail(i, "model", "the model has no work to compare (estimated compute time 0)");
  }
  const double watts = e.totals.latency_s > 0 ? e.totals.energy_j / e.totals.latency_s : 0.0;
  const double naive_watts =
      e.totals.naive_latency_s > 0 ? e.totals.naive_energy_j / e.totals.naive_latency_s : 0.0;
  r.estimate_j = r.estimate_s * watts;
  r.naive_j = r.naive_s * naive_watts;
  if (r.match != "shape") {  // exact or calibration: the profile of that board and runtime
    r.abs_error = std::fabs(r.estimate_s / r.measured_s - 1.0);
    r.naive_abs_error = std::fabs(r.naive_s / r.measured_s - 1.0);
    if (r.measured_j > 0) {
      r.energy_abs_error = std::fabs(r.estimate_j / r.measured_j - 1.0);
      r.naive_energy_abs_error = std::fabs(r.naive_j / r.measured_j - 1.0);
    }
  }
  return r;
}

// Leave-one-out errors of a system's rows: latency with one scale on compute (memory time as
// estimated), and energy with one scale over the rows that give energy (power is nearly
// constant: energy follows time); the ops-proportional model likewise.
void AddLeaveOneOut(System* s) {
  std::vector<double> compute, memory, measured, naive, zeros(s->rows.size(), 0.0);
  for (const Row& r : s->rows) {
    compute.push_back(r.estimate_s - r.memory_s);
    memory.push_back(r.memory_s);
    measured.push_back(r.measured_s);
    naive.push_back(r.naive_s);
  }
  const std::vector<double> loo = LeaveOneOutErrors(compute, memory, measured);
  const std::vector<double> naive_loo = LeaveOneOutErrors(naive, zeros, measured);
  for (std::size_t i = 0; i < loo.size(); ++i) {
    s->rows[i].loo_error = loo[i];
    s->rows[i].naive_loo_error = naive_loo[i];
  }
  std::vector<double> ee, en, em;
  std::vector<std::size_t> which;
  for (std::size_t i = 0; i < s->rows.size(); ++i) {
    if (s->rows[i].measured_j <= 0) continue;
    ee.push_back(s->rows[i].estimate_j);
    en.push_back(s->rows[i].naive_j);
    em.push_back(s->rows[i].measured_j);
    which.push_back(i);
  }
  const std::vector<double> ez(ee.size(), 0.0);
  const std::vector<double> eloo = LeaveOneOutErrors(ee, ez, em);
  const std::vector<double> enloo = LeaveOneOutErrors(en, ez, em);
  for (std::size_t k = 0; k < eloo.size(); ++k) {
    s->rows[which[k]].energy_loo_error = eloo[k];
    s->rows[which[k]].naive_energy_loo_error = enloo[k];
  }
}

std::vector<System> EvaluateNetworks(const Table& t, bool allow_unsupported) {
  Cache cache(t, allow_unsupported);
  std::vector<System> systems;
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < t.rows.size(); ++i) {
    System& s = SystemOf(t, i, &systems, &index);
    s.rows.push_back(EvaluateRow(t, i, cache, s));
  }
  for (System& s : systems) AddLeaveOneOut(&s);
  return systems;
}

std::string Pct(const std::pair<double, int>& m) {
  return m.second == 0 ? "-" : FormatNumber(m.first * 100.0, 3);
}

OJson NetworksJson(const Table& t, const std::vector<System>& systems) {
  OJson root;
  root["table"] = t.path;
  root["kind"] = "networks";
  OJson arr = OJson::array();
  std::vector<Row> all;
  for (const System& s : systems) {
    OJson rows = OJson::array();
    for (const Row& r : s.rows) {
      OJson j = {{"model", r.model},           {"match", r.match},
                 {"measured_s", r.measured_s}, {"estimate_s", r.estimate_s},
                 {"memory_s", r.memory_s},     {"naive_s", r.naive_s}};
      if (r.measured_j > 0) {
        j["measured_j"] = r.measured_j;
        j["estimate_j"] = r.estimate_j;
        j["naive_j"] = r.naive_j;
      }
      for (int i = 0; i < 8; ++i) {
        if (Metric(r, i) >= 0) j[kMetricNames[i]] = Metric(r, i);
      }
      rows.push_back(j);
      all.push_back(r);
    }
    arr.push_back({{"system", s.name},
                   {"board", s.board},
                   {"core", s.core},
                   {"runtime", s.runtime},
                   {"profile", s.profile},
                   {"rows", rows},
                   {"summary", Summary(s.rows)}});
  }
  root["systems"] = arr;
  root["summary"] = Summary(all);
  return root;
}

void PrintNetworks(const Table& t, const std::vector<System>& systems, std::ostream& out) {
  out << "table: " << t.path << " (" << t.rows.size() << " rows, " << systems.size()
      << " systems)\nerrors in %: mean |estimate / measured - 1| of opcost / ops-proportional\n";
  TextTable tab({"system", "runtime", "profile", "rows", "abs", "abs naive", "LOO", "LOO naive",
                 "energy LOO", "energy LOO naive"},
                {true, true, true, false, false, false, false, false, false, false});
  std::vector<Row> all;
  const auto add = [&](const std::string& name, const std::string& runtime,
                       const std::string& profile, const std::vector<Row>& rows) {
    tab.AddRow({name, runtime, profile, std::to_string(rows.size()),
                Pct(MeanOf(rows, [](const Row& r) { return r.abs_error; })),
                Pct(MeanOf(rows, [](const Row& r) { return r.naive_abs_error; })),
                Pct(MeanOf(rows, [](const Row& r) { return r.loo_error; })),
                Pct(MeanOf(rows, [](const Row& r) { return r.naive_loo_error; })),
                Pct(MeanOf(rows, [](const Row& r) { return r.energy_loo_error; })),
                Pct(MeanOf(rows, [](const Row& r) { return r.naive_energy_loo_error; }))});
  };
  for (const System& s : systems) {
    add(s.name, s.runtime, s.profile, s.rows);
    all.insert(all.end(), s.rows.begin(), s.rows.end());
  }
  tab.AddRule();
  add("all", "", "", all);
  tab.Print(out);
  out << "\nper row (LOO error in %, opcost / ops-proportional):\n";
  TextTable rows(
      {"system", "model", "measured ms", "estimate ms", "memory ms", "abs", "LOO", "LOO naive"},
      {true, true, false, false, false, false, false, false});
  bool any_in_sample = false;
  for (const System& s : systems) {
    for (const Row& r : s.rows) {
      const auto pct = [](double e) { return e < 0 ? std::string("-") : FormatNumber(e * 100, 3); };
      const std::string in_sample = r.match == "calibration" ? "*" : "";
      rows.AddRow({s.name, r.model, FormatNumber(r.measured_s * 1e3),
                   FormatNumber(r.estimate_s * 1e3), FormatNumber(r.memory_s * 1e3),
                   pct(r.abs_error) + in_sample, pct(r.loo_error), pct(r.naive_loo_error)});
      any_in_sample = any_in_sample || !in_sample.empty();
    }
  }
  rows.Print(out);
  if (any_in_sample) out << "* in-sample: the profile was calibrated or fitted on this row\n";
}

// Layer tables: share of network time per layer, estimate vs measured.
// The measured time of each layer the table lists, -1 for the others; their sum in `total`.
std::vector<double> MeasuredLayerTimes(const Table& t, const Graph& g, double* total) {
  std::vector<double> measured(g.nodes().size(), -1.0);
  *total = 0.0;
  for (std::size_t i = 0; i < t.rows.size(); ++i) {
    if (t.Get(i, "model") != t.Get(0, "model") || t.Get(i, "profile") != t.Get(0, "profile")) {
      t.Fail(i, "model", "a layer table holds one model and one profile");
    }
    const std::string layer = t.Required(i, "layer");
    std::size_t id = g.nodes().size();
    for (std::size_t n = 0; n < g.nodes().size(); ++n) {
      if (g.nodes()[n].name == layer) id = n;
    }
    if (id == g.nodes().size()) t.Fail(i, "layer", "model has no layer \"" + layer + "\"");
    if (measured[id] >= 0) t.Fail(i, "layer", "duplicate layer \"" + layer + "\"");
    measured[id] = t.Number(i, "measured_us") * 1e-6;
    *total += measured[id];
  }
  return measured;
}

OJson EvaluateLayers(const Table& t, bool allow_unsupported) {
  Cache cache(t, allow_unsupported);
  const Graph& g = cache.Model(0);
  const Estimator& est = cache.Profile(0);
  NetworkEstimate e;
  est.EstimateGraph(g, &e);
  double measured_total = 0.0;
  const std::vector<double> measured = MeasuredLayerTimes(t, g, &measured_total);
  double est_total = 0.0, naive_total = 0.0;
  for (std::size_t n = 0; n < measured.size(); ++n) {
    if (measured[n] < 0) continue;
    est_total += e.layers[n].latency_s;
    naive_total += e.layers[n].naive_latency_s;
  }
  if (!(est_total > 0.0) || !(naive_total > 0.0)) {
    t.Fail(0, "layer", "the listed layers have no estimated time to share");
  }
  OJson layers = OJson::array();
  std::vector<double> err, naive_err;
  for (std::size_t n = 0; n < measured.size(); ++n) {
    if (measured[n] < 0) continue;
    const double m = measured[n] / measured_total;
    const double o = e.layers[n].latency_s / est_total;
    const double v = e.layers[n].naive_latency_s / naive_total;
    err.push_back(std::fabs(o - m));
    naive_err.push_back(std::fabs(v - m));
    layers.push_back({{"layer", g.nodes()[n].name},
                      {"category", OpCategoryName(e.layers[n].category)},
                      {"measured_share", m},
                      {"estimate_share", o},
                      {"naive_share", v}});
  }
  double max_err = 0.0, max_naive = 0.0;
  for (double x : err) max_err = std::max(max_err, x);
  for (double x : naive_err) max_naive = std::max(max_naive, x);
  OJson root;
  root["table"] = t.path;
  root["kind"] = "layers";
  root["model"] = g.name();
  root["profile"] = est.profile().name;
  root["layers"] = layers;
  root["summary"] = {
      {"share_error_points",
       {{"mean", Mean(err) * 100.0}, {"max", max_err * 100.0}, {"rows", err.size()}}},
      {"naive_share_error_points",
       {{"mean", Mean(naive_err) * 100.0},
        {"max", max_naive * 100.0},
        {"rows", naive_err.size()}}}};
  return root;
}

void PrintLayers(const OJson& r, std::ostream& out) {
  out << "table: " << r["table"].get<std::string>() << " (model " << r["model"].get<std::string>()
      << ", profile " << r["profile"].get<std::string>() << ")\n";
  TextTable tab({"layer", "category", "measured %", "opcost %", "naive %"},
                {true, true, false, false, false});
  for (const OJson& l : r["layers"]) {
    tab.AddRow({l["layer"].get<std::string>(), l["category"].get<std::string>(),
                FormatNumber(l["measured_share"].get<double>() * 100, 3),
                FormatNumber(l["estimate_share"].get<double>() * 100, 3),
                FormatNumber(l["naive_share"].get<double>() * 100, 3)});
  }
  tab.Print(out);
  const OJson& s = r["summary"];
  out << "share error (percentage points): opcost mean "
      << FormatNumber(s["share_error_points"]["mean"].get<double>(), 3) << ", max "
      << FormatNumber(s["share_error_points"]["max"].get<double>(), 3) << "; ops-proportional mean "
      << FormatNumber(s["naive_share_error_points"]["mean"].get<double>(), 3) << ", max "
      << FormatNumber(s["naive_share_error_points"]["max"].get<double>(), 3) << "\n";
}

// The recorded means of a baseline (an earlier `--format json` output): per scope ("all" or a
// system's name), per error name. Read strictly: a file that is not such an output is an error
// naming the JSON path.
using RecordedMeans = std::map<std::string, std::map<std::string, double>>;

std::map<std::string, double> ReadSummaryMeans(const detail::JsonReader& r, const nlohmann::json& j,
                                               const std::string& path) {
  r.ExpectObject(j, path);
  std::map<std::string, double> means;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string p = detail::JoinPath(path, it.key());
    r.ExpectObject(it.value(), p);
    means[it.key()] = r.Number(r.Member(it.value(), "mean", p), detail::JoinPath(p, "mean"));
  }
  return means;
}

RecordedMeans ReadBaseline(const std::string& path) {
  const detail::JsonReader r(path, ErrorCode::kInvalidArgument);
  const nlohmann::json root = detail::ParseJsonText(detail::ReadTextFile(path), path,
                                                    ErrorCode::kInvalidArgument);
  r.ExpectObject(root, "");
  RecordedMeans recorded;
  recorded["all"] = ReadSummaryMeans(r, r.Member(root, "summary", ""), "/summary");
  if (const nlohmann::json* systems = r.Find(root, "systems")) {
    r.ExpectArray(*systems, "/systems");
    for (std::size_t i = 0; i < systems->size(); ++i) {
      const std::string p = detail::JoinPath("/systems", i);
      const nlohmann::json& s = systems->at(i);
      r.ExpectObject(s, p);
      const std::string name = r.String(r.Member(s, "system", p), detail::JoinPath(p, "system"));
      recorded[name] =
          ReadSummaryMeans(r, r.Member(s, "summary", p), detail::JoinPath(p, "summary"));
    }
  }
  return recorded;
}

// Every "mean" under "summary" (and per system) of `now` against the baseline; opcost's errors
// only (the ops-proportional model is the reference, not the product).
void CheckBaseline(const OJson& now, const std::string& baseline_path, double margin,
                   std::ostream& out) {
  const RecordedMeans before = ReadBaseline(baseline_path);
  std::vector<std::string> worse;
  const auto compare = [&](const std::string& scope, const OJson& summary) {
    const auto recorded = before.find(scope);
    if (recorded == before.end()) return;
    for (auto it = summary.begin(); it != summary.end(); ++it) {
      const auto was = recorded->second.find(it.key());
      if (it.key().rfind("naive", 0) == 0 || was == recorded->second.end()) continue;
      const double x = it.value()["mean"].get<double>();
      if (x > was->second + margin) {
        worse.push_back(scope + " " + it.key() + ": " + FormatNumber(x, 4) + " (recorded " +
                        FormatNumber(was->second, 4) + ")");
      }
    }
  };
  compare("all", now["summary"]);
  if (now.contains("systems")) {
    for (const OJson& s : now["systems"]) compare(s["system"].get<std::string>(), s["summary"]);
  }
  if (!worse.empty()) {
    std::string msg = "accuracy regressed by more than " + FormatNumber(margin) +
                      " points against " + baseline_path + ":";
    for (const std::string& w : worse) msg += "\n  " + w;
    throw Error(ErrorCode::kInvalidArgument, msg);
  }
  out << "baseline " << baseline_path << ": no error rose by more than " << FormatNumber(margin)
      << " points\n";
}

int Run(const Args& args, std::ostream& out) {
  const ParsedArgs parsed =
      ParseArgs(args, {"format", "baseline", "margin"}, {"allow-unsupported"});
  if (parsed.positional.size() != 1) throw UsageError("validate takes one TABLE argument");
  const OutputFormat format = ParseOutputFormat(parsed.Get("format", "table"));
  if (format == OutputFormat::kCsv) throw UsageError("validate prints table or json");
  double margin = 1.0;
  if (parsed.Has("margin")) {
    char* end = nullptr;
    const std::string m = parsed.Get("margin");
    margin = std::strtod(m.c_str(), &end);
    if (m.empty() || *end != '\0' || !std::isfinite(margin) || margin < 0) {
      throw UsageError("--margin must be a number >= 0 (got \"" + m + "\")");
    }
  }
  const std::string path = parsed.positional[0];
  OJson result;
  {
    const Table probe = ReadTable(path, {});
    if (probe.Has("layer")) {
      const Table t = ReadTable(path, {"model", "layer", "measured_us", "profile", "source"});
      result = EvaluateLayers(t, parsed.Has("allow-unsupported"));
      if (format == OutputFormat::kTable) PrintLayers(result, out);
    } else {
      const Table t = ReadTable(path, {"system", "board", "core", "clock_hz", "runtime", "model",
                                       "latency_ms", "energy_uj", "profile", "match", "source"});
      const std::vector<System> systems = EvaluateNetworks(t, parsed.Has("allow-unsupported"));
      result = NetworksJson(t, systems);
      if (format == OutputFormat::kTable) PrintNetworks(t, systems, out);
    }
  }
  if (format == OutputFormat::kJson) out << DumpJson(result) << "\n";
  if (parsed.Has("baseline")) CheckBaseline(result, parsed.Get("baseline"), margin, out);
  return 0;
}

}  // namespace

const Command kValidateCommand = {
    "validate", "estimates against published measurements (docs/accuracy.md)", kHelp, Run};

}  // namespace opcost::cli
