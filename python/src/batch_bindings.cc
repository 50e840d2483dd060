// opcost.estimate_batch: many candidates in one call, without the GIL, on several threads.
// A candidate is a Graph or a list of Layers (a NAS table's rows, estimated once per profile).
#include <pybind11/stl.h>

#include <algorithm>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "bindings.h"
#include "opcost/memory.h"

namespace opcost::python {
namespace {

struct Candidate {
  const Graph* graph = nullptr;  // or a range of layer estimates:
  std::size_t first = 0, count = 0;
};

struct Score {
  EstimateTotals totals;
  std::int64_t peak_bytes = -1;
  std::string error;  // a failed candidate's message (raised after the batch, with its index)
  ErrorCode code = ErrorCode::kInvalidArgument;
};

// Layer estimates by PyLayer for one batch: each distinct layer is estimated once.
class LayerTable {
 public:
  explicit LayerTable(const Estimator& est) : est_(est) {}
  void Append(const PyLayer* layer) {
    auto [it, inserted] = index_.emplace(layer, estimates_.size());
    if (inserted) estimates_.push_back(est_.EstimateLayer(layer->desc, layer->metrics));
    flat_.push_back(it->second);
  }
  std::size_t size() const { return flat_.size(); }
  const LayerEstimate& at(std::size_t flat_index) const { return estimates_[flat_[flat_index]]; }

 private:
  const Estimator& est_;
  std::unordered_map<const PyLayer*, std::size_t> index_;
  std::vector<LayerEstimate> estimates_;
  std::vector<std::size_t> flat_;
};

// Storage one worker reuses from candidate to candidate (no allocation once grown).
struct Workspace {
  NetworkEstimate estimate;
  std::vector<LayerDesc> layers;
  std::vector<OpMetrics> metrics;
  LivenessOptions rules;
  std::optional<PeakEvaluator> peak;  // made for the first graph, then Reset for each
};

// A graph's estimate and, with `memory`, its peak SRAM with the profile's scratch: each node is
// described and counted once for both (DescribeGraph, ComputeLayerMetrics), and the peak comes
// from a PeakEvaluator reused across graphs, the same number as AnalyzeMemory's without its
// report.
void ScoreGraph(const Graph& g, const PyProfile& profile, bool memory, Workspace* w, Score* out) {
  const Estimator& est = *profile.estimator;
  DescribeGraph(g, &w->layers);
  w->metrics.resize(w->layers.size());
  for (std::size_t i = 0; i < w->layers.size(); ++i) {
    w->metrics[i] = ComputeLayerMetrics(w->layers[i]);
  }
  est.EstimateGraph(g, w->layers, w->metrics, &w->estimate);
  out->totals = w->estimate.totals;
  if (!memory) return;
  w->rules.scratch_bytes = ProfileScratchBytes(g, w->layers, w->metrics, est.profile());
  if (w->peak) {
    w->peak->Reset(g, w->rules);
  } else {
    w->peak.emplace(g, w->rules);
  }
  out->peak_bytes = w->peak->PeakBytes({});
}

void ScoreOne(const Candidate& c, const PyProfile& profile, const LayerTable& table, bool memory,
              Workspace* w, Score* out) {
  try {
    if (c.graph != nullptr) {
      ScoreGraph(*c.graph, profile, memory, w, out);
    } else {
      for (std::size_t i = 0; i < c.count; ++i) AddToTotals(table.at(c.first + i), &out->totals);
    }
  } catch (const Error& e) {
    out->error = e.what();
    out->code = e.code();
  }
}

void ScoreAll(const std::vector<Candidate>& cs, const PyProfile& profile, const LayerTable& table,
              bool memory, int threads, std::vector<Score>* scores) {
  const std::size_t n = cs.size();
  const auto workers = static_cast<std::size_t>(std::max(1, threads));
  auto run = [&](std::size_t begin, std::size_t end) {
    Workspace w;
    for (std::size_t i = begin; i < end; ++i) {
      ScoreOne(cs[i], profile, table, memory, &w, &(*scores)[i]);
    }
  };
  if (workers == 1 || n < 2 * workers) {
    run(0, n);
    return;
  }
  std::vector<std::thread> pool;
  const std::size_t chunk = (n + workers - 1) / workers;
  for (std::size_t w = 0; w < workers; ++w) {
    const std::size_t begin = std::min(n, w * chunk), end = std::min(n, begin + chunk);
    if (begin < end) pool.emplace_back(run, begin, end);
  }
  for (std::thread& t : pool) t.join();
}

py::list EstimateBatch(const py::sequence& candidates, const PyProfile& profile, int threads,
                       bool memory) {
  if (threads < 1 || threads > 256) {
    throw Error(ErrorCode::kInvalidArgument,
                "threads must be in [1, 256] (got " + std::to_string(threads) + ")");
  }
  std::vector<Candidate> cs(candidates.size());
  LayerTable table(*profile.estimator);
  for (std::size_t i = 0; i < cs.size(); ++i) {
    const py::handle item = candidates[i];
    if (py::isinstance<PyGraph>(item)) {
      cs[i].graph = item.cast<const PyGraph&>().graph.get();
      continue;
    }
    if (memory) {
      throw Error(ErrorCode::kInvalidArgument,
                  "candidate #" + std::to_string(i) +
                      ": memory=True needs a Graph (a list of layers has no tensor lifetimes)");
    }
    if (!py::isinstance<py::sequence>(item) || py::isinstance<py::str>(item)) {
      throw Error(ErrorCode::kInvalidArgument,
                  "candidate #" + std::to_string(i) + ": expected a Graph or a list of Layers");
    }
    cs[i].first = table.size();
    for (const py::handle layer : item.cast<py::sequence>()) {
      if (!py::isinstance<PyLayer>(layer)) {
        throw Error(ErrorCode::kInvalidArgument,
                    "candidate #" + std::to_string(i) + ": every element must be an opcost.Layer");
      }
      table.Append(&layer.cast<const PyLayer&>());
    }
    cs[i].count = table.size() - cs[i].first;
  }
  std::vector<Score> scores(cs.size());
  {
    py::gil_scoped_release release;
    ScoreAll(cs, profile, table, memory, threads, &scores);
  }
  py::list out;
  for (std::size_t i = 0; i < scores.size(); ++i) {
    const Score& s = scores[i];
    if (!s.error.empty()) {
      throw Error(s.code, "candidate #" + std::to_string(i) + ": " + s.error);
    }
    py::dict d;
    d["macs"] = s.totals.macs;
    d["latency_s"] = s.totals.latency_s;
    d["energy_j"] = s.totals.energy_j;
    if (memory) d["peak_activation_bytes"] = s.peak_bytes;
    out.append(d);
  }
  return out;
}

}  // namespace

void BindBatch(py::module_& m) {
  m.def("_estimate_batch", &EstimateBatch, py::arg("candidates"), py::arg("profile"),
        py::arg("threads") = 1, py::arg("memory") = false);
}

}  // namespace opcost::python
