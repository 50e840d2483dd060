// `opcost metrics MODEL [--format table|json|csv]`: per-layer MACs, ops, params and bytes.
#include <ostream>
#include <string>

#include "cli/command.h"
#include "cli/output.h"
#include "opcost/metrics.h"
#include "opcost/model_io.h"

namespace opcost::cli {
namespace {

constexpr char kHelp[] =
    "usage: opcost metrics MODEL [--format table|json|csv] [--allow-unsupported] [--totals]\n\n"
    "Per-layer and total MACs, MACs per output, other operations, parameters, weight bytes and\n"
    "activation bytes of MODEL (a JSON model or a .tflite file). Counting conventions:\n"
    "docs/metrics.md. The JSON form has \"layers\" (one object per op) and \"totals\".\n\n"
    "  --allow-unsupported  an op of a .tflite or .onnx MODEL that opcost does not map is a\n"
    "                    zero-cost op named 'unsupported' instead of an error\n"
    "  --totals          with --format csv: the totals as one row instead of the layers\n"
    "MODEL - reads the model from standard input.\n";

void PrintTable(const Graph& g, const NetworkMetrics& m, std::ostream& out) {
  TextTable t({"#", "layer", "op", "category", "output", "MACs", "MACs/out", "other ops", "params",
               "weight B", "in B", "out B"},
              {false, true, true, true, true});
  for (std::size_t i = 0; i < m.layers.size(); ++i) {
    const Node& n = g.nodes()[i];
    const OpMetrics& l = m.layers[i];
    t.AddRow({std::to_string(i), n.name, OpTypeName(n.type), OpCategoryName(l.category),
              g.tensor(n.outputs.front()).shape.ToString(), std::to_string(l.macs),
              FormatNumber(l.macs_per_output), std::to_string(l.other_ops),
              std::to_string(l.params), std::to_string(l.weight_bytes),
              std::to_string(l.input_bytes), std::to_string(l.output_bytes)});
  }
  t.AddRule();
  const OpMetrics& s = m.total;
  t.AddRow({"", "total", "", "", "", std::to_string(s.macs), FormatNumber(s.macs_per_output),
            std::to_string(s.other_ops), std::to_string(s.params), std::to_string(s.weight_bytes),
            "", ""});
  out << "model: " << g.name() << " (" << g.nodes().size() << " layers)\n";
  t.Print(out);
  out << "ops = 2 x MACs + other ops = " << s.ops << "\n";
}

void PrintJson(const Graph& g, const NetworkMetrics& m, std::ostream& out) {
  OJson root;
  root["model"] = g.name();
  root["convention"] = ConventionJson();
  OJson layers = OJson::array();
  for (std::size_t i = 0; i < m.layers.size(); ++i) {
    const Node& n = g.nodes()[i];
    OJson l;
    l["index"] = i;
    l["name"] = n.name;
    l["op"] = OpTypeName(n.type);
    l["category"] = OpCategoryName(m.layers[i].category);
    OJson shape = OJson::array();
    const Shape& s = g.tensor(n.outputs.front()).shape;
    for (int d = 0; d < s.rank; ++d) shape.push_back(s[d]);
    l["output_shape"] = shape;
    AppendMetricsJson(m.layers[i], &l);
    layers.push_back(l);
  }
  root["layers"] = layers;
  OJson totals;
  totals["layers"] = m.layers.size();
  AppendMetricsJson(m.total, &totals);
  root["totals"] = totals;
  out << DumpJson(root) << "\n";
}

void PrintCsv(const Graph& g, const NetworkMetrics& m, std::ostream& out) {
  std::vector<std::string> header = {"index", "name", "op", "category"};
  for (const std::string& c : MetricsCsvColumns()) header.push_back(c);
  WriteCsvRow(out, header);
  for (std::size_t i = 0; i < m.layers.size(); ++i) {
    const Node& n = g.nodes()[i];
    std::vector<std::string> row = {std::to_string(i), n.name, OpTypeName(n.type),
                                    OpCategoryName(m.layers[i].category)};
    for (std::string& v : MetricsCsvValues(m.layers[i])) row.push_back(std::move(v));
    WriteCsvRow(out, row);
  }
}

// --totals: the model's totals as one CSV row (its own file: one row type per CSV).
void PrintCsvTotals(const Graph& g, const NetworkMetrics& m, std::ostream& out) {
  std::vector<std::string> header = {"model", "layers"};
  for (const std::string& c : MetricsCsvColumns()) header.push_back(c);
  WriteCsvRow(out, header);
  std::vector<std::string> row = {g.name(), std::to_string(m.layers.size())};
  for (std::string& v : MetricsCsvValues(m.total)) row.push_back(std::move(v));
  WriteCsvRow(out, row);
}

int Run(const Args& args, std::ostream& out) {
  const ParsedArgs parsed = ParseArgs(args, {"format"}, {"allow-unsupported", "totals"});
  if (parsed.positional.size() != 1) throw UsageError("metrics takes one MODEL argument");
  const OutputFormat format = ParseOutputFormat(parsed.Get("format", "table"));
  if (parsed.Has("totals") && format != OutputFormat::kCsv) {
    throw UsageError("--totals applies to --format csv (table and JSON show the totals)");
  }
  const Graph graph = LoadModelForCli(parsed.positional[0], parsed.Has("allow-unsupported"));
  const NetworkMetrics metrics = ComputeMetrics(graph);
  switch (format) {
    case OutputFormat::kTable:
      PrintTable(graph, metrics, out);
      break;
    case OutputFormat::kJson:
      PrintJson(graph, metrics, out);
      break;
    case OutputFormat::kCsv:
      if (parsed.Has("totals")) {
        PrintCsvTotals(graph, metrics, out);
      } else {
        PrintCsv(graph, metrics, out);
      }
      break;
  }
  return 0;
}

}  // namespace

const Command kMetricsCommand = {"metrics", "per-layer MACs, ops, parameters and bytes", kHelp,
                                 Run};

}  // namespace opcost::cli
