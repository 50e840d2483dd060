// GraphBuilder::Reset and Finish: a builder that keeps one graph's storage across candidates
// must give the graphs a new builder's Build gives.
#include "opcost/builder.h"

#include <string>

#include <gtest/gtest.h>

#include "testing/expect_error.h"

namespace opcost {
namespace {

// A small NAS cell; `variant` changes widths, kernels, the op count and the names' lengths
// (some longer than the small-string buffer, so reused names must shrink and grow).
void AddCell(GraphBuilder& b, int variant) {
  const std::string prefix = variant % 2 == 0 ? "c" : "a_cell_with_a_long_name";
  TensorId x = b.Input("input", {1, 16, 16, 8});
  ConvOptions expand;
  expand.filters = 8 * (variant + 1);
  expand.activation = Activation::kRelu6;
  TensorId y = b.Conv2D(prefix + "_expand", x, expand);
  DepthwiseOptions dw;
  dw.kernel_h = dw.kernel_w = variant % 3 == 0 ? 3 : 5;
  y = b.DepthwiseConv2D(prefix + "_dw", y, dw);
  ConvOptions project;
  project.filters = 8;
  project.bias = variant % 2 == 0;
  y = b.Conv2D(prefix + "_project", y, project);
  x = b.Add(prefix + "_add", x, y);
  for (int i = 0; i < variant; ++i) {
    x = b.Unary(prefix + "_relu" + std::to_string(i), OpType::kRelu, x);
  }
  x = b.Concat(prefix + "_concat", {x, y});
  x = b.GlobalAvgPool(prefix + "_pool", x, false);
  b.FullyConnected(prefix + "_fc", x, 10);
}

Graph BuildCell(int variant) {
  GraphBuilder b("cell");
  AddCell(b, variant);
  return b.Build();
}

void ExpectSameGraph(const Graph& got, const Graph& want) {
  EXPECT_EQ(got.name(), want.name());
  EXPECT_EQ(got.description(), want.description());
  EXPECT_EQ(got.inputs(), want.inputs());
  EXPECT_EQ(got.outputs(), want.outputs());
  ASSERT_EQ(got.tensors().size(), want.tensors().size());
  for (TensorId t = 0; t < static_cast<TensorId>(want.tensors().size()); ++t) {
    const Tensor& a = got.tensor(t);
    const Tensor& b = want.tensor(t);
    SCOPED_TRACE(b.name);
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.shape, b.shape);
    EXPECT_EQ(a.dtype, b.dtype);
    EXPECT_EQ(a.is_constant, b.is_constant);
    EXPECT_TRUE(a.quantization.empty() && a.quantization.zero_points.empty() &&
                a.quantization.multipliers.empty() && a.quantization.shifts.empty());
    EXPECT_TRUE(a.data.empty());
    EXPECT_EQ(got.FindTensor(b.name), t);
    EXPECT_EQ(got.producer(t), want.producer(t));
  }
  ASSERT_EQ(got.nodes().size(), want.nodes().size());
  for (NodeId n = 0; n < static_cast<NodeId>(want.nodes().size()); ++n) {
    const Node& a = got.node(n);
    const Node& b = want.node(n);
    SCOPED_TRACE(b.name);
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.type, b.type);
    EXPECT_EQ(a.inputs, b.inputs);
    EXPECT_EQ(a.outputs, b.outputs);
    EXPECT_EQ(a.attrs.kernel_h, b.attrs.kernel_h);
    EXPECT_EQ(a.attrs.filters, b.attrs.filters);
    EXPECT_EQ(a.attrs.units, b.attrs.units);
    EXPECT_EQ(a.attrs.activation, b.attrs.activation);
    EXPECT_EQ(a.attrs.axis, b.attrs.axis);
    EXPECT_EQ(a.attrs.keep_dims, b.attrs.keep_dims);
    EXPECT_EQ(got.FindNode(b.name), n);
  }
}

TEST(GraphBuilder, ResetAndFinishGiveTheGraphsOfANewBuilder) {
  GraphBuilder b("cell");
  // Larger and smaller candidates in turn, so spares run out and are left over.
  for (int variant : {0, 3, 1, 4, 2, 0, 5, 1}) {
    SCOPED_TRACE(variant);
    b.Reset();
    AddCell(b, variant);
    ExpectSameGraph(b.Finish(), BuildCell(variant));
  }
}

// What a caller changed in the last candidate (quantization, data, name, description, a
// tensor's dtype) does not leak into the next one.
TEST(GraphBuilder, ResetForgetsChangesToThePreviousGraph) {
  GraphBuilder b("cell");
  AddCell(b, 2);
  b.Finish();
  Graph& g = b.mutable_graph();
  g.set_name("renamed");
  g.set_description("changed");
  for (TensorId t = 0; t < static_cast<TensorId>(g.tensors().size()); ++t) {
    Tensor& tensor = g.mutable_tensor(t);
    tensor.quantization.scales = {0.5f};
    tensor.quantization.zero_points = {1};
    tensor.quantization.multipliers = {2};
    tensor.quantization.shifts = {3};
    tensor.quantization.axis = 2;
    tensor.data = {1, 2, 3};
  }
  b.Reset();
  AddCell(b, 2);
  ExpectSameGraph(b.Finish(), BuildCell(2));
  for (const Tensor& t : b.graph().tensors()) EXPECT_EQ(t.quantization.axis, 0);
}

TEST(GraphBuilder, ResetAfterBuildAndAfterAFailedOp) {
  GraphBuilder b("cell");
  AddCell(b, 1);
  const Graph built = b.Build();
  ExpectSameGraph(built, BuildCell(1));
  b.Reset();  // the builder Build left empty starts over with its name
  AddCell(b, 1);
  ExpectSameGraph(b.Finish(), BuildCell(1));

  b.Reset();
  const TensorId x = b.Input("input", {1, 8, 8, 4});
  b.Conv2D("conv", x, ConvOptions{});
  EXPECT_OPCOST_ERROR(b.Conv2D("conv", x, ConvOptions{}), ErrorCode::kInvalidGraph,
                      "duplicate tensor name 'conv/weights'");
  b.Reset();
  AddCell(b, 3);
  ExpectSameGraph(b.Finish(), BuildCell(3));
}

TEST(GraphBuilder, FinishValidatesLikeBuild) {
  GraphBuilder b("g");
  const TensorId x = b.Input("x", {1, 8});
  b.FullyConnected("fc", x, 4);
  b.mutable_graph().SetInputs({});  // x is now read but neither an input nor produced
  EXPECT_OPCOST_ERROR(b.Finish(), ErrorCode::kInvalidGraph, "dangling");
}

}  // namespace
}  // namespace opcost
