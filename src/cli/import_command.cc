// `opcost import MODEL.tflite|MODEL.onnx [-o MODEL.json] [--allow-unsupported]
// [--format table|json|csv]`: converts a TFLite or ONNX model into opcost's JSON model format
// (docs/model-format.md, docs/tflite.md, docs/onnx.md).
#include <ostream>
#include <string>
#include <vector>

#include "cli/command.h"
#include "io/file_io.h"
#include "cli/output.h"
#include "opcost/metrics.h"
#include "opcost/model_io.h"
#include "opcost/onnx_import.h"
#include "opcost/tflite_import.h"

namespace opcost::cli {
namespace {

constexpr char kHelp[] =
    "usage: opcost import MODEL.tflite|MODEL.onnx [-o MODEL.json] [--allow-unsupported]\n"
    "                     [--format table|json|csv]\n\n"
    "Converts a TFLite flatbuffer or an ONNX model (by its .onnx extension; - reads standard input\n"
    "and tells the kind by its bytes; NCHW becomes NHWC,\n"
    "BatchNormalization is folded, QDQ pairs become int8 layers: docs/onnx.md) into an opcost\n"
    "JSON model (general form, with tensor names,\n"
    "dtypes, quantization and constant data). Without -o the JSON model is written to stdout;\n"
    "with -o it is written to the file and a summary is printed (layers, MACs, params, ops\n"
    "imported as 'unsupported').\n\n"
    "An op the importer does not map is an error naming the op and its operator index (ONNX:\n"
    "its node name);\n"
    "--allow-unsupported imports it as a zero-cost 'unsupported' op with the file's output\n"
    "shapes, flagged in every result. Other commands accept .tflite and .onnx files directly.\n";

bool IsOnnxPath(const std::string& path) {
  const std::string ext = ".onnx";
  if (path.size() < ext.size()) return false;
  std::string tail = path.substr(path.size() - ext.size());
  for (char& c : tail) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return tail == ext;
}

Graph ImportForCli(const std::string& input, bool allow_unsupported) {
  if (input == "-") return LoadModelForCli(input, allow_unsupported);  // kind told by its bytes
  if (IsOnnxPath(input)) {
    RejectDirectory(input, "ONNX");
    OnnxImportOptions options;
    options.allow_unsupported = allow_unsupported;
    return ImportOnnx(input, options);  // checks its names for UTF-8 itself
  }
  RejectDirectory(input, "TFLite");
  TfliteImportOptions options;
  options.allow_unsupported = allow_unsupported;
  Graph g = ImportTflite(input, options);
  CheckTfliteStrings(g, input);
  return g;
}

int Run(const Args& args, std::ostream& out) {
  const ParsedArgs parsed = ParseArgs(args, {"o", "output", "format"}, {"allow-unsupported"});
  if (parsed.positional.size() != 1) {
    throw UsageError("import needs exactly one MODEL.tflite or MODEL.onnx");
  }
  const OutputFormat format = ParseOutputFormat(parsed.Get("format", "table"));
  const std::string output = parsed.Get("o", parsed.Get("output"));
  if (parsed.Has("format") && output.empty()) {
    throw UsageError("--format describes the summary printed with -o FILE");
  }
  const std::string& input = parsed.positional[0];
  if (!output.empty()) detail::RefuseOverwritingInputs(output, {input});
  const Graph g = ImportForCli(input, parsed.Has("allow-unsupported"));
  if (output.empty()) {
    out << SaveModelToString(g);
    return 0;
  }
  SaveModel(g, output);

  const NetworkMetrics m = ComputeMetrics(g);
  std::vector<std::string> unsupported;
  for (const Node& n : g.nodes()) {
    if (n.type == OpType::kUnsupported) {
      unsupported.push_back(n.name + " (" + n.attrs.unsupported_name + ")");
    }
  }
  switch (format) {
    case OutputFormat::kJson: {
      OJson j;
      j["model"] = g.name();
      j["source"] = input;
      j["output"] = output;
      j["layers"] = g.nodes().size();
      j["tensors"] = g.tensors().size();
      j["macs"] = m.total.macs;
      j["params"] = m.total.params;
      j["weight_bytes"] = m.total.weight_bytes;
      j["unsupported"] = unsupported;
      out << DumpJson(j) << "\n";
      break;
    }
    case OutputFormat::kCsv:
      WriteCsvRow(out, {"model", "source", "output", "layers", "tensors", "macs", "params",
                        "weight_bytes", "unsupported"});
      WriteCsvRow(out, {g.name(), input, output, std::to_string(g.nodes().size()),
                        std::to_string(g.tensors().size()), std::to_string(m.total.macs),
                        std::to_string(m.total.params), std::to_string(m.total.weight_bytes),
                        std::to_string(unsupported.size())});
      break;
    case OutputFormat::kTable:
      out << "imported " << input << " -> " << output << "\n"
          << "model: " << g.name() << " (" << g.nodes().size() << " layers, "
          << g.tensors().size() << " tensors)\n"
          << "MACs: " << m.total.macs << "\nparams: " << m.total.params
          << "\nweight bytes: " << m.total.weight_bytes << "\n";
      for (const std::string& u : unsupported) {
        out << "warning: unsupported op imported at zero cost: " << u << "\n";
      }
      break;
  }
  return 0;
}

}  // namespace

const Command kImportCommand = {"import",
                                "convert a .tflite or .onnx model to an opcost JSON model", kHelp,
                                Run};

}  // namespace opcost::cli
