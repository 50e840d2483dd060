// conv2d and depthwise_conv2d: shape rules, counts and constants.
#include <string>

#include "core/op_registry.h"
#include "opcost/error.h"

namespace opcost::detail {
namespace {

std::string Str(std::int64_t v) { return std::to_string(v); }

// Checks [x, weights, bias?] and the weights' rank and kernel; returns the weights.
const Tensor& CheckConvInputs(const Graph& g, NodeId id, const char* layout) {
  const Node& n = g.node(id);
  if (n.inputs.size() < 2 || n.inputs.size() > 3) {
    ShapeFail(g, id, std::string("expects inputs [input, weights ") + layout +
                         ", bias?] (got " + Str(static_cast<std::int64_t>(n.inputs.size())) +
                         " inputs)");
  }
  const Tensor& w = Input(g, id, 1);
  if (w.shape.rank != 4) {
    ShapeFail(g, id, std::string("weights must be rank 4 ") + layout + " (got " +
                         w.shape.ToString() + ")");
  }
  const OpAttributes& a = n.attrs;
  CheckWindowAttrs(g, id, a, /*dilation=*/true);
  if (w.shape[1] != a.kernel_h || w.shape[2] != a.kernel_w) {
    ShapeFail(g, id, "weights kernel must equal the kernel attribute (got " + Str(w.shape[1]) +
                         "x" + Str(w.shape[2]) + " vs " + Str(a.kernel_h) + "x" + Str(a.kernel_w) +
                         ")");
  }
  if (Input(g, id, 0).shape.rank != 4) {
    ShapeFail(g, id, "input must be rank 4 NHWC (got " + Input(g, id, 0).shape.ToString() + ")");
  }
  return w;
}

void CheckBias(const Graph& g, NodeId id, std::int64_t channels) {
  if (g.node(id).inputs.size() < 3) return;
  const Shape& b = Input(g, id, 2).shape;
  if (b.rank != 1 || b[0] != channels) {
    ShapeFail(g, id, "bias must be [" + Str(channels) + "] (got " + b.ToString() + ")");
  }
}

void InferConv2D(Graph& g, NodeId id) {
  const Tensor& w = CheckConvInputs(g, id, "[Cout,KH,KW,Cin/groups]");
  const OpAttributes& a = g.node(id).attrs;
  const Shape& x = Input(g, id, 0).shape;
  if (a.groups < 1) AttrFail(g, id, "groups must be at least 1 (got " + Str(a.groups) + ")");
  if (CheckedMul(w.shape[3], a.groups) != x[3]) {
    ShapeFail(g, id, "input channels must equal weight channels x groups (got " + Str(x[3]) +
                         " vs " + Str(w.shape[3]) + " x " + Str(a.groups) + ")");
  }
  const std::int64_t cout = w.shape[0];
  if (a.filters != 0 && a.filters != cout) {
    ShapeFail(g, id, "filters must equal weights dim 0 (got " + Str(a.filters) + " vs " +
                         Str(cout) + ")");
  }
  if (cout % a.groups != 0) {
    ShapeFail(g, id, "output channels must be a multiple of groups (got " + Str(cout) + " and " +
                         Str(a.groups) + ")");
  }
  CheckBias(g, id, cout);
  SetOutput(g, id, WindowOutputShape(g, id, x, a.kernel_h, a.kernel_w, cout));
}

void InferDepthwise(Graph& g, NodeId id) {
  const Tensor& w = CheckConvInputs(g, id, "[1,KH,KW,C*multiplier]");
  const OpAttributes& a = g.node(id).attrs;
  const Shape& x = Input(g, id, 0).shape;
  if (a.depth_multiplier < 1) {
    AttrFail(g, id, "depth_multiplier must be at least 1 (got " + Str(a.depth_multiplier) + ")");
  }
  const std::int64_t cout = CheckedMul(x[3], a.depth_multiplier);
  if (w.shape[0] != 1 || w.shape[3] != cout) {
    ShapeFail(g, id, "weights must be [1,KH,KW," + Str(cout) + "] for " + Str(x[3]) +
                         " input channels x multiplier " + Str(a.depth_multiplier) + " (got " +
                         w.shape.ToString() + ")");
  }
  CheckBias(g, id, cout);
  SetOutput(g, id, WindowOutputShape(g, id, x, a.kernel_h, a.kernel_w, cout));
}

// MACs per output from the weights: KH*KW*Cin/groups for conv, KH*KW for depthwise.
void CountWindowMacs(const LayerDesc& l, std::int64_t macs_per_output, OpMetrics* m) {
  m->output_elements = l.output.NumElements();
  m->macs = CheckedMul(m->output_elements, macs_per_output);
  m->macs_per_output = static_cast<double>(macs_per_output);
  if (l.has_bias) {
    m->bias_adds = m->output_elements;
    m->bias_params = l.output.Channels();
  }
  CountFusedActivation(l.attrs.activation, m->output_elements, m);
}

void CountConv2D(const LayerDesc& l, OpMetrics* m) {
  const bool pointwise = l.weights[1] == 1 && l.weights[2] == 1 && l.attrs.groups == 1;
  if (pointwise) m->category = OpCategory::kConv1x1;
  CountWindowMacs(l, CheckedMul(CheckedMul(l.weights[1], l.weights[2]), l.weights[3]), m);
}

void CountDepthwise(const LayerDesc& l, OpMetrics* m) {
  CountWindowMacs(l, CheckedMul(l.weights[1], l.weights[2]), m);
}

void CheckConvLayer(const LayerDesc& l) {
  if (l.weights.rank != 4) LayerFail(l, "weights must be rank 4 (got " + l.weights.ToString() + ")");
}

std::vector<ConstantSpec> ConvConstants(const OpAttributes& a, const Shape& x, DataType dtype,
                                        bool bias) {
  const std::int64_t cin = x.rank == 4 ? x[3] : 0;
  const std::int64_t per_group = a.groups > 0 ? cin / a.groups : 0;
  const ConstantSpec weights{"weights", Shape{a.filters, a.kernel_h, a.kernel_w, per_group},
                             WeightTypeFor(dtype), false};
  // One list of the final size: a push_back reallocated (a third of a NAS loop's allocations).
  if (!bias) return {weights};
  return {weights, {"bias", Shape{a.filters}, BiasTypeFor(dtype), true}};
}

std::vector<ConstantSpec> DepthwiseConstants(const OpAttributes& a, const Shape& x,
                                             DataType dtype, bool bias) {
  const std::int64_t cout = x.rank == 4 ? CheckedMul(x[3], a.depth_multiplier) : 0;
  const ConstantSpec weights{"weights", Shape{1, a.kernel_h, a.kernel_w, cout},
                             WeightTypeFor(dtype), false};
  if (!bias) return {weights};
  return {weights, {"bias", Shape{cout}, BiasTypeFor(dtype), true}};
}

}  // namespace

// Fields: type, name, category, min/max data inputs, infer, count, check_layer, constants,
// weights/bias input, alias, in_place, fused_activation, json_fields, required_json_fields
// (op_registry.h).
const OpInfo kConv2DInfo = {
    OpType::kConv2D, "conv2d", OpCategory::kConv, 1, 1,
    InferConv2D, CountConv2D, CheckConvLayer, ConvConstants,
    /*weights_input=*/1, /*bias_input=*/2,
    /*alias=*/false, /*in_place=*/false, /*fused_activation=*/true,
    {"filters", "kernel", "stride", "padding", "dilation", "groups", "bias", "activation"},
    {}};
const OpInfo kDepthwiseConv2DInfo = {
    OpType::kDepthwiseConv2D, "depthwise_conv2d", OpCategory::kDepthwiseConv, 1, 1,
    InferDepthwise, CountDepthwise, CheckConvLayer, DepthwiseConstants,
    /*weights_input=*/1, /*bias_input=*/2,
    /*alias=*/false, /*in_place=*/false, /*fused_activation=*/true,
    {"kernel", "stride", "padding", "dilation", "depth_multiplier", "bias", "activation"},
    {}};

}  // namespace opcost::detail
