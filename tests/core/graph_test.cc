#include "opcost/graph.h"

#include <string>

#include <gtest/gtest.h>

#include "opcost/op_type.h"
#include "testing/expect_error.h"

namespace opcost {
namespace {

using ::opcost::ErrorCode;

// Adds relu node `name` reading `in` and writing `out`.
NodeId AddRelu(Graph& g, const std::string& name, TensorId in, TensorId out) {
  Node n;
  n.name = name;
  n.type = OpType::kRelu;
  n.inputs = {in};
  n.outputs = {out};
  return g.AddNode(n);
}

TEST(Graph, FindsTensorsAndNodesByName) {
  Graph g("g");
  const TensorId x = g.AddTensor(Tensor::Activation("x", {1, 4}, DataType::kInt8));
  const TensorId y = g.AddTensor(Tensor::Activation("y", {}, DataType::kInt8));
  AddRelu(g, "r", x, y);
  EXPECT_EQ(g.FindTensor("y"), y);
  EXPECT_EQ(g.FindTensor("nope"), kNoTensor);
  EXPECT_EQ(g.FindNode("r"), 0);
  EXPECT_EQ(g.producer(y), 0);
  EXPECT_EQ(g.producer(x), kNoNode);
}

// The name index grows by rehashing: every name stays findable, a copy finds them too, and
// duplicates are still caught after growth.
TEST(Graph, FindsEveryNameOfALargeGraph) {
  Graph g("chain");
  g.Reserve(10, 10);  // smaller than needed: the index must still grow
  TensorId prev = g.AddTensor(Tensor::Activation("in", {1, 4}, DataType::kInt8));
  constexpr int kOps = 300;
  for (int i = 0; i < kOps; ++i) {
    std::string t = "tensor_with_a_long_name_";  // longer than the small-string buffer
    t += std::to_string(i);
    std::string r = "r";
    r += std::to_string(i);
    const TensorId out = g.AddTensor(Tensor::Activation(t, {}, DataType::kInt8));
    AddRelu(g, r, prev, out);
    prev = out;
  }
  const Graph copy = g;
  for (int i = 0; i < kOps; ++i) {
    std::string t = "tensor_with_a_long_name_";
    t += std::to_string(i);
    std::string r = "r";
    r += std::to_string(i);
    EXPECT_EQ(copy.FindTensor(t), i + 1);
    EXPECT_EQ(copy.FindNode(r), i);
  }
  EXPECT_EQ(copy.FindTensor("tensor_with_a_long_name_300"), kNoTensor);
  EXPECT_EQ(copy.FindNode("r300"), kNoNode);
  EXPECT_OPCOST_ERROR(
      g.AddTensor(Tensor::Activation("tensor_with_a_long_name_7", {}, DataType::kInt8)),
      ErrorCode::kInvalidGraph, "duplicate tensor name");
}

TEST(Graph, RejectsDuplicateTensorName) {
  Graph g;
  g.AddTensor(Tensor::Activation("x", {1}, DataType::kInt8));
  EXPECT_OPCOST_ERROR(g.AddTensor(Tensor::Activation("x", {1}, DataType::kInt8)),
                      ErrorCode::kInvalidGraph, "duplicate tensor name 'x'");
}

TEST(Graph, RejectsDuplicateOpNameAndDoubleProducer) {
  Graph g;
  const TensorId x = g.AddTensor(Tensor::Activation("x", {1}, DataType::kInt8));
  const TensorId y = g.AddTensor(Tensor::Activation("y", {}, DataType::kInt8));
  const TensorId z = g.AddTensor(Tensor::Activation("z", {}, DataType::kInt8));
  AddRelu(g, "r", x, y);
  EXPECT_OPCOST_ERROR(AddRelu(g, "r", x, z), ErrorCode::kInvalidGraph, "duplicate op name 'r'");
  EXPECT_OPCOST_ERROR(AddRelu(g, "s", x, y), ErrorCode::kInvalidGraph,
                      "tensor 'y' is produced twice");
}

TEST(Graph, RejectsOutOfRangeIdsAndConstantOutputs) {
  Graph g;
  const TensorId x = g.AddTensor(Tensor::Activation("x", {1}, DataType::kInt8));
  const TensorId w = g.AddTensor(Tensor::Constant("w", {1}, DataType::kInt8));
  EXPECT_OPCOST_ERROR(AddRelu(g, "r", x, 7), ErrorCode::kInvalidGraph, "tensor id 7");
  EXPECT_OPCOST_ERROR(AddRelu(g, "r", x, w), ErrorCode::kInvalidGraph, "writes constant");
  EXPECT_OPCOST_ERROR(g.SetInputs({w}), ErrorCode::kInvalidGraph, "must not be a constant");
}

// A rejected tensor or node is not kept: counts, ids and the name index stay as they were.
TEST(Graph, RejectedAddsLeaveTheGraphAsItWas) {
  Graph g;
  const TensorId x = g.AddTensor(Tensor::Activation("x", {1}, DataType::kInt8));
  const TensorId y = g.AddTensor(Tensor::Activation("y", {}, DataType::kInt8));
  AddRelu(g, "r", x, y);
  EXPECT_OPCOST_ERROR(g.AddTensor(Tensor::Activation("x", {2}, DataType::kInt8)),
                      ErrorCode::kInvalidGraph, "duplicate tensor name");
  EXPECT_OPCOST_ERROR(g.AddTensor(Tensor::Activation("", {2}, DataType::kInt8)),
                      ErrorCode::kInvalidGraph, "must not be empty");
  EXPECT_OPCOST_ERROR(AddRelu(g, "s", x, y), ErrorCode::kInvalidGraph, "produced twice");
  EXPECT_OPCOST_ERROR(AddRelu(g, "t", x, 9), ErrorCode::kInvalidGraph, "tensor id 9");
  EXPECT_EQ(g.tensors().size(), 2u);
  EXPECT_EQ(g.nodes().size(), 1u);
  EXPECT_EQ(g.tensor(x).shape, Shape({1}));
  EXPECT_EQ(g.FindNode("s"), kNoNode);
  const TensorId z = g.AddTensor(Tensor::Activation("z", {}, DataType::kInt8));
  EXPECT_EQ(z, 2);
  EXPECT_EQ(AddRelu(g, "s", y, z), 1);
  EXPECT_EQ(g.producer(z), 1);
}

TEST(Graph, ClearEmptiesTheGraphAndKeepsItsName) {
  Graph g("g");
  g.set_description("d");
  const TensorId x = g.AddTensor(Tensor::Activation("x", {1}, DataType::kInt8));
  const TensorId y = g.AddTensor(Tensor::Activation("y", {}, DataType::kInt8));
  AddRelu(g, "r", x, y);
  g.SetInputs({x});
  g.SetOutputs({y});
  g.Clear();
  EXPECT_EQ(g.name(), "g");
  EXPECT_EQ(g.description(), "d");
  EXPECT_TRUE(g.tensors().empty());
  EXPECT_TRUE(g.nodes().empty());
  EXPECT_TRUE(g.inputs().empty());
  EXPECT_TRUE(g.outputs().empty());
  EXPECT_EQ(g.FindTensor("x"), kNoTensor);
  EXPECT_EQ(g.FindNode("r"), kNoNode);
  // The same names again, in another order: new ids, no stale duplicates.
  const TensorId y2 = g.AddTensor(Tensor::Activation("y", {1}, DataType::kInt8));
  const TensorId x2 = g.AddTensor(Tensor::Activation("x", {}, DataType::kInt8));
  EXPECT_EQ(y2, 0);
  EXPECT_EQ(AddRelu(g, "r", y2, x2), 0);
  EXPECT_EQ(g.FindTensor("x"), x2);
  EXPECT_EQ(g.producer(x2), 0);
  EXPECT_EQ(g.producer(y2), kNoNode);
}

TEST(Graph, ValidateReportsDanglingInput) {
  Graph g;
  const TensorId x = g.AddTensor(Tensor::Activation("x", {1}, DataType::kInt8));
  const TensorId y = g.AddTensor(Tensor::Activation("y", {}, DataType::kInt8));
  AddRelu(g, "r", x, y);  // x is not declared as a graph input
  EXPECT_OPCOST_ERROR(g.Validate(), ErrorCode::kInvalidGraph, "reads tensor 'x'");
  g.SetInputs({x});
  EXPECT_NO_THROW(g.Validate());
}

TEST(Graph, ValidateReportsCycleWithItsOps) {
  Graph g;
  const TensorId x = g.AddTensor(Tensor::Activation("x", {1}, DataType::kInt8));
  const TensorId a = g.AddTensor(Tensor::Activation("a", {}, DataType::kInt8));
  const TensorId b = g.AddTensor(Tensor::Activation("b", {}, DataType::kInt8));
  g.SetInputs({x});
  AddRelu(g, "first", b, a);   // reads b, produced by "second"
  AddRelu(g, "second", a, b);  // reads a, produced by "first"
  EXPECT_OPCOST_ERROR(g.Validate(), ErrorCode::kInvalidGraph, "cycle");
  try {
    g.Validate();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'first'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("'second'"), std::string::npos) << e.what();
  }
}

TEST(Graph, ValidateReportsNonTopologicalOrder) {
  Graph g;
  const TensorId x = g.AddTensor(Tensor::Activation("x", {1}, DataType::kInt8));
  const TensorId a = g.AddTensor(Tensor::Activation("a", {}, DataType::kInt8));
  const TensorId b = g.AddTensor(Tensor::Activation("b", {}, DataType::kInt8));
  g.SetInputs({x});
  AddRelu(g, "late", a, b);   // reads a before "early" produces it
  AddRelu(g, "early", x, a);
  EXPECT_OPCOST_ERROR(g.Validate(), ErrorCode::kInvalidGraph,
                      "not topological: op 'late' (#0) reads tensor 'a' before op 'early' (#1)");
}

TEST(OpType, NamesRoundTripThroughTheTable) {
  for (int i = 0; i < kNumOpTypes; ++i) {
    const auto t = static_cast<OpType>(i);
    OpType parsed;
    ASSERT_TRUE(ParseOpType(OpTypeName(t), &parsed)) << OpTypeName(t);
    EXPECT_EQ(parsed, t);
  }
  for (int i = 0; i < kNumOpCategories; ++i) {
    OpCategory c;
    ASSERT_TRUE(ParseOpCategory(OpCategoryName(static_cast<OpCategory>(i)), &c));
    EXPECT_EQ(static_cast<int>(c), i);
  }
  OpType t;
  EXPECT_FALSE(ParseOpType("conv3d", &t));
  EXPECT_STREQ(OpTypeName(OpType::kDepthwiseConv2D), "depthwise_conv2d");
  EXPECT_STREQ(OpCategoryName(OpCategory::kConv1x1), "conv_1x1");
}

TEST(Types, CheckedArithmeticThrowsOnOverflow) {
  EXPECT_EQ(CheckedMul(1 << 20, 1 << 20), std::int64_t{1} << 40);
  EXPECT_OPCOST_ERROR(CheckedMul(std::int64_t{1} << 40, std::int64_t{1} << 40),
                      ErrorCode::kOverflow, "overflow");
  EXPECT_OPCOST_ERROR(CheckedAdd(INT64_MAX, 1), ErrorCode::kOverflow, "overflow");
  const Shape huge{1 << 30, 1 << 30, 1 << 30, 1 << 30};
  EXPECT_OPCOST_ERROR(huge.NumElements(), ErrorCode::kOverflow, "overflow");
  EXPECT_OPCOST_ERROR((Shape{1, 2, 3, 4, 5}), ErrorCode::kInvalidArgument, "rank");
}

}  // namespace
}  // namespace opcost
