// Float ONNX ops onto opcost ops (docs/onnx.md has the table). NCHW activations are held as
// NHWC: axes, pads and constant operands are moved into that layout here; transposes between
// the two layouts vanish.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "onnx/onnx_importer.h"
#include "opcost/shape_inference.h"

namespace opcost::onnx {

void MapQuantizeLinear(Importer& im, const OnnxNode& n);  // onnx_quant_ops.cc
void MapDequantizeLinear(Importer& im, const OnnxNode& n);
void MapQLinearConv(Importer& im, const OnnxNode& n);
void MapQLinearMatMul(Importer& im, const OnnxNode& n);
void MapQLinearAdd(Importer& im, const OnnxNode& n);
void MapConvInteger(Importer& im, const OnnxNode& n);
void MapMatMulInteger(Importer& im, const OnnxNode& n);

namespace {

// The opcost axis holding ONNX axis `axis` of a value with `layout`.
int OpcostAxis(int axis, Layout layout) {
  if (layout == Layout::kPlain) return axis;
  for (int i = 0; i < 4; ++i) {
    if (kNchwToNhwc[i] == axis) return i;
  }
  return axis;
}

// Normalizes `axis` against `rank`; false if out of range.
bool NormalizeAxis(std::int64_t* axis, std::int64_t rank) {
  if (*axis < -rank || *axis >= rank) return false;
  if (*axis < 0) *axis += rank;
  return true;
}

Layout LayoutForRank(std::size_t rank) { return rank == 4 ? Layout::kNchw : Layout::kPlain; }

Shape ToOpcostShape(const std::vector<std::int64_t>& dims, Layout layout) {
  Shape s;
  s.rank = static_cast<int>(dims.size());
  for (int i = 0; i < s.rank; ++i) {
    s[i] = dims[static_cast<std::size_t>(layout == Layout::kNchw ? kNchwToNhwc[i] : i)];
  }
  return s;
}

// ---- windows: Conv, MaxPool, AveragePool ----

struct Window {
  std::int64_t kernel_h, kernel_w;
};

void ResolvePadding(Importer& im, const OnnxNode& n, const Shape& x, const Window& w,
                    OpAttributes* a) {
  const std::string auto_pad = im.AttrString(n, "auto_pad", "NOTSET");
  if (auto_pad == "VALID") {
    a->padding = Padding::kValid;
    return;
  }
  if (auto_pad == "SAME_UPPER") {  // TF SAME: the odd pad goes at the end
    a->padding = Padding::kSame;
    return;
  }
  if (auto_pad == "SAME_LOWER") {
    a->padding = Padding::kExplicit;
    const std::int64_t in[2] = {x[1], x[2]};
    const std::int64_t k[2] = {w.kernel_h, w.kernel_w};
    const std::int64_t s[2] = {a->stride_h, a->stride_w};
    const std::int64_t d[2] = {a->dilation_h, a->dilation_w};
    std::int64_t before[2], after[2];
    for (int i = 0; i < 2; ++i) {
      const std::int64_t out = (in[i] + s[i] - 1) / s[i];
      const std::int64_t total =
          std::max<std::int64_t>(0, (out - 1) * s[i] + (k[i] - 1) * d[i] + 1 - in[i]);
      after[i] = total / 2;
      before[i] = total - after[i];
    }
    a->pad_top = before[0];
    a->pad_bottom = after[0];
    a->pad_left = before[1];
    a->pad_right = after[1];
    return;
  }
  if (auto_pad != "NOTSET") {
    im.NodeFail(n, ErrorCode::kBadModel, "unknown auto_pad '" + auto_pad + "'");
  }
  const std::vector<std::int64_t> pads = im.AttrInts(n, "pads", {0, 0, 0, 0});
  if (pads.size() != 4) {
    im.NodeFail(
        n, ErrorCode::kUnsupportedOp,
        "pads must have 4 values for a 2-D window (got " + std::to_string(pads.size()) + ")");
  }
  for (std::int64_t p : pads) {
    if (p < 0)
      im.NodeFail(n, ErrorCode::kBadModel, "pads must be >= 0 (got " + DimsText(pads) + ")");
  }
  if (pads == std::vector<std::int64_t>{0, 0, 0, 0}) {
    a->padding = Padding::kValid;
    return;
  }
  // ONNX order: [top, left, bottom, right] (all begins, then all ends).
  a->padding = Padding::kExplicit;
  a->pad_top = pads[0];
  a->pad_left = pads[1];
  a->pad_bottom = pads[2];
  a->pad_right = pads[3];
}

void ReadStridesAndDilations(Importer& im, const OnnxNode& n, OpAttributes* a) {
  const std::vector<std::int64_t> strides = im.AttrInts(n, "strides", {1, 1});
  const std::vector<std::int64_t> dilations = im.AttrInts(n, "dilations", {1, 1});
  if (strides.size() != 2 || dilations.size() != 2) {
    im.NodeFail(n, ErrorCode::kUnsupportedOp,
                "strides and dilations must have 2 values (2-D windows only; got " +
                    DimsText(strides) + " and " + DimsText(dilations) + ")");
  }
  for (std::int64_t v : {strides[0], strides[1], dilations[0], dilations[1]}) {
    if (v < 1) {
      im.NodeFail(n, ErrorCode::kBadModel,
                  "strides and dilations must be >= 1 (got " + DimsText(strides) + " and " +
                      DimsText(dilations) + ")");
    }
  }
  a->stride_h = strides[0];
  a->stride_w = strides[1];
  a->dilation_h = dilations[0];
  a->dilation_w = dilations[1];
}

TensorId NchwInput(Importer& im, const OnnxNode& n, std::size_t k) {
  Layout layout;
  const TensorId x = im.ActivationIn(n, k, "X", &layout);
  if (layout != Layout::kNchw) {
    im.NodeFail(n, ErrorCode::kUnsupportedOp,
                "input must be a rank-4 NCHW tensor (got " + im.ShapeOf(x).ToString() +
                    " in another layout)");
  }
  return x;
}

void MapConv(Importer& im, const OnnxNode& n) {
  ConvParts parts;
  parts.weights = im.ConstantIn(n, 1, "W");
  if (im.HasInput(n, 2)) parts.bias = &im.ConstantIn(n, 2, "B");
  MapConvolution(im, n, parts);
}

void MapPool(Importer& im, const OnnxNode& n, OpType type) {
  const TensorId x = NchwInput(im, n, 0);
  if (n.outputs.size() > 1 && !n.outputs[1].empty()) {
    im.AddUnsupported(n, "MaxPool with an Indices output is not supported");
    return;
  }
  const std::vector<std::int64_t> kernel = im.AttrInts(n, "kernel_shape", {});
  if (kernel.size() != 2) {
    im.NodeFail(n, ErrorCode::kUnsupportedOp,
                "kernel_shape must have 2 values (got " + DimsText(kernel) + ")");
  }
  OpAttributes a;
  a.kernel_h = kernel[0];
  a.kernel_w = kernel[1];
  ReadStridesAndDilations(im, n, &a);
  if (a.dilation_h != 1 || a.dilation_w != 1) {
    im.AddUnsupported(n, "pooling with dilations is not supported");
    return;
  }
  const Shape xs = im.ShapeOf(x);
  ResolvePadding(im, n, xs, {a.kernel_h, a.kernel_w}, &a);
  if (im.AttrInt(n, "ceil_mode", 0) != 0 && a.padding != Padding::kSame) {
    // ceil_mode only matters when the last window is partial.
    const std::int64_t ph = a.padding == Padding::kExplicit ? a.pad_top + a.pad_bottom : 0;
    const std::int64_t pw = a.padding == Padding::kExplicit ? a.pad_left + a.pad_right : 0;
    if (a.stride_h < 1 || a.stride_w < 1 || (xs[1] + ph - a.kernel_h) % a.stride_h != 0 ||
        (xs[2] + pw - a.kernel_w) % a.stride_w != 0) {
      im.AddUnsupported(n, "ceil_mode 1 with a partial last window is not supported");
      return;
    }
  }
  im.EmitOutput(n, type, a, {x}, Layout::kNchw);
}

void MapMaxPool(Importer& im, const OnnxNode& n) { MapPool(im, n, OpType::kMaxPool); }
void MapAveragePool(Importer& im, const OnnxNode& n) { MapPool(im, n, OpType::kAvgPool); }

void MapGlobalAveragePool(Importer& im, const OnnxNode& n) {
  const TensorId x = NchwInput(im, n, 0);
  OpAttributes a;
  a.keep_dims = true;
  im.EmitOutput(n, OpType::kGlobalAvgPool, a, {x}, Layout::kNchw);
}

void MapReduceMean(Importer& im, const OnnxNode& n) {
  Layout layout;
  const TensorId x = im.ActivationIn(n, 0, "data", &layout);
  std::vector<std::int64_t> axes = im.AttrInts(n, "axes", {});
  if (im.HasInput(n, 1)) axes = im.IntValues(n, im.ConstantIn(n, 1, "axes"), "axes");
  for (std::int64_t& axis : axes) {
    if (!NormalizeAxis(&axis, im.ShapeOf(x).rank)) {
      im.NodeFail(n, ErrorCode::kBadModel, "axis out of range: " + DimsText(axes));
    }
  }
  std::sort(axes.begin(), axes.end());
  if (layout != Layout::kNchw || axes != std::vector<std::int64_t>{2, 3}) {
    im.AddUnsupported(n,
                      "ReduceMean is supported over the spatial axes [2,3] of an NCHW "
                      "tensor only (got axes " +
                          DimsText(axes) + ")");
    return;
  }
  OpAttributes a;
  a.keep_dims = im.AttrInt(n, "keepdims", 1) != 0;
  im.EmitOutput(n, OpType::kGlobalAvgPool, a, {x}, a.keep_dims ? Layout::kNchw : Layout::kPlain);
}

// ---- dense ----

void MapGemm(Importer& im, const OnnxNode& n) {
  if (im.AttrInt(n, "transA", 0) != 0) {
    im.AddUnsupported(n, "Gemm with transA is not supported");
    return;
  }
  DenseParts parts;
  parts.weights = im.ConstantIn(n, 1, "B");
  parts.weights_transposed = im.AttrInt(n, "transB", 0) != 0;
  Constant bias;
  if (im.HasInput(n, 2)) {
    bias = im.ConstantIn(n, 2, "C");
    parts.bias = &bias;
  }
  const float alpha = im.AttrFloat(n, "alpha", 1.0f);
  const float beta = im.AttrFloat(n, "beta", 1.0f);
  // Scales are folded into float constants as a converter would; opcost has no field for them.
  auto scale = [&](Constant* c, float factor) {
    if (factor == 1.0f || !c->has_data) return;
    if (c->onnx_type != kOnnxFloat) {
      im.NodeFail(n, ErrorCode::kUnsupportedOp, "alpha/beta != 1 on non-float constants");
    }
    std::vector<float> v = im.FloatValues(n, *c, "Gemm operand");
    for (float& f : v) f *= factor;
    c->owned.resize(v.size() * 4);
    if (!v.empty()) std::memcpy(c->owned.data(), v.data(), c->owned.size());
  };
  scale(&parts.weights, alpha);
  if (parts.bias != nullptr) scale(&bias, beta);
  MapDense(im, n, parts);
}

void MapMatMul(Importer& im, const OnnxNode& n) {
  if (im.In(n, 0, "A").is_constant || !im.In(n, 1, "B").is_constant) {
    im.AddUnsupported(n,
                      "MatMul is supported as a fully connected layer with a constant B "
                      "only");
    return;
  }
  DenseParts parts;
  parts.weights = im.ConstantIn(n, 1, "B");
  MapDense(im, n, parts);
}

// ---- activations ----

void MapActivation(Importer& im, const OnnxNode& n, Activation fused, OpType standalone) {
  if (fused != Activation::kNone && im.TryFuseActivation(n, fused)) return;
  Layout layout;
  const TensorId x = im.ActivationIn(n, 0, "input", &layout);
  im.EmitOutput(n, standalone, {}, {x}, layout);
}

void MapRelu(Importer& im, const OnnxNode& n) {
  MapActivation(im, n, Activation::kRelu, OpType::kRelu);
}
void MapTanh(Importer& im, const OnnxNode& n) {
  MapActivation(im, n, Activation::kTanh, OpType::kTanh);
}
void MapSigmoid(Importer& im, const OnnxNode& n) {
  MapActivation(im, n, Activation::kNone, OpType::kSigmoid);
}

void MapClip(Importer& im, const OnnxNode& n) {
  float lo = -std::numeric_limits<float>::infinity();
  float hi = std::numeric_limits<float>::infinity();
  if (im.opset() != 0 && im.opset() < 11) {
    lo = im.AttrFloat(n, "min", lo);
    hi = im.AttrFloat(n, "max", hi);
  }
  auto bound = [&](std::size_t k, float* out) {
    if (!im.HasInput(n, k)) return;
    const std::vector<float> v = im.FloatValues(n, im.ConstantIn(n, k, "bound"), "Clip bound");
    if (v.size() != 1) im.NodeFail(n, ErrorCode::kBadModel, "Clip bounds must be scalars");
    *out = v[0];
  };
  bound(1, &lo);
  bound(2, &hi);
  if (lo == 0.0f && hi == 6.0f) return MapActivation(im, n, Activation::kRelu6, OpType::kRelu6);
  if (lo == 0.0f && std::isinf(hi)) return MapActivation(im, n, Activation::kRelu, OpType::kRelu);
  if (lo == -1.0f && hi == 1.0f && im.TryFuseActivation(n, Activation::kReluN1To1)) return;
  im.AddUnsupported(n, "Clip(" + std::to_string(lo) + ", " + std::to_string(hi) +
                           ") has no opcost op (Clip(0, 6) is relu6, Clip(0, inf) relu)");
}

void MapHardSwish(Importer& im, const OnnxNode& n) {
  MapActivation(im, n, Activation::kNone, OpType::kHardSwish);
}
// alpha and beta change no count: hard_sigmoid is clamp(alpha * x + beta, 0, 1) for any.
void MapHardSigmoid(Importer& im, const OnnxNode& n) {
  MapActivation(im, n, Activation::kNone, OpType::kHardSigmoid);
}

void MapSoftmax(Importer& im, const OnnxNode& n) {
  Layout layout;
  const TensorId x = im.ActivationIn(n, 0, "input", &layout);
  const std::vector<std::int64_t> dims = im.OnnxDims(im.In(n, 0, "input"));
  const auto rank = static_cast<std::int64_t>(dims.size());
  std::int64_t axis = im.AttrInt(n, "axis", im.opset() != 0 && im.opset() < 13 ? 1 : -1);
  if (!NormalizeAxis(&axis, rank)) im.NodeFail(n, ErrorCode::kBadModel, "axis out of range");
  // Before opset 13 softmax covers every axis from `axis` on: equal when the rest are 1.
  bool trailing_ones = true;
  for (std::int64_t d = axis + 1; d < rank; ++d) {
    trailing_ones = trailing_ones && dims[static_cast<std::size_t>(d)] == 1;
  }
  const bool legacy = im.opset() != 0 && im.opset() < 13;
  const bool over_last = OpcostAxis(static_cast<int>(axis), layout) == rank - 1;
  if (!over_last || (legacy && !trailing_ones && axis != rank - 1)) {
    im.AddUnsupported(n, "softmax over axis " + std::to_string(axis) + " of " + DimsText(dims) +
                             " (opcost's softmax is over channels, the last NHWC axis)");
    return;
  }
  im.EmitOutput(n, OpType::kSoftmax, {}, {x}, layout);
}

// ---- elementwise ----

// A constant operand of an elementwise op, in the layout of the activation it meets.
TensorId ElementwiseConstant(Importer& im, const OnnxNode& n, const Constant& c, Layout layout) {
  if (layout != Layout::kNchw) return im.AddConstantTensor(n, c, {}, "operand");
  if (c.dims.size() > 4) im.NodeFail(n, ErrorCode::kBadModel, "operand rank > 4");
  Constant padded = c;  // broadcasting aligns from the right: lead with 1s up to rank 4
  padded.dims.insert(padded.dims.begin(), 4 - c.dims.size(), 1);
  if (!padded.quant.empty()) padded.quant.axis += static_cast<std::int32_t>(4 - c.dims.size());
  return im.AddConstantTensor(n, padded, {0, 2, 3, 1}, "operand");
}

void MapBinary(Importer& im, const OnnxNode& n, OpType type) {
  const Value a = im.In(n, 0, "A");
  const Value b = im.In(n, 1, "B");
  if (a.is_constant && b.is_constant) {
    im.AddUnsupported(n, "both operands are constants (constant folding is not supported)");
    return;
  }
  const Layout layout = a.is_constant ? b.layout : a.layout;
  if (!a.is_constant && !b.is_constant && a.layout != b.layout) {
    im.AddUnsupported(n, "operands in different layouts (" + DimsText(im.OnnxDims(a)) + " and " +
                             DimsText(im.OnnxDims(b)) + ")");
    return;
  }
  auto operand = [&](const Value& v) {
    return v.is_constant ? ElementwiseConstant(im, n, im.ConstantOf(v), layout) : v.tensor;
  };
  const TensorId ta = operand(a);
  const TensorId tb = operand(b);
  im.EmitOutput(n, type, {}, {ta, tb}, layout);
}

void MapAdd(Importer& im, const OnnxNode& n) { MapBinary(im, n, OpType::kAdd); }
void MapMul(Importer& im, const OnnxNode& n) { MapBinary(im, n, OpType::kMul); }

// ---- data movement ----

void MapConcat(Importer& im, const OnnxNode& n) {
  std::vector<TensorId> inputs;
  Layout layout = Layout::kPlain;
  for (std::size_t k = 0; k < n.inputs.size(); ++k) {
    if (im.In(n, k, "input").is_constant) {
      im.AddUnsupported(n, "Concat of a constant is not supported");
      return;
    }
    Layout l;
    inputs.push_back(im.ActivationIn(n, k, "input", &l));
    if (k == 0) layout = l;
    if (l != layout) {
      im.AddUnsupported(n, "Concat of tensors in different layouts");
      return;
    }
  }
  if (inputs.empty()) im.NodeFail(n, ErrorCode::kBadModel, "Concat needs inputs");
  std::int64_t axis = im.AttrInt(n, "axis", std::numeric_limits<std::int64_t>::min());
  if (axis == std::numeric_limits<std::int64_t>::min()) {
    im.NodeFail(n, ErrorCode::kBadModel, "attribute 'axis' is required");
  }
  if (!NormalizeAxis(&axis, im.ShapeOf(inputs[0]).rank)) {
    im.NodeFail(n, ErrorCode::kBadModel, "axis " + std::to_string(axis) + " is out of range");
  }
  OpAttributes a;
  a.axis = OpcostAxis(static_cast<int>(axis), layout);
  im.EmitOutput(n, OpType::kConcat, a, inputs, layout);
}

void MapPad(Importer& im, const OnnxNode& n) {
  Layout layout;
  const TensorId x = im.ActivationIn(n, 0, "data", &layout);
  if (im.AttrString(n, "mode", "constant") != "constant") {
    im.AddUnsupported(n, "Pad mode '" + im.AttrString(n, "mode", "") + "' is not supported");
    return;
  }
  if (im.HasInput(n, 3)) {
    im.AddUnsupported(n, "Pad with axes is not supported");
    return;
  }
  const std::vector<std::int64_t> pads = im.HasInput(n, 1)
                                             ? im.IntValues(n, im.ConstantIn(n, 1, "pads"), "pads")
                                             : im.AttrInts(n, "pads", {});
  const int rank = im.ShapeOf(x).rank;
  if (pads.size() != static_cast<std::size_t>(2 * rank)) {
    im.NodeFail(n, ErrorCode::kBadModel,
                "pads must hold 2 values per dim (got " + DimsText(pads) + " for rank " +
                    std::to_string(rank) + ")");
  }
  if (std::all_of(pads.begin(), pads.end(), [](std::int64_t p) { return p == 0; })) {
    im.Alias(n, 0, im.In(n, 0, "data"));  // torch writes one before AveragePool: a no-op
    return;
  }
  OpAttributes a;
  for (int i = 0; i < rank; ++i) {
    const int onnx_axis = layout == Layout::kNchw ? kNchwToNhwc[i] : i;
    const std::int64_t before = pads[static_cast<std::size_t>(onnx_axis)];
    const std::int64_t after = pads[static_cast<std::size_t>(onnx_axis + rank)];
    if (before < 0 || after < 0) {
      im.AddUnsupported(n, "negative pads (cropping) are not supported");
      return;
    }
    a.paddings[static_cast<std::size_t>(i)] = {before, after};
  }
  im.EmitOutput(n, OpType::kPad, a, {x}, layout);
}

// Reshape-like ops: the ONNX output dims are computed here and become an opcost reshape in the
// output's layout (rank 4: NCHW held as NHWC).
void EmitReshape(Importer& im, const OnnxNode& n, TensorId x,
                 const std::vector<std::int64_t>& out_dims, OpType type = OpType::kReshape) {
  if (out_dims.empty() || out_dims.size() > static_cast<std::size_t>(Shape::kMaxRank)) {
    im.NodeFail(n, ErrorCode::kUnsupportedOp,
                "output shape " + DimsText(out_dims) + " must have rank 1 to 4");
  }
  const Layout layout = LayoutForRank(out_dims.size());
  OpAttributes a;
  a.new_shape = ToOpcostShape(out_dims, layout);
  im.EmitOutput(n, type, a, {x}, layout);
}

std::int64_t Product(const std::vector<std::int64_t>& dims, std::size_t from, std::size_t to) {
  std::int64_t p = 1;
  for (std::size_t i = from; i < to; ++i) p = CheckedMul(p, dims[i]);
  return p;
}

void MapReshape(Importer& im, const OnnxNode& n) {
  const TensorId x = im.ActivationIn(n, 0, "data", nullptr);
  const std::vector<std::int64_t> in = im.OnnxDims(im.In(n, 0, "data"));
  std::vector<std::int64_t> out = im.IntValues(n, im.ConstantIn(n, 1, "shape"), "shape");
  const bool allow_zero = im.AttrInt(n, "allowzero", 0) != 0;
  int unknown = -1;
  std::int64_t known = 1;
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (out[i] == 0 && !allow_zero) {
      if (i >= in.size()) im.NodeFail(n, ErrorCode::kBadModel, "shape copies a missing dim");
      out[i] = in[i];
    }
    if (out[i] == -1 && unknown < 0) {
      unknown = static_cast<int>(i);
      continue;
    }
    if (out[i] < 1) {
      im.NodeFail(n, ErrorCode::kBadModel, "shape " + DimsText(out) + " has a bad dim");
    }
    known = CheckedMul(known, out[i]);
  }
  const std::int64_t total = Product(in, 0, in.size());
  if (unknown >= 0) {
    if (total % known != 0) {
      im.NodeFail(n, ErrorCode::kShapeMismatch,
                  "cannot reshape " + DimsText(in) + " to " + DimsText(out));
    }
    out[static_cast<std::size_t>(unknown)] = total / known;
  }
  EmitReshape(im, n, x, out);
}

void MapFlatten(Importer& im, const OnnxNode& n) {
  const TensorId x = im.ActivationIn(n, 0, "input", nullptr);
  const std::vector<std::int64_t> in = im.OnnxDims(im.In(n, 0, "input"));
  std::int64_t axis = im.AttrInt(n, "axis", 1);
  const auto rank = static_cast<std::int64_t>(in.size());
  if (axis < -rank || axis > rank) im.NodeFail(n, ErrorCode::kBadModel, "axis out of range");
  if (axis < 0) axis += rank;
  const auto split = static_cast<std::size_t>(axis);
  const std::vector<std::int64_t> out = {Product(in, 0, split), Product(in, split, in.size())};
  EmitReshape(im, n, x, out, axis == 1 ? OpType::kFlatten : OpType::kReshape);
}

std::vector<std::int64_t> AxesOf(Importer& im, const OnnxNode& n) {
  if (im.HasInput(n, 1)) return im.IntValues(n, im.ConstantIn(n, 1, "axes"), "axes");
  return im.AttrInts(n, "axes", {});
}

void MapSqueeze(Importer& im, const OnnxNode& n) {
  const TensorId x = im.ActivationIn(n, 0, "data", nullptr);
  const std::vector<std::int64_t> in = im.OnnxDims(im.In(n, 0, "data"));
  std::vector<std::int64_t> axes = AxesOf(im, n);
  for (std::int64_t& axis : axes) {
    if (!NormalizeAxis(&axis, static_cast<std::int64_t>(in.size())) ||
        in[static_cast<std::size_t>(axis)] != 1) {
      im.NodeFail(n, ErrorCode::kBadModel,
                  "axes " + DimsText(axes) + " must name dims of size 1 of " + DimsText(in));
    }
  }
  std::vector<std::int64_t> out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    const bool drop = axes.empty() ? in[i] == 1
                                   : std::find(axes.begin(), axes.end(),
                                               static_cast<std::int64_t>(i)) != axes.end();
    if (!drop) out.push_back(in[i]);
  }
  if (out.empty()) out.push_back(1);
  EmitReshape(im, n, x, out);
}

void MapUnsqueeze(Importer& im, const OnnxNode& n) {
  const TensorId x = im.ActivationIn(n, 0, "data", nullptr);
  const std::vector<std::int64_t> in = im.OnnxDims(im.In(n, 0, "data"));
  std::vector<std::int64_t> axes = AxesOf(im, n);
  const auto rank = static_cast<std::int64_t>(in.size() + axes.size());
  if (rank > Shape::kMaxRank) {
    im.NodeFail(n, ErrorCode::kUnsupportedOp, "output rank " + std::to_string(rank) + " > 4");
  }
  for (std::int64_t& axis : axes) {
    if (!NormalizeAxis(&axis, rank)) im.NodeFail(n, ErrorCode::kBadModel, "axis out of range");
  }
  std::vector<std::int64_t> out;
  std::size_t next = 0;
  for (std::int64_t i = 0; i < rank; ++i) {
    if (std::find(axes.begin(), axes.end(), i) != axes.end()) {
      out.push_back(1);
    } else if (next < in.size()) {
      out.push_back(in[next++]);
    }
  }
  EmitReshape(im, n, x, out);
}

void MapTranspose(Importer& im, const OnnxNode& n) {
  const Value v = im.In(n, 0, "data");
  if (v.is_constant) {
    im.AddUnsupported(n, "Transpose of a constant is not supported");
    return;
  }
  const int rank = im.ShapeOf(v.tensor).rank;
  std::vector<std::int64_t> identity(static_cast<std::size_t>(rank));
  for (int i = 0; i < rank; ++i) identity[static_cast<std::size_t>(i)] = i;
  std::vector<std::int64_t> reverse(identity.rbegin(), identity.rend());
  const std::vector<std::int64_t> perm = im.AttrInts(n, "perm", reverse);
  Value out = v;
  if (perm == identity) {
    im.Alias(n, 0, out);
    return;
  }
  // The two layout changes around opcost's own NHWC: the data already is in the order asked.
  if (rank == 4 && v.layout == Layout::kNchw && perm == std::vector<std::int64_t>{0, 2, 3, 1}) {
    out.layout = Layout::kPlain;
    im.Alias(n, 0, out);
    return;
  }
  if (rank == 4 && v.layout == Layout::kPlain && perm == std::vector<std::int64_t>{0, 3, 1, 2}) {
    out.layout = Layout::kNchw;
    im.Alias(n, 0, out);
    return;
  }
  im.AddUnsupported(n, "Transpose with perm " + DimsText(perm) +
                           " (only NCHW<->NHWC transposes, which vanish, are supported)");
}

void MapIdentity(Importer& im, const OnnxNode& n) {
  for (std::size_t k = 1; k < n.outputs.size(); ++k) {
    if (!n.outputs[k].empty()) {
      im.AddUnsupported(n, "the mask output of Dropout is not supported");
      return;
    }
  }
  im.Alias(n, 0, im.In(n, 0, "input"));
}

NodeId MapConvolutionImpl(Importer& im, const OnnxNode& n, const ConvParts& parts) {
  const TensorId x = NchwInput(im, n, parts.x_index);
  const Shape xs = im.ShapeOf(x);
  const Constant& w = parts.weights;
  if (w.dims.size() != 4) {
    im.NodeFail(n, ErrorCode::kUnsupportedOp,
                "weights " + DimsText(w.dims) +
                    " are not [M, C/group, KH, KW] (2-D convolution "
                    "only)");
  }
  const std::int64_t group = im.AttrInt(n, "group", 1);
  if (group < 1) im.NodeFail(n, ErrorCode::kBadModel, "group must be >= 1");
  const std::int64_t cin = xs[3];
  const std::int64_t m = w.dims[0];
  if (CheckedMul(w.dims[1], group) != cin || m % group != 0) {
    im.NodeFail(n, ErrorCode::kShapeMismatch,
                "weights " + DimsText(w.dims) + " with group " + std::to_string(group) +
                    " do not fit " + std::to_string(cin) + " input channels");
  }
  const std::vector<std::int64_t> kernel = im.AttrInts(n, "kernel_shape", {w.dims[2], w.dims[3]});
  if (kernel != std::vector<std::int64_t>{w.dims[2], w.dims[3]}) {
    im.NodeFail(
        n, ErrorCode::kBadModel,
        "kernel_shape " + DimsText(kernel) + " differs from the weights " + DimsText(w.dims));
  }
  OpAttributes a;
  a.kernel_h = w.dims[2];
  a.kernel_w = w.dims[3];
  ReadStridesAndDilations(im, n, &a);
  ResolvePadding(im, n, xs, {a.kernel_h, a.kernel_w}, &a);
  const bool depthwise = group == cin && group > 1;
  std::vector<int> perm;
  if (depthwise) {  // [C*mult, 1, KH, KW] -> [1, KH, KW, C*mult]
    a.depth_multiplier = m / cin;
    perm = {1, 2, 3, 0};
  } else {  // [M, C/g, KH, KW] -> [M, KH, KW, C/g]
    a.groups = group;
    a.filters = m;
    perm = {0, 2, 3, 1};
  }
  std::vector<TensorId> inputs = {x, im.AddConstantTensor(n, w, perm, "weights")};
  if (parts.bias != nullptr) {
    if (parts.bias->NumElements() != m) {
      im.NodeFail(
          n, ErrorCode::kShapeMismatch,
          "bias " + DimsText(parts.bias->dims) + " must have " + std::to_string(m) + " values");
    }
    Constant b = *parts.bias;
    b.dims = {m};
    inputs.push_back(im.AddConstantTensor(n, b, {}, "bias"));
  }
  return im.EmitOutput(n, depthwise ? OpType::kDepthwiseConv2D : OpType::kConv2D, a, inputs,
                       Layout::kNchw);
}

NodeId MapDenseImpl(Importer& im, const OnnxNode& n, const DenseParts& parts) {
  Layout layout;
  const TensorId x = im.ActivationIn(n, parts.x_index, "A", &layout);
  const std::vector<std::int64_t> in = im.OnnxDims(im.In(n, parts.x_index, "A"));
  const Constant& w = parts.weights;
  if (w.dims.size() != 2) {
    im.AddUnsupported(n, "weights " + DimsText(w.dims) + " are not rank 2");
    return kNoNode;
  }
  const std::int64_t k = parts.weights_transposed ? w.dims[1] : w.dims[0];
  const std::int64_t units = parts.weights_transposed ? w.dims[0] : w.dims[1];
  if (in.empty() || in.back() != k) {
    im.NodeFail(n, ErrorCode::kShapeMismatch,
                "input " + DimsText(in) + " does not end in the weights' " + std::to_string(k) +
                    " input features (weights " + DimsText(w.dims) + ")");
  }
  if (layout == Layout::kNchw) {
    im.AddUnsupported(n, "a product over the last axis of an NCHW tensor is not supported");
    return kNoNode;
  }
  // opcost's fully_connected weights are [units, in_features].
  std::vector<TensorId> inputs = {
      x,
      im.AddConstantTensor(
          n, w, parts.weights_transposed ? std::vector<int>{} : std::vector<int>{1, 0}, "weights")};
  if (parts.bias != nullptr) {
    if (parts.bias->NumElements() != units) {
      im.AddUnsupported(n, "bias " + DimsText(parts.bias->dims) + " is not one value per unit");
      return kNoNode;
    }
    Constant b = *parts.bias;
    b.dims = {units};
    b.quant.axis = 0;
    inputs.push_back(im.AddConstantTensor(n, b, {}, "bias"));
  }
  OpAttributes a;
  a.units = units;
  if (in.size() <= 2) return im.EmitOutput(n, OpType::kFullyConnected, a, inputs, Layout::kPlain);
  // Rank > 2: opcost's fc gives [rows, units]; a reshape restores ONNX's [..., units].
  const TensorId rows = im.NewActivation(n.outputs.empty() ? "" : n.outputs[0] + "/rows");
  const NodeId fc = im.Emit(n, "", OpType::kFullyConnected, a, inputs, rows);
  std::vector<std::int64_t> out = in;
  out.back() = units;
  OpAttributes r;
  r.new_shape = ToOpcostShape(out, LayoutForRank(out.size()));
  const TensorId result = im.NewActivation(n.outputs[0]);
  im.Emit(n, "/reshape", OpType::kReshape, r, {rows}, result);
  im.Bind(n.outputs[0], result, LayoutForRank(out.size()));
  return fc;
}

// Multiplies the conv's weights by scale per output channel and sets bias = bias * scale +
// offset (a new bias if it had none). Without values (external data) only shapes change.
void FoldBatchNorm(Importer& im, const OnnxNode& n, NodeId conv_id, const std::vector<float>* scale,
                   const std::vector<float>* offset) {
  Graph& g = im.graph();
  const bool depthwise = g.node(conv_id).type == OpType::kDepthwiseConv2D;
  const TensorId wid = g.node(conv_id).inputs[1];
  {
    Tensor& w = g.mutable_tensor(wid);
    const std::int64_t m = depthwise ? w.shape[3] : w.shape[0];
    if (scale == nullptr || w.data.empty()) {
      w.data.clear();
    } else {
      const std::size_t count = w.data.size() / 4;
      const auto channels = static_cast<std::size_t>(m);
      const std::size_t block = count / channels;
      std::vector<float> v(count);
      std::memcpy(v.data(), w.data.data(), w.data.size());
      for (std::size_t i = 0; i < count; ++i) {
        const std::size_t channel = depthwise ? i % channels : i / block;
        v[i] *= (*scale)[channel];
      }
      std::memcpy(w.data.data(), v.data(), w.data.size());
    }
  }
  const std::int64_t m = depthwise ? g.tensor(wid).shape[3] : g.tensor(wid).shape[0];
  if (g.node(conv_id).inputs.size() > 2) {
    Tensor& b = g.mutable_tensor(g.node(conv_id).inputs[2]);
    if (scale == nullptr || b.data.empty() || b.dtype != DataType::kFloat32) {
      b.data.clear();
    } else {
      std::vector<float> v(static_cast<std::size_t>(m));
      std::memcpy(v.data(), b.data.data(), b.data.size());
      for (std::size_t c = 0; c < v.size(); ++c) v[c] = v[c] * (*scale)[c] + (*offset)[c];
      std::memcpy(b.data.data(), v.data(), b.data.size());
    }
  } else {
    Constant b;
    b.name = g.node(conv_id).name + "/bias";
    b.dims = {m};
    b.onnx_type = kOnnxFloat;
    b.has_data = offset != nullptr;
    if (offset != nullptr) {
      b.owned.resize(offset->size() * 4);
      std::memcpy(b.owned.data(), offset->data(), b.owned.size());
    }
    const TensorId bias = im.AddConstantTensor(n, b, {}, "bias");
    g.mutable_node(conv_id).inputs.push_back(bias);
  }
  InferNodeShapes(g, conv_id);
}

// Per channel: scale = gamma / sqrt(var + epsilon), offset = beta - mean * scale.
void BatchNormFactors(Importer& im, const OnnxNode& n, const Constant* const p[4], float epsilon,
                      std::vector<float>* scale, std::vector<float>* offset) {
  const std::vector<float> g = im.FloatValues(n, *p[0], "scale");
  const std::vector<float> b = im.FloatValues(n, *p[1], "B");
  const std::vector<float> mean = im.FloatValues(n, *p[2], "input_mean");
  const std::vector<float> var = im.FloatValues(n, *p[3], "input_var");
  for (std::size_t c = 0; c < g.size(); ++c) {
    scale->push_back(g[c] / std::sqrt(var[c] + epsilon));
    offset->push_back(b[c] - mean[c] * scale->back());
  }
}

// Folds the batch norm into the producer of `x` if that is a float conv without activation
// whose output only this node reads; returns whether it did.
bool TryFoldIntoConv(Importer& im, const OnnxNode& n, TensorId x, const std::vector<float>* scale,
                     const std::vector<float>* offset) {
  const NodeId producer = im.SoleProducer(x);
  if (producer == kNoNode) return false;
  Graph& g = im.graph();
  Node& conv = g.mutable_node(producer);
  const bool is_conv = conv.type == OpType::kConv2D || conv.type == OpType::kDepthwiseConv2D;
  const Tensor& w = g.tensor(conv.inputs[1]);
  if (is_conv && conv.attrs.activation == Activation::kNone && w.dtype == DataType::kFloat32) {
    FoldBatchNorm(im, n, producer, scale, offset);
    im.Alias(n, 0, im.In(n, 0, "X"));
    return true;
  }
  return false;
}

// A batch_norm node reading `x` and the per-channel scale and offset as constants.
void EmitBatchNorm(Importer& im, const OnnxNode& n, TensorId x, Layout layout, bool have_data,
                   const std::vector<float>& scale, const std::vector<float>& offset) {
  Constant s, o;
  s.name = (n.name.empty() ? n.outputs[0] : n.name) + "/scale";
  o.name = (n.name.empty() ? n.outputs[0] : n.name) + "/offset";
  for (Constant* c : {&s, &o}) {
    c->dims = {im.ShapeOf(x).Channels()};
    c->onnx_type = kOnnxFloat;
    c->has_data = have_data;
  }
  if (have_data) {
    s.owned.resize(scale.size() * 4);
    o.owned.resize(offset.size() * 4);
    std::memcpy(s.owned.data(), scale.data(), s.owned.size());
    std::memcpy(o.owned.data(), offset.data(), o.owned.size());
  }
  const TensorId ts = im.AddConstantTensor(n, s, {}, "scale");
  const TensorId to = im.AddConstantTensor(n, o, {}, "offset");
  im.EmitOutput(n, OpType::kBatchNorm, {}, {x, ts, to}, layout);
}

// BatchNormalization: folded into the conv before it when that conv's output feeds only it
// (what deployment converters do), else a batch_norm node with scale and offset per channel.
void MapBatchNorm(Importer& im, const OnnxNode& n) {
  Layout layout;
  const TensorId x = im.ActivationIn(n, 0, "X", &layout);
  if (im.AttrInt(n, "training_mode", 0) != 0) {
    im.AddUnsupported(n, "BatchNormalization in training mode is not supported");
    return;
  }
  const Constant* p[4];
  const char* names[4] = {"scale", "B", "input_mean", "input_var"};
  const Shape& xs = im.ShapeOf(x);
  for (int i = 0; i < 4; ++i) {
    p[i] = &im.ConstantIn(n, static_cast<std::size_t>(i + 1), names[i]);
    if (p[i]->NumElements() != xs.Channels() || p[i]->onnx_type != kOnnxFloat) {
      im.NodeFail(n, ErrorCode::kBadModel,
                  std::string(names[i]) + " must be FLOAT [" + std::to_string(xs.Channels()) +
                      "] (got " + OnnxTypeName(p[i]->onnx_type) + " " + DimsText(p[i]->dims) + ")");
    }
  }
  if (layout != Layout::kNchw && xs.rank != 2) {
    im.AddUnsupported(n, "BatchNormalization over a rank-" + std::to_string(xs.rank) + " tensor");
    return;
  }
  const float epsilon = im.AttrFloat(n, "epsilon", 1e-5f);
  const bool have_data = p[0]->has_data && p[1]->has_data && p[2]->has_data && p[3]->has_data;
  std::vector<float> scale, offset;
  if (have_data) BatchNormFactors(im, n, p, epsilon, &scale, &offset);
  if (TryFoldIntoConv(im, n, x, have_data ? &scale : nullptr, have_data ? &offset : nullptr)) {
    return;
  }
  EmitBatchNorm(im, n, x, layout, have_data, scale, offset);
}

void MapConstant(Importer& im, const OnnxNode& n) {
  const OnnxAttribute* value = im.Attr(n, "value");
  if (value == nullptr || value->tensors.size() != 1) {
    im.AddUnsupported(n, "Constant is supported with a 'value' tensor only");
    return;
  }
  Constant c = im.ConstantFromNodeTensor(n, value->tensors[0]);
  c.name = n.outputs.empty() ? n.name : n.outputs[0];
  if (n.outputs.empty() || n.outputs[0].empty()) im.NodeFail(n, ErrorCode::kBadModel, "no output");
  im.BindConstant(n.outputs[0], std::move(c));
}

constexpr OnnxOpRule kRules[] = {
    {"Conv", MapConv},
    {"Gemm", MapGemm},
    {"MatMul", MapMatMul},
    {"Relu", MapRelu},
    {"Clip", MapClip},
    {"Sigmoid", MapSigmoid},
    {"Tanh", MapTanh},
    {"HardSwish", MapHardSwish},
    {"HardSigmoid", MapHardSigmoid},
    {"Softmax", MapSoftmax},
    {"MaxPool", MapMaxPool},
    {"AveragePool", MapAveragePool},
    {"GlobalAveragePool", MapGlobalAveragePool},
    {"ReduceMean", MapReduceMean},
    {"Add", MapAdd},
    {"Mul", MapMul},
    {"Concat", MapConcat},
    {"Reshape", MapReshape},
    {"Flatten", MapFlatten},
    {"Transpose", MapTranspose},
    {"Squeeze", MapSqueeze},
    {"Unsqueeze", MapUnsqueeze},
    {"Pad", MapPad},
    {"BatchNormalization", MapBatchNorm},
    {"Identity", MapIdentity},
    {"Dropout", MapIdentity},
    {"Constant", MapConstant},
    {"QuantizeLinear", MapQuantizeLinear},
    {"DequantizeLinear", MapDequantizeLinear},
    {"QLinearConv", MapQLinearConv},
    {"QLinearMatMul", MapQLinearMatMul},
    {"QLinearAdd", MapQLinearAdd},
    {"ConvInteger", MapConvInteger},
    {"MatMulInteger", MapMatMulInteger},
};

}  // namespace

NodeId MapConvolution(Importer& im, const OnnxNode& n, const ConvParts& parts) {
  return MapConvolutionImpl(im, n, parts);
}

NodeId MapDense(Importer& im, const OnnxNode& n, const DenseParts& parts) {
  return MapDenseImpl(im, n, parts);
}

const OnnxOpRule* FindOnnxOpRule(const std::string& op_type) {
  for (const OnnxOpRule& rule : kRules) {
    if (op_type == rule.op_type) return &rule;
  }
  return nullptr;
}

}  // namespace opcost::onnx
