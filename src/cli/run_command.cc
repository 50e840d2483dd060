// `opcost run MODEL --input FILE [--format table|json]`: runs an int8 model on the host through
// the bit-exact reference kernels (RunInt8) and prints its outputs.
#include <ostream>
#include <string>

#include "cli/command.h"
#include "cli/output.h"
#include "io/json_reader.h"
#include "opcost/error.h"
#include "opcost/interpreter.h"

namespace opcost::cli {
namespace {

constexpr char kHelp[] =
    "usage: opcost run MODEL --input FILE [--format table|json] [--allow-unsupported]\n\n"
    "Runs the int8 model MODEL (JSON model with weight data and quantization, or .tflite) on the\n"
    "host through opcost's bit-exact int8 kernels (docs/kernels.md) and prints every graph\n"
    "output. FILE is JSON: an array of int8 values (NHWC order) for a model with one input, or\n"
    "an object {\"<input name>\": [values], ...} naming every input. Table form: one line per\n"
    "output, \"NAME [shape]: v0 v1 ...\". JSON form: {\"model\", \"outputs\": [{\"name\",\n"
    "\"shape\", \"data\"}]}.\n"
    "  --allow-unsupported  import an op opcost does not map (as the other commands do); the\n"
    "                    run then stops at it, naming it: no kernel can execute it\n";

// The values for graph input `id` at `path`, checked against its size here so the message names
// the file.
std::vector<std::int8_t> InputValues(const detail::JsonReader& r, const nlohmann::json& v,
                                     const std::string& path, const Graph& g, TensorId id) {
  std::vector<std::int8_t> values = r.IntArray<std::int8_t>(v, path);
  const Tensor& t = g.tensor(id);
  const std::int64_t needed = t.shape.NumElements();
  if (static_cast<std::int64_t>(values.size()) != needed) {
    r.Fail(path, "input '" + t.name + "' " + t.shape.ToString() + " needs " +
                     std::to_string(needed) + " values (got " + std::to_string(values.size()) +
                     ")");
  }
  return values;
}

// FILE: [values] for a model with one input, or {"<input name>": [values]} naming every input.
std::vector<std::vector<std::int8_t>> ReadInputs(const std::string& path, const Graph& g) {
  const nlohmann::json j =
      detail::ParseJsonText(detail::ReadTextFile(path), path, ErrorCode::kInvalidArgument);
  const detail::JsonReader r(path, ErrorCode::kInvalidArgument);
  std::vector<std::vector<std::int8_t>> inputs;
  if (j.is_array()) {
    if (g.inputs().size() != 1) {
      r.Fail("", "the model has " + std::to_string(g.inputs().size()) +
                     " inputs; give an object {\"<input name>\": [...]}");
    }
    inputs.push_back(InputValues(r, j, "", g, g.inputs()[0]));
    return inputs;
  }
  if (!j.is_object()) {
    r.Fail("", std::string("must be an array or an object (got ") + j.type_name() + ")");
  }
  for (const auto& item : j.items()) {
    const TensorId id = g.FindTensor(item.key());
    bool is_input = false;
    for (TensorId in_id : g.inputs()) is_input = is_input || in_id == id;
    if (!is_input) r.Fail(detail::JoinPath("", item.key()), "not an input of the model");
  }
  for (TensorId id : g.inputs()) {
    const std::string& name = g.tensor(id).name;
    const nlohmann::json* values = r.Find(j, name);
    if (values == nullptr) r.Fail("", "missing input '" + name + "'");
    inputs.push_back(InputValues(r, *values, detail::JoinPath("", name), g, id));
  }
  return inputs;
}

int Run(const Args& args, std::ostream& out) {
  const ParsedArgs parsed = ParseArgs(args, {"input", "format"}, {"allow-unsupported"});
  if (parsed.positional.size() != 1) throw UsageError("run takes one model (MODEL)");
  if (!parsed.Has("input")) throw UsageError("run needs --input FILE");
  const OutputFormat format = ParseOutputFormat(parsed.Get("format", "table"));
  if (format == OutputFormat::kCsv) throw UsageError("run supports --format table or json");
  const Graph g = LoadModelForCli(parsed.positional[0], parsed.Has("allow-unsupported"));
  const auto outputs = RunInt8(g, ReadInputs(parsed.Get("input"), g));
  if (format == OutputFormat::kJson) {
    OJson root;
    root["model"] = g.name();
    OJson outs = OJson::array();
    for (std::size_t i = 0; i < outputs.size(); ++i) {
      const Tensor& t = g.tensor(g.outputs()[i]);
      OJson o;
      o["name"] = t.name;
      OJson shape = OJson::array();
      for (int d = 0; d < t.shape.rank; ++d) shape.push_back(t.shape[d]);
      o["shape"] = shape;
      OJson data = OJson::array();
      for (std::int8_t v : outputs[i]) data.push_back(static_cast<int>(v));
      o["data"] = data;
      outs.push_back(o);
    }
    root["outputs"] = outs;
    out << DumpJson(root) << "\n";
  } else {
    for (std::size_t i = 0; i < outputs.size(); ++i) {
      const Tensor& t = g.tensor(g.outputs()[i]);
      out << t.name << " " << t.shape.ToString() << ":";
      for (std::int8_t v : outputs[i]) out << " " << static_cast<int>(v);
      out << "\n";
    }
  }
  return 0;
}

}  // namespace

const Command kRunCommand = {"run", "run an int8 model through the bit-exact kernels", kHelp, Run};

}  // namespace opcost::cli
