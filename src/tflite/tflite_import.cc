// Maps a verified TFLite subgraph onto opcost's graph: one node per TFLite operator (plus a
// separate activation node where TFLite fuses an activation into an op opcost cannot fuse it
// into), tensors with their names, dtypes, quantization and constant bytes. docs/tflite.md.
#include "opcost/tflite_import.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "io/file_io.h"
#include "opcost/error.h"
#include "opcost/shape_inference.h"
#include "tflite/tflite_reader.h"

namespace opcost {
namespace {

using tflite::TflModel;
using tflite::TflOperator;
using tflite::TflTensor;

std::string ShapeText(const std::vector<std::int64_t>& dims) {
  std::string s = "[";
  for (std::size_t i = 0; i < dims.size(); ++i) {
    if (i != 0) s += ",";
    s += std::to_string(dims[i]);
  }
  return s + "]";
}

class Importer {
 public:
  Importer(const TflModel& model, const std::string& source, const TfliteImportOptions& options)
      : m_(model),
        source_(source),
        options_(options),
        // Constant data copied out of buffers: many tensors may name one buffer, so the copies
        // are bounded like the reader's decoding (16 bytes per file byte, at least 1 MiB).
        copy_budget_(
            std::max<std::uint64_t>(std::uint64_t{16} * model.file_bytes, std::uint64_t{1} << 20)),
        graph_ids_(model.tensors.size(), kNoTensor),
        consumers_(model.tensors.size(), 0),
        first_reader_(model.tensors.size(), -1) {
    for (std::size_t i = 0; i < m_.operators.size(); ++i) {
      for (std::int32_t t : m_.operators[i].inputs) {
        if (t < 0) continue;
        ++consumers_[static_cast<std::size_t>(t)];
        if (first_reader_[static_cast<std::size_t>(t)] < 0) {
          first_reader_[static_cast<std::size_t>(t)] = static_cast<std::int64_t>(i);
        }
      }
    }
    for (std::int32_t t : m_.outputs) ++consumers_[static_cast<std::size_t>(t)];
  }

  Graph Run(const std::string& graph_name) {
    graph_.set_name(graph_name);
    std::string description = "Imported from TFLite file " + source_;
    if (!m_.description.empty()) description += " (" + m_.description + ")";
    graph_.set_description(description);

    std::vector<TensorId> inputs;
    for (std::int32_t t : m_.inputs) {
      const TensorId id = TensorFor(t);
      if (graph_.tensor(id).is_constant) {
        Fail(ErrorCode::kBadModel, "subgraph input " + Describe(t) + " holds constant data");
      }
      inputs.push_back(id);
    }
    graph_.SetInputs(inputs);

    skip_.assign(m_.operators.size(), false);
    for (std::size_t i = 0; i < m_.operators.size(); ++i) {
      if (!skip_[i]) MapOperator(i);
    }

    std::vector<TensorId> outputs;
    for (std::int32_t t : m_.outputs) outputs.push_back(TensorFor(t));
    graph_.SetOutputs(outputs);

    InferShapes(graph_);
    CheckAgainstFile();
    return std::move(graph_);
  }

 private:
  [[noreturn]] void Fail(ErrorCode code, const std::string& what) const {
    throw Error(code, source_ + ": " + what);
  }

  std::string Describe(std::int32_t t) const {
    return "tensor " + std::to_string(t) + " '" + m_.tensors[static_cast<std::size_t>(t)].name +
           "'";
  }

  std::string OpLabel(std::size_t i) const {
    const TflOperator& op = m_.operators[i];
    std::string name = tflite::BuiltinOpName(op.builtin_code);
    if (op.builtin_code == tflite::kOpCustom) name += " '" + op.custom_code + "'";
    return "operator " + std::to_string(i) + " (" + name + ")";
  }

  [[noreturn]] void OpFail(std::size_t i, ErrorCode code, const std::string& what) const {
    Fail(code, OpLabel(i) + ": " + what);
  }

  const TflTensor& T(std::int32_t t) const { return m_.tensors[static_cast<std::size_t>(t)]; }
  const tflite::TflBuffer& BufferOf(std::int32_t t) const { return m_.buffers[T(t).buffer]; }
  bool IsConstant(std::int32_t t) const { return BufferOf(t).size_bytes != 0 && !T(t).is_variable; }

  DataType MapType(std::int32_t t) const {
    switch (T(t).type) {
      case tflite::kTflFloat32:
        return DataType::kFloat32;
      case tflite::kTflInt32:
        return DataType::kInt32;
      case tflite::kTflUInt8:
        return DataType::kUInt8;
      case tflite::kTflInt64:
        return DataType::kInt64;
      case tflite::kTflInt16:
        return DataType::kInt16;
      case tflite::kTflInt8:
        return DataType::kInt8;
      default:
        Fail(ErrorCode::kUnsupportedOp, Describe(t) + " has element type " +
                                            tflite::TflTypeName(T(t).type) +
                                            ", which opcost does not support");
    }
  }

  Shape MapShape(std::int32_t t) const {
    const TflTensor& tensor = T(t);
    if (tensor.shape.size() > static_cast<std::size_t>(Shape::kMaxRank)) {
      Fail(ErrorCode::kUnsupportedOp, Describe(t) + " has rank " +
                                          std::to_string(tensor.shape.size()) + " " +
                                          ShapeText(tensor.shape) + "; opcost supports rank <= 4");
    }
    Shape s;
    s.rank = static_cast<int>(tensor.shape.size());
    for (int i = 0; i < s.rank; ++i) {
      const std::int64_t d = tensor.shape[static_cast<std::size_t>(i)];
      if (d < 1) {
        Fail(ErrorCode::kBadModel, Describe(t) + " has a zero or negative (dynamic) dim: shape " +
                                       ShapeText(tensor.shape));
      }
      s[i] = d;
    }
    try {
      s.NumElements();
    } catch (const Error&) {
      Fail(ErrorCode::kOverflow,
           Describe(t) + " has shape " + ShapeText(tensor.shape) + " whose size overflows 64 bits");
    }
    return s;
  }

  Quantization MapQuantization(std::int32_t t, const Shape& shape) const {
    const TflTensor& tensor = T(t);
    Quantization q;
    if (tensor.scales.empty()) return q;
    if (tensor.zero_points.size() != tensor.scales.size()) {
      Fail(ErrorCode::kBadModel, Describe(t) + ": quantization has " +
                                     std::to_string(tensor.scales.size()) + " scales but " +
                                     std::to_string(tensor.zero_points.size()) + " zero points");
    }
    for (float scale : tensor.scales) {
      if (!std::isfinite(scale) || scale < 0.0f) {
        Fail(ErrorCode::kBadModel, Describe(t) +
                                       ": quantization scale must be finite and >= 0 (got " +
                                       std::to_string(scale) + ")");
      }
    }
    if (tensor.scales.size() > 1) {
      const std::int32_t axis = tensor.quantized_dimension;
      if (axis < 0 || axis >= shape.rank ||
          shape[axis] != static_cast<std::int64_t>(tensor.scales.size())) {
        Fail(ErrorCode::kBadModel, Describe(t) + ": per-channel quantization with " +
                                       std::to_string(tensor.scales.size()) +
                                       " scales along dimension " + std::to_string(axis) +
                                       " does not fit shape " + shape.ToString());
      }
    }
    q.scales = tensor.scales;
    q.zero_points = tensor.zero_points;
    q.axis = tensor.quantized_dimension;
    return q;
  }

  // A graph name for TFLite tensor `t`: its own name when usable (TFLite does not require
  // names to be unique or non-empty).
  std::string TensorName(std::int32_t t) const {
    std::string name = T(t).name;
    if (name.empty()) name = "tensor_" + std::to_string(t);
    if (graph_.FindTensor(name) != kNoTensor) name += "#" + std::to_string(t);
    return name;
  }

  // The graph tensor for TFLite tensor `t`, created on first use (so tensors only read as
  // attributes, like a reshape's shape, never become graph tensors).
  TensorId TensorFor(std::int32_t t) {
    TensorId& id = graph_ids_[static_cast<std::size_t>(t)];
    if (id != kNoTensor) return id;
    if (T(t).is_sparse) {
      Fail(ErrorCode::kUnsupportedOp, Describe(t) + " is sparse; opcost reads dense tensors only");
    }
    if (T(t).is_variable) {
      Fail(ErrorCode::kUnsupportedOp,
           Describe(t) + " is a variable (stateful) tensor; opcost does not model state");
    }
    Tensor tensor;
    tensor.name = TensorName(t);
    tensor.dtype = MapType(t);
    const Shape shape = MapShape(t);
    tensor.quantization = MapQuantization(t, shape);
    if (IsConstant(t)) {
      tensor.is_constant = true;
      tensor.shape = shape;
      const std::int64_t want = CheckedMul(shape.NumElements(), DataTypeSize(tensor.dtype));
      const tflite::TflBuffer& buf = BufferOf(t);
      if (static_cast<std::uint64_t>(want) != buf.size_bytes) {
        Fail(ErrorCode::kBadModel, Describe(t) + " of shape " + shape.ToString() + " and type " +
                                       DataTypeName(tensor.dtype) + " needs " +
                                       std::to_string(want) + " data bytes, but its buffer " +
                                       std::to_string(T(t).buffer) + " has " +
                                       std::to_string(buf.size_bytes));
      }
      if (buf.size_bytes > copy_budget_) {
        Fail(ErrorCode::kBadModel,
             Describe(t) +
                 ": constant data copied from shared buffers exceeds "
                 "the budget of 16 bytes per file byte (a corrupted or hostile "
                 "file)");
      }
      copy_budget_ -= buf.size_bytes;
      tensor.data.assign(buf.data, buf.data + buf.size_bytes);
    } else {
      tensor.shape = shape;  // graph inputs keep it; op outputs get it re-inferred and checked
    }
    id = graph_.AddTensor(std::move(tensor));
    file_index_.resize(graph_.tensors().size(), -1);
    file_index_[static_cast<std::size_t>(id)] = t;
    return id;
  }

  // ---- constant operands read as attributes ----

  std::vector<std::int64_t> ReadIntConstant(std::size_t op, std::int32_t t, const char* what) {
    if (t < 0 || !IsConstant(t)) {
      OpFail(op, ErrorCode::kUnsupportedOp, std::string(what) + " must be a constant tensor");
    }
    const TflTensor& tensor = T(t);
    const std::size_t width = tensor.type == tflite::kTflInt32   ? 4
                              : tensor.type == tflite::kTflInt64 ? 8
                                                                 : 0;
    if (width == 0) {
      OpFail(op, ErrorCode::kBadModel,
             std::string(what) + " must be INT32 or INT64 (got " +
                 tflite::TflTypeName(tensor.type) + ")");
    }
    const tflite::TflBuffer& buf = BufferOf(t);
    const Shape shape = MapShape(t);
    if (buf.size_bytes % width != 0 ||
        static_cast<std::uint64_t>(shape.NumElements()) != buf.size_bytes / width) {
      OpFail(op, ErrorCode::kBadModel,
             std::string(what) + " " + Describe(t) + " of shape " + shape.ToString() + " has " +
                 std::to_string(buf.size_bytes) + " data bytes");
    }
    std::vector<std::int64_t> values(buf.size_bytes / width);
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (width == 4) {
        std::int32_t v;
        std::memcpy(&v, buf.data + i * 4, 4);
        values[i] = v;
      } else {
        std::memcpy(&values[i], buf.data + i * 8, 8);
      }
    }
    return values;
  }

  // ---- operator mapping ----

  std::int32_t Input(std::size_t op, std::size_t k, const char* what) const {
    const TflOperator& o = m_.operators[op];
    if (k >= o.inputs.size() || o.inputs[k] < 0) {
      OpFail(op, ErrorCode::kBadModel,
             std::string("missing input ") + std::to_string(k) + " (" + what + ")");
    }
    return o.inputs[k];
  }

  std::int32_t OptionalInput(std::size_t op, std::size_t k) const {
    const TflOperator& o = m_.operators[op];
    return k < o.inputs.size() ? o.inputs[k] : -1;
  }

  void ExpectInputs(std::size_t op, std::size_t min_count, std::size_t max_count) const {
    const std::size_t n = m_.operators[op].inputs.size();
    if (n < min_count || n > max_count) {
      OpFail(op, ErrorCode::kBadModel,
             "expects " + std::to_string(min_count) +
                 (max_count == min_count ? "" : " to " + std::to_string(max_count)) +
                 " inputs (got " + std::to_string(n) + ")");
    }
    if (m_.operators[op].outputs.size() != 1) {
      OpFail(op, ErrorCode::kBadModel,
             "expects 1 output (got " + std::to_string(m_.operators[op].outputs.size()) + ")");
    }
  }

  void ExpectOptions(std::size_t op, int options_type, const char* name) const {
    if (m_.operators[op].options.options_type != options_type) {
      OpFail(op, ErrorCode::kBadModel,
             std::string("missing ") + name + " (builtin options type " +
                 std::to_string(m_.operators[op].options.options_type) + ")");
    }
  }

  Padding MapPadding(std::size_t op) const {
    switch (m_.operators[op].options.padding) {
      case 0:
        return Padding::kSame;
      case 1:
        return Padding::kValid;
      default:
        OpFail(op, ErrorCode::kBadModel,
               "unknown padding " + std::to_string(m_.operators[op].options.padding));
    }
  }

  // Fused activation as an opcost Activation; returns false for SIGN_BIT / unknown values.
  Activation MapActivation(std::size_t op) const {
    switch (m_.operators[op].options.fused_activation) {
      case 0:
        return Activation::kNone;
      case 1:
        return Activation::kRelu;
      case 2:
        return Activation::kReluN1To1;
      case 3:
        return Activation::kRelu6;
      case 4:
        return Activation::kTanh;
      default:
        OpFail(op, ErrorCode::kUnsupportedOp,
               "fused activation " + std::to_string(m_.operators[op].options.fused_activation) +
                   " is not supported");
    }
  }

  void CheckStrides(std::size_t op) const {
    const tflite::TflOptions& o = m_.operators[op].options;
    if (o.stride_h < 1 || o.stride_w < 1 || o.dilation_h < 1 || o.dilation_w < 1) {
      OpFail(op, ErrorCode::kBadModel,
             "strides and dilations must be >= 1 (got stride " + std::to_string(o.stride_h) + "x" +
                 std::to_string(o.stride_w) + ", dilation " + std::to_string(o.dilation_h) + "x" +
                 std::to_string(o.dilation_w) + ")");
    }
  }

  std::string NodeName(std::size_t op, OpType type) const {
    return std::string(OpTypeName(type)) + "_" + std::to_string(op);
  }

  void AddNode(std::size_t op, OpType type, const OpAttributes& attrs,
               const std::vector<std::int32_t>& inputs, std::int32_t output) {
    Node node;
    node.name = NodeName(op, type);
    node.type = type;
    node.attrs = attrs;
    for (std::int32_t t : inputs) node.inputs.push_back(TensorFor(t));
    node.outputs.push_back(TensorFor(output));
    graph_.AddNode(std::move(node));
  }

  // An op with a fused activation that opcost's op has no field for: the op writes a new
  // intermediate tensor and a separate activation node writes the file's output tensor.
  void AddNodeWithActivation(std::size_t op, OpType type, const OpAttributes& attrs,
                             const std::vector<std::int32_t>& inputs, std::int32_t output) {
    const Activation act = MapActivation(op);
    if (act == Activation::kNone) {
      AddNode(op, type, attrs, inputs, output);
      return;
    }
    OpType act_type;
    switch (act) {
      case Activation::kRelu:
        act_type = OpType::kRelu;
        break;
      case Activation::kRelu6:
        act_type = OpType::kRelu6;
        break;
      case Activation::kTanh:
        act_type = OpType::kTanh;
        break;
      default:
        OpFail(
            op, ErrorCode::kUnsupportedOp,
            std::string("fused activation ") + ActivationName(act) + " has no separate opcost op");
    }
    const TensorId out = TensorFor(output);
    Tensor mid = Tensor::Activation(graph_.tensor(out).name + "/pre_activation",
                                    graph_.tensor(out).shape, graph_.tensor(out).dtype);
    mid.quantization = graph_.tensor(out).quantization;
    const TensorId mid_id = graph_.AddTensor(std::move(mid));
    file_index_.resize(graph_.tensors().size(), -1);
    Node node;
    node.name = NodeName(op, type);
    node.type = type;
    node.attrs = attrs;
    for (std::int32_t t : inputs) node.inputs.push_back(TensorFor(t));
    node.outputs.push_back(mid_id);
    graph_.AddNode(std::move(node));
    Node act_node;
    act_node.name = NodeName(op, type) + "/" + OpTypeName(act_type);
    act_node.type = act_type;
    act_node.inputs.push_back(mid_id);
    act_node.outputs.push_back(out);
    graph_.AddNode(std::move(act_node));
  }

  void AddUnsupported(std::size_t op) {
    const TflOperator& o = m_.operators[op];
    if (!options_.allow_unsupported) {
      OpFail(op, ErrorCode::kUnsupportedOp,
             "op is not supported by the TFLite importer (import with allow_unsupported, "
             "CLI --allow-unsupported, to cost it as a zero-cost 'unsupported' op)");
    }
    if (o.outputs.empty()) OpFail(op, ErrorCode::kBadModel, "has no output");
    Node node;
    node.name = "unsupported_" + std::to_string(op);
    node.type = OpType::kUnsupported;
    node.attrs.unsupported_name = tflite::BuiltinOpName(o.builtin_code);
    if (o.builtin_code == tflite::kOpCustom) node.attrs.unsupported_name += ":" + o.custom_code;
    for (std::int32_t t : o.inputs) {
      if (t >= 0) node.inputs.push_back(TensorFor(t));
    }
    for (std::int32_t t : o.outputs) {
      const TensorId id = TensorFor(t);
      if (graph_.tensor(id).is_constant) {
        OpFail(op, ErrorCode::kBadModel, "output " + Describe(t) + " holds constant data");
      }
      node.outputs.push_back(id);
    }
    graph_.AddNode(std::move(node));
  }

  void RequireConstant(std::size_t op, std::int32_t t, const char* what) const {
    if (!IsConstant(t)) {
      OpFail(op, ErrorCode::kUnsupportedOp,
             std::string(what) + " " + Describe(t) +
                 " must be constant (opcost costs static weights)");
    }
  }

  std::vector<std::int32_t> WeightsAndBias(std::size_t op, std::int32_t x, std::int32_t w) {
    RequireConstant(op, w, "weights");
    std::vector<std::int32_t> inputs = {x, w};
    const std::int32_t bias = OptionalInput(op, 2);
    if (bias >= 0) {
      RequireConstant(op, bias, "bias");
      inputs.push_back(bias);
    }
    return inputs;
  }

 public:
  // The mappers of kTfliteOps (below the class): each adds the node(s) of TFLite operator
  // `op` as op type `type`, or imports the operator as unsupported.
  void MapConv(std::size_t op, OpType type) {
    const bool depthwise = type == OpType::kDepthwiseConv2D;
    ExpectInputs(op, 2, 3);
    ExpectOptions(op, depthwise ? tflite::kDepthwiseConv2DOptions : tflite::kConv2DOptions,
                  depthwise ? "DepthwiseConv2DOptions" : "Conv2DOptions");
    CheckStrides(op);
    const std::int32_t x = Input(op, 0, "input");
    const std::int32_t w = Input(op, 1, "filter");
    const Shape xs = MapShape(x);
    const Shape ws = MapShape(w);
    if (xs.rank != 4 || ws.rank != 4) {
      OpFail(
          op, ErrorCode::kBadModel,
          "input and filter must be rank 4 (got " + xs.ToString() + " and " + ws.ToString() + ")");
    }
    const tflite::TflOptions& o = m_.operators[op].options;
    OpAttributes a;
    a.kernel_h = ws[1];
    a.kernel_w = ws[2];
    a.stride_h = o.stride_h;
    a.stride_w = o.stride_w;
    a.dilation_h = o.dilation_h;
    a.dilation_w = o.dilation_w;
    a.padding = MapPadding(op);
    a.activation = MapActivation(op);
    if (depthwise) {
      if (ws[0] != 1 || ws[3] % xs[3] != 0) {
        OpFail(op, ErrorCode::kBadModel,
               "filter " + ws.ToString() + " must be [1,KH,KW,C*multiplier] for input " +
                   xs.ToString());
      }
      a.depth_multiplier = ws[3] / xs[3];
    } else {
      if (xs[3] % ws[3] != 0) {
        OpFail(op, ErrorCode::kBadModel,
               "input channels " + std::to_string(xs[3]) +
                   " are not a multiple of filter channels " + std::to_string(ws[3]));
      }
      a.groups = xs[3] / ws[3];
      a.filters = ws[0];
    }
    AddNode(op, type, a, WeightsAndBias(op, x, w), m_.operators[op].outputs[0]);
  }

  void MapFullyConnected(std::size_t op, OpType type) {
    ExpectInputs(op, 2, 3);
    const tflite::TflOptions& o = m_.operators[op].options;
    if (o.weights_format != 0) {
      OpFail(op, ErrorCode::kUnsupportedOp,
             "shuffled weights format " + std::to_string(o.weights_format) + " is not supported");
    }
    const std::int32_t x = Input(op, 0, "input");
    const std::int32_t w = Input(op, 1, "weights");
    const Shape ws = MapShape(w);
    if (ws.rank != 2) {
      OpFail(op, ErrorCode::kBadModel, "weights must be rank 2 (got " + ws.ToString() + ")");
    }
    if (o.keep_num_dims && MapShape(x).rank > 2) {
      OpFail(op, ErrorCode::kUnsupportedOp,
             "keep_num_dims with a rank > 2 input is not supported (opcost's fully_connected "
             "output is [rows, units])");
    }
    OpAttributes a;
    a.units = ws[0];
    a.activation = MapActivation(op);
    AddNode(op, type, a, WeightsAndBias(op, x, w), m_.operators[op].outputs[0]);
  }

  void MapPool(std::size_t op, OpType type) {
    ExpectInputs(op, 1, 1);
    ExpectOptions(op, tflite::kPool2DOptions, "Pool2DOptions");
    CheckStrides(op);
    const tflite::TflOptions& o = m_.operators[op].options;
    if (o.filter_h < 1 || o.filter_w < 1) {
      OpFail(op, ErrorCode::kBadModel,
             "filter must be at least 1x1 (got " + std::to_string(o.filter_h) + "x" +
                 std::to_string(o.filter_w) + ")");
    }
    OpAttributes a;
    a.kernel_h = o.filter_h;
    a.kernel_w = o.filter_w;
    a.stride_h = o.stride_h;
    a.stride_w = o.stride_w;
    a.padding = MapPadding(op);
    AddNodeWithActivation(op, type, a, {Input(op, 0, "input")}, m_.operators[op].outputs[0]);
  }

  // Normalizes reduction axes against `rank`; returns false if one is out of range.
  static bool NormalizeAxes(std::vector<std::int64_t>* axes, std::int64_t rank) {
    for (std::int64_t& a : *axes) {
      if (a < -rank || a >= rank) return false;
      if (a < 0) a += rank;
    }
    std::sort(axes->begin(), axes->end());
    axes->erase(std::unique(axes->begin(), axes->end()), axes->end());
    return true;
  }

  void MapMean(std::size_t op, OpType type) {
    ExpectInputs(op, 2, 2);
    const std::int32_t x = Input(op, 0, "input");
    const Shape xs = MapShape(x);
    std::vector<std::int64_t> axes = ReadIntConstant(op, Input(op, 1, "axes"), "axes");
    if (xs.rank == 4 && NormalizeAxes(&axes, 4) && axes == std::vector<std::int64_t>{1, 2}) {
      OpAttributes a;
      a.keep_dims = m_.operators[op].options.keep_dims;
      AddNode(op, type, a, {x}, m_.operators[op].outputs[0]);
      return;
    }
    AddUnsupported(op);  // a mean over other axes has no opcost op
  }

  // TRANSPOSE to NCHW followed by MEANs over H and W (how PyTorch-exported models such as
  // mcunet-vww1 write a global average pool) is one global_avg_pool over NHWC. Returns the index
  // of the MEANs if operator `op` starts such a chain, else an empty list.
  std::vector<std::size_t> MatchTransposeMean(std::size_t op) {
    const TflOperator& t = m_.operators[op];
    if (t.inputs.size() != 2 || t.outputs.size() != 1 || t.inputs[0] < 0 || t.inputs[1] < 0 ||
        !IsConstant(t.inputs[1]) || T(t.inputs[0]).shape.size() != 4) {
      return {};
    }
    if (ReadIntConstant(op, t.inputs[1], "perm") != std::vector<std::int64_t>{0, 3, 1, 2}) {
      return {};
    }
    std::vector<std::size_t> chain;
    // Which NHWC dim each current position holds: N=0, H=1, W=2, C=3; after the transpose the
    // order is N, C, H, W.
    std::vector<int> dims = {0, 3, 1, 2};
    std::int32_t current = t.outputs[0];
    // Each link has exactly one reader, so the chain is walked reader to reader (linear time
    // even for files full of TRANSPOSEs).
    std::int64_t previous = static_cast<std::int64_t>(op);
    for (;;) {
      const std::int64_t reader = first_reader_[static_cast<std::size_t>(current)];
      if (reader <= previous) return {};  // strictly later ops only: the walk always ends
      previous = reader;
      const std::size_t k = static_cast<std::size_t>(reader);
      const TflOperator& mean = m_.operators[k];
      if (mean.builtin_code != tflite::kOpMean ||
          consumers_[static_cast<std::size_t>(current)] != 1 || mean.inputs.size() != 2 ||
          mean.inputs[0] != current || mean.inputs[1] < 0 || mean.outputs.size() != 1 ||
          mean.options.keep_dims || !IsConstant(mean.inputs[1])) {
        return {};
      }
      chain.push_back(k);
      std::vector<std::int64_t> axes = ReadIntConstant(k, mean.inputs[1], "axes");
      if (!NormalizeAxes(&axes, static_cast<std::int64_t>(dims.size()))) return {};
      for (auto it = axes.rbegin(); it != axes.rend(); ++it) {
        const int d = dims[static_cast<std::size_t>(*it)];
        if (d != 1 && d != 2) return {};  // only H and W may be reduced
        dims.erase(dims.begin() + *it);
      }
      current = mean.outputs[0];
      if (dims == std::vector<int>{0, 3}) return chain;
    }
  }

  void MapTranspose(std::size_t op, OpType type) {
    const std::vector<std::size_t> chain = MatchTransposeMean(op);
    if (chain.empty()) {
      AddUnsupported(op);
      return;
    }
    for (std::size_t k : chain) skip_[k] = true;
    const std::size_t last = chain.back();
    // Placed now: its input is produced before `op` and the chain's intermediate tensors have
    // no other reader, so every later op still sees its inputs produced first.
    OpAttributes a;
    a.keep_dims = false;
    AddNode(op, type, a, {m_.operators[op].inputs[0]}, m_.operators[last].outputs[0]);
  }

  void MapBinary(std::size_t op, OpType type) {
    ExpectInputs(op, 2, 2);
    OpAttributes a;
    a.activation = MapActivation(op);
    AddNode(op, type, a, {Input(op, 0, "x"), Input(op, 1, "y")}, m_.operators[op].outputs[0]);
  }

  void MapConcat(std::size_t op, OpType type) {
    const TflOperator& o = m_.operators[op];
    if (o.inputs.empty() || o.outputs.size() != 1) {
      OpFail(op, ErrorCode::kBadModel, "expects inputs and 1 output");
    }
    OpAttributes a;
    a.axis = o.options.axis;
    std::vector<std::int32_t> inputs;
    for (std::size_t k = 0; k < o.inputs.size(); ++k) inputs.push_back(Input(op, k, "value"));
    AddNodeWithActivation(op, type, a, inputs, o.outputs[0]);
  }

  void MapPad(std::size_t op, OpType type) {
    ExpectInputs(op, 2, 2);
    const std::int32_t x = Input(op, 0, "input");
    const Shape xs = MapShape(x);
    const std::vector<std::int64_t> pads =
        ReadIntConstant(op, Input(op, 1, "paddings"), "paddings");
    if (pads.size() != static_cast<std::size_t>(2 * xs.rank)) {
      OpFail(op, ErrorCode::kBadModel,
             "paddings must hold 2 values per input dim (got " + std::to_string(pads.size()) +
                 " for rank " + std::to_string(xs.rank) + ")");
    }
    OpAttributes a;
    for (int i = 0; i < xs.rank; ++i) {
      const std::int64_t before = pads[static_cast<std::size_t>(2 * i)];
      const std::int64_t after = pads[static_cast<std::size_t>(2 * i + 1)];
      if (before < 0 || after < 0) {
        OpFail(op, ErrorCode::kBadModel,
               "paddings must be >= 0 (got " + std::to_string(before) + ", " +
                   std::to_string(after) + " for dim " + std::to_string(i) + ")");
      }
      a.paddings[static_cast<std::size_t>(i)] = {before, after};
    }
    AddNode(op, type, a, {x}, m_.operators[op].outputs[0]);
  }

  void MapReshape(std::size_t op, OpType type) {
    const TflOperator& o = m_.operators[op];
    if (o.inputs.empty() || o.inputs.size() > 2 || o.outputs.size() != 1) {
      OpFail(op, ErrorCode::kBadModel, "expects 1 or 2 inputs and 1 output");
    }
    std::vector<std::int64_t> dims;
    const std::int32_t shape_tensor = OptionalInput(op, 1);
    if (shape_tensor >= 0 && IsConstant(shape_tensor)) {
      dims = ReadIntConstant(op, shape_tensor, "shape");
    } else if (o.options.has_new_shape) {
      dims.assign(o.options.new_shape.begin(), o.options.new_shape.end());
    } else {
      dims = T(o.outputs[0]).shape;  // shape computed at run time: the file's static shape
    }
    if (dims.size() > static_cast<std::size_t>(Shape::kMaxRank)) {
      OpFail(op, ErrorCode::kUnsupportedOp, "new shape " + ShapeText(dims) + " has rank > 4");
    }
    OpAttributes a;
    a.new_shape.rank = static_cast<int>(dims.size());
    for (std::size_t i = 0; i < dims.size(); ++i) a.new_shape[static_cast<int>(i)] = dims[i];
    AddNode(op, type, a, {Input(op, 0, "input")}, o.outputs[0]);
  }

  void MapSoftmax(std::size_t op, OpType type) {
    ExpectInputs(op, 1, 1);
    const float beta = m_.operators[op].options.options_type == tflite::kSoftmaxOptions
                           ? m_.operators[op].options.beta
                           : 1.0f;
    if (!(std::fabs(beta - 1.0f) <= 1e-6f)) {
      if (options_.allow_unsupported) {
        AddUnsupported(op);
        return;
      }
      OpFail(op, ErrorCode::kUnsupportedOp,
             "softmax beta " + std::to_string(beta) +
                 " is not supported (opcost's softmax has beta 1)");
    }
    AddNode(op, type, {}, {Input(op, 0, "input")}, m_.operators[op].outputs[0]);
  }

  void MapUnary(std::size_t op, OpType type) {
    ExpectInputs(op, 1, 1);
    AddNode(op, type, {}, {Input(op, 0, "input")}, m_.operators[op].outputs[0]);
  }

  // QUANTIZE and DEQUANTIZE: the output dtype is an attribute of the op.
  void MapConvert(std::size_t op, OpType type) {
    ExpectInputs(op, 1, 1);
    OpAttributes a;
    a.output_dtype = MapType(m_.operators[op].outputs[0]);
    a.has_output_dtype = true;
    AddNode(op, type, a, {Input(op, 0, "input")}, m_.operators[op].outputs[0]);
  }

 private:
  // Maps operator `op` through the row of kTfliteOps its builtin code belongs to, or imports
  // it as unsupported; adds the operator to error messages.
  void MapOperator(std::size_t op);

  // The file states every tensor's shape; opcost inferred them from the ops. They must agree,
  // or the mapping (or the file) is wrong. The file's dtype is kept where an op does not say.
  void CheckAgainstFile() {
    for (TensorId id = 0; id < static_cast<TensorId>(graph_.tensors().size()); ++id) {
      const std::int32_t t = file_index_[static_cast<std::size_t>(id)];
      if (t < 0) continue;
      Tensor& tensor = graph_.mutable_tensor(id);
      const Shape file_shape = MapShape(t);
      if (tensor.shape != file_shape) {
        const NodeId producer = graph_.producer(id);
        Fail(ErrorCode::kBadModel,
             Describe(t) +
                 (producer == kNoNode ? ""
                                      : " (output of node '" + graph_.node(producer).name + "')") +
                 ": the file gives shape " + file_shape.ToString() + " but the op computes " +
                 tensor.shape.ToString());
      }
      tensor.dtype = MapType(t);
    }
  }

  const TflModel& m_;
  const std::string& source_;
  const TfliteImportOptions& options_;
  std::uint64_t copy_budget_;  // bytes of constant data still allowed
  Graph graph_;
  std::vector<TensorId> graph_ids_;         // per TFLite tensor
  std::vector<std::int32_t> file_index_;    // per graph tensor: TFLite tensor or -1
  std::vector<int> consumers_;              // per TFLite tensor: reading ops + graph outputs
  std::vector<std::int64_t> first_reader_;  // per TFLite tensor: first reading op or -1
  std::vector<bool> skip_;                  // operators folded into an earlier node
};

// How TFLite builtin operators become each OpType, indexed by OpType: the builtin codes that map
// to the op and the mapper for each (none: TFLite has no such builtin). Every other builtin is
// imported as unsupported.
using TfliteMapper = void (Importer::*)(std::size_t op, OpType type);
struct TfliteBinding {
  std::int32_t builtin_code;
  TfliteMapper map;
};
struct TfliteOpRow {
  OpType type;
  TfliteBinding bindings[2];  // unused entries: kNoBinding
};
constexpr TfliteBinding kNoBinding = {-1, nullptr};

constexpr TfliteOpRow kTfliteOps[] = {
    {OpType::kConv2D, {{tflite::kOpConv2D, &Importer::MapConv}, kNoBinding}},
    {OpType::kDepthwiseConv2D, {{tflite::kOpDepthwiseConv2D, &Importer::MapConv}, kNoBinding}},
    {OpType::kFullyConnected,
     {{tflite::kOpFullyConnected, &Importer::MapFullyConnected}, kNoBinding}},
    {OpType::kMaxPool, {{tflite::kOpMaxPool2D, &Importer::MapPool}, kNoBinding}},
    {OpType::kAvgPool, {{tflite::kOpAveragePool2D, &Importer::MapPool}, kNoBinding}},
    // MEAN over H and W, and TRANSPOSE to NCHW followed by such MEANs (PyTorch exports).
    {OpType::kGlobalAvgPool,
     {{tflite::kOpMean, &Importer::MapMean}, {tflite::kOpTranspose, &Importer::MapTranspose}}},
    {OpType::kRelu, {{tflite::kOpRelu, &Importer::MapUnary}, kNoBinding}},
    {OpType::kRelu6, {{tflite::kOpRelu6, &Importer::MapUnary}, kNoBinding}},
    {OpType::kSigmoid, {{tflite::kOpLogistic, &Importer::MapUnary}, kNoBinding}},
    {OpType::kTanh, {{tflite::kOpTanh, &Importer::MapUnary}, kNoBinding}},
    {OpType::kAdd, {{tflite::kOpAdd, &Importer::MapBinary}, kNoBinding}},
    {OpType::kMul, {{tflite::kOpMul, &Importer::MapBinary}, kNoBinding}},
    {OpType::kConcat, {{tflite::kOpConcatenation, &Importer::MapConcat}, kNoBinding}},
    {OpType::kPad, {{tflite::kOpPad, &Importer::MapPad}, kNoBinding}},
    {OpType::kReshape, {{tflite::kOpReshape, &Importer::MapReshape}, kNoBinding}},
    {OpType::kFlatten, {kNoBinding, kNoBinding}},  // TFLite writes it as RESHAPE
    {OpType::kSoftmax, {{tflite::kOpSoftmax, &Importer::MapSoftmax}, kNoBinding}},
    {OpType::kBatchNorm, {kNoBinding, kNoBinding}},  // no such builtin (the converter folds it)
    {OpType::kLstm, {kNoBinding, kNoBinding}},        // the LSTM builtins are not mapped
    {OpType::kGru, {kNoBinding, kNoBinding}},
    {OpType::kQuantize, {{tflite::kOpQuantize, &Importer::MapConvert}, kNoBinding}},
    {OpType::kDequantize, {{tflite::kOpDequantize, &Importer::MapConvert}, kNoBinding}},
    {OpType::kHardSwish, {{tflite::kOpHardSwish, &Importer::MapUnary}, kNoBinding}},
    {OpType::kHardSigmoid, {kNoBinding, kNoBinding}},
    {OpType::kUnsupported, {kNoBinding, kNoBinding}},  // every builtin without a binding
};

constexpr bool TfliteRowsFollowTheEnum() {
  for (int i = 0; i < kNumOpTypes; ++i) {
    if (kTfliteOps[i].type != static_cast<OpType>(i)) return false;
  }
  return true;
}
static_assert(sizeof(kTfliteOps) / sizeof(kTfliteOps[0]) == kNumOpTypes,
              "kTfliteOps needs exactly one row per OpType");
static_assert(TfliteRowsFollowTheEnum(), "kTfliteOps rows must follow the OpType enum order");

// MapOperator takes the first binding of a code, so each code may be bound once.
constexpr int TimesBound(std::int32_t builtin_code) {
  int times = 0;
  for (const TfliteOpRow& row : kTfliteOps) {
    for (const TfliteBinding& binding : row.bindings) {
      if (binding.map != nullptr && binding.builtin_code == builtin_code) ++times;
    }
  }
  return times;
}
constexpr bool EveryBuiltinIsBoundOnce() {
  for (const TfliteOpRow& row : kTfliteOps) {
    for (const TfliteBinding& binding : row.bindings) {
      if (binding.map != nullptr && TimesBound(binding.builtin_code) != 1) return false;
    }
  }
  return true;
}
static_assert(EveryBuiltinIsBoundOnce(), "a TFLite builtin code is bound in two rows");

void Importer::MapOperator(std::size_t op) {
  try {
    const std::int32_t code = m_.operators[op].builtin_code;
    for (const TfliteOpRow& row : kTfliteOps) {
      for (const TfliteBinding& binding : row.bindings) {
        if (binding.map != nullptr && binding.builtin_code == code) {
          (this->*binding.map)(op, row.type);
          return;
        }
      }
    }
    AddUnsupported(op);
  } catch (const Error& e) {
    // Graph errors (duplicate producer, bad id) do not know the TFLite operator: add it.
    const std::string what = e.what();
    if (what.rfind(source_, 0) == 0) throw;
    throw WithContext(e, source_ + ": " + OpLabel(op));
  }
}

std::string Stem(const std::string& path) {
  std::size_t start = path.find_last_of("/\\");
  start = start == std::string::npos ? 0 : start + 1;
  std::string name = path.substr(start);
  const std::size_t dot = name.find_last_of('.');
  if (dot != std::string::npos && dot > 0) name = name.substr(0, dot);
  return name.empty() ? "model" : name;
}

}  // namespace

bool LooksLikeTflite(const std::uint8_t* data, std::size_t size) {
  return data != nullptr && size >= 8 && std::memcmp(data + 4, "TFL3", 4) == 0;
}

Graph ImportTfliteBuffer(const std::uint8_t* data, std::size_t size, const std::string& source_name,
                         const TfliteImportOptions& options) {
  // The flatbuffers Verifier checks alignment relative to the buffer start; reading needs the
  // start itself 8-byte aligned, so copy when it is not.
  std::vector<std::uint64_t> aligned;
  const std::uint8_t* bytes = data;
  if (data != nullptr && reinterpret_cast<std::uintptr_t>(data) % 8 != 0) {
    aligned.resize((size + 7) / 8);
    std::memcpy(aligned.data(), data, size);
    bytes = reinterpret_cast<const std::uint8_t*>(aligned.data());
  }
  const tflite::TflModel model = tflite::ReadTflite(bytes, size, source_name);
  Importer importer(model, source_name, options);
  try {
    return importer.Run(Stem(source_name));
  } catch (const Error& e) {
    const std::string what = e.what();
    if (what.rfind(source_name, 0) == 0) throw;
    throw WithContext(e, source_name);
  }
}

Graph ImportTflite(const std::string& path, const TfliteImportOptions& options) {
  const std::string bytes = detail::ReadInputFile(path);  // bounded by the input budget
  if (bytes.size() >= (std::size_t{1} << 31)) {
    throw Error(ErrorCode::kBadModel, path + ": file of " + std::to_string(bytes.size()) +
                                          " bytes exceeds the 2 GiB flatbuffer limit");
  }
  std::vector<std::uint64_t> words((bytes.size() + 7) / 8);  // 8-byte aligned storage
  if (!bytes.empty()) std::memcpy(words.data(), bytes.data(), bytes.size());
  return ImportTfliteBuffer(reinterpret_cast<const std::uint8_t*>(words.data()), bytes.size(),
                            path, options);
}

}  // namespace opcost
