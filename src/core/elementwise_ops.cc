// Element-wise ops: activations, softmax, add, mul, batch_norm, quantize, dequantize.
// Counting per element: relu 1 comparison, relu6 2; sigmoid/tanh 1 nonlinear op; softmax over
// rows of C: C-1 comparisons (max), C subtractions + C-1 additions (sum), C exp, C divisions;
// add 1 addition, mul 1 multiplication; batch_norm 1 multiplication + 1 addition;
// quantize/dequantize 1 conversion.
#include <algorithm>
#include <string>

#include "core/op_registry.h"
#include "opcost/error.h"

namespace opcost::detail {
namespace {

void InferSame(Graph& g, NodeId id) { SetOutput(g, id, Input(g, id, 0).shape); }

void InferConvert(Graph& g, NodeId id) {
  const OpAttributes& a = g.node(id).attrs;
  SetOutput(g, id, Input(g, id, 0).shape);
  Tensor& out = Output(g, id);
  if (a.has_output_dtype) {
    out.dtype = a.output_dtype;
  } else if (g.node(id).type == OpType::kDequantize) {
    out.dtype = DataType::kFloat32;
  }
}

// NumPy broadcasting of two shapes, right-aligned.
void InferBinary(Graph& g, NodeId id) {
  if (g.node(id).inputs.size() != 2) {
    ShapeFail(g, id, "expects 2 inputs (got " + std::to_string(g.node(id).inputs.size()) + ")");
  }
  const Shape& a = Input(g, id, 0).shape;
  const Shape& b = Input(g, id, 1).shape;
  Shape out;
  out.rank = std::max(a.rank, b.rank);
  for (int i = 0; i < out.rank; ++i) {
    const int ia = a.rank - out.rank + i, ib = b.rank - out.rank + i;
    const std::int64_t da = ia >= 0 ? a[ia] : 1, db = ib >= 0 ? b[ib] : 1;
    if (da != db && da != 1 && db != 1) {
      ShapeFail(g, id,
                "input shapes must be equal or broadcastable (got " + a.ToString() + " and " +
                    b.ToString() + ")");
    }
    out[i] = da == 1 ? db : da;
  }
  // The output keeps the dtype of the first non-constant input.
  const Tensor& first = Input(g, id, 0).is_constant ? Input(g, id, 1) : Input(g, id, 0);
  Tensor& o = Output(g, id);
  o.shape = out;
  o.dtype = first.dtype;
}

void InferBatchNorm(Graph& g, NodeId id) {
  const Node& n = g.node(id);
  const Shape& x = Input(g, id, 0).shape;
  if (n.inputs.size() != 3) {
    ShapeFail(g, id,
              "expects inputs [input, scale, offset] (got " + std::to_string(n.inputs.size()) +
                  " inputs)");
  }
  for (int i = 1; i <= 2; ++i) {
    const Shape& s = Input(g, id, i).shape;
    if (s.rank != 1 || s[0] != x.Channels()) {
      ShapeFail(g, id,
                std::string(i == 1 ? "scale" : "offset") + " must be [" +
                    std::to_string(x.Channels()) + "] (got " + s.ToString() + ")");
    }
  }
  SetOutput(g, id, x);
}

void Start(const LayerDesc& l, OpMetrics* m) { m->output_elements = l.output.NumElements(); }

void CountRelu(const LayerDesc& l, OpMetrics* m) {
  Start(l, m);
  m->comparisons = m->output_elements;
}
void CountRelu6(const LayerDesc& l, OpMetrics* m) {
  Start(l, m);
  m->comparisons = CheckedMul(2, m->output_elements);
}
void CountNonlinear(const LayerDesc& l, OpMetrics* m) {
  Start(l, m);
  m->nonlinear_ops = m->output_elements;
}
// hard_swish = x * relu6(x + 3) / 6: 1 addition, 2 comparisons (the clamp), 2 multiplications
// (by x and by the constant 1/6) per element; hard_sigmoid = clamp(a * x + b, 0, 1): 1
// multiplication, 1 addition, 2 comparisons.
void CountHardSwish(const LayerDesc& l, OpMetrics* m) {
  Start(l, m);
  m->additions = m->output_elements;
  m->comparisons = CheckedMul(2, m->output_elements);
  m->multiplications = CheckedMul(2, m->output_elements);
}
void CountHardSigmoid(const LayerDesc& l, OpMetrics* m) {
  Start(l, m);
  m->additions = m->output_elements;
  m->comparisons = CheckedMul(2, m->output_elements);
  m->multiplications = m->output_elements;
}
void CountSoftmax(const LayerDesc& l, OpMetrics* m) {
  Start(l, m);
  const std::int64_t n = m->output_elements;
  const std::int64_t rows = l.output.Channels() > 0 ? n / l.output.Channels() : 0;
  m->comparisons = n - rows;
  m->additions = CheckedAdd(n, n - rows);
  m->nonlinear_ops = n;
  m->divisions = n;
}
void CountAdd(const LayerDesc& l, OpMetrics* m) {
  Start(l, m);
  m->additions = m->output_elements;
  CountFusedActivation(l.attrs.activation, m->output_elements, m);
}
void CountMul(const LayerDesc& l, OpMetrics* m) {
  Start(l, m);
  m->multiplications = m->output_elements;
  CountFusedActivation(l.attrs.activation, m->output_elements, m);
}
void CountBatchNorm(const LayerDesc& l, OpMetrics* m) {
  Start(l, m);
  m->multiplications = m->output_elements;
  m->additions = m->output_elements;
  m->bias_params = l.output.Channels();
}
void CountConvert(const LayerDesc& l, OpMetrics* m) {
  Start(l, m);
  m->conversions = m->output_elements;
}

std::vector<ConstantSpec> BatchNormConstants(const OpAttributes&, const Shape& x, DataType dtype,
                                             bool) {
  const DataType t = dtype == DataType::kFloat32 ? DataType::kFloat32 : DataType::kInt32;
  return {{"scale", Shape{x.Channels()}, t, false}, {"offset", Shape{x.Channels()}, t, true}};
}

// The activations' row: one data input, the output shaped like it, no weights, no JSON fields;
// `in_place` as the op table's field.
OpInfo ActivationInfo(OpType type, const char* name, void (*count)(const LayerDesc&, OpMetrics*),
                      bool in_place) {
  return {type, name, OpCategory::kActivation, 1, 1,
          InferSame, count, nullptr, nullptr,
          /*weights_input=*/kNoInput, /*bias_input=*/kNoInput,
          /*alias=*/false, in_place, /*fused_activation=*/false,
          {},
          {}};
}

}  // namespace

// Fields: type, name, category, min/max data inputs, infer, count, check_layer, constants,
// weights/bias input, alias, in_place, fused_activation, json_fields, required_json_fields
// (op_registry.h).
// in_place: the elementwise activations and add (docs/memory.md, "In place").
const OpInfo kReluInfo = ActivationInfo(OpType::kRelu, "relu", CountRelu, true);
const OpInfo kRelu6Info = ActivationInfo(OpType::kRelu6, "relu6", CountRelu6, true);
const OpInfo kSigmoidInfo = ActivationInfo(OpType::kSigmoid, "sigmoid", CountNonlinear, true);
const OpInfo kTanhInfo = ActivationInfo(OpType::kTanh, "tanh", CountNonlinear, true);
const OpInfo kHardSwishInfo =
    ActivationInfo(OpType::kHardSwish, "hard_swish", CountHardSwish, true);
const OpInfo kHardSigmoidInfo =
    ActivationInfo(OpType::kHardSigmoid, "hard_sigmoid", CountHardSigmoid, true);
// Softmax is not elementwise (each output reads its whole row): not in place.
const OpInfo kSoftmaxInfo = ActivationInfo(OpType::kSoftmax, "softmax", CountSoftmax, false);
const OpInfo kAddInfo = {
    OpType::kAdd, "add", OpCategory::kElementwise, 1, 2,
    InferBinary, CountAdd, nullptr, nullptr,
    /*weights_input=*/kNoInput, /*bias_input=*/kNoInput,
    /*alias=*/false, /*in_place=*/true, /*fused_activation=*/true,
    {"activation"},
    {}};
const OpInfo kMulInfo = {
    OpType::kMul, "mul", OpCategory::kElementwise, 1, 2,
    InferBinary, CountMul, nullptr, nullptr,
    /*weights_input=*/kNoInput, /*bias_input=*/kNoInput,
    /*alias=*/false, /*in_place=*/false, /*fused_activation=*/true,
    {"activation"},
    {}};
// batch_norm: [x, scale, offset]; the offset is its bias.
const OpInfo kBatchNormInfo = {
    OpType::kBatchNorm, "batch_norm", OpCategory::kElementwise, 1, 1,
    InferBatchNorm, CountBatchNorm, nullptr, BatchNormConstants,
    /*weights_input=*/kNoInput, /*bias_input=*/2,
    /*alias=*/false, /*in_place=*/false, /*fused_activation=*/false,
    {},
    {}};
const OpInfo kQuantizeInfo = {
    OpType::kQuantize, "quantize", OpCategory::kElementwise, 1, 1,
    InferConvert, CountConvert, nullptr, nullptr,
    /*weights_input=*/kNoInput, /*bias_input=*/kNoInput,
    /*alias=*/false, /*in_place=*/false, /*fused_activation=*/false,
    {"output_dtype"},
    {}};
const OpInfo kDequantizeInfo = {
    OpType::kDequantize, "dequantize", OpCategory::kElementwise, 1, 1,
    InferConvert, CountConvert, nullptr, nullptr,
    /*weights_input=*/kNoInput, /*bias_input=*/kNoInput,
    /*alias=*/false, /*in_place=*/false, /*fused_activation=*/false,
    {"output_dtype"},
    {}};

}  // namespace opcost::detail
