// fully_connected, lstm and gru: matrix-vector ops (the paper's "fully connected" class).
#include <string>

#include "core/op_registry.h"
#include "opcost/error.h"

namespace opcost::detail {
namespace {

std::string Str(std::int64_t v) { return std::to_string(v); }

void CheckUnits(const Graph& g, NodeId id, std::int64_t units, std::int64_t from_weights) {
  if (units != 0 && units != from_weights) {
    ShapeFail(g, id, "units must match the weights (got " + Str(units) + " vs " +
                         Str(from_weights) + ")");
  }
}

void CheckVector(const Graph& g, NodeId id, int index, const char* what, std::int64_t n) {
  const Shape& s = Input(g, id, index).shape;
  if (s.rank != 1 || s[0] != n) {
    ShapeFail(g, id, std::string(what) + " must be [" + Str(n) + "] (got " + s.ToString() + ")");
  }
}

void CheckMatrix(const Graph& g, NodeId id, int index, const char* what, std::int64_t rows,
                 std::int64_t cols) {
  const Shape& s = Input(g, id, index).shape;
  if (s.rank != 2 || s[0] != rows || s[1] != cols) {
    ShapeFail(g, id, std::string(what) + " must be [" + Str(rows) + "," + Str(cols) + "] (got " +
                         s.ToString() + ")");
  }
}

void InferFullyConnected(Graph& g, NodeId id) {
  const Node& n = g.node(id);
  if (n.inputs.size() < 2 || n.inputs.size() > 3) {
    ShapeFail(g, id, "expects inputs [input, weights [units,in_features], bias?] (got " +
                         Str(static_cast<std::int64_t>(n.inputs.size())) + " inputs)");
  }
  const Shape& w = Input(g, id, 1).shape;
  if (w.rank != 2 || w[0] < 1 || w[1] < 1) {
    ShapeFail(g, id, "weights must be rank 2 [units,in_features] (got " + w.ToString() + ")");
  }
  CheckUnits(g, id, n.attrs.units, w[0]);
  const std::int64_t elements = Input(g, id, 0).shape.NumElements();
  if (elements % w[1] != 0) {
    ShapeFail(g, id, "input elements must be a multiple of in_features (got " + Str(elements) +
                         " elements, in_features " + Str(w[1]) + ")");
  }
  if (n.inputs.size() == 3) CheckVector(g, id, 2, "bias", w[0]);
  SetOutput(g, id, Shape{elements / w[1], w[0]});
}

void CountFullyConnected(const LayerDesc& l, OpMetrics* m) {
  m->output_elements = l.output.NumElements();
  m->macs_per_output = static_cast<double>(l.weights[1]);
  m->macs = CheckedMul(m->output_elements, l.weights[1]);
  if (l.has_bias) {
    m->bias_adds = m->output_elements;
    m->bias_params = l.weights[0];
  }
  CountFusedActivation(l.attrs.activation, m->output_elements, m);
}

std::int64_t InFeatures(const Shape& x) {
  if (x.rank == 0) return 1;
  if (x.rank == 1) return x[0];
  return x.NumElements() / (x[0] == 0 ? 1 : x[0]);
}

std::vector<ConstantSpec> FullyConnectedConstants(const OpAttributes& a, const Shape& x,
                                                  DataType dtype, bool bias) {
  const ConstantSpec weights{"weights", Shape{a.units, InFeatures(x)}, WeightTypeFor(dtype),
                             false};
  // One list of the final size (a push_back reallocated).
  if (!bias) return {weights};
  return {weights, {"bias", Shape{a.units}, BiasTypeFor(dtype), true}};
}

// Recurrent cells. gates = 4 (lstm) or 3 (gru).
void InferRecurrent(Graph& g, NodeId id, std::int64_t gates) {
  const Node& n = g.node(id);
  const OpAttributes& a = n.attrs;
  const Shape& x = Input(g, id, 0).shape;
  if (x.rank != 3) ShapeFail(g, id, "input must be rank 3 [N,T,F] (got " + x.ToString() + ")");
  if (a.units < 1) AttrFail(g, id, "units must be at least 1 (got " + Str(a.units) + ")");
  if (a.projection < 0 || (gates == 3 && a.projection != 0)) {
    AttrFail(g, id, "projection must be 0 or positive (and 0 for gru) (got " +
                        Str(a.projection) + ")");
  }
  const std::int64_t u = a.units;
  const std::int64_t state = a.projection > 0 ? a.projection : u;
  const std::size_t without_bias = 3 + (a.projection > 0 ? 1 : 0);
  if (n.inputs.size() != without_bias && n.inputs.size() != without_bias + 1) {
    ShapeFail(g, id, "expects inputs [input, weights, recurrent_weights, bias?" +
                         std::string(a.projection > 0 ? ", projection" : "") + "] (got " +
                         Str(static_cast<std::int64_t>(n.inputs.size())) + " inputs)");
  }
  const bool bias = n.inputs.size() == without_bias + 1;
  const std::int64_t gate_rows = CheckedMul(gates, u);
  CheckMatrix(g, id, 1, "weights", gate_rows, x[2]);
  CheckMatrix(g, id, 2, "recurrent_weights", gate_rows, state);
  if (bias) CheckVector(g, id, 3, "bias", gate_rows);
  if (a.projection > 0) CheckMatrix(g, id, bias ? 4 : 3, "projection", a.projection, u);
  SetOutput(g, id, a.return_sequences ? Shape{x[0], x[1], state} : Shape{x[0], state});
}

void InferLstm(Graph& g, NodeId id) { InferRecurrent(g, id, 4); }
void InferGru(Graph& g, NodeId id) { InferRecurrent(g, id, 3); }

// Per time step and batch row: MACs = gates*u*(F + state) (+ p*u projection); element ops:
// lstm 5u nonlinear (3 sigmoid + 2 tanh), 3u multiplications, u additions; gru 3u nonlinear,
// 3u multiplications, 2u additions. Bias adds gates*u.
void CountRecurrent(const LayerDesc& l, std::int64_t gates, OpMetrics* m) {
  const std::int64_t u = l.attrs.units, p = l.attrs.projection;
  const std::int64_t state = p > 0 ? p : u;
  const std::int64_t steps = CheckedMul(l.input[0], l.input[1]);
  const std::int64_t gate_rows = CheckedMul(gates, u);
  std::int64_t macs_per_step =
      CheckedMul(gate_rows, CheckedAdd(l.input[2], state));
  if (p > 0) macs_per_step = CheckedAdd(macs_per_step, CheckedMul(p, u));
  m->macs = CheckedMul(steps, macs_per_step);
  m->output_elements = l.output.NumElements();
  m->macs_per_output = static_cast<double>(m->macs) / static_cast<double>(m->output_elements);
  const bool lstm = gates == 4;
  m->nonlinear_ops = CheckedMul(steps, CheckedMul(lstm ? 5 : 3, u));
  m->multiplications = CheckedMul(steps, CheckedMul(3, u));
  m->additions = CheckedMul(steps, CheckedMul(lstm ? 1 : 2, u));
  if (l.has_bias) {
    m->bias_adds = CheckedMul(steps, gate_rows);
    m->bias_params = gate_rows;
  }
}

void CountLstm(const LayerDesc& l, OpMetrics* m) { CountRecurrent(l, 4, m); }
void CountGru(const LayerDesc& l, OpMetrics* m) { CountRecurrent(l, 3, m); }

void CheckFullyConnectedLayer(const LayerDesc& l) {
  if (l.weights.rank != 2) LayerFail(l, "weights must be rank 2 (got " + l.weights.ToString() + ")");
}

void CheckRecurrentLayer(const LayerDesc& l) {
  if (l.input.rank != 3 || l.attrs.units < 1) LayerFail(l, "needs input [N,T,F] and units");
}

std::vector<ConstantSpec> RecurrentConstants(const OpAttributes& a, const Shape& x,
                                             DataType dtype, bool bias, std::int64_t gates) {
  // A wrong-rank input is reported by shape inference; the channels keep the weights valid.
  const std::int64_t features = x.Channels();
  const std::int64_t state = a.projection > 0 ? a.projection : a.units;
  const std::int64_t rows = CheckedMul(gates, a.units);
  const DataType wt = WeightTypeFor(dtype);
  std::vector<ConstantSpec> c;
  c.reserve(4);
  c.push_back({"weights", Shape{rows, features}, wt, false});
  c.push_back({"recurrent_weights", Shape{rows, state}, wt, false});
  if (bias) c.push_back({"bias", Shape{rows}, BiasTypeFor(dtype), true});
  if (a.projection > 0) c.push_back({"projection", Shape{a.projection, a.units}, wt, false});
  return c;
}

std::vector<ConstantSpec> LstmConstants(const OpAttributes& a, const Shape& x, DataType dtype,
                                        bool bias) {
  return RecurrentConstants(a, x, dtype, bias, 4);
}
std::vector<ConstantSpec> GruConstants(const OpAttributes& a, const Shape& x, DataType dtype,
                                       bool bias) {
  return RecurrentConstants(a, x, dtype, bias, 3);
}

}  // namespace

// Fields: type, name, category, min/max data inputs, infer, count, check_layer, constants,
// weights/bias input, alias, in_place, fused_activation, json_fields, required_json_fields
// (op_registry.h).
const OpInfo kFullyConnectedInfo = {
    OpType::kFullyConnected, "fully_connected", OpCategory::kFullyConnected, 1, 1,
    InferFullyConnected, CountFullyConnected, CheckFullyConnectedLayer, FullyConnectedConstants,
    /*weights_input=*/1, /*bias_input=*/2,
    /*alias=*/false, /*in_place=*/false, /*fused_activation=*/true,
    {"units", "bias", "activation"},
    {}};
// Recurrent cells are matrix-vector products, so they cost like fully_connected.
const OpInfo kLstmInfo = {
    OpType::kLstm, "lstm", OpCategory::kFullyConnected, 1, 1,
    InferLstm, CountLstm, CheckRecurrentLayer, LstmConstants,
    /*weights_input=*/1, /*bias_input=*/3,
    /*alias=*/false, /*in_place=*/false, /*fused_activation=*/false,
    {"units", "projection", "return_sequences", "bias"},
    {"units"}};
const OpInfo kGruInfo = {
    OpType::kGru, "gru", OpCategory::kFullyConnected, 1, 1,
    InferGru, CountGru, CheckRecurrentLayer, GruConstants,
    /*weights_input=*/1, /*bias_input=*/3,
    /*alias=*/false, /*in_place=*/false, /*fused_activation=*/false,
    {"units", "return_sequences", "bias"},
    {"units"}};

}  // namespace opcost::detail
