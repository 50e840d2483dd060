// Profiles by name or path (the CLI's lookup, profile_catalog.h) with a weight placement.
#include <pybind11/stl.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bindings.h"
#include "opcost/profile_catalog.h"

namespace opcost::python {
namespace {

// The build tree's profiles/ and the install prefix's share/opcost/profiles (CMake); the package
// adds $OPCOST_PROFILE_PATH and its own data directory in front.
std::vector<std::string> CompiledProfileDirs() {
  std::vector<std::string> dirs;
  std::string list = OPCOST_PYTHON_PROFILE_DIRS;
  std::size_t begin = 0;
  while (begin <= list.size()) {
    const std::size_t end = std::min(list.find(':', begin), list.size());
    if (end > begin) dirs.push_back(list.substr(begin, end - begin));
    begin = end + 1;
  }
  return dirs;
}

PyProfile Load(const std::string& name_or_path, const std::vector<std::string>& dirs,
               const std::string& weights,
               const std::vector<std::pair<std::string, std::string>>& layer_weights,
               bool allow_fallback) {
  py::gil_scoped_release release;
  EstimateOptions options;
  options.allow_fallback = allow_fallback;
  options.weights.all_layers = weights;
  options.weights.layers = layer_weights;
  HardwareProfile profile = FindProfile(name_or_path, dirs);
  PyProfile p;
  p.path = profile.source_name;
  p.estimator = std::make_shared<const Estimator>(std::move(profile), options);
  return p;
}

// A copy of `p` with the deployer's device: capacities and runtime reserve in bytes (the CLI's
// --flash, --sram, --reserve-flash, --reserve-sram); None keeps the profile's value.
PyProfile WithDevice(const PyProfile& p, std::optional<std::int64_t> flash_bytes,
                     std::optional<std::int64_t> sram_bytes,
                     std::optional<std::int64_t> reserve_flash_bytes,
                     std::optional<std::int64_t> reserve_sram_bytes) {
  // The profile format's bound (docs/profile-format.md, "Ranges"): sums stay finite.
  constexpr std::int64_t kMaxBytes = std::int64_t{1} << 50;
  const auto check = [](const char* name, std::optional<std::int64_t> v, std::int64_t min) {
    if (v && (*v < min || *v > kMaxBytes)) {
      throw py::value_error(std::string(name) + " must be between " + std::to_string(min) +
                            " and 2**50 bytes (got " + std::to_string(*v) + ")");
    }
  };
  check("flash_bytes", flash_bytes, 1);
  check("sram_bytes", sram_bytes, 1);
  check("reserve_flash_bytes", reserve_flash_bytes, 0);
  check("reserve_sram_bytes", reserve_sram_bytes, 0);
  HardwareProfile h = p.estimator->profile();
  if (flash_bytes) h.flash_bytes = *flash_bytes;
  if (sram_bytes) h.sram_bytes = *sram_bytes;
  if (reserve_flash_bytes) {
    h.runtime_reserve.flash_bytes = *reserve_flash_bytes;
    h.runtime_reserve.flash_source = "Python with_device";
  }
  if (reserve_sram_bytes) {
    h.runtime_reserve.sram_bytes = *reserve_sram_bytes;
    h.runtime_reserve.sram_source = "Python with_device";
  }
  PyProfile out;
  out.path = p.path;
  out.estimator = std::make_shared<const Estimator>(std::move(h), p.estimator->options());
  return out;
}

py::dict Describe(const PyProfile& p) {
  const HardwareProfile& h = p.estimator->profile();
  py::dict d;
  d["name"] = h.name;
  d["file"] = p.path;
  d["description"] = h.description;
  d["core"] = h.core;
  d["mcu"] = h.mcu;
  d["board"] = h.board;
  d["clock_hz"] = h.clock_hz;
  d["flash_bytes"] = h.flash_bytes;
  d["sram_bytes"] = h.sram_bytes;
  d["runtime_reserve"] = py::dict(py::arg("flash_bytes") = h.runtime_reserve.flash_bytes,
                                  py::arg("sram_bytes") = h.runtime_reserve.sram_bytes);
  d["kernel_library"] = h.kernel_library;
  d["naive_ops_per_cycle"] = h.naive_ops_per_cycle;
  py::list validation;
  for (const ValidationRecord& v : h.validation) {
    py::dict r;
    r["kind"] = v.kind;
    r["rows"] = v.rows;
    r["in_sample_rows"] = v.in_sample_rows;
    r["latency_error_pct"] = v.latency_error_pct;
    r["naive_latency_error_pct"] = v.naive_latency_error_pct;
    validation.append(r);
  }
  d["validation"] = validation;
  return d;
}

}  // namespace

void BindProfile(py::module_& m) {
  py::class_<PyProfile>(m, "Profile", "A hardware profile (board x runtime) and its estimator.")
      .def_property_readonly("name", [](const PyProfile& p) { return p.estimator->profile().name; })
      .def_property_readonly("clock_hz",
                             [](const PyProfile& p) { return p.estimator->profile().clock_hz; })
      .def("describe", &Describe,
           "Identity, sizes, runtime reserve and validation records as a dict.")
      .def("with_device", &WithDevice, py::arg("flash_bytes") = py::none(),
           py::arg("sram_bytes") = py::none(), py::arg("reserve_flash_bytes") = py::none(),
           py::arg("reserve_sram_bytes") = py::none(),
           "A copy for your device: flash and SRAM capacity and the runtime's reserve in bytes "
           "(the CLI's --flash, --sram, --reserve-flash, --reserve-sram); None keeps a value.")
      .def("to_json",
           [](const PyProfile& p) { return SaveProfileToString(p.estimator->profile()); })
      .def("__repr__", [](const PyProfile& p) {
        return "<opcost.Profile '" + p.estimator->profile().name + "'>";
      });
  m.def("_load_profile", &Load, py::arg("name_or_path"), py::arg("dirs"), py::arg("weights") = "",
        py::arg("layer_weights") = std::vector<std::pair<std::string, std::string>>{},
        py::arg("allow_fallback") = false);
  m.def("_list_profiles", &ListProfiles, py::arg("dirs"));
  m.def("_compiled_profile_dirs", &CompiledProfileDirs);
}

}  // namespace opcost::python
