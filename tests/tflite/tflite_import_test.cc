// Op mapping and rejection paths on small models written field by field (tflite_test_builder.h).
#include "opcost/tflite_import.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "opcost/error.h"
#include "opcost/graph.h"
#include "opcost/metrics.h"
#include "tflite/tflite_test_builder.h"

namespace opcost {
namespace {

using testing::Int32Bytes;
using testing::OptionField;
using testing::TestModel;
using testing::TestOp;
using testing::TestTensor;

// Builtin codes and option types from the public schema.
constexpr std::int32_t kAdd = 0, kConcat = 2, kConv = 3, kDepthwise = 4, kDequantize = 6, kFc = 9,
                       kLogistic = 14, kMaxPool = 17, kMul = 18, kRelu = 19, kRelu6 = 21,
                       kReshape = 22, kSoftmax = 25, kTanh = 28, kCustom = 32, kPad = 34,
                       kMean = 40, kStridedSlice = 45, kGelu = 150;
constexpr std::uint8_t kConvOptions = 1, kDepthwiseOptions = 2, kPoolOptions = 5,
                       kSoftmaxOptions = 9, kConcatOptions = 10, kReducerOptions = 27;

Graph Import(const TestModel& m, TfliteImportOptions options = {}) {
  const std::vector<std::uint8_t> bytes = m.Build();
  return ImportTfliteBuffer(bytes.data(), bytes.size(), "test.tflite", options);
}

// Expects Import(m) to throw `code` with `substring` in the message.
void ExpectError(const TestModel& m, ErrorCode code, const std::string& substring,
                 TfliteImportOptions options = {}) {
  try {
    Import(m, options);
    ADD_FAILURE() << "expected an error containing: " << substring;
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    EXPECT_NE(std::string(e.what()).find(substring), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).rfind("test.tflite: ", 0), 0u) << e.what();
  }
}

TestTensor Act(const std::string& name, std::vector<std::int32_t> shape, std::int8_t type = 9) {
  TestTensor t;
  t.name = name;
  t.shape = std::move(shape);
  t.type = type;
  t.scales = {0.5f};
  t.zero_points = {-3};
  return t;
}

TestTensor Const(const std::string& name, std::vector<std::int32_t> shape, std::int8_t type,
                 std::size_t element_bytes) {
  TestTensor t;
  t.name = name;
  t.shape = shape;
  t.type = type;
  std::size_t n = 1;
  for (std::int32_t d : shape) n *= static_cast<std::size_t>(d);
  t.data.assign(n * element_bytes, 1);
  return t;
}

// x [1,8,8,4] -> conv 3x3 s1 SAME, 8 filters, relu6 -> y [1,8,8,8].
TestModel ConvModel() {
  TestModel m;
  const std::int32_t x = m.Add(Act("x", {1, 8, 8, 4}));
  const std::int32_t w = m.Add(Const("w", {8, 3, 3, 4}, 9, 1));
  const std::int32_t b = m.Add(Const("b", {8}, 2, 4));
  const std::int32_t y = m.Add(Act("y", {1, 8, 8, 8}));
  TestOp conv;
  conv.builtin = kConv;
  conv.inputs = {x, w, b};
  conv.outputs = {y};
  conv.options_type = kConvOptions;
  conv.options = {{0, 1, 0}, {1, 4, 1}, {2, 4, 1}, {3, 1, 3}};  // SAME, stride 1x1, RELU6
  m.ops.push_back(conv);
  m.inputs = {x};
  m.outputs = {y};
  return m;
}

TEST(TfliteImportTest, SharedTablesCannotAmplifyTheDecode) {
  // 2,000 tensors whose shapes all point at one vector of 50,000 dims: ~300 KB of file that
  // decodes into 10^8 elements. Refused by the decode budget (16 elements per file byte) before
  // the copies pile up.
  TestModel m;
  m.shared_shape.assign(50000, 1);
  for (int i = 0; i < 2000; ++i) {
    std::string name = "t";  // (not "t" + ...: GCC 12 warns -Wrestrict on that falsely)
    name += std::to_string(i);
    m.Add(Act(name, {1}));
  }
  ExpectError(m, ErrorCode::kBadModel, "shared tables expanded past the decode budget");
}

TEST(TfliteImportTest, SharedBuffersCannotAmplifyTheConstantCopies) {
  // 20 ADDs, each with its own constant tensor, all naming the one 256 KiB buffer: 5 MiB of
  // copies from a file of about 256 KiB, past the copy budget of 16 bytes per file byte.
  TestModel m;
  std::int32_t x = m.Add(Act("x", {1, 64, 64, 64}));
  m.inputs = {x};
  for (int i = 0; i < 20; ++i) {
    const std::string n = std::to_string(i);  // (appended, not "c" + n: GCC 12 -Wrestrict)
    TestTensor c = Act("c", {1, 64, 64, 64});
    c.name += n;
    if (i == 0) {
      c.data.assign(64 * 64 * 64, 1);
    } else {
      c.buffer_override = 1;  // the buffer of c0
    }
    const std::int32_t c_id = m.Add(c);
    TestTensor y_tensor = Act("y", {1, 64, 64, 64});
    y_tensor.name += n;
    const std::int32_t y = m.Add(y_tensor);
    TestOp add;
    add.builtin = kAdd;
    add.inputs = std::vector<std::int32_t>{x, c_id};
    add.outputs = std::vector<std::int32_t>{y};
    m.ops.push_back(add);
    x = y;
  }
  m.outputs = {x};
  // 16 copies fit (the file is a little over 256 KiB); the 17th constant is refused by name.
  ExpectError(m, ErrorCode::kBadModel,
              "tensor 33 'c16': constant data copied from shared buffers grew past the decode "
              "budget of");
}

TEST(TfliteImportTest, ConvFromEitherOpcodeField) {
  for (auto fields : {TestModel::OpcodeFields::kBoth, TestModel::OpcodeFields::kOldOnly,
                      TestModel::OpcodeFields::kNewOnly}) {
    TestModel m = ConvModel();
    m.opcode_fields = fields;
    const Graph g = Import(m);
    ASSERT_EQ(g.nodes().size(), 1u);
    const Node& n = g.node(0);
    EXPECT_EQ(n.type, OpType::kConv2D);
    EXPECT_EQ(n.name, "conv2d_0");
    EXPECT_EQ(n.attrs.activation, Activation::kRelu6);
    EXPECT_EQ(n.attrs.filters, 8);
    // 8*8*8 outputs x 3*3*4 MACs each.
    EXPECT_EQ(ComputeMetrics(g).total.macs, 8 * 8 * 8 * 36);
    EXPECT_EQ(g.tensor(n.outputs[0]).quantization.zero_points, std::vector<std::int64_t>{-3});
  }
}

TEST(TfliteImportTest, ExtendedOpcodeAbove127IsReportedByName) {
  TestModel m = ConvModel();
  const std::int32_t z = m.Add(Act("z", {1, 8, 8, 8}));
  TestOp gelu;
  gelu.builtin = kGelu;  // deprecated field holds the placeholder 127
  gelu.inputs = {m.outputs[0]};
  gelu.outputs = {z};
  m.ops.push_back(gelu);
  m.outputs = {z};
  ExpectError(m, ErrorCode::kUnsupportedOp, "operator 1 (GELU): op is not supported");
  TfliteImportOptions allow;
  allow.allow_unsupported = true;
  const Graph g = Import(m, allow);
  ASSERT_EQ(g.nodes().size(), 2u);
  EXPECT_EQ(g.node(1).type, OpType::kUnsupported);
  EXPECT_EQ(g.node(1).attrs.unsupported_name, "GELU");
  EXPECT_EQ(g.tensor(g.node(1).outputs[0]).shape, (Shape{1, 8, 8, 8}));
  EXPECT_EQ(ComputeMetrics(g).layers[1].macs, 0);
}

TEST(TfliteImportTest, UnsupportedOpTakesShapesFromFile) {
  TestModel m;
  const std::int32_t x = m.Add(Act("x", {1, 10, 4}));
  const std::int32_t begin = m.Add(Const("begin", {3}, 2, 4));
  const std::int32_t y = m.Add(Act("y", {1, 5, 4}));
  TestOp slice;
  slice.builtin = kStridedSlice;
  slice.inputs = {x, begin};
  slice.outputs = {y};
  m.ops.push_back(slice);
  m.inputs = {x};
  m.outputs = {y};
  ExpectError(m, ErrorCode::kUnsupportedOp, "operator 0 (STRIDED_SLICE)");
  TfliteImportOptions allow;
  allow.allow_unsupported = true;
  const Graph g = Import(m, allow);
  EXPECT_EQ(g.node(0).attrs.unsupported_name, "STRIDED_SLICE");
  EXPECT_EQ(g.tensor(g.outputs()[0]).shape, (Shape{1, 5, 4}));
}

TEST(TfliteImportTest, CustomOpNamesItsCode) {
  TestModel m;
  const std::int32_t x = m.Add(Act("x", {1, 4}));
  const std::int32_t y = m.Add(Act("y", {1, 4}));
  TestOp op;
  op.builtin = kCustom;
  op.custom_code = "MyFancyOp";
  op.inputs = {x};
  op.outputs = {y};
  m.ops.push_back(op);
  m.inputs = {x};
  m.outputs = {y};
  ExpectError(m, ErrorCode::kUnsupportedOp, "operator 0 (CUSTOM 'MyFancyOp')");
  TfliteImportOptions allow;
  allow.allow_unsupported = true;
  EXPECT_EQ(Import(m, allow).node(0).attrs.unsupported_name, "CUSTOM:MyFancyOp");
}

// A chain through every other mapped op: depthwise, max pool with fused relu, pad, concat, add,
// mul, logistic, tanh, relu, relu6, mean, reshape, fc, softmax, dequantize.
TEST(TfliteImportTest, MapsEveryListedOp) {
  TestModel m;
  auto add_op = [&m](std::int32_t code, std::vector<std::int32_t> in, std::int32_t out,
                     std::uint8_t options_type = 0, std::vector<OptionField> options = {}) {
    TestOp op;
    op.builtin = code;
    op.inputs = std::move(in);
    op.outputs = {out};
    op.options_type = options_type;
    op.options = std::move(options);
    m.ops.push_back(op);
  };
  const std::int32_t x = m.Add(Act("x", {1, 6, 6, 4}));
  const std::int32_t dw_w = m.Add(Const("dw_w", {1, 3, 3, 8}, 9, 1));
  const std::int32_t t1 = m.Add(Act("dw", {1, 6, 6, 8}));
  add_op(kDepthwise, {x, dw_w, -1}, t1, kDepthwiseOptions,
         {{0, 1, 0}, {1, 4, 1}, {2, 4, 1}, {3, 4, 2}});
  const std::int32_t t2 = m.Add(Act("pool", {1, 3, 3, 8}));
  add_op(kMaxPool, {t1}, t2, kPoolOptions,
         {{0, 1, 1}, {1, 4, 2}, {2, 4, 2}, {3, 4, 2}, {4, 4, 2}, {5, 1, 1}});  // VALID, RELU
  const std::int32_t pads = m.Add(Const("pads", {4, 2}, 2, 4));
  m.tensors[static_cast<std::size_t>(pads)].data = Int32Bytes({0, 0, 1, 0, 0, 1, 0, 0});
  const std::int32_t t3 = m.Add(Act("pad", {1, 4, 4, 8}));
  add_op(kPad, {t2, pads}, t3);
  const std::int32_t t4 = m.Add(Act("cat", {1, 4, 4, 16}));
  add_op(kConcat, {t3, t3}, t4, kConcatOptions, {{0, 4, 3}});
  const std::int32_t t5 = m.Add(Act("sum", {1, 4, 4, 16}));
  add_op(kAdd, {t4, t4}, t5);
  const std::int32_t t6 = m.Add(Act("prod", {1, 4, 4, 16}));
  add_op(kMul, {t5, t4}, t6);
  const std::int32_t t7 = m.Add(Act("sig", {1, 4, 4, 16}));
  add_op(kLogistic, {t6}, t7);
  const std::int32_t t8 = m.Add(Act("tanh", {1, 4, 4, 16}));
  add_op(kTanh, {t7}, t8);
  const std::int32_t t9 = m.Add(Act("relu", {1, 4, 4, 16}));
  add_op(kRelu, {t8}, t9);
  const std::int32_t t10 = m.Add(Act("relu6", {1, 4, 4, 16}));
  add_op(kRelu6, {t9}, t10);
  const std::int32_t axes = m.Add(Const("axes", {2}, 2, 4));
  m.tensors[static_cast<std::size_t>(axes)].data = Int32Bytes({1, 2});
  const std::int32_t t11 = m.Add(Act("mean", {1, 1, 1, 16}));
  add_op(kMean, {t10, axes}, t11, kReducerOptions, {{0, 1, 1}});  // keep_dims
  const std::int32_t shape = m.Add(Const("shape", {2}, 2, 4));
  m.tensors[static_cast<std::size_t>(shape)].data = Int32Bytes({1, -1});
  const std::int32_t t12 = m.Add(Act("flat", {1, 16}));
  add_op(kReshape, {t11, shape}, t12);
  const std::int32_t fc_w = m.Add(Const("fc_w", {5, 16}, 9, 1));
  const std::int32_t t13 = m.Add(Act("fc", {1, 5}));
  add_op(kFc, {t12, fc_w, -1}, t13);
  const std::int32_t t14 = m.Add(Act("prob", {1, 5}));
  add_op(kSoftmax, {t13}, t14, kSoftmaxOptions, {});
  m.ops.back().options = {};  // beta written below as a float
  const std::int32_t t15 = m.Add(Act("out", {1, 5}, 0));
  m.tensors[static_cast<std::size_t>(t15)].scales.clear();
  m.tensors[static_cast<std::size_t>(t15)].zero_points.clear();
  add_op(kDequantize, {t14}, t15);
  m.inputs = {x};
  m.outputs = {t15};
  // Softmax without a beta field reads the schema default 0: rejected, then accepted as
  // unsupported with the option.
  ExpectError(m, ErrorCode::kUnsupportedOp, "operator 13 (SOFTMAX): softmax beta 0");
  m.ops[13].options_type = 0;  // no options table: beta 1 as TFLite's default kernel
  const Graph g = Import(m);
  const std::vector<OpType> want = {OpType::kDepthwiseConv2D,
                                    OpType::kMaxPool,
                                    OpType::kRelu,
                                    OpType::kPad,
                                    OpType::kConcat,
                                    OpType::kAdd,
                                    OpType::kMul,
                                    OpType::kSigmoid,
                                    OpType::kTanh,
                                    OpType::kRelu,
                                    OpType::kRelu6,
                                    OpType::kGlobalAvgPool,
                                    OpType::kReshape,
                                    OpType::kFullyConnected,
                                    OpType::kSoftmax,
                                    OpType::kDequantize};
  ASSERT_EQ(g.nodes().size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i)
    EXPECT_EQ(g.node(static_cast<NodeId>(i)).type, want[i]) << i;
  EXPECT_EQ(g.node(0).attrs.depth_multiplier, 2);
  EXPECT_EQ(g.node(2).name, "max_pool_1/relu");  // the pool's fused RELU as its own node
  EXPECT_EQ(g.tensor(g.node(2).outputs[0]).name, "pool");
  EXPECT_EQ(g.node(3).attrs.paddings[1][0], 1);
  EXPECT_EQ(g.node(3).attrs.paddings[2][1], 1);
  EXPECT_EQ(g.node(4).attrs.axis, 3);
  EXPECT_TRUE(g.node(11).attrs.keep_dims);
  EXPECT_EQ(g.node(12).attrs.new_shape, (Shape{1, -1}));
  EXPECT_EQ(g.node(15).attrs.output_dtype, DataType::kFloat32);
  EXPECT_EQ(g.tensor(g.outputs()[0]).dtype, DataType::kFloat32);
  // Constants read as attributes are not graph tensors.
  EXPECT_EQ(g.FindTensor("pads"), kNoTensor);
  EXPECT_EQ(g.FindTensor("axes"), kNoTensor);
  EXPECT_EQ(g.FindTensor("shape"), kNoTensor);
  // MACs: depthwise 6*6*8 outputs x 9, fc 5 x 16.
  EXPECT_EQ(ComputeMetrics(g).total.macs, 6 * 6 * 8 * 9 + 5 * 16);
}

// ---- rejections ----

TEST(TfliteRejectTest, TensorIndexOutOfRange) {
  TestModel m = ConvModel();
  m.ops[0].inputs[1] = 99;
  ExpectError(m, ErrorCode::kBadModel,
              "operator 0 (CONV_2D) input: tensor index 99 is out of range");
}

TEST(TfliteRejectTest, OutputIndexNegative) {
  TestModel m = ConvModel();
  m.ops[0].outputs[0] = -1;
  ExpectError(m, ErrorCode::kBadModel, "tensor index -1 is out of range");
}

TEST(TfliteRejectTest, OpcodeIndexOutOfRange) {
  TestModel m = ConvModel();
  m.ops[0].opcode_index_override = 7;
  ExpectError(m, ErrorCode::kBadModel,
              "operator 0: opcode index 7 is out of range (1 operator codes)");
}

TEST(TfliteRejectTest, BufferIndexOutOfRange) {
  TestModel m = ConvModel();
  m.tensors[1].buffer_override = 1000;
  ExpectError(m, ErrorCode::kBadModel, "tensor 1 'w': buffer index 1000 is out of range");
}

TEST(TfliteRejectTest, SubgraphInputOutOfRange) {
  TestModel m = ConvModel();
  m.inputs = {12};
  ExpectError(m, ErrorCode::kBadModel, "subgraph inputs: tensor index 12 is out of range");
}

TEST(TfliteRejectTest, AbsurdShapeOverflows) {
  TestModel m = ConvModel();
  m.tensors[0].shape = {2147483647, 2147483647, 2147483647, 4};
  ExpectError(m, ErrorCode::kOverflow, "whose size overflows 64 bits");
}

TEST(TfliteRejectTest, NegativeDim) {
  TestModel m = ConvModel();
  m.tensors[0].shape = {-1, 8, 8, 4};
  ExpectError(m, ErrorCode::kBadModel, "tensor 0 'x' has a zero or negative (dynamic) dim");
}

TEST(TfliteRejectTest, RankFive) {
  TestModel m = ConvModel();
  m.tensors[0].shape = {1, 1, 8, 8, 4};
  ExpectError(m, ErrorCode::kUnsupportedOp, "has rank 5");
}

TEST(TfliteRejectTest, ConstantDataSizeMismatch) {
  TestModel m = ConvModel();
  m.tensors[1].data.resize(100);
  ExpectError(m, ErrorCode::kBadModel, "needs 288 data bytes, but its buffer 1 has 100");
}

TEST(TfliteRejectTest, FileShapeDisagreesWithOp) {
  TestModel m = ConvModel();
  m.tensors[3].shape = {1, 7, 7, 8};
  ExpectError(m, ErrorCode::kBadModel,
              "tensor 3 'y' (output of node 'conv2d_0'): the file gives shape [1,7,7,8] but the "
              "op computes [1,8,8,8]");
}

TEST(TfliteRejectTest, ZeroStride) {
  TestModel m = ConvModel();
  m.ops[0].options[1].value = 0;
  ExpectError(m, ErrorCode::kBadModel, "strides and dilations must be >= 1 (got stride 1x0");
}

TEST(TfliteRejectTest, MissingConvOptions) {
  TestModel m = ConvModel();
  m.ops[0].options_type = 0;
  ExpectError(m, ErrorCode::kBadModel, "operator 0 (CONV_2D): missing Conv2DOptions");
}

TEST(TfliteRejectTest, UnknownTensorType) {
  TestModel m = ConvModel();
  m.tensors[0].type = 1;  // FLOAT16
  ExpectError(m, ErrorCode::kUnsupportedOp, "tensor 0 'x' has element type FLOAT16");
}

TEST(TfliteRejectTest, ZeroPointCountMismatch) {
  TestModel m = ConvModel();
  m.tensors[0].zero_points = {0, 0};
  ExpectError(m, ErrorCode::kBadModel, "quantization has 1 scales but 2 zero points");
}

TEST(TfliteRejectTest, PerChannelScalesDoNotFitShape) {
  TestModel m = ConvModel();
  m.tensors[1].scales.assign(5, 0.1f);
  m.tensors[1].zero_points.assign(5, 0);
  ExpectError(m, ErrorCode::kBadModel, "per-channel quantization with 5 scales along dimension 0");
}

TEST(TfliteRejectTest, NonFiniteScale) {
  TestModel m = ConvModel();
  m.tensors[0].scales = {std::numeric_limits<float>::quiet_NaN()};
  ExpectError(m, ErrorCode::kBadModel, "quantization scale must be finite");
}

TEST(TfliteRejectTest, WrongSchemaVersion) {
  TestModel m = ConvModel();
  m.version = 2;
  ExpectError(m, ErrorCode::kBadModel, "unsupported TFLite schema version 2");
}

TEST(TfliteRejectTest, NonConstantWeights) {
  TestModel m = ConvModel();
  m.tensors[1].data.clear();
  m.inputs = {0, 1};
  ExpectError(m, ErrorCode::kUnsupportedOp, "weights tensor 1 'w' must be constant");
}

TEST(TfliteRejectTest, TwoOpsWriteOneTensor) {
  TestModel m = ConvModel();
  m.ops.push_back(m.ops[0]);
  ExpectError(m, ErrorCode::kInvalidGraph, "operator 1 (CONV_2D)");
}

TEST(TfliteRejectTest, MeanOverChannelsIsUnsupported) {
  TestModel m;
  const std::int32_t x = m.Add(Act("x", {1, 4, 4, 8}));
  const std::int32_t axes = m.Add(Const("axes", {1}, 2, 4));
  m.tensors[1].data = Int32Bytes({3});
  const std::int32_t y = m.Add(Act("y", {1, 4, 4}));
  TestOp mean;
  mean.builtin = kMean;
  mean.inputs = {x, axes};
  mean.outputs = {y};
  m.ops.push_back(mean);
  m.inputs = {x};
  m.outputs = {y};
  ExpectError(m, ErrorCode::kUnsupportedOp, "operator 0 (MEAN)");
}

// TRANSPOSE to NCHW + MEAN over W + MEAN over H is one global average pool; any other
// TRANSPOSE is reported as unsupported.
TestModel TransposeMeanModel(std::vector<std::int32_t> perm) {
  TestModel m;
  const std::int32_t x = m.Add(Act("x", {1, 3, 3, 16}));
  const std::int32_t p = m.Add(Const("perm", {4}, 2, 4));
  m.tensors[static_cast<std::size_t>(p)].data = Int32Bytes(perm);
  const std::int32_t t = m.Add(Act("nchw", {1, 16, 3, 3}));
  const std::int32_t a1 = m.Add(Const("a1", {1}, 2, 4));
  m.tensors[static_cast<std::size_t>(a1)].data = Int32Bytes({3});
  const std::int32_t m1 = m.Add(Act("m1", {1, 16, 3}));
  const std::int32_t a2 = m.Add(Const("a2", {1}, 2, 4));
  m.tensors[static_cast<std::size_t>(a2)].data = Int32Bytes({-1});
  const std::int32_t m2 = m.Add(Act("m2", {1, 16}));
  TestOp tr;
  tr.builtin = 39;  // TRANSPOSE
  tr.inputs = {x, p};
  tr.outputs = {t};
  TestOp mean1;
  mean1.builtin = kMean;
  mean1.inputs = {t, a1};
  mean1.outputs = {m1};
  TestOp mean2 = mean1;
  mean2.inputs = {m1, a2};
  mean2.outputs = {m2};
  m.ops = {tr, mean1, mean2};
  m.inputs = {x};
  m.outputs = {m2};
  return m;
}

TEST(TfliteImportTest, TransposeThenMeansIsOneGlobalPool) {
  const Graph g = Import(TransposeMeanModel({0, 3, 1, 2}));
  ASSERT_EQ(g.nodes().size(), 1u);
  EXPECT_EQ(g.node(0).type, OpType::kGlobalAvgPool);
  EXPECT_EQ(g.node(0).name, "global_avg_pool_0");
  EXPECT_FALSE(g.node(0).attrs.keep_dims);
  EXPECT_EQ(g.tensor(g.node(0).inputs[0]).name, "x");
  EXPECT_EQ(g.tensor(g.node(0).outputs[0]).name, "m2");
  EXPECT_EQ(g.FindTensor("nchw"), kNoTensor);
}

TEST(TfliteRejectTest, OtherTransposeIsUnsupported) {
  TestModel m = TransposeMeanModel({0, 2, 1, 3});
  m.tensors[2].shape = {1, 3, 3, 16};
  m.tensors[4].shape = {1, 3, 3};
  m.tensors[6].shape = {1, 3};
  ExpectError(m, ErrorCode::kUnsupportedOp, "operator 0 (TRANSPOSE): op is not supported");
}

TEST(TfliteRejectTest, NotTflite) {
  const std::string text = "{\"format\": \"opcost-model\"}";
  try {
    ImportTfliteBuffer(reinterpret_cast<const std::uint8_t*>(text.data()), text.size(), "x.json");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kBadModel);
    EXPECT_NE(std::string(e.what()).find("x.json: not a TFLite file"), std::string::npos);
  }
  EXPECT_FALSE(LooksLikeTflite(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
  EXPECT_THROW(ImportTfliteBuffer(nullptr, 0, "empty"), Error);
}

TEST(TfliteRejectTest, MisalignedBufferIsCopiedNotRejected) {
  const std::vector<std::uint8_t> bytes = ConvModel().Build();
  std::vector<std::uint8_t> shifted(bytes.size() + 1);
  std::copy(bytes.begin(), bytes.end(), shifted.begin() + 1);
  EXPECT_TRUE(LooksLikeTflite(shifted.data() + 1, bytes.size()));
  EXPECT_EQ(ImportTfliteBuffer(shifted.data() + 1, bytes.size(), "odd").nodes().size(), 1u);
}

}  // namespace
}  // namespace opcost
