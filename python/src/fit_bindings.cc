// opcost.fit: a profile fitted to measured networks or layers (`opcost fit`, docs/profiles.md).
#include <pybind11/stl.h>

#include <string>
#include <utility>
#include <vector>

#include "bindings.h"
#include "opcost/fit.h"

namespace opcost::python {
namespace {

// Rows are (name, Graph or list of Layers, measured seconds, measured joules or -1).
std::vector<FitRow> ToRows(const py::sequence& rows) {
  std::vector<FitRow> out;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto t = rows[i].cast<py::tuple>();
    FitRow row;
    row.name = t[0].cast<std::string>();
    const py::handle model = t[1];
    if (py::isinstance<PyGraph>(model)) {
      const Graph& g = *model.cast<const PyGraph&>().graph;
      for (NodeId n = 0; n < static_cast<NodeId>(g.nodes().size()); ++n) {
        row.layers.push_back(DescribeNode(g, n));
      }
    } else {
      for (const py::handle l : model.cast<py::sequence>()) {
        row.layers.push_back(l.cast<const PyLayer&>().desc);
      }
    }
    row.measured_s = t[2].cast<double>();
    row.measured_energy_j = t[3].cast<double>();
    out.push_back(std::move(row));
  }
  return out;
}

py::tuple Fit(const py::sequence& rows, const PyProfile& base, bool scale_only,
              const std::vector<std::string>& own_scale, bool leave_one_out,
              const std::string& name) {
  FitOptions options;
  options.scale_only = scale_only;
  options.leave_one_out = leave_one_out;
  for (const std::string& c : own_scale) {
    OpCategory category;
    if (!ParseOpCategory(c, &category)) {
      throw Error(ErrorCode::kInvalidArgument, "own_scale: unknown category '" + c + "'");
    }
    options.own_scale.push_back(category);
  }
  const std::vector<FitRow> fit_rows = ToRows(rows);
  FitResult r;
  {
    py::gil_scoped_release release;
    r = FitProfile(base.estimator->profile(), fit_rows, options);
  }
  if (!name.empty()) r.profile.name = name;
  PyProfile fitted;
  fitted.estimator =
      std::make_shared<const Estimator>(std::move(r.profile), base.estimator->options());
  py::list per_row;
  for (const FitRowResult& row : r.rows) {
    py::dict d;
    d["name"] = row.name;
    d["measured_s"] = row.measured_s;
    d["fitted_s"] = row.fitted_s;
    d["residual"] = row.residual;
    d["loo_s"] = row.loo_s;
    d["loo_error"] = row.loo_error;
    d["naive_loo_error"] = row.naive_loo_error;
    d["base_s"] = row.base_s;
    per_row.append(d);
  }
  py::dict summary;
  summary["rows"] = per_row;
  summary["global_scale"] = r.global_scale;
  summary["rms_log_residual"] = r.rms_log_residual;
  summary["loo_mean_abs_error"] = r.loo_mean_abs_error;
  summary["loo_max_abs_error"] = r.loo_max_abs_error;
  summary["naive_loo_mean_abs_error"] = r.naive_loo_mean_abs_error;
  summary["power_scale"] = r.power_scale;
  return py::make_tuple(fitted, summary);
}

}  // namespace

void BindFit(py::module_& m) {
  m.def("_fit", &Fit, py::arg("rows"), py::arg("base"), py::arg("scale_only"), py::arg("own_scale"),
        py::arg("leave_one_out"), py::arg("name"));
}

}  // namespace opcost::python
