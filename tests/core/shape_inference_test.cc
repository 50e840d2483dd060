#include "opcost/shape_inference.h"

#include <gtest/gtest.h>

#include "opcost/builder.h"
#include "testing/expect_error.h"

namespace opcost {
namespace {

Shape Out(const GraphBuilder& b, TensorId t) { return b.graph().tensor(t).shape; }

TEST(ShapeInference, ConvSamePaddingRoundsUp) {
  // Hello Edge DS-CNN first layer: 49x10 MFCC, 10x4 kernel, stride 2, SAME -> 25x5x64
  // (hello_edge_kws_deployment_buffers.csv: 25x5x64 activation buffers).
  GraphBuilder b("g");
  const TensorId x = b.Input("x", {1, 49, 10, 1});
  const TensorId y = b.Conv2D("c", x, {.filters = 64, .kernel_h = 10, .kernel_w = 4,
                                       .stride_h = 2, .stride_w = 2});
  EXPECT_EQ(Out(b, y), (Shape{1, 25, 5, 64}));
}

TEST(ShapeInference, ConvValidExplicitAndDilated) {
  GraphBuilder b("g");
  const TensorId x = b.Input("x", {1, 49, 10, 1});
  const TensorId v = b.Conv2D("valid", x, {.filters = 8, .kernel_h = 10, .kernel_w = 4,
                                           .stride_h = 2, .stride_w = 2,
                                           .padding = Padding::kValid});
  EXPECT_EQ(Out(b, v), (Shape{1, 20, 4, 8}));  // (49-10)/2+1, (10-4)/2+1
  OpAttributes a;
  a.filters = 4;
  a.kernel_h = a.kernel_w = 3;
  a.padding = Padding::kExplicit;
  a.pad_top = 1;
  a.pad_bottom = 0;
  a.pad_left = 2;
  a.pad_right = 2;
  const TensorId e = b.AddOp("explicit", OpType::kConv2D, a, {x});
  EXPECT_EQ(Out(b, e), (Shape{1, 48, 12, 4}));  // 49+1-3+1, 10+4-3+1
  const TensorId x5 = b.Input("x5", {1, 5, 5, 2});
  const TensorId d = b.Conv2D("dilated", x5, {.filters = 3, .kernel_h = 3, .kernel_w = 3,
                                              .padding = Padding::kValid, .dilation_h = 2,
                                              .dilation_w = 2});
  EXPECT_EQ(Out(b, d), (Shape{1, 1, 1, 3}));  // effective kernel 5
}

TEST(ShapeInference, GroupedConvChecksChannels) {
  GraphBuilder b("g");
  const TensorId x = b.Input("x", {1, 8, 8, 16});
  const TensorId y = b.Conv2D("grouped", x, {.filters = 32, .kernel_h = 3, .kernel_w = 3,
                                             .groups = 4});
  EXPECT_EQ(Out(b, y), (Shape{1, 8, 8, 32}));
  EXPECT_EQ(b.graph().tensor(b.graph().FindTensor("grouped/weights")).shape,
            (Shape{32, 3, 3, 4}));
  EXPECT_OPCOST_ERROR(b.Conv2D("bad", x, {.filters = 6, .kernel_h = 1, .kernel_w = 1,
                                          .groups = 4}),
                      ErrorCode::kShapeMismatch, "multiple of groups");
}

TEST(ShapeInference, ConvChannelMismatchNamesOpRuleAndValues) {
  Graph g("g");
  const TensorId x = g.AddTensor(Tensor::Activation("x", {1, 8, 8, 16}, DataType::kInt8));
  const TensorId w = g.AddTensor(Tensor::Constant("w", {4, 3, 3, 8}, DataType::kInt8));
  const TensorId y = g.AddTensor(Tensor::Activation("y", {}, DataType::kInt8));
  g.SetInputs({x});
  Node n;
  n.name = "conv1";
  n.type = OpType::kConv2D;
  n.attrs.kernel_h = n.attrs.kernel_w = 3;
  n.inputs = {x, w};
  n.outputs = {y};
  g.AddNode(n);
  EXPECT_OPCOST_ERROR(InferShapes(g), ErrorCode::kShapeMismatch,
                      "cannot infer shape of conv2d node 'conv1' (#0): input channels must equal "
                      "weight channels x groups (got 16 vs 8 x 1)");
}

TEST(ShapeInference, DepthwisePoolingAndGlobalPool) {
  GraphBuilder b("g");
  const TensorId x = b.Input("x", {1, 15, 15, 8});
  const TensorId dw = b.DepthwiseConv2D("dw", x, {.stride_h = 2, .stride_w = 2,
                                                  .depth_multiplier = 2});
  EXPECT_EQ(Out(b, dw), (Shape{1, 8, 8, 16}));
  const TensorId mp = b.MaxPool("mp", x, {.pool_h = 3, .pool_w = 3});
  EXPECT_EQ(Out(b, mp), (Shape{1, 7, 7, 8}));  // (15-3)/2+1
  const TensorId gp = b.GlobalAvgPool("gp", dw, /*keep_dims=*/false);
  EXPECT_EQ(Out(b, gp), (Shape{1, 16}));
}

TEST(ShapeInference, FullyConnectedFlattensItsInput) {
  GraphBuilder b("g");
  const TensorId x = b.Input("x", {1, 5, 5, 64});
  const TensorId y = b.FullyConnected("fc", x, 12);
  EXPECT_EQ(Out(b, y), (Shape{1, 12}));
  EXPECT_EQ(b.graph().tensor(b.graph().FindTensor("fc/weights")).shape, (Shape{12, 1600}));
}

TEST(ShapeInference, BroadcastingAddAndConcat) {
  GraphBuilder b("g");
  const TensorId x = b.Input("x", {1, 8, 8, 16});
  const TensorId c = b.Input("c", {16});
  EXPECT_EQ(Out(b, b.Add("add", x, c)), (Shape{1, 8, 8, 16}));
  const TensorId z = b.Input("z", {1, 8, 8, 8});
  EXPECT_OPCOST_ERROR(b.Add("bad", x, z), ErrorCode::kShapeMismatch, "broadcastable");
  EXPECT_EQ(Out(b, b.Concat("cat", {x, z, z})), (Shape{1, 8, 8, 32}));
  const TensorId w = b.Input("w", {1, 4, 8, 8});
  EXPECT_OPCOST_ERROR(b.Concat("badcat", {x, w}), ErrorCode::kShapeMismatch, "every dim but");
}

TEST(ShapeInference, ReshapeFlattenAndPad) {
  GraphBuilder b("g");
  const TensorId x = b.Input("x", {1, 4, 6, 2});
  EXPECT_EQ(Out(b, b.Reshape("r", x, {1, -1, 2})), (Shape{1, 24, 2}));
  EXPECT_OPCOST_ERROR(b.Reshape("bad", x, {5, -1}), ErrorCode::kShapeMismatch, "cannot reshape");
  EXPECT_EQ(Out(b, b.Unary("f", OpType::kFlatten, x)), (Shape{1, 48}));
  OpAttributes p;
  p.paddings[1] = {1, 2};
  p.paddings[2] = {0, 3};
  EXPECT_EQ(Out(b, b.AddOp("pad", OpType::kPad, p, {x})), (Shape{1, 7, 9, 2}));
}

TEST(ShapeInference, RecurrentCells) {
  GraphBuilder b("g");
  const TensorId x = b.Input("x", {1, 25, 10});
  EXPECT_EQ(Out(b, b.Lstm("lstm", x, 98)), (Shape{1, 25, 98}));
  EXPECT_EQ(Out(b, b.Lstm("proj", x, 188, 64, /*return_sequences=*/false)), (Shape{1, 64}));
  EXPECT_EQ(Out(b, b.Gru("gru", x, 154, false)), (Shape{1, 154}));
  const TensorId img = b.Input("img", {1, 4, 4, 1});
  EXPECT_OPCOST_ERROR(b.Lstm("bad", img, 8), ErrorCode::kShapeMismatch, "rank 3");
}

TEST(ShapeInference, RejectsBadAttributes) {
  GraphBuilder b("g");
  const TensorId x = b.Input("x", {1, 8, 8, 4});
  EXPECT_OPCOST_ERROR(b.Conv2D("zero_stride", x, {.filters = 4, .kernel_h = 3, .kernel_w = 3,
                                                  .stride_h = 0}),
                      ErrorCode::kInvalidArgument, "stride must be at least 1 (got 0x1)");
  EXPECT_OPCOST_ERROR(b.Conv2D("too_big", x, {.filters = 4, .kernel_h = 9, .kernel_w = 9,
                                              .padding = Padding::kValid}),
                      ErrorCode::kShapeMismatch, "does not fit");
  EXPECT_OPCOST_ERROR(b.Conv2D("no_filters", x, {.filters = 0, .kernel_h = 3, .kernel_w = 3}),
                      ErrorCode::kInvalidArgument, "non-positive dim");
}

TEST(ShapeInference, HugeDimsOverflowInsteadOfWrapping) {
  GraphBuilder b("g");
  const TensorId x = b.Input("x", {1, std::int64_t{1} << 31, std::int64_t{1} << 31, 4});
  EXPECT_OPCOST_ERROR(b.Conv2D("c", x, {.filters = 1 << 20, .kernel_h = 1, .kernel_w = 1}),
                      ErrorCode::kOverflow, "overflow");
}

}  // namespace
}  // namespace opcost
