// Importer paths beyond the whole networks: BatchNormalization folding, QOperator models,
// external data, allow_unsupported.
#include "opcost/onnx_import.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>

#include "opcost/error.h"
#include "opcost/metrics.h"

namespace opcost {
namespace {

std::string DataPath(const std::string& name) {
  return std::string(OPCOST_SOURCE_DIR) + "/tests/data/onnx/" + name;
}

TEST(OnnxImport, MapsTheHardActivationsOfMobileNetV3) {
  const Graph g = ImportOnnx(DataPath("hard_activations.onnx"));
  ASSERT_EQ(g.nodes().size(), 3u);
  EXPECT_EQ(g.nodes()[1].type, OpType::kHardSwish);
  EXPECT_EQ(g.nodes()[2].type, OpType::kHardSigmoid);
  const NetworkMetrics m = ComputeMetrics(g);
  // 8x8x4 = 256 outputs: hard_swish 5 other ops each, hard_sigmoid 4 (docs/metrics.md).
  EXPECT_EQ(m.layers[1].other_ops, 256 * 5);
  EXPECT_EQ(m.layers[2].other_ops, 256 * 4);
}

TEST(OnnxImport, FoldsBatchNormIntoThePrecedingConv) {
  const Graph g = ImportOnnx(DataPath("batchnorm.onnx"));
  ASSERT_EQ(g.nodes().size(), 3u);  // conv(+bn+relu), add, batch_norm
  const Node& conv = g.nodes()[0];
  EXPECT_EQ(conv.type, OpType::kConv2D);
  EXPECT_EQ(conv.attrs.activation, Activation::kRelu);
  ASSERT_EQ(conv.inputs.size(), 3u);  // the folded bias was added
  EXPECT_EQ(g.tensor(conv.inputs[2]).shape, (Shape{8}));
  EXPECT_EQ(g.tensor(conv.inputs[2]).data.size(), 32u);
  EXPECT_EQ(g.tensor(conv.inputs[1]).shape, (Shape{8, 3, 3, 3}));
  // A BN after an add is not folded: batch_norm with per-channel scale and offset.
  EXPECT_EQ(g.nodes()[2].type, OpType::kBatchNorm);
  const NetworkMetrics m = ComputeMetrics(g);
  EXPECT_EQ(m.total.macs, 8 * 8 * 8 * 27);
}

TEST(OnnxImport, MapsQOperatorModels) {
  const Graph g = ImportOnnx(DataPath("qoperator.onnx"));
  ASSERT_EQ(g.nodes().size(), 7u);
  EXPECT_EQ(g.nodes()[0].type, OpType::kConv2D);
  EXPECT_EQ(g.nodes()[1].type, OpType::kDepthwiseConv2D);
  EXPECT_EQ(g.nodes()[2].type, OpType::kAdd);
  EXPECT_EQ(g.nodes()[3].type, OpType::kConv2D);  // ConvInteger
  EXPECT_EQ(g.nodes()[5].type, OpType::kFullyConnected);
  const Tensor& w = g.tensor(g.nodes()[0].inputs[1]);
  EXPECT_EQ(w.dtype, DataType::kInt8);
  ASSERT_EQ(w.quantization.scales.size(), 1u);
  EXPECT_FLOAT_EQ(w.quantization.scales[0], 0.01f);
  const Tensor& out = g.tensor(g.nodes()[0].outputs[0]);
  EXPECT_EQ(out.dtype, DataType::kUInt8);
  EXPECT_EQ(out.quantization.zero_points, std::vector<std::int64_t>{128});
  EXPECT_EQ(g.tensor(g.nodes()[3].outputs[0]).dtype, DataType::kInt32);
  EXPECT_EQ(g.tensor(g.nodes()[6].outputs[0]).dtype, DataType::kInt32);  // MatMulInteger
  EXPECT_EQ(ComputeMetrics(g).total.macs, 27648 + 9216 + 8192 + 10240 + 4096);
}

TEST(OnnxImport, SizesExternalDataWithoutLoadingIt) {
  const Graph g = ImportOnnx(DataPath("external_data.onnx"));
  const Node& conv = g.nodes()[0];
  EXPECT_EQ(g.tensor(conv.inputs[1]).shape, (Shape{16, 3, 3, 3}));
  EXPECT_TRUE(g.tensor(conv.inputs[1]).data.empty());
  EXPECT_EQ(ComputeMetrics(g).total.weight_bytes, (16 * 27 + 16) * 4);
}

TEST(OnnxImport, RefusesExternalDataEscapingTheModelDirectory) {
  try {
    ImportOnnx(DataPath("bad/external_escape.onnx"));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kBadModel);
    EXPECT_NE(std::string(e.what()).find("escapes the model's directory"), std::string::npos)
        << e.what();
  }
}

TEST(OnnxImport, UnsupportedOpIsAnErrorOrAFlaggedNode) {
  try {
    ImportOnnx(DataPath("bad/unsupported_op.onnx"));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnsupportedOp);
    EXPECT_NE(std::string(e.what()).find("node 'up' (#0, Resize)"), std::string::npos) << e.what();
  }
  OnnxImportOptions options;
  options.allow_unsupported = true;
  const Graph g = ImportOnnx(DataPath("bad/unsupported_op.onnx"), options);
  ASSERT_EQ(g.nodes().size(), 1u);
  EXPECT_EQ(g.nodes()[0].type, OpType::kUnsupported);
  EXPECT_EQ(g.nodes()[0].attrs.unsupported_name, "Resize");
  EXPECT_EQ(g.tensor(g.nodes()[0].outputs[0]).shape, (Shape{1, 16, 16, 3}));  // NHWC
}

}  // namespace
}  // namespace opcost
