// The pieces of the Python module `opcost._opcost`, one file per concept; module.cc calls them.
#ifndef OPCOST_PYTHON_BINDINGS_H_
#define OPCOST_PYTHON_BINDINGS_H_

#include <pybind11/pybind11.h>

#include <memory>
#include <vector>

#include "opcost/error.h"
#include "opcost/estimator.h"
#include "opcost/graph.h"
#include "opcost/metrics.h"

namespace opcost::python {

namespace py = pybind11;

// A loaded or built network, shared with Python (immutable once built).
struct PyGraph {
  std::shared_ptr<const Graph> graph;
};

// One layer without a graph: its description and metrics, computed once (NAS tools keep a
// table of the layers of their search space and assemble candidates from it).
struct PyLayer {
  std::string name;
  LayerDesc desc;
  OpMetrics metrics;
};

// A profile with its estimator (the estimator keeps the validated profile).
struct PyProfile {
  std::shared_ptr<const Estimator> estimator;
  std::string path;  // where it was loaded from ("" for a profile built in memory)
};

void BindGraph(py::module_& m);
void BindMetrics(py::module_& m);
void BindProfile(py::module_& m);
void BindEstimate(py::module_& m);
void BindMemory(py::module_& m);
void BindBatch(py::module_& m);
void BindFit(py::module_& m);
void BindBuilder(py::module_& m);

// Shared by the bindings: the metric counts of one layer or of the totals as dict members.
void AddMetricFields(const OpMetrics& m, py::dict* d);
// The totals of an estimate as a dict (the names of `opcost estimate --format json`).
py::dict TotalsDict(const EstimateTotals& totals);
// Peak activation bytes of `g` in graph order, with the profile's kernel scratch.
std::int64_t PeakWithScratch(const Graph& g, const PyProfile& profile);

}  // namespace opcost::python

#endif  // OPCOST_PYTHON_BINDINGS_H_
