// Operand checks shared by the op mappers (input counts, options, padding, fused activation,
// constant weights) and the nodes they add, including the zero-cost 'unsupported' node.
#include <string>
#include <vector>

#include "opcost/error.h"
#include "tflite/tflite_importer.h"

namespace opcost::tflite {

std::int32_t Importer::Input(std::size_t op, std::size_t k, const char* what) const {
  const TflOperator& o = m_.operators[op];
  if (k >= o.inputs.size() || o.inputs[k] < 0) {
    OpFail(op, ErrorCode::kBadModel,
           std::string("missing input ") + std::to_string(k) + " (" + what + ")");
  }
  return o.inputs[k];
}

std::int32_t Importer::OptionalInput(std::size_t op, std::size_t k) const {
  const TflOperator& o = m_.operators[op];
  return k < o.inputs.size() ? o.inputs[k] : -1;
}

void Importer::ExpectInputs(std::size_t op, std::size_t min_count, std::size_t max_count) const {
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

void Importer::ExpectOptions(std::size_t op, int options_type, const char* name) const {
  if (m_.operators[op].options.options_type != options_type) {
    OpFail(op, ErrorCode::kBadModel,
           std::string("missing ") + name + " (builtin options type " +
               std::to_string(m_.operators[op].options.options_type) + ")");
  }
}

Padding Importer::MapPadding(std::size_t op) const {
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
Activation Importer::MapActivation(std::size_t op) const {
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

void Importer::CheckStrides(std::size_t op) const {
  const tflite::TflOptions& o = m_.operators[op].options;
  if (o.stride_h < 1 || o.stride_w < 1 || o.dilation_h < 1 || o.dilation_w < 1) {
    OpFail(op, ErrorCode::kBadModel,
           "strides and dilations must be >= 1 (got stride " + std::to_string(o.stride_h) + "x" +
               std::to_string(o.stride_w) + ", dilation " + std::to_string(o.dilation_h) + "x" +
               std::to_string(o.dilation_w) + ")");
  }
}

std::string Importer::NodeName(std::size_t op, OpType type) const {
  return std::string(OpTypeName(type)) + "_" + std::to_string(op);
}

void Importer::AddNode(std::size_t op, OpType type, const OpAttributes& attrs,
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
void Importer::AddNodeWithActivation(std::size_t op, OpType type, const OpAttributes& attrs,
                                     const std::vector<std::int32_t>& inputs, std::int32_t output) {
  const Activation act = MapActivation(op);
  if (act == Activation::kNone) {
    AddNode(op, type, attrs, inputs, output);
    return;
  }
  const OpType act_type = SeparateActivationOp(op, act);
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

// The op that applies fused activation `act` on its own.
OpType Importer::SeparateActivationOp(std::size_t op, Activation act) const {
  switch (act) {
    case Activation::kRelu:
      return OpType::kRelu;
    case Activation::kRelu6:
      return OpType::kRelu6;
    case Activation::kTanh:
      return OpType::kTanh;
    default:
      OpFail(op, ErrorCode::kUnsupportedOp,
             std::string("fused activation ") + ActivationName(act) + " has no separate opcost op");
  }
}

void Importer::AddUnsupported(std::size_t op) {
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

void Importer::RequireConstant(std::size_t op, std::int32_t t, const char* what) const {
  if (!IsConstant(t)) {
    OpFail(
        op, ErrorCode::kUnsupportedOp,
        std::string(what) + " " + Describe(t) + " must be constant (opcost costs static weights)");
  }
}

std::vector<std::int32_t> Importer::WeightsAndBias(std::size_t op, std::int32_t x, std::int32_t w) {
  RequireConstant(op, w, "weights");
  std::vector<std::int32_t> inputs = {x, w};
  const std::int32_t bias = OptionalInput(op, 2);
  if (bias >= 0) {
    RequireConstant(op, bias, "bias");
    inputs.push_back(bias);
  }
  return inputs;
}

}  // namespace opcost::tflite
