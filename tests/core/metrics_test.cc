#include "opcost/metrics.h"

#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

#include "opcost/builder.h"
#include "opcost/model_io.h"
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
  b.Conv2D("conv", x,
           {.filters = 16, .kernel_h = 3, .kernel_w = 3, .activation = Activation::kRelu});
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

// One model with every op type: the graph path (ComputeMetrics) and the one-layer path
// (ComputeLayerMetrics of DescribeNode) must agree on every count. They once disagreed on the
// parameters of lstm, gru and batch_norm, whose extra constants only the graph path saw.
constexpr char kEveryOp[] = R"({
  "format": "opcost-model", "format_version": 1, "name": "every_op", "dtype": "int8",
  "inputs": [{"name": "img", "shape": [1, 12, 12, 4]}, {"name": "seq", "shape": [1, 5, 6]}],
  "layers": [
    {"name": "conv", "op": "conv2d", "inputs": ["img"], "filters": 8, "kernel": [3, 3],
     "padding": "same", "activation": "relu"},
    {"name": "dw", "op": "depthwise_conv2d", "kernel": [3, 3], "stride": 2},
    {"name": "bn", "op": "batch_norm"},
    {"name": "r", "op": "relu"},
    {"name": "r6", "op": "relu6"},
    {"name": "sg", "op": "sigmoid"},
    {"name": "th", "op": "tanh"},
    {"name": "hs", "op": "hard_swish"},
    {"name": "hsg", "op": "hard_sigmoid"},
    {"name": "mp", "op": "max_pool", "pool": [2, 2]},
    {"name": "ap", "op": "avg_pool", "pool": [1, 1]},
    {"name": "pd", "op": "pad", "paddings": [[0, 0], [1, 1], [1, 1], [0, 0]]},
    {"name": "sum", "op": "add", "inputs": ["pd", "pd"]},
    {"name": "prod", "op": "mul", "inputs": ["sum", "pd"]},
    {"name": "cat", "op": "concat", "inputs": ["sum", "prod"]},
    {"name": "gap", "op": "global_avg_pool"},
    {"name": "fl", "op": "flatten"},
    {"name": "fc", "op": "fully_connected", "units": 10},
    {"name": "rs", "op": "reshape", "shape": [1, 10]},
    {"name": "sm", "op": "softmax"},
    {"name": "dq", "op": "dequantize", "output_dtype": "float32"},
    {"name": "q", "op": "quantize", "output_dtype": "int8"},
    {"name": "lstm", "op": "lstm", "inputs": ["seq"], "units": 7, "projection": 3},
    {"name": "gru", "op": "gru", "units": 4, "return_sequences": false}
  ]
})";

TEST(Metrics, GraphAndOneLayerPathsAgreeForEveryOpType) {
  const Graph g = ParseModel(kEveryOp);
  const NetworkMetrics net = ComputeMetrics(g);
  // Hand counts of the hard activations on the 6x6x8 depthwise output (288 elements):
  // hard_swish 1 add + 2 comparisons + 2 multiplications each, hard_sigmoid one multiplication
  // fewer.
  const OpMetrics& hs = net.layers[static_cast<std::size_t>(g.FindNode("hs"))];
  EXPECT_EQ(hs.other_ops, 288 * 5);
  EXPECT_EQ(hs.category, OpCategory::kActivation);
  EXPECT_EQ(net.layers[static_cast<std::size_t>(g.FindNode("hsg"))].other_ops, 288 * 4);
  std::vector<bool> seen(kNumOpTypes, false);
  for (NodeId id = 0; id < static_cast<NodeId>(g.nodes().size()); ++id) {
    const OpMetrics& a = net.layers[static_cast<std::size_t>(id)];
    const OpMetrics b = ComputeLayerMetrics(DescribeNode(g, id));
    const std::string& name = g.node(id).name;
    seen[static_cast<std::size_t>(g.node(id).type)] = true;
    EXPECT_EQ(a.macs, b.macs) << name;
    EXPECT_EQ(a.output_elements, b.output_elements) << name;
    EXPECT_EQ(a.weight_params, b.weight_params) << name;
    EXPECT_EQ(a.bias_params, b.bias_params) << name;
    EXPECT_EQ(a.weight_bytes, b.weight_bytes) << name;
    EXPECT_EQ(a.other_ops, b.other_ops) << name;
    EXPECT_EQ(a.ops, b.ops) << name;
    EXPECT_EQ(a.input_bytes, b.input_bytes) << name;
    EXPECT_EQ(a.output_bytes, b.output_bytes) << name;
    EXPECT_EQ(a.category, b.category) << name;
    EXPECT_DOUBLE_EQ(a.macs_per_output, b.macs_per_output) << name;
  }
  for (int t = 0; t < kNumOpTypes; ++t) {
    // "unsupported" only comes from importers and has no counts to compare.
    if (static_cast<OpType>(t) == OpType::kUnsupported) continue;
    EXPECT_TRUE(seen[static_cast<std::size_t>(t)]) << OpTypeName(static_cast<OpType>(t));
  }
}

// DescribeGraph fills its vector in place: descriptions left from another graph (here the same
// ops in reverse order, every field different somewhere) must not leak into the new ones.
TEST(Metrics, DescribeGraphOverwritesEveryFieldOfAReusedVector) {
  const Graph g = ParseModel(kEveryOp);
  std::vector<LayerDesc> layers;
  DescribeGraph(g, &layers);
  std::vector<LayerDesc> reversed(layers.rbegin(), layers.rend());
  DescribeGraph(g, &reversed);
  ASSERT_EQ(reversed.size(), g.nodes().size());
  for (NodeId id = 0; id < static_cast<NodeId>(g.nodes().size()); ++id) {
    const LayerDesc& got = reversed[static_cast<std::size_t>(id)];
    const LayerDesc want = DescribeNode(g, id);
    SCOPED_TRACE(g.node(id).name);
    EXPECT_EQ(got.type, want.type);
    EXPECT_EQ(got.attrs.kernel_h, want.attrs.kernel_h);
    EXPECT_EQ(got.attrs.units, want.attrs.units);
    EXPECT_EQ(got.attrs.new_shape, want.attrs.new_shape);
    EXPECT_EQ(got.input, want.input);
    EXPECT_EQ(got.output, want.output);
    EXPECT_EQ(got.weights, want.weights);
    EXPECT_EQ(got.has_bias, want.has_bias);
    EXPECT_EQ(got.num_data_inputs, want.num_data_inputs);
    EXPECT_EQ(got.data_input_bytes, want.data_input_bytes);
    EXPECT_EQ(got.dtype, want.dtype);
    EXPECT_EQ(got.weight_dtype, want.weight_dtype);
    EXPECT_EQ(got.bias_dtype, want.bias_dtype);
    EXPECT_EQ(got.extra_params, want.extra_params);
  }
}

TEST(Metrics, LayerDescIsValidated) {
  LayerDesc d = LayerDesc::Conv2D({1, 8, 8, 4}, 4, 3, 3);
  d.weights = Shape{};
  EXPECT_OPCOST_ERROR(ComputeLayerMetrics(d), ErrorCode::kInvalidArgument, "rank 4");
  EXPECT_OPCOST_ERROR(LayerDesc::Conv2D({8, 8, 4}, 4, 3, 3), ErrorCode::kInvalidArgument, "rank 4");
  LayerDesc huge = LayerDesc::Conv2D({1, 1 << 20, 1 << 20, 1 << 12}, 1 << 12, 3, 3);
  EXPECT_OPCOST_ERROR(ComputeLayerMetrics(huge), ErrorCode::kOverflow, "overflow");
}

}  // namespace
}  // namespace opcost
