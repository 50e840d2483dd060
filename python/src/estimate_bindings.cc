// opcost.estimate (a graph or a list of layers) and IncrementalEstimate (ReplaceLayer): the
// fields of `opcost estimate --format json`, with the same names.
#include <pybind11/stl.h>

#include <string>
#include <utility>
#include <vector>

#include "bindings.h"

namespace opcost::python {
namespace {

py::dict LayerDict(std::size_t index, const std::string& name, const LayerEstimate& l,
                   const HardwareProfile& p) {
  py::dict j;
  j["index"] = index;
  j["name"] = name;
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
  return j;
}

py::list CategoryList(const NetworkEstimate& e) {
  py::list cats;
  for (int c = 0; c < kNumOpCategories; ++c) {
    const CategoryBreakdown& k = e.by_category[static_cast<std::size_t>(c)];
    py::dict d;
    d["category"] = OpCategoryName(static_cast<OpCategory>(c));
    d["layers"] = k.layers;
    d["macs"] = k.macs;
    d["ops"] = k.ops;
    d["cycles"] = k.cycles;
    d["latency_s"] = k.latency_s;
    d["energy_j"] = k.energy_j;
    d["ops_share"] = k.ops_share;
    d["time_share"] = k.time_share;
    d["energy_share"] = k.energy_share;
    cats.append(d);
  }
  return cats;
}

py::dict EstimateDict(const std::string& model, const std::vector<std::string>& names,
                      const NetworkEstimate& e, const PyProfile& profile) {
  const HardwareProfile& p = profile.estimator->profile();
  py::list layers;
  for (std::size_t i = 0; i < e.layers.size(); ++i) {
    layers.append(LayerDict(i, names[i], e.layers[i], p));
  }
  py::dict root;
  root["model"] = model;
  root["profile"] = p.name;
  root["layers"] = layers;
  root["totals"] = TotalsDict(e.totals);
  root["by_category"] = CategoryList(e);
  return root;
}

py::dict EstimateGraphDict(const PyGraph& g, const PyProfile& profile) {
  NetworkEstimate e;
  {
    py::gil_scoped_release release;
    profile.estimator->EstimateGraph(*g.graph, &e);
  }
  std::vector<std::string> names;
  for (const Node& n : g.graph->nodes()) names.push_back(n.name);
  return EstimateDict(g.graph->name(), names, e, profile);
}

std::vector<LayerDesc> Descs(const std::vector<const PyLayer*>& layers) {
  std::vector<LayerDesc> descs;
  descs.reserve(layers.size());
  for (const PyLayer* l : layers) descs.push_back(l->desc);
  return descs;
}

// A network as a list of layers, kept so one layer can be replaced in O(1).
class IncrementalEstimate {
 public:
  IncrementalEstimate(PyProfile profile, const std::vector<const PyLayer*>& layers)
      : profile_(std::move(profile)) {
    for (const PyLayer* l : layers) names_.push_back(l->name);
    const std::vector<LayerDesc> descs = Descs(layers);
    profile_.estimator->EstimateLayers(descs.data(), descs.size(), &estimate_);
  }
  void Replace(std::size_t index, const PyLayer& layer) {
    profile_.estimator->ReplaceLayer(index, layer.desc, &estimate_);
    names_[index] = layer.name;
  }
  py::dict Totals() const { return TotalsDict(estimate_.totals); }
  py::dict ToDict() const { return EstimateDict("", names_, estimate_, profile_); }

 private:
  PyProfile profile_;
  std::vector<std::string> names_;
  NetworkEstimate estimate_;
};

}  // namespace

py::dict TotalsDict(const EstimateTotals& s) {
  py::dict d;
  d["layers"] = s.layers;
  d["macs"] = s.macs;
  d["ops"] = s.ops;
  d["cycles"] = s.cycles;
  d["memory_cycles"] = s.memory_cycles;
  d["latency_s"] = s.latency_s;
  d["energy_j"] = s.energy_j;
  d["naive_cycles"] = s.naive_cycles;
  d["naive_latency_s"] = s.naive_latency_s;
  d["naive_energy_j"] = s.naive_energy_j;
  d["extrapolated_layers"] = s.extrapolated_layers;
  d["variant_layers"] = s.variant_layers;
  d["fallback_layers"] = s.fallback_layers;
  d["unsupported_layers"] = s.unsupported_layers;
  return d;
}

void BindEstimate(py::module_& m) {
  m.def("_estimate_graph", &EstimateGraphDict, py::arg("graph"), py::arg("profile"));
  m.def(
      "_estimate_layers",
      [](const std::vector<const PyLayer*>& layers, const PyProfile& profile) {
        NetworkEstimate e;
        const std::vector<LayerDesc> descs = Descs(layers);
        profile.estimator->EstimateLayers(descs.data(), descs.size(), &e);
        std::vector<std::string> names;
        for (const PyLayer* l : layers) names.push_back(l->name);
        return EstimateDict("", names, e, profile);
      },
      py::arg("layers"), py::arg("profile"));
  py::class_<IncrementalEstimate>(m, "IncrementalEstimate",
                                  "A list of layers estimated once; replace() re-estimates one "
                                  "layer and the totals in O(1).")
      .def(py::init<PyProfile, const std::vector<const PyLayer*>&>(), py::arg("profile"),
           py::arg("layers"))
      .def("replace", &IncrementalEstimate::Replace, py::arg("index"), py::arg("layer"))
      .def_property_readonly("totals", &IncrementalEstimate::Totals)
      .def("to_dict", &IncrementalEstimate::ToDict);
}

}  // namespace opcost::python
