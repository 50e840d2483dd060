// `opcost estimate MODEL --profile NAME|FILE [--format table|json|csv] [--allow-fallback]`:
// cycles, latency and energy per layer from a hardware profile, beside the naive
// ops-proportional model, and the share of ops vs time vs energy per op category.
#include <cmath>
#include <cstdio>
#include <ostream>
#include <string>

#include "cli/command.h"
#include "cli/output.h"
#include "cli/profile_lookup.h"
#include "opcost/estimator.h"

namespace opcost::cli {
namespace {

constexpr char kHelp[] =
    "usage: opcost estimate MODEL --profile NAME|FILE [--format table|json|csv]\n"
    "                       [--allow-fallback] [--allow-unsupported] [--weights REGION]\n"
    "                       [--layer-weights NAME=REGION,...] [--totals]\n\n"
    "Cycles, latency (s) and energy (J) of every layer of MODEL on the hardware described by a\n"
    "profile (docs/profile-format.md), found by name in profiles/ (or $OPCOST_PROFILE_PATH) or\n"
    "given as a file. Beside each estimate: what an ops-proportional model with one average\n"
    "throughput predicts (naive), and per op category the share of ops vs time vs energy.\n"
    "Flags: x = extrapolated beyond the profile's curve, v = variant rule applied,\n"
    "f = category not characterized, naive fallback used (needs --allow-fallback; otherwise\n"
    "such a layer is an error), u = unsupported op.\n"
    "With a format-2 profile each layer also pays for reading its weights from the memory\n"
    "they live in (column \"mem cycles\"; docs/profile-format.md, section memory):\n"
    "  --weights REGION  put every layer's weights in memory region REGION of the profile\n"
    "                    (\"what if I copy the weights to SRAM?\": --weights sram); default:\n"
    "                    the profile's memory.weights (docs/profile-format.md)\n"
    "  --layer-weights NAME=REGION[,NAME=REGION...]\n"
    "                    the same for single layers (overrides --weights)\n"
    "  --allow-unsupported  an op of a .tflite or .onnx MODEL that opcost does not map is a\n"
    "                    zero-cost op flagged u instead of an error\n"
    "  --totals          with --format csv: the totals as one row instead of the layers\n"
    "MODEL - reads the model from standard input.\n"
    "JSON: \"layers\", \"totals\" and \"by_category\" (docs/cli.md).\n";

std::string FlagLetters(std::uint32_t flags) {
  std::string s;
  if (flags & kFlagExtrapolated) s += 'x';
  if (flags & kFlagVariant) s += 'v';
  if (flags & kFlagFallback) s += 'f';
  if (flags & kFlagUnsupportedOp) s += 'u';
  return s;
}

std::string Pct(double share) { return FormatNumber(share * 100.0, 3); }

// Cycles in the table: a whole number, rounded half up (cycles are never negative), in fixed
// notation at any magnitude ("%g" would print 1.18712e+07). JSON and CSV keep the exact value.
std::string Cycles(double cycles) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.0f", std::floor(cycles + 0.5));
  return buf;
}

// "measurement" or "estimate"...: the provenance kind of the power figures. One word when every
// characterized category agrees.
std::string PowerKind(const HardwareProfile& p) {
  std::string kind;
  for (const CategoryProfile& c : p.categories) {
    if (!c.characterized) continue;
    const std::string& k = p.SourceKind(c.power_source);
    if (kind.empty()) kind = k;
    if (k != kind) return "mixed";
  }
  return kind;
}

// How far to trust the numbers: the profile's recorded validation and where its power comes
// from (docs/accuracy.md).
void PrintTrust(const HardwareProfile& p, std::ostream& out) {
  out << "power: " << PowerKind(p) << " (source kind of power_mw)";
  if (p.validation.empty()) {
    out << "; latency: not validated against measurements\n";
    return;
  }
  for (const ValidationRecord& v : p.validation) {
    out << "; latency error " << FormatNumber(v.latency_error_pct, 3) << " % mean "
        << (v.kind == "absolute" ? "absolute" : "leave-one-out") << " over " << v.rows
        << " measured networks" << InSampleText(v)
        << " (ops-proportional: " << FormatNumber(v.naive_latency_error_pct, 3) << " %)";
  }
  out << "\n";
}

// The leave-one-out latency error the profile records (absolute when that is all it has), or
// empty when it was never validated: for the CSV's total row.
std::string ValidatedError(const HardwareProfile& p) {
  std::string out;
  for (const ValidationRecord& v : p.validation) {
    if (out.empty() || v.kind == "leave_one_out") out = FormatNumber(v.latency_error_pct, 4);
  }
  return out;
}

OJson TrustJson(const HardwareProfile& p) {
  OJson v = OJson::array();
  for (const ValidationRecord& r : p.validation) {
    v.push_back({{"kind", r.kind},
                 {"rows", r.rows},
                 {"in_sample_rows", r.in_sample_rows},
                 {"latency_error_pct", r.latency_error_pct},
                 {"naive_latency_error_pct", r.naive_latency_error_pct}});
  }
  return {{"power", PowerKind(p)}, {"validation", v}};
}

void PrintTable(const Graph& g, const HardwareProfile& p, const NetworkEstimate& e,
                std::ostream& out) {
  out << "model: " << g.name() << " (" << g.nodes().size() << " layers)\n"
      << "profile: " << p.name << " (" << p.core << ", " << FormatNumber(p.clock_hz / 1e6)
      << " MHz, " << p.kernel_library << ")\n";
  const bool memory = !p.memory.empty();
  std::vector<std::string> header = {"#",        "layer",      "category", "MACs",
                                     "MACs/out", "throughput", "cycles",   "ms",
                                     "uJ",       "naive ms",   "flags"};
  std::vector<bool> left = {false, true,  true,  false, false, false,
                            false, false, false, false, true};
  if (memory) {
    header.insert(header.begin() + 7, {"mem cycles", "weights in"});
    left.insert(left.begin() + 7, {false, true});
  }
  TextTable t(header, left);
  for (std::size_t i = 0; i < e.layers.size(); ++i) {
    const LayerEstimate& l = e.layers[i];
    std::vector<std::string> row = {std::to_string(i),
                                    g.nodes()[i].name,
                                    OpCategoryName(l.category),
                                    std::to_string(l.macs),
                                    FormatNumber(l.macs_per_output),
                                    FormatNumber(l.throughput),
                                    Cycles(l.cycles),
                                    FormatNumber(l.latency_s * 1e3),
                                    FormatNumber(l.energy_j * 1e6),
                                    FormatNumber(l.naive_latency_s * 1e3),
                                    FlagLetters(l.flags)};
    if (memory) row.insert(row.begin() + 7, {Cycles(l.memory_cycles), WeightsRegionName(p, l)});
    t.AddRow(row);
  }
  t.AddRule();
  const EstimateTotals& s = e.totals;
  std::vector<std::string> total = {"",
                                    "total",
                                    "",
                                    std::to_string(s.macs),
                                    "",
                                    "",
                                    Cycles(s.cycles),
                                    FormatNumber(s.latency_s * 1e3),
                                    FormatNumber(s.energy_j * 1e6),
                                    FormatNumber(s.naive_latency_s * 1e3),
                                    ""};
  if (memory) total.insert(total.begin() + 7, {Cycles(s.memory_cycles), ""});
  t.AddRow(total);
  t.Print(out);
  out << "throughput: MACs/cycle for MAC categories, cycles/element otherwise. "
         "naive: ops / "
      << FormatNumber(p.naive_ops_per_cycle) << " ops per cycle\n";
  if (s.extrapolated_layers + s.fallback_layers > 0) {
    out << "warning: " << s.extrapolated_layers << " layer(s) extrapolated, " << s.fallback_layers
        << " layer(s) on the naive fallback\n";
  }
  PrintTrust(p, out);
  out << "\nshare by op category (seed paper Fig. 4):\n";
  TextTable b({"category", "layers", "ops %", "time %", "energy %"},
              {true, false, false, false, false});
  for (int c = 0; c < kNumOpCategories; ++c) {
    const CategoryBreakdown& k = e.by_category[static_cast<std::size_t>(c)];
    if (k.layers == 0) continue;
    b.AddRow({OpCategoryName(static_cast<OpCategory>(c)), std::to_string(k.layers),
              Pct(k.ops_share), Pct(k.time_share), Pct(k.energy_share)});
  }
  b.Print(out);
}

void PrintJson(const Graph& g, const HardwareProfile& p, const NetworkEstimate& e,
               std::ostream& out) {
  OJson root;
  root["model"] = g.name();
  root["profile"] = {{"name", p.name},
                     {"file", p.source_name},
                     {"core", p.core},
                     {"clock_hz", p.clock_hz},
                     {"kernel_library", p.kernel_library},
                     {"naive_ops_per_cycle", p.naive_ops_per_cycle},
                     {"trust", TrustJson(p)}};
  OJson layers = OJson::array();
  for (std::size_t i = 0; i < e.layers.size(); ++i) {
    const LayerEstimate& l = e.layers[i];
    OJson j;
    j["index"] = i;
    j["name"] = g.nodes()[i].name;
    j["op"] = OpTypeName(l.type);
    j["category"] = OpCategoryName(l.category);
    j["macs"] = l.macs;
    j["ops"] = l.ops;
    j["macs_per_output"] = l.macs_per_output;
    j["elements"] = l.elements;
    j["throughput"] = l.throughput;
    j["cycles"] = l.cycles;
    j["memory_cycles"] = l.memory_cycles;
    j["weights_region"] = WeightsRegionName(p, l);
    j["latency_s"] = l.latency_s;
    j["energy_j"] = l.energy_j;
    j["naive_cycles"] = l.naive_cycles;
    j["naive_latency_s"] = l.naive_latency_s;
    j["naive_energy_j"] = l.naive_energy_j;
    j["flags"] = EstimateFlagNames(l.flags);
    layers.push_back(j);
  }
  root["layers"] = layers;
  const EstimateTotals& s = e.totals;
  root["totals"] = {{"layers", s.layers},
                    {"macs", s.macs},
                    {"ops", s.ops},
                    {"cycles", s.cycles},
                    {"memory_cycles", s.memory_cycles},
                    {"latency_s", s.latency_s},
                    {"energy_j", s.energy_j},
                    {"naive_cycles", s.naive_cycles},
                    {"naive_latency_s", s.naive_latency_s},
                    {"naive_energy_j", s.naive_energy_j},
                    {"extrapolated_layers", s.extrapolated_layers},
                    {"variant_layers", s.variant_layers},
                    {"fallback_layers", s.fallback_layers},
                    {"unsupported_layers", s.unsupported_layers}};
  OJson cats = OJson::array();
  for (int c = 0; c < kNumOpCategories; ++c) {
    const CategoryBreakdown& k = e.by_category[static_cast<std::size_t>(c)];
    cats.push_back({{"category", OpCategoryName(static_cast<OpCategory>(c))},
                    {"layers", k.layers},
                    {"macs", k.macs},
                    {"ops", k.ops},
                    {"cycles", k.cycles},
                    {"latency_s", k.latency_s},
                    {"energy_j", k.energy_j},
                    {"ops_share", k.ops_share},
                    {"time_share", k.time_share},
                    {"energy_share", k.energy_share}});
  }
  root["by_category"] = cats;
  out << DumpJson(root) << "\n";
}

std::string Num(double v) { return FormatNumber(v, 10); }

// New columns go at the end so that readers of the first 16 keep working.
void PrintCsv(const Graph& g, const HardwareProfile& p, const NetworkEstimate& e,
              std::ostream& out) {
  WriteCsvRow(out, {"index",
                    "name",
                    "op",
                    "category",
                    "macs",
                    "ops",
                    "macs_per_output",
                    "elements",
                    "throughput",
                    "cycles",
                    "latency_s",
                    "energy_j",
                    "naive_cycles",
                    "naive_latency_s",
                    "naive_energy_j",
                    "flags",
                    "memory_cycles",
                    "weights_region"});
  for (std::size_t i = 0; i < e.layers.size(); ++i) {
    const LayerEstimate& l = e.layers[i];
    WriteCsvRow(out, {std::to_string(i),
                      g.nodes()[i].name,
                      OpTypeName(l.type),
                      OpCategoryName(l.category),
                      std::to_string(l.macs),
                      std::to_string(l.ops),
                      Num(l.macs_per_output),
                      std::to_string(l.elements),
                      Num(l.throughput),
                      Num(l.cycles),
                      Num(l.latency_s),
                      Num(l.energy_j),
                      Num(l.naive_cycles),
                      Num(l.naive_latency_s),
                      Num(l.naive_energy_j),
                      FlagLetters(l.flags),
                      Num(l.memory_cycles),
                      WeightsRegionName(p, l)});
  }
}

// --totals: the network's totals as one CSV row (its own file: one row type per CSV).
void PrintCsvTotals(const Graph& g, const HardwareProfile& p, const NetworkEstimate& e,
                    std::ostream& out) {
  const EstimateTotals& s = e.totals;
  WriteCsvRow(out, {"model", "profile", "layers", "macs", "ops", "cycles", "latency_s", "energy_j",
                    "naive_cycles", "naive_latency_s", "naive_energy_j", "memory_cycles",
                    "power_source_kind", "validated_latency_error_pct"});
  WriteCsvRow(out, {g.name(), p.name, std::to_string(s.layers), std::to_string(s.macs),
                    std::to_string(s.ops), Num(s.cycles), Num(s.latency_s), Num(s.energy_j),
                    Num(s.naive_cycles), Num(s.naive_latency_s), Num(s.naive_energy_j),
                    Num(s.memory_cycles), PowerKind(p), ValidatedError(p)});
}

int Run(const Args& args, std::ostream& out) {
  const ParsedArgs parsed = ParseArgs(args, {"profile", "format", "weights", "layer-weights"},
                                      {"allow-fallback", "allow-unsupported", "totals"});
  if (parsed.positional.size() != 1) throw UsageError("estimate takes one MODEL argument");
  if (!parsed.Has("profile")) throw UsageError("estimate needs --profile NAME|FILE");
  const OutputFormat format = ParseOutputFormat(parsed.Get("format", "table"));
  if (parsed.Has("totals") && format != OutputFormat::kCsv) {
    throw UsageError("--totals applies to --format csv (table and JSON show the totals)");
  }
  const HardwareProfile profile = LoadProfileForCli(parsed.Get("profile"));
  const Graph graph = LoadModelForCli(parsed.positional[0], parsed.Has("allow-unsupported"));
  EstimateOptions options;
  options.allow_fallback = parsed.Has("allow-fallback");
  options.weights = ParseWeightPlacement(parsed);
  const Estimator estimator(profile, options);
  const NetworkEstimate e = estimator.EstimateGraph(graph);
  switch (format) {
    case OutputFormat::kTable:
      PrintTable(graph, profile, e, out);
      break;
    case OutputFormat::kJson:
      PrintJson(graph, profile, e, out);
      break;
    case OutputFormat::kCsv:
      if (parsed.Has("totals")) {
        PrintCsvTotals(graph, profile, e, out);
      } else {
        PrintCsv(graph, profile, e, out);
      }
      break;
  }
  return 0;
}

}  // namespace

const Command kEstimateCommand = {
    "estimate", "cycles, latency and energy per layer from a hardware profile", kHelp, Run};

}  // namespace opcost::cli
