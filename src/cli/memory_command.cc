// `opcost memory MODEL [--profile P] [--optimize-order] [--plan] [--in-place] [--alignment N]
// [--max-states N] [--max-seconds S] [--format table|json|csv]`: liveness per step, peak
// concurrent activations, total footprint, the best execution order, an arena plan and the fit
// against a profile.
#include <algorithm>
#include <ostream>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/device_options.h"
#include "cli/output.h"
#include "cli/profile_lookup.h"
#include "opcost/arena_planner.h"
#include "opcost/error.h"
#include "opcost/memory.h"
#include "opcost/order_search.h"
#include "opcost/profile.h"

namespace opcost::cli {
namespace {

constexpr char kHelp[] =
    "usage: opcost memory MODEL [--profile P] [--optimize-order] [--plan] [--in-place]\n"
    "                    [--alignment N] [--max-states N] [--max-seconds S]\n"
    "                    [--format table|json|csv]\n"
    "                    [--weights REGION] [--layer-weights NAME=REGION,...]\n"
    "                    [--allow-unsupported] [--totals] [--flash BYTES] [--sram BYTES]\n"
    "                    [--reserve-flash BYTES] [--reserve-sram BYTES] [--require-fit]\n\n"
    "Memory footprint of MODEL (the seed paper's section 3): per execution step the live\n"
    "activation tensors (at most 32 named per step, all at the peak) and their bytes, the\n"
    "peak concurrent activation bytes, the weight bytes and the total footprint (weights +\n"
    "peak). Rules: docs/memory.md.\n\n"
    "  --profile P       add the kernels' scratch bytes of profile P (a name or a .json path)\n"
    "                    and check the fit against its flash and SRAM sizes\n"
    "  --optimize-order  search the topological order with the smallest peak (exact when the\n"
    "                    parts between ops that every order runs at the same step have at\n"
    "                    most 512 ops and --max-states and --max-seconds suffice; heuristic\n"
    "                    otherwise, and the output says why)\n"
    "  --plan            plan a tensor arena (greedy by size, first fit); with\n"
    "                    --optimize-order it plans the best order found\n"
    "  --in-place        let the elementwise activations (relu, relu6, sigmoid, tanh,\n"
    "                    hard_swish, hard_sigmoid) and add overwrite a dying input\n"
    "  --alignment N     arena alignment in bytes, a power of two up to 4096 (default 16)\n"
    "  --max-states N    bound of the exact order search (default 4194304, at most 67108864)\n"
    "  --max-seconds S   time bound of the exact order search in seconds (default none, at\n"
    "                    most 86400)\n"
    "  --weights REGION  put every layer's weights in memory region REGION of the profile\n"
    "                    (\"what if I copy the weights to SRAM?\": --weights sram); default:\n"
    "                    the profile's memory.weights (docs/profile-format.md)\n"
    "  --layer-weights NAME=REGION[,NAME=REGION...]\n"
    "                    the same for single layers (overrides --weights)\n"
    "                    weights in a RAM region count toward the SRAM fit\n"
    "  --allow-unsupported  an op of a .tflite or .onnx MODEL that opcost does not map is a\n"
    "                    zero-cost op (its output still counts in memory) instead of an error\n"
    "  --totals          with --format csv: the summary and fit as one row instead of the steps\n"
    "With --profile, the fit: flash used = weights + the runtime's reserve, SRAM used = peak\n"
    "activations with scratch + the runtime's reserve (the profile's runtime_reserve):\n"
    OPCOST_DEVICE_OPTIONS_HELP
    "\nJSON keys: docs/cli.md (section \"opcost memory\"). CSV: one row per step.\n";

std::int64_t ParsePositive(const std::string& option, const std::string& text) {
  std::size_t used = 0;
  long long v = 0;
  try {
    v = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || text.empty() || v < 1) {
    throw UsageError("--" + option + " needs a positive integer (got '" + text + "')");
  }
  return v;
}

// --max-seconds: a positive number of seconds, at most a day.
double ParseSeconds(const std::string& text) {
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || text.empty() || !(v > 0) || v > 86400) {
    throw UsageError("--max-seconds needs a number of seconds in (0, 86400] (got '" + text + "')");
  }
  return v;
}

// The first `count` names of `ids` (all by default), separated by spaces.
std::string JoinNames(const Graph& g, const std::vector<TensorId>& ids,
                      std::size_t count = std::string::npos) {
  std::string s;
  for (std::size_t i = 0; i < ids.size() && i < count; ++i) {
    s += (s.empty() ? "" : " ") + g.tensor(ids[i]).name;
  }
  return s;
}

OJson NameList(const Graph& g, const std::vector<TensorId>& ids,
               std::size_t count = std::string::npos) {
  OJson a = OJson::array();
  for (std::size_t i = 0; i < ids.size() && i < count; ++i) a.push_back(g.tensor(ids[i]).name);
  return a;
}

// Live tensors listed per step: a step lists at most this many, so the output stays linear in
// the model when thousands of tensors are live at once (a 20,000-way concat printed over a
// gigabyte listing every live tensor at every step). The peak step's tensors, what a user acts on,
// are listed in full: in JSON and CSV at their step, in the table on the peak line under it (a long
// cell would widen every row of the table).
constexpr std::size_t kListedLiveTensors = 32;

// The tensors a step lists: AnalyzeMemory's bounded list, at the peak step all of them.
const std::vector<TensorId>& ListedLiveTensors(const MemoryReport& m, const MemoryStep& s,
                                               bool peak_in_full) {
  return peak_in_full && s.step == m.peak_step ? m.peak_tensors : s.live_tensors;
}

// The table's and CSV's live-tensor field: the listed names, then how many are left out.
std::string LiveTensorText(const Graph& g, const MemoryReport& m, const MemoryStep& s,
                           bool peak_in_full) {
  const std::vector<TensorId>& listed = ListedLiveTensors(m, s, peak_in_full);
  std::string text = JoinNames(g, listed);
  const std::size_t omitted = static_cast<std::size_t>(s.live_tensor_count) - listed.size();
  if (omitted > 0) text += " ... and " + std::to_string(omitted) + " more";
  return text;
}

OJson OrderJson(const Graph& g, const ExecutionOrder& order) {
  OJson a = OJson::array();
  for (NodeId n : order) a.push_back(g.node(n).name);
  return a;
}

struct Result {
  MemoryReport report;
  bool has_profile = false;
  std::string profile_name;
  MemoryFit fit;
  bool optimized = false;
  OrderSearchResult search;
  bool planned = false;
  std::int64_t alignment_bytes = 16;
  Liveness plan_liveness;
  ArenaPlan plan;
};

// The verdict first, where a deployer looks: used = model + runtime reserve, per memory.
void PrintFitLines(const Result& r, std::ostream& out) {
  const MemoryFit& f = r.fit;
  out << "fit (" << r.profile_name << "): " << (f.fits ? "fits" : "DOES NOT FIT") << "\n"
      << "  flash: " << f.flash_used_bytes - f.runtime_flash_bytes << " B weights + "
      << f.runtime_flash_bytes << " B runtime = " << f.flash_used_bytes << " / "
      << f.flash_capacity_bytes << " B (margin " << f.flash_margin_bytes << " B)\n"
      << "  SRAM: " << f.sram_used_bytes - f.runtime_sram_bytes << " B peak activations"
      << (f.sram_weight_bytes > 0 ? " and weights" : "") << " + " << f.runtime_sram_bytes
      << " B runtime = " << f.sram_used_bytes << " / " << f.sram_capacity_bytes << " B (margin "
      << f.sram_margin_bytes << " B)\n";
  if (f.sram_weight_bytes > 0) {
    out << "  SRAM holds " << f.sram_weight_bytes
        << " B of weights copied from flash (--weights / --layer-weights)\n";
  }
}

void PrintTable(const Graph& g, const Result& r, bool in_place, std::ostream& out) {
  const MemoryReport& m = r.report;
  out << "model: " << g.name() << " (" << g.nodes().size()
      << " ops), in place: " << (in_place ? "on" : "off")
      << (r.has_profile ? ", scratch from profile " + r.profile_name : std::string()) << "\n";
  if (r.has_profile) PrintFitLines(r, out);
  TextTable t({"step", "layer", "op", "activation B", "scratch B", "total B", "live tensors"},
              {false, true, true, false, false, false, true});
  for (const MemoryStep& s : m.steps) {
    const Node& n = g.node(s.node);
    t.AddRow({std::to_string(s.step), n.name + (s.in_place ? " (in place)" : ""),
              OpTypeName(n.type), std::to_string(s.activation_bytes),
              std::to_string(s.scratch_bytes), std::to_string(s.total_bytes),
              LiveTensorText(g, m, s, false)});
  }
  t.Print(out);
  out << "peak activation: " << m.peak_activation_bytes << " B at step " << m.peak_step
      << " (layer '" << g.node(m.peak_node).name << "'): " << JoinNames(g, m.peak_tensors) << "\n";
  out << "weights: " << m.weight_bytes << " B; total footprint: " << m.total_footprint_bytes
      << " B (activations "
      << FormatNumber(100.0 * static_cast<double>(m.peak_activation_bytes) /
                          static_cast<double>(m.total_footprint_bytes),
                      3)
      << " %)\n";
  if (r.optimized) {
    const OrderSearchResult& s = r.search;
    out << "order search: given order " << s.given_peak_bytes << " B, best order "
        << s.best_peak_bytes << " B ("
        << (s.optimal ? "proven optimal"
                      : std::string("not proven: ") + OrderSearchStopName(s.stop_reason))
        << "; lower bound " << s.lower_bound_bytes << " B)\n  best order:";
    for (NodeId n : s.best_order) out << " " << g.node(n).name;
    out << "\n";
  }
  if (r.planned) {
    const ArenaPlan& p = r.plan;
    out << "arena (" << (r.optimized ? "best" : "given") << " order, alignment "
        << r.alignment_bytes << " B): " << p.arena_bytes << " B, peak " << p.peak_bytes
        << " B, fragmentation " << FormatNumber(100.0 * p.fragmentation, 3) << " %, without reuse "
        << p.linear_arena_bytes << " B\n";
    TextTable a({"buffer", "offset B", "size B", "steps"}, {true, false, false, false});
    for (const ArenaBlock& b : p.blocks) {
      const std::string name =
          b.buffer >= 0 ? JoinNames(g, r.plan_liveness.buffers[b.buffer].tensors)
                        : "scratch of " + g.node(r.plan_liveness.order[b.scratch_step]).name;
      a.AddRow({name, std::to_string(b.offset_bytes), std::to_string(b.size_bytes),
                std::to_string(b.first_step) + "-" + std::to_string(b.last_step)});
    }
    a.Print(out);
  }
}

OJson StepsJson(const Graph& g, const MemoryReport& m) {
  OJson steps = OJson::array();
  for (const MemoryStep& s : m.steps) {
    OJson j;
    j["step"] = s.step;
    j["layer"] = g.node(s.node).name;
    j["op"] = OpTypeName(g.node(s.node).type);
    j["activation_bytes"] = s.activation_bytes;
    j["scratch_bytes"] = s.scratch_bytes;
    j["total_bytes"] = s.total_bytes;
    j["in_place"] = s.in_place;
    const std::vector<TensorId>& listed = ListedLiveTensors(m, s, true);
    j["live_tensors"] = NameList(g, listed);
    j["live_tensors_omitted"] = static_cast<std::size_t>(s.live_tensor_count) - listed.size();
    steps.push_back(j);
  }
  return steps;
}

// The order search's result, as keys of the root object.
void AddSearchJson(const Graph& g, const OrderSearchResult& search, OJson* root) {
  (*root)["optimized_peak_activation_bytes"] = search.best_peak_bytes;
  (*root)["optimal"] = search.optimal;
  (*root)["exact_search"] = search.exact_search;
  (*root)["lower_bound_bytes"] = search.lower_bound_bytes;
  (*root)["states_visited"] = search.states_visited;
  (*root)["stop_reason"] = OrderSearchStopName(search.stop_reason);
  (*root)["optimized_order"] = OrderJson(g, search.best_order);
}

OJson ArenaJson(const Graph& g, const Result& r) {
  const ArenaPlan& p = r.plan;
  OJson a;
  a["order"] = r.optimized ? "optimized" : "given";
  a["alignment_bytes"] = r.alignment_bytes;
  a["peak_bytes"] = p.peak_bytes;
  a["fragmentation"] = p.fragmentation;
  a["linear_arena_bytes"] = p.linear_arena_bytes;
  OJson blocks = OJson::array();
  for (const ArenaBlock& b : p.blocks) {
    OJson j;
    if (b.buffer >= 0) {
      j["tensors"] = NameList(g, r.plan_liveness.buffers[b.buffer].tensors);
    } else {
      j["scratch_of"] = g.node(r.plan_liveness.order[b.scratch_step]).name;
    }
    j["offset_bytes"] = b.offset_bytes;
    j["size_bytes"] = b.size_bytes;
    j["first_step"] = b.first_step;
    j["last_step"] = b.last_step;
    blocks.push_back(j);
  }
  a["blocks"] = blocks;
  return a;
}

OJson FitJson(const MemoryFit& f) {
  OJson j;
  j["flash_capacity_bytes"] = f.flash_capacity_bytes;
  j["sram_capacity_bytes"] = f.sram_capacity_bytes;
  j["flash_used_bytes"] = f.flash_used_bytes;
  j["sram_used_bytes"] = f.sram_used_bytes;
  j["flash_margin_bytes"] = f.flash_margin_bytes;
  j["sram_margin_bytes"] = f.sram_margin_bytes;
  j["fits_flash"] = f.fits_flash;
  j["fits_sram"] = f.fits_sram;
  j["fits"] = f.fits;
  j["sram_weight_bytes"] = f.sram_weight_bytes;
  j["runtime_flash_bytes"] = f.runtime_flash_bytes;
  j["runtime_sram_bytes"] = f.runtime_sram_bytes;
  return j;
}

void PrintJson(const Graph& g, const Result& r, bool in_place, std::ostream& out) {
  const MemoryReport& m = r.report;
  OJson root;
  root["model"] = g.name();
  root["in_place"] = in_place;
  if (r.has_profile) root["profile"] = r.profile_name;
  root["order"] = OrderJson(g, m.order);
  root["steps"] = StepsJson(g, m);
  root["peak_activation_bytes"] = m.peak_activation_bytes;
  root["peak_step"] = m.peak_step;
  root["peak_layer"] = g.node(m.peak_node).name;
  root["peak_tensors"] = NameList(g, m.peak_tensors);
  root["weight_bytes"] = m.weight_bytes;
  root["total_footprint_bytes"] = m.total_footprint_bytes;
  root["activation_share"] =
      static_cast<double>(m.peak_activation_bytes) / static_cast<double>(m.total_footprint_bytes);
  if (r.optimized) AddSearchJson(g, r.search, &root);
  if (r.planned) {
    root["arena_bytes"] = r.plan.arena_bytes;
    root["arena"] = ArenaJson(g, r);
  }
  if (r.has_profile) root["fit"] = FitJson(r.fit);
  out << DumpJson(root) << "\n";
}

void PrintCsv(const Graph& g, const Result& r, std::ostream& out) {
  WriteCsvRow(out, {"step", "layer", "op", "activation_bytes", "scratch_bytes", "total_bytes",
                    "in_place", "live_tensors"});
  for (const MemoryStep& s : r.report.steps) {
    WriteCsvRow(out, {std::to_string(s.step), g.node(s.node).name, OpTypeName(g.node(s.node).type),
                      std::to_string(s.activation_bytes), std::to_string(s.scratch_bytes),
                      std::to_string(s.total_bytes), s.in_place ? "true" : "false",
                      LiveTensorText(g, r.report, s, true)});
  }
}

// --totals: the summary as one CSV row (its own file: one row type per CSV).
void PrintCsvTotals(const Graph& g, const Result& r, std::ostream& out) {
  const MemoryReport& m = r.report;
  std::vector<std::string> header = {"model", "peak_activation_bytes", "peak_step", "peak_layer",
                                     "weight_bytes", "total_footprint_bytes"};
  std::vector<std::string> row = {g.name(), std::to_string(m.peak_activation_bytes),
                                  std::to_string(m.peak_step), g.node(m.peak_node).name,
                                  std::to_string(m.weight_bytes),
                                  std::to_string(m.total_footprint_bytes)};
  if (r.has_profile) {
    const MemoryFit& f = r.fit;
    const std::vector<std::pair<const char*, std::int64_t>> numbers = {
        {"flash_capacity_bytes", f.flash_capacity_bytes},
        {"flash_used_bytes", f.flash_used_bytes},
        {"runtime_flash_bytes", f.runtime_flash_bytes},
        {"flash_margin_bytes", f.flash_margin_bytes},
        {"sram_capacity_bytes", f.sram_capacity_bytes},
        {"sram_used_bytes", f.sram_used_bytes},
        {"runtime_sram_bytes", f.runtime_sram_bytes},
        {"sram_weight_bytes", f.sram_weight_bytes},
        {"sram_margin_bytes", f.sram_margin_bytes}};
    header.push_back("profile");
    row.push_back(r.profile_name);
    for (const auto& [name, value] : numbers) {
      header.push_back(name);
      row.push_back(std::to_string(value));
    }
    for (const auto& [name, value] :
         {std::pair{"fits_flash", f.fits_flash}, {"fits_sram", f.fits_sram}, {"fits", f.fits}}) {
      header.push_back(name);
      row.push_back(value ? "true" : "false");
    }
  }
  WriteCsvRow(out, header);
  WriteCsvRow(out, row);
}

// --alignment: a power of two up to 4096.
std::int64_t ParseAlignment(const ParsedArgs& parsed, std::int64_t fallback) {
  if (!parsed.Has("alignment")) return fallback;
  const std::int64_t alignment = ParsePositive("alignment", parsed.Get("alignment"));
  if ((alignment & (alignment - 1)) != 0 || alignment > 4096) {
    throw UsageError("--alignment must be a power of two up to 4096 (got " +
                     parsed.Get("alignment") + ")");
  }
  return alignment;
}

// --max-states: each state costs memory and time; 2^26 (~67 M) is minutes and gigabytes.
std::int64_t ParseMaxStates(const ParsedArgs& parsed, std::int64_t fallback) {
  if (!parsed.Has("max-states")) return fallback;
  const std::int64_t max_states = ParsePositive("max-states", parsed.Get("max-states"));
  if (max_states > (std::int64_t{1} << 26)) {
    throw UsageError("--max-states must be at most 67108864 (got " + parsed.Get("max-states") +
                     ")");
  }
  return max_states;
}

int Run(const Args& args, std::ostream& out) {
  std::vector<std::string> with_value = {"format",  "profile",       "alignment",  "max-states",
                                         "weights", "layer-weights", "max-seconds"};
  std::vector<std::string> switches = {"optimize-order", "plan", "in-place", "allow-unsupported",
                                       "totals"};
  with_value.insert(with_value.end(), kDeviceOptionsWithValue.begin(),
                    kDeviceOptionsWithValue.end());
  switches.insert(switches.end(), kDeviceSwitches.begin(), kDeviceSwitches.end());
  const ParsedArgs parsed = ParseArgs(args, with_value, switches);
  if (parsed.positional.size() != 1) throw UsageError("memory takes one MODEL argument");
  const OutputFormat format = ParseOutputFormat(parsed.Get("format", "table"));
  if (parsed.Has("totals") && format != OutputFormat::kCsv) {
    throw UsageError("--totals applies to --format csv (table and JSON show the totals)");
  }
  if (HasDeviceOptions(parsed) && !parsed.Has("profile")) {
    throw UsageError("--flash, --sram, --reserve-* and --require-fit need --profile");
  }
  Result r;
  r.alignment_bytes = ParseAlignment(parsed, r.alignment_bytes);
  OrderSearchOptions search;
  search.max_states = ParseMaxStates(parsed, search.max_states);
  search.max_seconds = parsed.Has("max-seconds") ? ParseSeconds(parsed.Get("max-seconds")) : 0.0;

  const Graph graph = LoadModelForCli(parsed.positional[0], parsed.Has("allow-unsupported"));
  MemoryOptions options;
  options.rules.in_place = parsed.Has("in-place");
  options.max_listed_tensors = kListedLiveTensors;
  HardwareProfile profile;
  if (parsed.Has("profile")) {
    profile = LoadProfileForCli(parsed.Get("profile"));
    ApplyDeviceOptions(parsed, &profile);
    r.has_profile = true;
    r.profile_name = profile.name;
    options.rules.scratch_bytes = ProfileScratchBytes(graph, profile);
  }
  const WeightPlacement placement = ParseWeightPlacement(parsed);
  if (!placement.empty() && !r.has_profile) {
    throw UsageError("--weights and --layer-weights need --profile (its memory regions)");
  }
  r.report = AnalyzeMemory(graph, options);
  if (r.has_profile) r.fit = CheckFit(r.report, profile, graph, placement);
  if (parsed.Has("optimize-order")) {
    search.rules = options.rules;
    r.search = FindBestOrder(graph, search);
    r.optimized = true;
  }
  if (parsed.Has("plan")) {
    r.plan_liveness =
        ComputeLiveness(graph, r.optimized ? r.search.best_order : ExecutionOrder{}, options.rules);
    ArenaOptions a;
    a.alignment_bytes = r.alignment_bytes;
    r.plan = PlanArena(r.plan_liveness, a);
    r.planned = true;
  }
  switch (format) {
    case OutputFormat::kTable:
      PrintTable(graph, r, options.rules.in_place, out);
      break;
    case OutputFormat::kJson:
      PrintJson(graph, r, options.rules.in_place, out);
      break;
    case OutputFormat::kCsv:
      if (parsed.Has("totals")) {
        PrintCsvTotals(graph, r, out);
      } else {
        PrintCsv(graph, r, out);
      }
      break;
  }
  return r.has_profile ? FitExitCode(parsed, r.fit) : 0;
}

}  // namespace

const Command kMemoryCommand = {
    "memory", "peak activation memory, total footprint, best order, arena plan", kHelp, Run};

}  // namespace opcost::cli
