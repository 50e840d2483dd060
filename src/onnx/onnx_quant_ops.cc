// Quantized ONNX models in both forms. QDQ: QuantizeLinear/DequantizeLinear pairs around float
// ops fold away: a DequantizeLinear of a constant gives an int8 constant with its scales and
// zero points, of an activation the quantized tensor itself; a QuantizeLinear after an op gives
// that op's output its type and quantization. QOperator: QLinearConv, QLinearMatMul, QLinearAdd,
// ConvInteger and MatMulInteger map onto conv/fc/add with their quantization attached.
#include <cmath>
#include <cstring>

#include "onnx/onnx_importer.h"

namespace opcost::onnx {
namespace {

struct QParams {
  Quantization quant;  // axis in ONNX dims
  std::int32_t onnx_type = kOnnxUInt8;
};

bool QuantizedType(std::int32_t onnx_type, DataType* out) {
  switch (onnx_type) {
    case kOnnxInt8:
      *out = DataType::kInt8;
      return true;
    case kOnnxUInt8:
      *out = DataType::kUInt8;
      return true;
    case kOnnxInt16:
      *out = DataType::kInt16;
      return true;
    case kOnnxInt32:
      *out = DataType::kInt32;
      return true;
    default:
      return false;
  }
}

std::vector<std::int64_t> IntegerValues(Importer& im, const OnnxNode& n, const Constant& c) {
  const std::size_t width = OnnxTypeSize(c.onnx_type);
  DataType dt;
  if (!QuantizedType(c.onnx_type, &dt) || !c.has_data) {
    im.NodeFail(n, ErrorCode::kBadModel,
                "zero point '" + c.name +
                    "' must be inline INT8, "
                    "UINT8, INT16 or INT32 (got " +
                    OnnxTypeName(c.onnx_type) + ")");
  }
  const std::int64_t count = c.NumElements();
  if (count > (std::int64_t{1} << 20)) {
    im.NodeFail(n, ErrorCode::kBadModel, "zero point '" + c.name + "' has too many values");
  }
  std::vector<std::int64_t> out(static_cast<std::size_t>(count));
  for (std::size_t i = 0; i < out.size(); ++i) {
    const std::uint8_t* p = c.Data() + i * width;
    switch (c.onnx_type) {
      case kOnnxInt8:
        out[i] = static_cast<std::int8_t>(p[0]);
        break;
      case kOnnxUInt8:
        out[i] = p[0];
        break;
      case kOnnxInt16: {
        std::int16_t v;
        std::memcpy(&v, p, 2);
        out[i] = v;
        break;
      }
      default: {
        std::int32_t v;
        std::memcpy(&v, p, 4);
        out[i] = v;
        break;
      }
    }
  }
  return out;
}

QParams ReadQParams(Importer& im, const OnnxNode& n, std::size_t scale_k, std::size_t zp_k,
                    std::int64_t axis, std::size_t rank) {
  QParams p;
  const Constant& scale = im.ConstantIn(n, scale_k, "scale");
  const std::vector<float> scales = im.FloatValues(n, scale, "scale");
  for (float s : scales) {
    if (!std::isfinite(s) || s < 0.0f) {
      im.NodeFail(n, ErrorCode::kBadModel,
                  "scale must be finite and >= 0 (got " + std::to_string(s) + ")");
    }
  }
  if (scales.empty()) im.NodeFail(n, ErrorCode::kBadModel, "scale has no values");
  std::vector<std::int64_t> zps(scales.size(), 0);
  if (im.HasInput(n, zp_k)) {
    const Constant& zp = im.ConstantIn(n, zp_k, "zero point");
    p.onnx_type = zp.onnx_type;
    zps = IntegerValues(im, n, zp);
  }
  if (zps.size() != scales.size()) {
    im.NodeFail(n, ErrorCode::kBadModel,
                std::to_string(scales.size()) + " scales but " + std::to_string(zps.size()) +
                    " zero points");
  }
  if (scales.size() > 1) {
    const auto r = static_cast<std::int64_t>(rank);
    if (axis < -r || axis >= r) {
      im.NodeFail(n, ErrorCode::kBadModel, "axis " + std::to_string(axis) + " out of range");
    }
    p.quant.axis = static_cast<std::int32_t>(axis < 0 ? axis + r : axis);
  }
  p.quant.scales = scales;
  p.quant.zero_points = zps;
  return p;
}

// The quantization of an activation in `layout` (the axis moves to its opcost position).
Quantization InLayout(Quantization q, Layout layout) {
  if (layout == Layout::kNchw) {
    for (int i = 0; i < 4; ++i) {
      if (kNchwToNhwc[i] == q.axis) {
        q.axis = i;
        break;
      }
    }
  }
  return q;
}

void SetOutputQuant(Importer& im, const OnnxNode& n, NodeId id, std::size_t scale_k,
                    std::size_t zp_k) {
  if (id == kNoNode) return;
  const TensorId out = im.graph().node(id).outputs[0];
  const QParams p = ReadQParams(im, n, scale_k, zp_k, 1, 0);
  DataType dt;
  if (!QuantizedType(p.onnx_type, &dt)) {
    im.NodeFail(n, ErrorCode::kUnsupportedOp,
                "output zero point type " + std::string(OnnxTypeName(p.onnx_type)));
  }
  Tensor& t = im.graph().mutable_tensor(out);
  t.dtype = dt;
  t.quantization = p.quant;
}

void SetInputQuantIfMissing(Importer& im, const OnnxNode& n, std::size_t k, std::size_t scale_k,
                            std::size_t zp_k) {
  const Value& v = im.In(n, k, "input");
  if (v.is_constant) return;
  Tensor& t = im.graph().mutable_tensor(v.tensor);
  if (!t.quantization.empty()) return;
  t.quantization = ReadQParams(im, n, scale_k, zp_k, 1, 0).quant;
}

Constant WithQuant(Importer& im, const OnnxNode& n, std::size_t k, std::size_t scale_k,
                   std::size_t zp_k, std::int64_t axis) {
  Constant c = im.ConstantIn(n, k, "weights");
  c.quant = ReadQParams(im, n, scale_k, zp_k, axis, c.dims.size()).quant;
  return c;
}

// Float constant `f` quantized with `p` to `dt` (round to nearest, saturate): weights that the
// file quantizes in the graph are quantized once here.
Constant QuantizeConstant(Importer& im, const OnnxNode& n, const Constant& f, const QParams& p,
                          DataType dt) {
  Constant q;
  q.name = n.outputs.empty() ? f.name : n.outputs[0];
  q.dims = f.dims;
  q.onnx_type = p.onnx_type;
  q.quant = p.quant;
  q.has_data = f.has_data;
  if (f.has_data) {
    const std::vector<float> v = im.FloatValues(n, f, "x");
    const std::size_t width = OnnxTypeSize(p.onnx_type);
    im.ChargeCopy(n, v.size() * width);
    q.owned.resize(v.size() * width);
    const double lo = dt == DataType::kInt8 ? -128 : dt == DataType::kUInt8 ? 0 : -32768;
    const double hi = dt == DataType::kInt8 ? 127 : dt == DataType::kUInt8 ? 255 : 32767;
    std::int64_t stride = 1;  // elements between successive indices of the quantized axis
    for (std::size_t d = static_cast<std::size_t>(p.quant.axis) + 1; d < f.dims.size(); ++d) {
      stride *= f.dims[d];
    }
    for (std::size_t i = 0; i < v.size(); ++i) {
      const std::size_t c =
          p.quant.scales.size() == 1
              ? 0
              : static_cast<std::size_t>(static_cast<std::int64_t>(i) / stride) %
                    p.quant.scales.size();
      const double s = p.quant.scales[c] == 0.0f ? 1.0 : p.quant.scales[c];
      double r = std::nearbyint(v[i] / s) + static_cast<double>(p.quant.zero_points[c]);
      r = r < lo ? lo : (r > hi ? hi : r);
      const auto iv = static_cast<std::int16_t>(r);
      std::memcpy(q.owned.data() + i * width, &iv, width);  // little-endian low bytes
    }
  }
  return q;
}

}  // namespace

void MapQuantizeLinear(Importer& im, const OnnxNode& n) {
  const Value x = im.In(n, 0, "x");
  const std::size_t rank = x.is_constant ? im.ConstantOf(x).dims.size()
                                         : static_cast<std::size_t>(im.ShapeOf(x.tensor).rank);
  const QParams p = ReadQParams(im, n, 1, 2, im.AttrInt(n, "axis", 1), rank);
  DataType dt;
  if (!QuantizedType(p.onnx_type, &dt) || dt == DataType::kInt32) {
    im.NodeFail(n, ErrorCode::kUnsupportedOp,
                std::string("quantizing to ") + OnnxTypeName(p.onnx_type) + " is not supported");
  }
  if (x.is_constant) {  // float weights quantized in the graph: quantize them now
    Constant q = QuantizeConstant(im, n, im.ConstantOf(x), p, dt);
    if (n.outputs.empty()) im.NodeFail(n, ErrorCode::kBadModel, "no output");
    im.BindConstant(n.outputs[0], std::move(q));
    return;
  }
  const NodeId producer = im.SoleProducer(x.tensor);
  if (producer != kNoNode && im.graph().node(producer).type != OpType::kUnsupported) {
    Tensor& t = im.graph().mutable_tensor(x.tensor);  // the op computes in int8 directly
    t.dtype = dt;
    t.quantization = InLayout(p.quant, x.layout);
    im.Alias(n, 0, x);
    return;
  }
  OpAttributes a;
  a.output_dtype = dt;
  a.has_output_dtype = true;
  const NodeId id = im.EmitOutput(n, OpType::kQuantize, a, {x.tensor}, x.layout);
  Tensor& t = im.graph().mutable_tensor(im.graph().node(id).outputs[0]);
  t.dtype = dt;
  t.quantization = InLayout(p.quant, x.layout);
}

void MapDequantizeLinear(Importer& im, const OnnxNode& n) {
  const Value x = im.In(n, 0, "x");
  if (x.is_constant) {  // quantized weights or bias: keep them integer, with their scales
    Constant c = im.ConstantOf(x);
    c.quant = ReadQParams(im, n, 1, 2, im.AttrInt(n, "axis", 1), c.dims.size()).quant;
    if (n.outputs.empty()) im.NodeFail(n, ErrorCode::kBadModel, "no output");
    im.BindConstant(n.outputs[0], std::move(c));
    return;
  }
  const std::size_t rank = static_cast<std::size_t>(im.ShapeOf(x.tensor).rank);
  const QParams p = ReadQParams(im, n, 1, 2, im.AttrInt(n, "axis", 1), rank);
  Tensor& t = im.graph().mutable_tensor(x.tensor);
  if (t.quantization.empty()) t.quantization = InLayout(p.quant, x.layout);
  im.Alias(n, 0, x);  // the float ops that read it become int8 ops
}

void MapQLinearConv(Importer& im, const OnnxNode& n) {
  SetInputQuantIfMissing(im, n, 0, 1, 2);
  ConvParts parts;
  parts.weights = WithQuant(im, n, 3, 4, 5, 0);
  Constant bias;
  if (im.HasInput(n, 8)) {
    bias = im.ConstantIn(n, 8, "B");
    parts.bias = &bias;
  }
  SetOutputQuant(im, n, MapConvolution(im, n, parts), 6, 7);
}

void MapQLinearMatMul(Importer& im, const OnnxNode& n) {
  if (im.In(n, 0, "a").is_constant || !im.In(n, 3, "b").is_constant) {
    im.AddUnsupported(n, "QLinearMatMul is supported with a constant b only");
    return;
  }
  SetInputQuantIfMissing(im, n, 0, 1, 2);
  DenseParts parts;
  parts.weights = WithQuant(im, n, 3, 4, 5, 1);
  SetOutputQuant(im, n, MapDense(im, n, parts), 6, 7);
}

void MapQLinearAdd(Importer& im, const OnnxNode& n) {
  const Value a = im.In(n, 0, "A");
  const Value b = im.In(n, 3, "B");
  if (a.is_constant || b.is_constant || a.layout != b.layout) {
    im.AddUnsupported(n, "QLinearAdd is supported on two activations in one layout only");
    return;
  }
  SetInputQuantIfMissing(im, n, 0, 1, 2);
  SetInputQuantIfMissing(im, n, 3, 4, 5);
  const NodeId id = im.EmitOutput(n, OpType::kAdd, {}, {a.tensor, b.tensor}, a.layout);
  SetOutputQuant(im, n, id, 6, 7);
}

void MapConvInteger(Importer& im, const OnnxNode& n) {
  ConvParts parts;
  parts.weights = im.ConstantIn(n, 1, "w");
  const NodeId id = MapConvolution(im, n, parts);
  im.graph().mutable_tensor(im.graph().node(id).outputs[0]).dtype = DataType::kInt32;
}

void MapMatMulInteger(Importer& im, const OnnxNode& n) {
  if (im.In(n, 0, "A").is_constant || !im.In(n, 1, "B").is_constant) {
    im.AddUnsupported(n, "MatMulInteger is supported with a constant B only");
    return;
  }
  DenseParts parts;
  parts.weights = im.ConstantIn(n, 1, "B");
  const NodeId id = MapDense(im, n, parts);
  if (id != kNoNode)
    im.graph().mutable_tensor(im.graph().node(id).outputs[0]).dtype = DataType::kInt32;
}

}  // namespace opcost::onnx
