// opcost._opcost: the C++ library for Python (docs/python.md). The package opcost/__init__.py
// re-exports it and wraps results in plain objects.
#include <pybind11/pybind11.h>

#include "bindings.h"
#include "opcost/error.h"

namespace {

// opcost.Error (a ValueError): the message is the CLI's; `code` is the ErrorCode name
// ("bad_model", "io", ...). The module owns the type, so a borrowed pointer is enough.
PyObject* g_error_type = nullptr;

void TranslateErrors(std::exception_ptr p) {
  namespace py = pybind11;
  try {
    if (p) std::rethrow_exception(p);
  } catch (const opcost::Error& e) {
    py::object exc = py::reinterpret_borrow<py::object>(g_error_type)(e.what());
    exc.attr("code") = opcost::ErrorCodeName(e.code());
    PyErr_SetObject(g_error_type, exc.ptr());
  }
}

}  // namespace

PYBIND11_MODULE(_opcost, m) {
  namespace py = pybind11;
  m.doc() = "opcost: what a neural network costs on a microcontroller";
  py::exception<opcost::Error> error(m, "Error", PyExc_ValueError);
  g_error_type = error.ptr();
  py::register_exception_translator(&TranslateErrors);
  opcost::python::BindGraph(m);
  opcost::python::BindMetrics(m);
  opcost::python::BindProfile(m);
  opcost::python::BindEstimate(m);
  opcost::python::BindMemory(m);
  opcost::python::BindBatch(m);
  opcost::python::BindFit(m);
  opcost::python::BindBuilder(m);
}
