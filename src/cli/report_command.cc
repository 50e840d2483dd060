// `opcost report MODEL --profile P [-o FILE] [--format html|json|md]`: everything opcost knows
// about MODEL on one board in one file (src/report/, docs/report.md).
#include <ostream>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/device_options.h"
#include "cli/profile_lookup.h"
#include "io/file_io.h"
#include "opcost/report.h"

namespace opcost::cli {
namespace {

constexpr char kHelp[] =
    "usage: opcost report MODEL --profile P [-o FILE] [--format html|json|md]\n"
    "                    [--weights REGION] [--layer-weights NAME=REGION,...]\n"
    "                    [--allow-unsupported] [--allow-fallback] [--flash BYTES] [--sram BYTES]\n"
    "                    [--reserve-flash BYTES] [--reserve-sram BYTES] [--require-fit]\n\n"
    "One report of MODEL on the board of profile P: latency, energy per inference, MACs, flash\n"
    "used (weights + runtime reserve), peak SRAM (activations + scratch + runtime reserve),\n"
    "whether it fits, how far to trust the numbers, per-layer time and energy, the profile's\n"
    "throughput curves with the model's layers on them, shares of ops vs time vs energy per\n"
    "op type, the memory timeline and the arena plan, and a table of every layer.\n\n"
    "  -o, --output FILE write the report to FILE (replaced atomically) instead of stdout\n"
    "  --format html     one self-contained page: inline CSS and SVG, no script, nothing\n"
    "                    fetched; opens from disk in any browser (default)\n"
    "  --format json     the same content as one JSON document (docs/report.md)\n"
    "  --format md       a short Markdown summary for a pull-request comment\n"
    "  --weights REGION, --layer-weights NAME=REGION[,NAME=REGION...]\n"
    "                    where weights live, as for `opcost estimate` and `opcost memory`\n"
    "  --allow-unsupported  an op of a .tflite or .onnx MODEL that opcost does not map is a\n"
    "                    zero-cost op (its output still counts in memory) instead of an error\n"
    "  --allow-fallback  cost a category the profile does not characterize with the\n"
    "                    ops-proportional model (flagged) instead of "
    "failing\n" OPCOST_DEVICE_OPTIONS_HELP "MODEL - reads the model from standard input.\n";

enum class ReportFormat { kHtml, kJson, kMarkdown };

ReportFormat ParseReportFormat(const std::string& value) {
  if (value == "html") return ReportFormat::kHtml;
  if (value == "json") return ReportFormat::kJson;
  if (value == "md" || value == "markdown") return ReportFormat::kMarkdown;
  throw UsageError("--format must be html, json or md (got '" + value + "')");
}

std::string Render(const ReportData& report, ReportFormat format) {
  switch (format) {
    case ReportFormat::kJson:
      return RenderReportJson(report);
    case ReportFormat::kMarkdown:
      return RenderReportMarkdown(report);
    case ReportFormat::kHtml:
      break;
  }
  return RenderReportHtml(report);
}

ParsedArgs ParseReportArgs(const Args& args) {
  std::vector<std::string> with_value = {"profile", "format",  "o",
                                         "output",  "weights", "layer-weights"};
  std::vector<std::string> switches = {"allow-unsupported", "allow-fallback"};
  with_value.insert(with_value.end(), kDeviceOptionsWithValue.begin(),
                    kDeviceOptionsWithValue.end());
  switches.insert(switches.end(), kDeviceSwitches.begin(), kDeviceSwitches.end());
  ParsedArgs parsed = ParseArgs(args, with_value, switches);
  if (parsed.positional.size() != 1) throw UsageError("report takes one MODEL argument");
  if (!parsed.Has("profile")) throw UsageError("report needs --profile NAME|FILE");
  return parsed;
}

int Run(const Args& args, std::ostream& out) {
  const ParsedArgs parsed = ParseReportArgs(args);
  const ReportFormat format = ParseReportFormat(parsed.Get("format", "html"));
  const std::string output = parsed.Get("o", parsed.Get("output"));
  HardwareProfile profile = LoadProfileForCli(parsed.Get("profile"));
  ApplyDeviceOptions(parsed, &profile);
  const std::string& model_path = parsed.positional[0];
  // Before the model is read: stdin ("-") can be read only once.
  if (!output.empty()) {
    detail::RefuseOverwritingInputs(output,
                                    {model_path, parsed.Get("profile"), profile.source_name});
  }
  const Graph graph = LoadModelForCli(model_path, parsed.Has("allow-unsupported"));
  ReportOptions options;
  options.estimate.allow_fallback = parsed.Has("allow-fallback");
  options.estimate.weights = ParseWeightPlacement(parsed);
  const ReportData report = BuildReport(graph, profile, options);
  const std::string text = Render(report, format);
  if (output.empty()) {
    out << text;
  } else {
    detail::WriteFileAtomically(output, text);
  }
  return FitExitCode(parsed, report.fit);
}

}  // namespace

const Command kReportCommand = {
    "report", "one HTML (or JSON, Markdown) report: cost, fit, charts, every layer", kHelp, Run};

}  // namespace opcost::cli
