#include "opcost/metrics.h"

#include <tuple>

#include <gtest/gtest.h>

#include "opcost/builder.h"
#include "opcost/shape_inference.h"
#include "testing/expect_error.h"

namespace opcost {
namespace {

const OpMetrics& Layer(const NetworkMetrics& m, const Graph& g, const std::string& name) {
  return m.layers[static_cast<std::size_t>(g.FindNode(name))];
}

TEST(Metrics, ConvCountsByHand) {
  // 32x32x3 -> 3x3 conv, 16 filters, SAME, bias, fused ReLU.
  GraphBuilder b("g");
  const TensorId x = b.Input("x", {1, 32, 32, 3});
  b.Conv2D("conv", x, {.filters = 16, .kernel_h = 3, .kernel_w = 3,
                       .activation = Activation::kRelu});
  const Graph g = b.Build();
  const OpMetrics m = ComputeMetrics(g).layers[0];
  EXPECT_EQ(m.category, OpCategory::kConv);
  EXPECT_EQ(m.output_elements, 32 * 32 * 16);
  EXPECT_EQ(m.macs, 32 * 32 * 16 * 27);  // 442,368
  EXPECT_DOUBLE_EQ(m.macs_per_output, 27.0);
  EXPECT_EQ(m.bias_adds, 16384);
  EXPECT_EQ(m.comparisons, 16384);  // fused ReLU: one comparison per output
  EXPECT_EQ(m.other_ops, 32768);
  EXPECT_EQ(m.ops, 2 * 442368 + 32768);
  EXPECT_EQ(m.weight_params, 3 * 3 * 3 * 16);
  EXPECT_EQ(m.bias_params, 16);
  EXPECT_EQ(m.params, 448);
  EXPECT_EQ(m.weight_bytes, 432 + 16 * 4);  // int8 weights, int32 bias
  EXPECT_EQ(m.input_bytes, 32 * 32 * 3);
  EXPECT_EQ(m.output_bytes, 32 * 32 * 16);
}

TEST(Metrics, CategoriesFollowThePaper) {
  GraphBuilder b("g");
  const TensorId x = b.Input("x", {1, 16, 16, 32});
  b.Conv2D("pw", x, {.filters = 64, .kernel_h = 1, .kernel_w = 1});
  b.Conv2D("grouped_pw", x, {.filters = 64, .kernel_h = 1, .kernel_w = 1, .groups = 2});
  b.DepthwiseConv2D("dw", x, {});
  b.MaxPool("mp", x, {});
  b.Unary("relu", OpType::kRelu, x);
  b.Add("add", x, x);
  const TensorId r = b.Reshape("reshape", x, {1, -1});
  b.FullyConnected("fc", r, 10);
  const Graph g = b.Build();
  const NetworkMetrics m = ComputeMetrics(g);
  EXPECT_EQ(Layer(m, g, "pw").category, OpCategory::kConv1x1);
  EXPECT_EQ(Layer(m, g, "grouped_pw").category, OpCategory::kConv);
  EXPECT_EQ(Layer(m, g, "dw").category, OpCategory::kDepthwiseConv);
  EXPECT_EQ(Layer(m, g, "mp").category, OpCategory::kPooling);
  EXPECT_EQ(Layer(m, g, "relu").category, OpCategory::kActivation);
  EXPECT_EQ(Layer(m, g, "add").category, OpCategory::kElementwise);
  EXPECT_EQ(Layer(m, g, "reshape").category, OpCategory::kOther);
  EXPECT_EQ(Layer(m, g, "fc").category, OpCategory::kFullyConnected);
  // Grouped 1x1: each output sees 32/2 inputs.
  EXPECT_EQ(Layer(m, g, "grouped_pw").macs, 16 * 16 * 64 * 16);
  EXPECT_EQ(Layer(m, g, "dw").macs, 16 * 16 * 32 * 9);
  EXPECT_EQ(Layer(m, g, "fc").macs, 8192 * 10);
  EXPECT_DOUBLE_EQ(Layer(m, g, "fc").macs_per_output, 8192.0);
  // Reshape moves nothing and costs nothing.
  EXPECT_EQ(Layer(m, g, "reshape").ops, 0);
}

TEST(Metrics, PoolingAndElementwiseOtherOps) {
  GraphBuilder b("g");
  const TensorId x = b.Input("x", {1, 8, 8, 4});
  b.MaxPool("mp", x, {.pool_h = 2, .pool_w = 2});
  b.AvgPool("ap", x, {.pool_h = 2, .pool_w = 2});
  b.GlobalAvgPool("gap", x);
  b.Unary("r6", OpType::kRelu6, x);
  b.Unary("sig", OpType::kSigmoid, x);
  b.Mul("mul", x, x);
  const TensorId flat = b.Unary("flat", OpType::kFlatten, x);
  b.Unary("sm", OpType::kSoftmax, flat);
  const Graph g = b.Build();
  const NetworkMetrics m = ComputeMetrics(g);
  EXPECT_EQ(Layer(m, g, "mp").comparisons, 4 * 4 * 4 * 3);
  EXPECT_EQ(Layer(m, g, "ap").additions, 4 * 4 * 4 * 3);
  EXPECT_EQ(Layer(m, g, "ap").divisions, 4 * 4 * 4);
  EXPECT_EQ(Layer(m, g, "gap").additions, 4 * 63);
  EXPECT_EQ(Layer(m, g, "gap").divisions, 4);
  EXPECT_EQ(Layer(m, g, "r6").comparisons, 2 * 256);
  EXPECT_EQ(Layer(m, g, "sig").nonlinear_ops, 256);
  EXPECT_EQ(Layer(m, g, "mul").multiplications, 256);
  // Softmax over one row of 256: 255 comparisons, 256 + 255 additions, 256 exp, 256 divisions.
  const OpMetrics& sm = Layer(m, g, "sm");
  EXPECT_EQ(sm.comparisons, 255);
  EXPECT_EQ(sm.additions, 511);
  EXPECT_EQ(sm.nonlinear_ops, 256);
  EXPECT_EQ(sm.divisions, 256);
  EXPECT_EQ(sm.ops, 255 + 511 + 256 + 256);
  for (const OpMetrics& l : m.layers) EXPECT_EQ(l.macs, 0);
}

TEST(Metrics, RecurrentCellsByHand) {
  GraphBuilder b("g");
  const TensorId x = b.Input("x", {1, 25, 10});
  b.Lstm("lstm", x, 98, 0, false);
  b.Lstm("proj", x, 188, 64, false);
  b.Gru("gru", x, 154, false);
  const Graph g = b.Build();
  const NetworkMetrics m = ComputeMetrics(g);
  // LSTM: 4u(F+u) per step, 25 steps.
  EXPECT_EQ(Layer(m, g, "lstm").macs, 25 * 4 * 98 * (10 + 98));
  EXPECT_EQ(Layer(m, g, "lstm").params, 4 * 98 * (10 + 98) + 4 * 98);
  // With projection p=64: 4u(F+p) + p*u per step.
  EXPECT_EQ(Layer(m, g, "proj").macs, 25 * (4 * 188 * (10 + 64) + 64 * 188));
  EXPECT_EQ(Layer(m, g, "proj").params, 4 * 188 * (10 + 64) + 4 * 188 + 64 * 188);
  // GRU: 3u(F+u) per step.
  EXPECT_EQ(Layer(m, g, "gru").macs, 25 * 3 * 154 * (10 + 154));
  EXPECT_EQ(Layer(m, g, "gru").category, OpCategory::kFullyConnected);
}

TEST(Metrics, BatchMultipliesEveryCount) {
  auto macs_for = [](std::int64_t batch) {
    GraphBuilder b("g");
    const TensorId x = b.Input("x", {batch, 16, 16, 8});
    b.Conv2D("c", x, {.filters = 8, .kernel_h = 3, .kernel_w = 3});
    return ComputeMetrics(b.Build()).total;
  };
  const OpMetrics one = macs_for(1), four = macs_for(4);
  EXPECT_EQ(four.macs, 4 * one.macs);
  EXPECT_EQ(four.ops, 4 * one.ops);
  EXPECT_EQ(four.params, one.params);  // weights do not grow with the batch
}

TEST(Metrics, MacsEqualOutputsTimesMacsPerOutput) {
  GraphBuilder b("g");
  TensorId x = b.Input("x", {1, 20, 20, 6});
  x = b.Conv2D("c1", x, {.filters = 10, .kernel_h = 5, .kernel_w = 3, .stride_h = 2});
  x = b.DepthwiseConv2D("dw", x, {.kernel_h = 3, .kernel_w = 5, .depth_multiplier = 3});
  x = b.Conv2D("c2", x, {.filters = 7, .kernel_h = 1, .kernel_w = 1});
  b.FullyConnected("fc", x, 9);
  const NetworkMetrics m = ComputeMetrics(b.Build());
  for (const OpMetrics& l : m.layers) {
    EXPECT_EQ(static_cast<double>(l.macs),
              static_cast<double>(l.output_elements) * l.macs_per_output);
  }
}

TEST(Metrics, SharedWeightsCountOnceInTotals) {
  Graph g("shared");
  const TensorId x = g.AddTensor(Tensor::Activation("x", {1, 4, 4, 2}, DataType::kInt8));
  const TensorId w = g.AddTensor(Tensor::Constant("w", {2, 1, 1, 2}, DataType::kInt8));
  const TensorId y = g.AddTensor(Tensor::Activation("y", {}, DataType::kInt8));
  const TensorId z = g.AddTensor(Tensor::Activation("z", {}, DataType::kInt8));
  g.SetInputs({x});
  for (auto [name, in, out] : {std::tuple{"a", x, y}, std::tuple{"b", y, z}}) {
    Node n;
    n.name = name;
    n.type = OpType::kConv2D;
    n.inputs = {in, w};
    n.outputs = {out};
    g.AddNode(n);
  }
  InferShapes(g);
  const NetworkMetrics m = ComputeMetrics(g);
  EXPECT_EQ(m.layers[0].weight_params, 4);
  EXPECT_EQ(m.layers[1].weight_params, 4);
  EXPECT_EQ(m.total.weight_params, 4);
  EXPECT_EQ(m.total.weight_bytes, 4);
  EXPECT_EQ(m.total.macs, 2 * 16 * 2 * 2);
}

TEST(Metrics, LayerDescMatchesTheGraph) {
  GraphBuilder b("g");
  const TensorId x = b.Input("x", {1, 24, 24, 16});
  b.Conv2D("c", x, {.filters = 32, .kernel_h = 3, .kernel_w = 3, .stride_h = 2, .stride_w = 2});
  const Graph g = b.Build();
  const OpMetrics from_graph = ComputeMetrics(g).layers[0];
  const OpMetrics alone = ComputeLayerMetrics(LayerDesc::Conv2D({1, 24, 24, 16}, 32, 3, 3, 2));
  EXPECT_EQ(alone.macs, from_graph.macs);
  EXPECT_EQ(alone.params, from_graph.params);
  EXPECT_EQ(alone.weight_bytes, from_graph.weight_bytes);
  EXPECT_EQ(alone.ops, from_graph.ops);
  EXPECT_EQ(alone.output_bytes, from_graph.output_bytes);
  const OpMetrics dw = ComputeLayerMetrics(LayerDesc::DepthwiseConv2D({1, 10, 10, 8}, 3, 3));
  EXPECT_EQ(dw.macs, 10 * 10 * 8 * 9);
  const OpMetrics fc = ComputeLayerMetrics(LayerDesc::FullyConnected(1, 250, 144));
  EXPECT_EQ(fc.macs, 250 * 144);
  EXPECT_EQ(fc.params, 250 * 144 + 144);
}

TEST(Metrics, LayerDescIsValidated) {
  LayerDesc d = LayerDesc::Conv2D({1, 8, 8, 4}, 4, 3, 3);
  d.weights = Shape{};
  EXPECT_OPCOST_ERROR(ComputeLayerMetrics(d), ErrorCode::kInvalidArgument, "rank 4");
  EXPECT_OPCOST_ERROR(LayerDesc::Conv2D({8, 8, 4}, 4, 3, 3), ErrorCode::kInvalidArgument,
                      "rank 4");
  LayerDesc huge = LayerDesc::Conv2D({1, 1 << 20, 1 << 20, 1 << 12}, 1 << 12, 3, 3);
  EXPECT_OPCOST_ERROR(ComputeLayerMetrics(huge), ErrorCode::kOverflow, "overflow");
}

}  // namespace
}  // namespace opcost
