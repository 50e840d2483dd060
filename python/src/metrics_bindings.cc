// opcost.metrics: the counts of `opcost metrics --format json`, with the same names.
#include <pybind11/stl.h>

#include <vector>

#include "bindings.h"

namespace opcost::python {
namespace {

py::list ShapeList(const Shape& s) {
  py::list dims;
  for (int i = 0; i < s.rank; ++i) dims.append(s[i]);
  return dims;
}

py::dict MetricsDict(const PyGraph& pg) {
  NetworkMetrics net;
  {
    py::gil_scoped_release release;
    net = ComputeMetrics(*pg.graph);
  }
  const Graph& g = *pg.graph;
  py::list layers;
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    const Node& node = g.nodes()[i];
    py::dict d;
    d["index"] = i;
    d["name"] = node.name;
    d["op"] = OpTypeName(node.type);
    d["category"] = OpCategoryName(net.layers[i].category);
    d["output_shape"] = ShapeList(g.tensor(node.outputs.front()).shape);
    AddMetricFields(net.layers[i], &d);
    layers.append(d);
  }
  py::dict totals;
  totals["layers"] = net.layers.size();
  AddMetricFields(net.total, &totals);
  py::dict result;
  result["model"] = g.name();
  result["layers"] = layers;
  result["totals"] = totals;
  return result;
}

}  // namespace

void AddMetricFields(const OpMetrics& m, py::dict* d) {
  py::dict& out = *d;
  out["macs"] = m.macs;
  out["output_elements"] = m.output_elements;
  out["macs_per_output"] = m.macs_per_output;
  out["bias_adds"] = m.bias_adds;
  out["comparisons"] = m.comparisons;
  out["additions"] = m.additions;
  out["multiplications"] = m.multiplications;
  out["divisions"] = m.divisions;
  out["nonlinear_ops"] = m.nonlinear_ops;
  out["conversions"] = m.conversions;
  out["other_ops"] = m.other_ops;
  out["ops"] = m.ops;
  out["weight_params"] = m.weight_params;
  out["bias_params"] = m.bias_params;
  out["params"] = m.params;
  out["weight_bytes"] = m.weight_bytes;
  out["input_bytes"] = m.input_bytes;
  out["output_bytes"] = m.output_bytes;
}

void BindMetrics(py::module_& m) {
  m.def("_metrics", &MetricsDict, py::arg("graph"));
  m.def("_layer_metrics", [](const PyLayer& l) {
    py::dict d;
    d["name"] = l.name;
    d["op"] = OpTypeName(l.desc.type);
    d["category"] = OpCategoryName(l.metrics.category);
    AddMetricFields(l.metrics, &d);
    return d;
  });
}

}  // namespace opcost::python
