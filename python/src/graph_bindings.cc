// Graphs from files, from JSON model text (opcost.model_from_dict dumps the dict), and one
// layer at a time for NAS tables (opcost.layer).
#include <pybind11/stl.h>

#include <string>
#include <utility>

#include "bindings.h"
#include "opcost/model_io.h"
#include "opcost/onnx_import.h"
#include "opcost/tflite_import.h"

namespace opcost::python {
namespace {

bool EndsWith(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

PyGraph Share(Graph g) { return PyGraph{std::make_shared<const Graph>(std::move(g))}; }

PyGraph LoadModelFile(const std::string& path, bool allow_unsupported) {
  py::gil_scoped_release release;
  if (EndsWith(path, ".tflite")) {
    TfliteImportOptions options;
    options.allow_unsupported = allow_unsupported;
    return Share(ImportTflite(path, options));
  }
  if (EndsWith(path, ".onnx")) {
    OnnxImportOptions options;
    options.allow_unsupported = allow_unsupported;
    return Share(ImportOnnx(path, options));
  }
  return Share(LoadModel(path));
}

PyGraph ParseModelText(const std::string& text, const std::string& source) {
  py::gil_scoped_release release;
  return Share(ParseModel(text, source));
}

// A one-layer model (the layer's JSON dict with one input of `input_shape`), described once.
PyLayer MakeLayer(const std::string& model_text) {
  py::gil_scoped_release release;
  const Graph g = ParseModel(model_text, "<layer>");
  if (g.nodes().size() != 1) {
    throw Error(ErrorCode::kInvalidArgument, "<layer>: a layer must be exactly one op");
  }
  PyLayer layer;
  layer.name = g.node(0).name;
  layer.desc = DescribeNode(g, 0);
  layer.metrics = ComputeMetrics(g).layers[0];
  return layer;
}

py::list LayerNames(const PyGraph& g) {
  py::list names;
  for (const Node& n : g.graph->nodes()) names.append(n.name);
  return names;
}

}  // namespace

void BindGraph(py::module_& m) {
  py::class_<PyGraph>(m, "Graph", "A network: layers in execution order with tensor shapes.")
      .def_property_readonly("name", [](const PyGraph& g) { return g.graph->name(); })
      .def_property_readonly("num_layers", [](const PyGraph& g) { return g.graph->nodes().size(); })
      .def("layer_names", &LayerNames)
      .def(
          "to_json", [](const PyGraph& g) { return SaveModelToString(*g.graph); },
          "The JSON model format text (docs/model-format.md), as `opcost import` writes it.")
      .def("__len__", [](const PyGraph& g) { return g.graph->nodes().size(); })
      .def("__repr__", [](const PyGraph& g) {
        return "<opcost.Graph '" + g.graph->name() + "' with " +
               std::to_string(g.graph->nodes().size()) + " layers>";
      });
  py::class_<PyLayer>(m, "Layer", "One layer without a graph, with its metrics computed once.")
      .def_property_readonly("name", [](const PyLayer& l) { return l.name; })
      .def_property_readonly("op", [](const PyLayer& l) { return OpTypeName(l.desc.type); })
      .def_property_readonly("macs", [](const PyLayer& l) { return l.metrics.macs; })
      .def("__repr__", [](const PyLayer& l) {
        return "<opcost.Layer '" + l.name + "' " + OpTypeName(l.desc.type) + ">";
      });
  m.def("load_model", &LoadModelFile, py::arg("path"), py::arg("allow_unsupported") = false,
        "Loads a JSON model, a .tflite or an .onnx file.");
  m.def("parse_model", &ParseModelText, py::arg("text"), py::arg("source") = "<model>",
        "Parses JSON model text; errors name `source`.");
  m.def("_layer_from_model_text", &MakeLayer, py::arg("text"));
}

}  // namespace opcost::python
