// RunInt8: maps each graph node onto a reference kernel, computing the kernel parameters from
// the tensors' quantization exactly as TFLite's Prepare functions do.
#include "opcost/interpreter.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <utility>

#include "opcost/error.h"
#include "opcost/kernels/activation.h"
#include "opcost/kernels/check.h"
#include "opcost/kernels/conv.h"
#include "opcost/kernels/depthwise_conv.h"
#include "opcost/kernels/elementwise.h"
#include "opcost/kernels/fully_connected.h"
#include "opcost/kernels/pooling.h"
#include "opcost/kernels/requantize.h"
#include "opcost/kernels/softmax.h"

namespace opcost {
namespace {

using kernels::AsSpan;
using kernels::Span;
using kernels::ThrowIfError;

struct QuantParams {
  double scale = 1.0;
  std::int32_t zero_point = 0;
};

// Everything one node needs: its context string for errors and the activation buffers.
class NodeRunner {
 public:
  NodeRunner(const Graph& g, NodeId id, std::vector<std::vector<std::int8_t>>* acts)
      : g_(g), node_(g.node(id)), acts_(*acts) {
    ctx_ = std::string("cannot run ") + OpTypeName(node_.type) + " node '" + node_.name + "' (#" +
           std::to_string(id) + ")";
  }

  [[noreturn]] void Fail(ErrorCode code, const std::string& rule) const {
    throw Error(code, ctx_ + ": " + rule);
  }
  const std::string& ctx() const { return ctx_; }

  const Tensor& In(std::size_t i) const {
    if (i >= node_.inputs.size()) {
      Fail(ErrorCode::kInvalidArgument, "needs input #" + std::to_string(i) + " (got " +
                                            std::to_string(node_.inputs.size()) + " inputs)");
    }
    return g_.tensor(node_.inputs[i]);
  }
  bool HasIn(std::size_t i) const { return i < node_.inputs.size(); }
  const Tensor& Out() const { return g_.tensor(node_.outputs.at(0)); }

  // The quantization of an int8 activation: one scale (finite, > 0) and one zero point.
  QuantParams ActQuant(const Tensor& t) const {
    if (t.dtype != DataType::kInt8) {
      Fail(ErrorCode::kInvalidArgument,
           "tensor '" + t.name + "' must be int8 (got " + DataTypeName(t.dtype) + ")");
    }
    const Quantization& q = t.quantization;
    if (q.scales.size() != 1 || q.zero_points.size() != 1) {
      Fail(ErrorCode::kInvalidArgument, "tensor '" + t.name +
                                            "' needs one scale and one zero point (got " +
                                            std::to_string(q.scales.size()) + " and " +
                                            std::to_string(q.zero_points.size()) + ")");
    }
    CheckScale(t, q.scales[0]);
    if (q.zero_points[0] < -128 || q.zero_points[0] > 127) {
      Fail(ErrorCode::kInvalidArgument, "tensor '" + t.name +
                                            "' zero point must be in [-128, 127] (got " +
                                            std::to_string(q.zero_points[0]) + ")");
    }
    return QuantParams{static_cast<double>(q.scales[0]),
                       static_cast<std::int32_t>(q.zero_points[0])};
  }

  void CheckScale(const Tensor& t, float scale) const {
    if (!(scale > 0.0f) || !std::isfinite(scale)) {
      Fail(ErrorCode::kInvalidArgument, "tensor '" + t.name +
                                            "' scale must be finite and > 0 (got " +
                                            std::to_string(scale) + ")");
    }
  }

  // The buffer of an activation input (graph input or produced earlier).
  Span<const std::int8_t> ActData(const Tensor& t, TensorId id) const {
    const auto& buf = acts_[static_cast<std::size_t>(id)];
    if (t.is_constant) Fail(ErrorCode::kInvalidArgument, "input '" + t.name + "' is a constant");
    return AsSpan(buf);
  }
  Span<const std::int8_t> InData(std::size_t i) const { return ActData(In(i), node_.inputs[i]); }

  // The output buffer, sized from the output's inferred shape.
  Span<std::int8_t> OutData() {
    const Tensor& t = Out();
    ActQuant(t);
    auto& buf = acts_[static_cast<std::size_t>(node_.outputs.at(0))];
    buf.assign(static_cast<std::size_t>(t.shape.NumElements()), 0);
    return AsSpan(buf);
  }

  // int8 constant data with exactly `count` elements.
  Span<const std::int8_t> Int8Const(const Tensor& t, std::int64_t count) const {
    if (!t.is_constant || t.dtype != DataType::kInt8) {
      Fail(ErrorCode::kInvalidArgument, "'" + t.name + "' must be an int8 constant");
    }
    if (static_cast<std::int64_t>(t.data.size()) != count) {
      Fail(ErrorCode::kInvalidArgument, "constant '" + t.name + "' must hold " +
                                            std::to_string(count) + " bytes of data (got " +
                                            std::to_string(t.data.size()) + ")");
    }
    return Span<const std::int8_t>(reinterpret_cast<const std::int8_t*>(t.data.data()), count);
  }

  // int32 little-endian constant data with exactly `count` elements.
  std::vector<std::int32_t> Int32Const(const Tensor& t, std::int64_t count) const {
    if (!t.is_constant || t.dtype != DataType::kInt32) {
      Fail(ErrorCode::kInvalidArgument, "'" + t.name + "' must be an int32 constant");
    }
    if (static_cast<std::int64_t>(t.data.size()) != 4 * count) {
      Fail(ErrorCode::kInvalidArgument, "constant '" + t.name + "' must hold " +
                                            std::to_string(4 * count) + " bytes of data (got " +
                                            std::to_string(t.data.size()) + ")");
    }
    std::vector<std::int32_t> out(static_cast<std::size_t>(count));
    for (std::size_t i = 0; i < out.size(); ++i) {
      const std::uint32_t u = static_cast<std::uint32_t>(t.data[4 * i]) |
                              static_cast<std::uint32_t>(t.data[4 * i + 1]) << 8 |
                              static_cast<std::uint32_t>(t.data[4 * i + 2]) << 16 |
                              static_cast<std::uint32_t>(t.data[4 * i + 3]) << 24;
      out[i] = static_cast<std::int32_t>(u);
    }
    return out;
  }

  std::vector<std::int32_t> Bias(std::size_t index, std::int64_t channels) const {
    if (!HasIn(index)) return {};
    return Int32Const(In(index), channels);
  }

  // Per-channel (or per-tensor) requantization of a weighted op: explicit factors from the
  // weights' Quantization, or input_scale * weight_scale[c] / output_scale in double.
  void Requant(const Tensor& weights, double input_scale, double output_scale,
               std::int64_t channels, std::vector<std::int32_t>* mults,
               std::vector<std::int32_t>* shifts) const {
    const Quantization& q = weights.quantization;
    if (!q.multipliers.empty() || !q.shifts.empty()) {
      *mults = q.multipliers;
      *shifts = q.shifts;
      return;  // lengths and shift ranges are checked by the kernel
    }
    const auto n = static_cast<std::int64_t>(q.scales.size());
    if (n != 1 && n != channels) {
      Fail(ErrorCode::kInvalidArgument,
           "weights '" + weights.name + "' need 1 scale or one per output channel (got " +
               std::to_string(n) + ", need " + std::to_string(channels) + ")");
    }
    mults->resize(static_cast<std::size_t>(n));
    shifts->resize(static_cast<std::size_t>(n));
    for (std::size_t c = 0; c < static_cast<std::size_t>(n); ++c) {
      CheckScale(weights, q.scales[c]);
      const double real = input_scale * static_cast<double>(q.scales[c]) / output_scale;
      int shift = 0;
      ThrowIfError(kernels::QuantizeMultiplier(real, &(*mults)[c], &shift),
                   ctx_ + ": channel " + std::to_string(c) + " requantization");
      (*shifts)[c] = shift;
    }
  }

  // Weight zero points: all 0 (conv, depthwise), or one per tensor for fully_connected.
  std::int32_t WeightOffset(const Tensor& weights, bool allow_nonzero) const {
    const auto& zps = weights.quantization.zero_points;
    if (zps.empty()) return 0;
    for (std::int64_t zp : zps) {
      if (zp != 0 && (!allow_nonzero || zps.size() != 1)) {
        Fail(ErrorCode::kInvalidArgument, "weights '" + weights.name +
                                              "' must have zero point 0 (got " +
                                              std::to_string(zp) + ")");
      }
    }
    return static_cast<std::int32_t>(-zps[0]);
  }

  // TFLite's CalculateActivationRangeQuantized for a fused activation.
  void ActivationRange(Activation act, const QuantParams& out, std::int32_t* lo,
                       std::int32_t* hi) const {
    auto quantize = [&](float f) {
      return out.zero_point +
             static_cast<std::int32_t>(std::round(f / static_cast<float>(out.scale)));
    };
    *lo = -128;
    *hi = 127;
    switch (act) {
      case Activation::kNone:
        return;
      case Activation::kRelu:
        *lo = std::max(*lo, quantize(0.0f));
        return;
      case Activation::kRelu6:
        *lo = std::max(*lo, quantize(0.0f));
        *hi = std::min(*hi, quantize(6.0f));
        return;
      case Activation::kReluN1To1:
        *lo = std::max(*lo, quantize(-1.0f));
        *hi = std::min(*hi, quantize(1.0f));
        return;
      default:
        Fail(ErrorCode::kUnsupportedOp, std::string("fused activation '") + ActivationName(act) +
                                            "' is not supported in int8");
    }
  }

  const Node& node() const { return node_; }

 private:
  const Graph& g_;
  const Node& node_;
  std::vector<std::vector<std::int8_t>>& acts_;
  std::string ctx_;
};

std::int32_t I32(std::int64_t v) { return static_cast<std::int32_t>(v); }

// TFLite's padding: SAME pads (out - 1) * stride + effective filter - in in total, the smaller
// half before; VALID none; explicit as given.
std::int64_t LeadingPad(Padding padding, std::int64_t explicit_pad, std::int64_t in,
                        std::int64_t out, std::int64_t stride, std::int64_t filter,
                        std::int64_t dilation) {
  if (padding == Padding::kValid) return 0;
  if (padding == Padding::kExplicit) return explicit_pad;
  const std::int64_t effective = (filter - 1) * dilation + 1;
  const std::int64_t total = std::max<std::int64_t>((out - 1) * stride + effective - in, 0);
  return total / 2;
}

void RunConv(NodeRunner& r, bool depthwise) {
  const Node& n = r.node();
  const OpAttributes& a = n.attrs;
  const Tensor& x = r.In(0);
  const Tensor& w = r.In(1);
  const Tensor& y = r.Out();
  const QuantParams qx = r.ActQuant(x), qy = r.ActQuant(y);
  if (x.shape.rank != 4 || y.shape.rank != 4 || w.shape.rank != 4) {
    r.Fail(ErrorCode::kShapeMismatch, "input, weights and output must be rank 4 (NHWC)");
  }
  const std::int64_t out_ch = y.shape[3];
  kernels::ConvParams p;
  p.input_offset = -qx.zero_point;
  p.filter_offset = r.WeightOffset(w, false);
  p.output_offset = qy.zero_point;
  p.stride_h = I32(a.stride_h);
  p.stride_w = I32(a.stride_w);
  p.dilation_h = I32(a.dilation_h);
  p.dilation_w = I32(a.dilation_w);
  p.pad_h = I32(LeadingPad(a.padding, a.pad_top, x.shape[1], y.shape[1], a.stride_h, w.shape[1],
                           a.dilation_h));
  p.pad_w = I32(LeadingPad(a.padding, a.pad_left, x.shape[2], y.shape[2], a.stride_w, w.shape[2],
                           a.dilation_w));
  r.ActivationRange(a.activation, qy, &p.activation_min, &p.activation_max);
  std::vector<std::int32_t> mults, shifts;
  r.Requant(w, qx.scale, qy.scale, out_ch, &mults, &shifts);
  const std::vector<std::int32_t> bias = r.Bias(2, out_ch);
  const kernels::Requantization rq{AsSpan(mults), AsSpan(shifts)};
  const auto weights = r.Int8Const(w, w.shape.NumElements());
  const auto input = r.InData(0);
  auto output = r.OutData();
  if (depthwise) {
    kernels::DepthwiseConvDims d;
    d.batches = x.shape[0];
    d.input_h = x.shape[1];
    d.input_w = x.shape[2];
    d.input_ch = x.shape[3];
    d.filter_h = w.shape[1];
    d.filter_w = w.shape[2];
    d.depth_multiplier = x.shape[3] > 0 ? out_ch / x.shape[3] : 0;
    d.output_h = y.shape[1];
    d.output_w = y.shape[2];
    if (w.shape[0] != 1 || w.shape[3] != out_ch || d.output_ch() != out_ch) {
      r.Fail(ErrorCode::kShapeMismatch, "depthwise weights must be [1, KH, KW, C * mult] (got " +
                                            w.shape.ToString() + " for output " +
                                            y.shape.ToString() + ")");
    }
    ThrowIfError(kernels::DepthwiseConvInt8(p, d, input, weights, AsSpan(bias), rq, output),
                 r.ctx());
  } else {
    kernels::ConvDims d;
    d.batches = x.shape[0];
    d.input_h = x.shape[1];
    d.input_w = x.shape[2];
    d.input_ch = x.shape[3];
    d.filter_h = w.shape[1];
    d.filter_w = w.shape[2];
    d.filter_ch = w.shape[3];
    d.output_h = y.shape[1];
    d.output_w = y.shape[2];
    d.output_ch = out_ch;
    if (w.shape[0] != out_ch) {
      r.Fail(ErrorCode::kShapeMismatch, "weights dim 0 must equal output channels (got " +
                                            w.shape.ToString() + " for output " +
                                            y.shape.ToString() + ")");
    }
    ThrowIfError(kernels::ConvInt8(p, d, input, weights, AsSpan(bias), rq, output), r.ctx());
  }
}

void RunFullyConnected(NodeRunner& r) {
  const Tensor& x = r.In(0);
  const Tensor& w = r.In(1);
  const Tensor& y = r.Out();
  const QuantParams qx = r.ActQuant(x), qy = r.ActQuant(y);
  if (w.shape.rank != 2) r.Fail(ErrorCode::kShapeMismatch, "weights must be [units, in_features]");
  kernels::FullyConnectedDims d;
  d.output_ch = w.shape[0];
  d.accum_depth = w.shape[1];
  const std::int64_t in_elems = x.shape.NumElements();
  if (d.accum_depth <= 0 || in_elems % d.accum_depth != 0) {
    r.Fail(ErrorCode::kShapeMismatch, "input elements must be a multiple of in_features (got " +
                                          std::to_string(in_elems) + " and " +
                                          std::to_string(d.accum_depth) + ")");
  }
  d.batches = in_elems / d.accum_depth;
  kernels::FullyConnectedParams p;
  p.input_offset = -qx.zero_point;
  p.filter_offset = r.WeightOffset(w, true);
  p.output_offset = qy.zero_point;
  r.ActivationRange(r.node().attrs.activation, qy, &p.activation_min, &p.activation_max);
  std::vector<std::int32_t> mults, shifts;
  r.Requant(w, qx.scale, qy.scale, d.output_ch, &mults, &shifts);
  const std::vector<std::int32_t> bias = r.Bias(2, d.output_ch);
  const auto weights = r.Int8Const(w, w.shape.NumElements());
  const auto input = r.InData(0);
  auto output = r.OutData();
  ThrowIfError(
      kernels::FullyConnectedInt8(p, d, input, weights, AsSpan(bias),
                                  kernels::Requantization{AsSpan(mults), AsSpan(shifts)}, output),
      r.ctx());
}

void RequireSameQuant(NodeRunner& r, const QuantParams& a, const QuantParams& b) {
  if (a.scale != b.scale || a.zero_point != b.zero_point) {
    r.Fail(ErrorCode::kUnsupportedOp,
           "input and output quantization must be equal (got scale " + std::to_string(a.scale) +
               " zp " + std::to_string(a.zero_point) + " vs scale " + std::to_string(b.scale) +
               " zp " + std::to_string(b.zero_point) + ")");
  }
}

enum class PoolKind { kMax, kAverage, kGlobalAverage };

void RunPool(NodeRunner& r, PoolKind kind) {
  const OpAttributes& a = r.node().attrs;
  const Tensor& x = r.In(0);
  const Tensor& y = r.Out();
  const QuantParams qx = r.ActQuant(x), qy = r.ActQuant(y);
  RequireSameQuant(r, qx, qy);
  if (x.shape.rank != 4) r.Fail(ErrorCode::kShapeMismatch, "input must be rank 4 (NHWC)");
  kernels::PoolDims d;
  d.batches = x.shape[0];
  d.input_h = x.shape[1];
  d.input_w = x.shape[2];
  d.channels = x.shape[3];
  kernels::PoolParams p;
  if (kind == PoolKind::kGlobalAverage) {
    d.filter_h = d.input_h;
    d.filter_w = d.input_w;
  } else {
    if (y.shape.rank != 4) r.Fail(ErrorCode::kShapeMismatch, "output must be rank 4 (NHWC)");
    d.filter_h = a.kernel_h;
    d.filter_w = a.kernel_w;
    d.output_h = y.shape[1];
    d.output_w = y.shape[2];
    p.stride_h = I32(a.stride_h);
    p.stride_w = I32(a.stride_w);
    p.pad_h =
        I32(LeadingPad(a.padding, a.pad_top, d.input_h, d.output_h, a.stride_h, a.kernel_h, 1));
    p.pad_w =
        I32(LeadingPad(a.padding, a.pad_left, d.input_w, d.output_w, a.stride_w, a.kernel_w, 1));
  }
  r.ActivationRange(a.activation, qy, &p.activation_min, &p.activation_max);
  const auto input = r.InData(0);
  auto output = r.OutData();
  if (kind == PoolKind::kMax) {
    ThrowIfError(kernels::MaxPoolInt8(p, d, input, output), r.ctx());
  } else {
    ThrowIfError(kernels::AvgPoolInt8(p, d, input, output), r.ctx());
  }
}

void RunSoftmax(NodeRunner& r) {
  const Tensor& x = r.In(0);
  const Tensor& y = r.Out();
  const QuantParams qx = r.ActQuant(x), qy = r.ActQuant(y);
  if (qy.scale != 1.0 / 256 || qy.zero_point != -128) {
    r.Fail(ErrorCode::kUnsupportedOp,
           "int8 softmax output must have scale 1/256 and zero point "
           "-128 (got " +
               std::to_string(qy.scale) + ", " + std::to_string(qy.zero_point) + ")");
  }
  // TFLite's PreprocessSoftmaxScaling (beta = 1, 5 integer bits) and CalculateInputRadius.
  const double real = std::min(qx.scale * static_cast<double>(std::int64_t{1} << 26), 2147483647.0);
  kernels::SoftmaxParams p;
  int shift = 0;
  ThrowIfError(kernels::QuantizeMultiplier(real, &p.input_multiplier, &shift),
               r.ctx() + ": input scaling");
  if (shift < 0) {
    r.Fail(ErrorCode::kUnsupportedOp,
           "input scale too small for int8 softmax (got " + std::to_string(qx.scale) + ")");
  }
  p.input_left_shift = shift;
  const double radius = 31.0 * static_cast<double>(std::int64_t{1} << 26) /
                        static_cast<double>(std::int64_t{1} << shift);
  p.diff_min = -static_cast<std::int32_t>(std::floor(radius));
  const std::int64_t row_size = x.shape.Channels();
  const std::int64_t rows = row_size > 0 ? x.shape.NumElements() / row_size : 0;
  const auto input = r.InData(0);
  auto output = r.OutData();
  ThrowIfError(kernels::SoftmaxInt8(p, rows, row_size, input, output), r.ctx());
}

// The fields AddParams and MulParams share: the three zero points and the activation range.
template <typename Params>
void SetElementwiseQuant(const QuantParams& qa, const QuantParams& qb, const QuantParams& qy,
                         std::int32_t act_min, std::int32_t act_max, Params* p) {
  p->input1_offset = -qa.zero_point;
  p->input2_offset = -qb.zero_point;
  p->output_offset = qy.zero_point;
  p->activation_min = act_min;
  p->activation_max = act_max;
}

void RunElementwise(NodeRunner& r, bool add) {
  const Tensor& a = r.In(0);
  const Tensor& b = r.In(1);
  const Tensor& y = r.Out();
  if (a.shape != b.shape || a.shape != y.shape) {
    r.Fail(ErrorCode::kUnsupportedOp, "int8 add/mul needs equal shapes, no broadcasting (got " +
                                          a.shape.ToString() + ", " + b.shape.ToString() + ")");
  }
  const QuantParams qa = r.ActQuant(a), qb = r.ActQuant(b), qy = r.ActQuant(y);
  const auto in1 = r.InData(0);
  const auto in2 = r.InData(1);
  std::int32_t act_min = 0, act_max = 0;
  r.ActivationRange(r.node().attrs.activation, qy, &act_min, &act_max);
  if (add) {
    // TFLite's int8 ADD Prepare: both inputs scaled to twice the larger input scale, with 20
    // bits of headroom.
    kernels::AddParams p;
    p.left_shift = 20;
    const double twice_max = 2.0 * std::max(qa.scale, qb.scale);
    int s1 = 0, s2 = 0, so = 0;
    ThrowIfError(kernels::QuantizeMultiplier(qa.scale / twice_max, &p.input1_multiplier, &s1),
                 r.ctx());
    ThrowIfError(kernels::QuantizeMultiplier(qb.scale / twice_max, &p.input2_multiplier, &s2),
                 r.ctx());
    ThrowIfError(
        kernels::QuantizeMultiplier(twice_max / (static_cast<double>(1 << p.left_shift) * qy.scale),
                                    &p.output_multiplier, &so),
        r.ctx());
    p.input1_shift = s1;
    p.input2_shift = s2;
    p.output_shift = so;
    SetElementwiseQuant(qa, qb, qy, act_min, act_max, &p);
    auto output = r.OutData();
    ThrowIfError(kernels::AddInt8(p, in1, in2, output), r.ctx());
  } else {
    kernels::MulParams p;
    int so = 0;
    ThrowIfError(
        kernels::QuantizeMultiplier(qa.scale * qb.scale / qy.scale, &p.output_multiplier, &so),
        r.ctx());
    p.output_shift = so;
    SetElementwiseQuant(qa, qb, qy, act_min, act_max, &p);
    auto output = r.OutData();
    ThrowIfError(kernels::MulInt8(p, in1, in2, output), r.ctx());
  }
}

// For an op whose output has the input's elements and quantization: checks both, returns the
// input and output buffers.
std::pair<Span<const std::int8_t>, Span<std::int8_t>> SameSizeBuffers(NodeRunner& r) {
  const Tensor& x = r.In(0);
  const Tensor& y = r.Out();
  const QuantParams qx = r.ActQuant(x), qy = r.ActQuant(y);
  RequireSameQuant(r, qx, qy);
  const auto input = r.InData(0);
  auto output = r.OutData();
  if (input.size != output.size) {
    r.Fail(ErrorCode::kShapeMismatch, "output must have as many elements as the input");
  }
  return {input, output};
}

// reshape and flatten: the data is unchanged.
void RunCopy(NodeRunner& r) {
  const auto [input, output] = SameSizeBuffers(r);
  std::copy(input.data, input.data + input.size, output.data);
}

void RunClamp(NodeRunner& r, Activation act) {
  const auto [input, output] = SameSizeBuffers(r);
  std::int32_t lo = 0, hi = 0;
  r.ActivationRange(act, r.ActQuant(r.Out()), &lo, &hi);
  ThrowIfError(kernels::ClampInt8(lo, hi, input, output), r.ctx());
}

void RunConv2D(NodeRunner& r) { RunConv(r, /*depthwise=*/false); }
void RunDepthwiseConv2D(NodeRunner& r) { RunConv(r, /*depthwise=*/true); }
void RunMaxPool(NodeRunner& r) { RunPool(r, PoolKind::kMax); }
void RunAvgPool(NodeRunner& r) { RunPool(r, PoolKind::kAverage); }
void RunGlobalAvgPool(NodeRunner& r) { RunPool(r, PoolKind::kGlobalAverage); }
void RunRelu(NodeRunner& r) { RunClamp(r, Activation::kRelu); }
void RunRelu6(NodeRunner& r) { RunClamp(r, Activation::kRelu6); }
void RunAdd(NodeRunner& r) { RunElementwise(r, /*add=*/true); }
void RunMul(NodeRunner& r) { RunElementwise(r, /*add=*/false); }

// The int8 kernel of each op type, indexed by OpType; nullptr: no int8 kernel.
struct Int8Kernel {
  OpType type;
  void (*run)(NodeRunner& r);
};
constexpr Int8Kernel kInt8Kernels[] = {
    {OpType::kConv2D, RunConv2D},
    {OpType::kDepthwiseConv2D, RunDepthwiseConv2D},
    {OpType::kFullyConnected, RunFullyConnected},
    {OpType::kMaxPool, RunMaxPool},
    {OpType::kAvgPool, RunAvgPool},
    {OpType::kGlobalAvgPool, RunGlobalAvgPool},
    {OpType::kRelu, RunRelu},
    {OpType::kRelu6, RunRelu6},
    {OpType::kSigmoid, nullptr},
    {OpType::kTanh, nullptr},
    {OpType::kAdd, RunAdd},
    {OpType::kMul, RunMul},
    {OpType::kConcat, nullptr},
    {OpType::kPad, nullptr},
    {OpType::kReshape, RunCopy},
    {OpType::kFlatten, RunCopy},
    {OpType::kSoftmax, RunSoftmax},
    {OpType::kBatchNorm, nullptr},
    {OpType::kLstm, nullptr},
    {OpType::kGru, nullptr},
    {OpType::kQuantize, nullptr},
    {OpType::kDequantize, nullptr},
    {OpType::kHardSwish, nullptr},
    {OpType::kHardSigmoid, nullptr},
    {OpType::kUnsupported, nullptr},
};

constexpr bool KernelRowsFollowTheEnum() {
  for (int i = 0; i < kNumOpTypes; ++i) {
    if (kInt8Kernels[i].type != static_cast<OpType>(i)) return false;
  }
  return true;
}
static_assert(sizeof(kInt8Kernels) / sizeof(kInt8Kernels[0]) == kNumOpTypes,
              "kInt8Kernels needs exactly one row per OpType");
static_assert(KernelRowsFollowTheEnum(), "kInt8Kernels rows must follow the OpType enum order");

}  // namespace

std::vector<std::vector<std::int8_t>> RunInt8(const Graph& graph,
                                              const std::vector<std::vector<std::int8_t>>& inputs,
                                              std::int64_t max_activation_bytes) {
  if (inputs.size() != graph.inputs().size()) {
    throw Error(ErrorCode::kInvalidArgument, "cannot run graph '" + graph.name() + "': it has " +
                                                 std::to_string(graph.inputs().size()) +
                                                 " inputs (got " + std::to_string(inputs.size()) +
                                                 " buffers)");
  }
  std::vector<std::vector<std::int8_t>> acts(graph.tensors().size());
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const TensorId id = graph.inputs()[i];
    const Tensor& t = graph.tensor(id);
    const std::int64_t n = t.shape.NumElements();
    if (t.dtype != DataType::kInt8) {
      throw Error(ErrorCode::kInvalidArgument, "cannot run graph '" + graph.name() + "': input '" +
                                                   t.name + "' must be int8 (got " +
                                                   DataTypeName(t.dtype) + ")");
    }
    if (static_cast<std::int64_t>(inputs[i].size()) != n) {
      throw Error(ErrorCode::kInvalidArgument, "cannot run graph '" + graph.name() + "': input '" +
                                                   t.name + "' " + t.shape.ToString() + " needs " +
                                                   std::to_string(n) + " values (got " +
                                                   std::to_string(inputs[i].size()) + ")");
    }
    acts[static_cast<std::size_t>(id)] = inputs[i];
  }
  // The last node that reads each tensor: its activation is freed after that node.
  std::vector<NodeId> last_use(graph.tensors().size(), -1);
  for (NodeId id = 0; id < static_cast<NodeId>(graph.nodes().size()); ++id) {
    for (TensorId t : graph.node(id).inputs) last_use[static_cast<std::size_t>(t)] = id;
  }
  for (TensorId t : graph.outputs()) last_use[static_cast<std::size_t>(t)] = kNoNode;  // kept
  std::int64_t live = 0;
  for (const auto& in : inputs) live += static_cast<std::int64_t>(in.size());
  for (NodeId id = 0; id < static_cast<NodeId>(graph.nodes().size()); ++id) {
    const Node& node = graph.node(id);
    std::int64_t out_bytes = 0;
    for (TensorId t : node.outputs) {
      out_bytes = CheckedAdd(out_bytes, graph.tensor(t).shape.NumElements());  // int8: 1 B each
    }
    if (CheckedAdd(live, out_bytes) > max_activation_bytes) {
      throw Error(ErrorCode::kInvalidArgument,
                  "cannot run " + std::string(OpTypeName(node.type)) + " node '" + node.name +
                      "' (#" + std::to_string(id) + "): its outputs need " +
                      std::to_string(out_bytes) + " bytes with " + std::to_string(live) +
                      " bytes live, above the activation budget of " +
                      std::to_string(max_activation_bytes) + " bytes");
    }
    NodeRunner r(graph, id, &acts);
    const Int8Kernel& kernel = kInt8Kernels[static_cast<int>(node.type)];
    if (kernel.run == nullptr) r.Fail(ErrorCode::kUnsupportedOp, "no int8 kernel for this op");
    kernel.run(r);
    live += out_bytes;
    for (TensorId t : node.inputs) {
      auto& a = acts[static_cast<std::size_t>(t)];
      if (last_use[static_cast<std::size_t>(t)] != id || graph.tensor(t).is_constant) continue;
      live -= static_cast<std::int64_t>(a.size());
      std::vector<std::int8_t>().swap(a);
    }
  }
  std::vector<std::vector<std::int8_t>> outputs;
  outputs.reserve(graph.outputs().size());
  for (TensorId id : graph.outputs()) outputs.push_back(acts[static_cast<std::size_t>(id)]);
  return outputs;
}

}  // namespace opcost
