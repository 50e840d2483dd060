// Helpers shared by the op family files: error messages, window geometry, fused activations.
#include <string>

#include "core/op_registry.h"
#include "opcost/error.h"

namespace opcost::detail {
namespace {

std::string NodeLabel(const Graph& graph, NodeId id) {
  const Node& n = graph.node(id);
  return std::string(OpTypeName(n.type)) + " node '" + n.name + "' (#" + std::to_string(id) + ")";
}

}  // namespace

void ShapeFail(const Graph& graph, NodeId id, const std::string& rule) {
  throw Error(ErrorCode::kShapeMismatch,
              "cannot infer shape of " + NodeLabel(graph, id) + ": " + rule);
}

void AttrFail(const Graph& graph, NodeId id, const std::string& rule) {
  throw Error(ErrorCode::kInvalidArgument, "invalid " + NodeLabel(graph, id) + ": " + rule);
}

void LayerFail(const LayerDesc& layer, const std::string& rule) {
  throw Error(ErrorCode::kInvalidArgument,
              std::string("invalid ") + OpTypeName(layer.type) + " layer: " + rule);
}

const Tensor& Input(const Graph& graph, NodeId id, int index) {
  return graph.tensor(graph.node(id).inputs[static_cast<std::size_t>(index)]);
}

Tensor& Output(Graph& graph, NodeId id, int index) {
  return graph.mutable_tensor(graph.node(id).outputs[static_cast<std::size_t>(index)]);
}

int NumDataInputs(const Graph& graph, NodeId id) {
  int n = 0;
  for (TensorId t : graph.node(id).inputs) n += graph.tensor(t).is_constant ? 0 : 1;
  return n;
}

void SetOutput(Graph& graph, NodeId id, const Shape& shape) {
  const DataType dtype = Input(graph, id, 0).dtype;
  Tensor& out = Output(graph, id);
  out.shape = shape;
  out.dtype = dtype;
}

std::int64_t WindowOutputSize(std::int64_t in, std::int64_t kernel, std::int64_t stride,
                              std::int64_t dilation, Padding padding, std::int64_t explicit_before,
                              std::int64_t explicit_after) {
  const std::int64_t effective = CheckedAdd(CheckedMul(kernel - 1, dilation), 1);
  switch (padding) {
    case Padding::kSame:
      return (in + stride - 1) / stride;
    case Padding::kValid:
      if (in < effective) return -1;
      return (in - effective) / stride + 1;
    case Padding::kExplicit: {
      const std::int64_t padded = CheckedAdd(CheckedAdd(in, explicit_before), explicit_after);
      if (padded < effective) return -1;
      return (padded - effective) / stride + 1;
    }
  }
  return -1;
}

void CheckWindowAttrs(const Graph& graph, NodeId id, const OpAttributes& a, bool dilation) {
  if (a.kernel_h < 1 || a.kernel_w < 1) {
    AttrFail(graph, id, "kernel must be at least 1x1 (got " + std::to_string(a.kernel_h) + "x" +
                            std::to_string(a.kernel_w) + ")");
  }
  if (a.stride_h < 1 || a.stride_w < 1) {
    AttrFail(graph, id, "stride must be at least 1 (got " + std::to_string(a.stride_h) + "x" +
                            std::to_string(a.stride_w) + ")");
  }
  if (dilation && (a.dilation_h < 1 || a.dilation_w < 1)) {
    AttrFail(graph, id, "dilation must be at least 1 (got " + std::to_string(a.dilation_h) + "x" +
                            std::to_string(a.dilation_w) + ")");
  }
  if (a.padding == Padding::kExplicit &&
      (a.pad_top < 0 || a.pad_bottom < 0 || a.pad_left < 0 || a.pad_right < 0)) {
    AttrFail(graph, id, "explicit padding must not be negative");
  }
}

Shape WindowOutputShape(const Graph& graph, NodeId id, const Shape& in, std::int64_t kernel_h,
                        std::int64_t kernel_w, std::int64_t channels) {
  const OpAttributes& a = graph.node(id).attrs;
  if (in.rank != 4) {
    ShapeFail(graph, id, "input must be rank 4 NHWC (got " + in.ToString() + ")");
  }
  const std::int64_t oh =
      WindowOutputSize(in[1], kernel_h, a.stride_h, a.dilation_h, a.padding, a.pad_top,
                       a.pad_bottom);
  const std::int64_t ow =
      WindowOutputSize(in[2], kernel_w, a.stride_w, a.dilation_w, a.padding, a.pad_left,
                       a.pad_right);
  if (oh < 1 || ow < 1) {
    ShapeFail(graph, id, "window " + std::to_string(kernel_h) + "x" + std::to_string(kernel_w) +
                             " (dilation " + std::to_string(a.dilation_h) + "x" +
                             std::to_string(a.dilation_w) + ") does not fit input " +
                             in.ToString() + " with the given padding");
  }
  return Shape{in[0], oh, ow, channels};
}

void CountFusedActivation(Activation activation, std::int64_t outputs, OpMetrics* m) {
  switch (activation) {
    case Activation::kNone:
      break;
    case Activation::kRelu:
      m->comparisons = CheckedAdd(m->comparisons, outputs);
      break;
    case Activation::kRelu6:
    case Activation::kReluN1To1:
      m->comparisons = CheckedAdd(m->comparisons, CheckedMul(2, outputs));
      break;
    case Activation::kTanh:
    case Activation::kSigmoid:
      m->nonlinear_ops = CheckedAdd(m->nonlinear_ops, outputs);
      break;
  }
}

DataType BiasTypeFor(DataType activation) {
  switch (activation) {
    case DataType::kInt16: return DataType::kInt64;
    case DataType::kFloat32: return DataType::kFloat32;
    default: return DataType::kInt32;
  }
}

DataType WeightTypeFor(DataType activation) {
  return activation == DataType::kFloat32 ? DataType::kFloat32 : DataType::kInt8;
}

}  // namespace opcost::detail
