// opcost.GraphBuilder: a graph built op by op from Python (builder.h), without JSON text, for
// NAS loops that build a graph per candidate. Tensors are ids (ints) returned by each call.
#include <pybind11/stl.h>

#include <string>
#include <utility>
#include <vector>

#include "bindings.h"
#include "opcost/builder.h"

namespace opcost::python {
namespace {

Activation ToActivation(const std::string& name) {
  Activation a;
  if (!ParseActivation(name, &a)) {
    throw Error(ErrorCode::kInvalidArgument, "unknown activation '" + name + "'");
  }
  return a;
}

Padding ToPadding(const std::string& name) {
  if (name == "same") return Padding::kSame;
  if (name == "valid") return Padding::kValid;
  throw Error(ErrorCode::kInvalidArgument,
              "padding must be \"same\" or \"valid\" (got \"" + name + "\")");
}

// An int or an [h, w] pair, as the JSON model format allows.
std::pair<std::int64_t, std::int64_t> Pair(const py::handle v, const char* what) {
  if (py::isinstance<py::int_>(v)) {
    const auto x = v.cast<std::int64_t>();
    return {x, x};
  }
  const auto s = v.cast<std::vector<std::int64_t>>();
  if (s.size() != 2) {
    throw Error(ErrorCode::kInvalidArgument, std::string(what) + " must be an int or [h, w]");
  }
  return {s[0], s[1]};
}

Shape ToShape(const std::vector<std::int64_t>& dims) {
  if (dims.empty() || dims.size() > static_cast<std::size_t>(Shape::kMaxRank)) {
    throw Error(ErrorCode::kInvalidArgument,
                "a shape needs 1 to " + std::to_string(Shape::kMaxRank) + " dims");
  }
  Shape s;
  s.rank = static_cast<int>(dims.size());
  for (std::size_t i = 0; i < dims.size(); ++i) s[static_cast<int>(i)] = dims[i];
  return s;
}

class PyGraphBuilder {
 public:
  PyGraphBuilder(const std::string& name, const std::string& dtype)
      : builder_(name, ToDataType(dtype)) {}

  TensorId Input(const std::string& name, const std::vector<std::int64_t>& shape) {
    return builder_.Input(name, ToShape(shape));
  }
  TensorId Conv2D(const std::string& name, TensorId x, std::int64_t filters, py::handle kernel,
                  py::handle stride, const std::string& padding, py::handle dilation,
                  std::int64_t groups, bool bias, const std::string& activation) {
    ConvOptions o;
    o.filters = filters;
    std::tie(o.kernel_h, o.kernel_w) = Pair(kernel, "kernel");
    std::tie(o.stride_h, o.stride_w) = Pair(stride, "stride");
    std::tie(o.dilation_h, o.dilation_w) = Pair(dilation, "dilation");
    o.padding = ToPadding(padding);
    o.groups = groups;
    o.bias = bias;
    o.activation = ToActivation(activation);
    return builder_.Conv2D(name, x, o);
  }
  TensorId Depthwise(const std::string& name, TensorId x, py::handle kernel, py::handle stride,
                     const std::string& padding, py::handle dilation, std::int64_t depth_multiplier,
                     bool bias, const std::string& activation) {
    DepthwiseOptions o;
    std::tie(o.kernel_h, o.kernel_w) = Pair(kernel, "kernel");
    std::tie(o.stride_h, o.stride_w) = Pair(stride, "stride");
    std::tie(o.dilation_h, o.dilation_w) = Pair(dilation, "dilation");
    o.padding = ToPadding(padding);
    o.depth_multiplier = depth_multiplier;
    o.bias = bias;
    o.activation = ToActivation(activation);
    return builder_.DepthwiseConv2D(name, x, o);
  }
  TensorId Pool(bool max, const std::string& name, TensorId x, py::handle pool, py::handle stride,
                const std::string& padding) {
    PoolOptions o;
    std::tie(o.pool_h, o.pool_w) = Pair(pool, "pool");
    std::tie(o.stride_h, o.stride_w) =
        stride.is_none() ? std::make_pair(o.pool_h, o.pool_w) : Pair(stride, "stride");
    o.padding = ToPadding(padding);
    return max ? builder_.MaxPool(name, x, o) : builder_.AvgPool(name, x, o);
  }
  TensorId Unary(const std::string& name, const std::string& op, TensorId x) {
    OpType type;
    if (!ParseOpType(op, &type))
      throw Error(ErrorCode::kInvalidArgument, "unknown op '" + op + "'");
    return builder_.Unary(name, type, x);
  }
  GraphBuilder& builder() { return builder_; }
  PyGraph Build() { return PyGraph{std::make_shared<const Graph>(builder_.Build())}; }

 private:
  static DataType ToDataType(const std::string& name) {
    DataType t;
    if (!ParseDataType(name, &t)) {
      throw Error(ErrorCode::kInvalidArgument, "unknown dtype '" + name + "'");
    }
    return t;
  }
  GraphBuilder builder_;
};

}  // namespace

void BindBuilder(py::module_& m) {
  using B = PyGraphBuilder;
  py::class_<B>(m, "GraphBuilder",
                "Builds a graph op by op; each call returns the output tensor's id.")
      .def(py::init<const std::string&, const std::string&>(), py::arg("name"),
           py::arg("dtype") = "int8")
      .def("input", &B::Input, py::arg("name"), py::arg("shape"))
      .def("conv2d", &B::Conv2D, py::arg("name"), py::arg("x"), py::arg("filters"),
           py::arg("kernel") = 1, py::arg("stride") = 1, py::arg("padding") = "same",
           py::arg("dilation") = 1, py::arg("groups") = 1, py::arg("bias") = true,
           py::arg("activation") = "none")
      .def("depthwise_conv2d", &B::Depthwise, py::arg("name"), py::arg("x"), py::arg("kernel") = 3,
           py::arg("stride") = 1, py::arg("padding") = "same", py::arg("dilation") = 1,
           py::arg("depth_multiplier") = 1, py::arg("bias") = true, py::arg("activation") = "none")
      .def(
          "fully_connected",
          [](B& b, const std::string& name, TensorId x, std::int64_t units, bool bias,
             const std::string& activation) {
            return b.builder().FullyConnected(name, x, units, bias, ToActivation(activation));
          },
          py::arg("name"), py::arg("x"), py::arg("units"), py::arg("bias") = true,
          py::arg("activation") = "none")
      .def(
          "max_pool",
          [](B& b, const std::string& name, TensorId x, py::handle pool, py::handle stride,
             const std::string& padding) { return b.Pool(true, name, x, pool, stride, padding); },
          py::arg("name"), py::arg("x"), py::arg("pool") = 2, py::arg("stride") = py::none(),
          py::arg("padding") = "valid")
      .def(
          "avg_pool",
          [](B& b, const std::string& name, TensorId x, py::handle pool, py::handle stride,
             const std::string& padding) { return b.Pool(false, name, x, pool, stride, padding); },
          py::arg("name"), py::arg("x"), py::arg("pool") = 2, py::arg("stride") = py::none(),
          py::arg("padding") = "valid")
      .def(
          "global_avg_pool",
          [](B& b, const std::string& name, TensorId x, bool keep_dims) {
            return b.builder().GlobalAvgPool(name, x, keep_dims);
          },
          py::arg("name"), py::arg("x"), py::arg("keep_dims") = true)
      .def("unary", &B::Unary, py::arg("name"), py::arg("op"), py::arg("x"),
           "relu, relu6, sigmoid, tanh, softmax, batch_norm, quantize, dequantize, flatten")
      .def(
          "add",
          [](B& b, const std::string& name, TensorId x, TensorId y, const std::string& activation) {
            return b.builder().Add(name, x, y, ToActivation(activation));
          },
          py::arg("name"), py::arg("a"), py::arg("b"), py::arg("activation") = "none")
      .def(
          "mul",
          [](B& b, const std::string& name, TensorId x, TensorId y) {
            return b.builder().Mul(name, x, y);
          },
          py::arg("name"), py::arg("a"), py::arg("b"))
      .def(
          "concat",
          [](B& b, const std::string& name, const std::vector<TensorId>& xs, int axis) {
            return b.builder().Concat(name, xs, axis);
          },
          py::arg("name"), py::arg("xs"), py::arg("axis") = -1)
      .def(
          "reshape",
          [](B& b, const std::string& name, TensorId x, const std::vector<std::int64_t>& shape) {
            return b.builder().Reshape(name, x, ToShape(shape));
          },
          py::arg("name"), py::arg("x"), py::arg("shape"))
      .def("build", &B::Build, "Finishes: the graph (the builder is left empty).");
}

}  // namespace opcost::python
