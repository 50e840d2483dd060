// The real .tflite models in ../shared/models/ (OPCOST_SHARED_DIR) imported and checked against
// published figures, the hand-written JSON models (models/*.json) and a JSON round trip.
// "md" below is ../shared/measured/model_architectures.md.
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "opcost/error.h"
#include "opcost/graph.h"
#include "opcost/metrics.h"
#include "opcost/model_io.h"
#include "opcost/tflite_import.h"
#include "param_name.h"

namespace opcost {
namespace {

std::string SharedModel(const std::string& rel) {
  return std::string(OPCOST_SHARED_DIR) + "/models/" + rel;
}

struct Expected {
  const char* file;        // under shared/models/
  const char* json_model;  // models/<stem>.json written by hand from md, or nullptr
  std::int64_t macs;
  std::int64_t params;        // weights + biases (BN folded)
  std::int64_t weight_bytes;  // bytes of weight and bias tensors
  std::int64_t nodes;
};

// macs and params: md "Consistency checks" (KWS 2,656,768 / 22,604; ResNet-8 12,501,632 /
// 77,706; VWW 7,489,664 / 210,850; AD 264,192 / 265,864), also the "total" rows of md section 3.
// weight_bytes: md section 3 "const bytes" totals (24,376; 78,752; 219,072; 270,880) minus the
// 8-byte int32 shape tensor of the one RESHAPE, which opcost keeps as an attribute.
// nodes: the op rows of those md tables (13, 16, 31, 10).
// str_ww: no published figure; MACs and params computed by hand below from the file's layer list.
// mcunet-vww1: mcunet_model_zoo.csv row mcunet-vww1: MACs 11.6M, params 0.43M (rounded, checked
// below to their rounding); 63 TFLite operators, of which TRANSPOSE + 2 x MEAN become one
// global_avg_pool node -> 61.
constexpr std::int64_t kStrWwMacs =
    28 * 40 * 3 + 28 * 128 * 40     // dw 3x1 on 30 -> 28 steps, pw 40 -> 128
    + 24 * 128 * 5 + 24 * 128 * 128  // dw 5x1 28 -> 24, pw 128 -> 128
    + 15 * 128 * 10 + 15 * 128 * 128  // dw 10x1 24 -> 15, pw
    + 1 * 128 * 15 + 1 * 32 * 128     // dw 15x1 15 -> 1, pw 128 -> 32
    + 3 * 32;                         // fc 32 -> 3
constexpr std::int64_t kStrWwParams =
    (3 * 40 + 40) + (128 * 40 + 128) + (5 * 128 + 128) + (128 * 128 + 128) + (10 * 128 + 128) +
    (128 * 128 + 128) + (15 * 128 + 128) + (32 * 128 + 32) + (3 * 32 + 3);
// int8 weights (1 byte) + int32 biases (4 bytes), same list.
constexpr std::int64_t kStrWwBiases = 40 + 128 + 128 + 128 + 128 + 128 + 128 + 32 + 3;
constexpr std::int64_t kStrWwWeightBytes = (kStrWwParams - kStrWwBiases) + 4 * kStrWwBiases;

const Expected kModels[] = {
    {"mlperf-tiny/kws_ref_model.tflite", "mlperf_kws_ds_cnn", 2656768, 22604, 24376 - 8, 13},
    {"mlperf-tiny/pretrainedResnet_quant.tflite", "mlperf_ic_resnet8", 12501632, 77706,
     78752 - 8, 16},
    {"mlperf-tiny/vww_96_int8.tflite", "mlperf_vww_mobilenet_v1_025", 7489664, 210850,
     219072 - 8, 31},
    {"mlperf-tiny/ad01_int8.tflite", "mlperf_ad_autoencoder", 264192, 265864, 270880, 10},
    {"mlperf-tiny/str_ww_ref_model.tflite", nullptr, kStrWwMacs, kStrWwParams, kStrWwWeightBytes,
     11},
};

class RealModelTest : public ::testing::TestWithParam<Expected> {};

TEST_P(RealModelTest, MatchesPublishedCounts) {
  const Expected& e = GetParam();
  const Graph g = ImportTflite(SharedModel(e.file));
  const NetworkMetrics m = ComputeMetrics(g);
  EXPECT_EQ(m.total.macs, e.macs) << e.file;
  EXPECT_EQ(m.total.params, e.params) << e.file;
  EXPECT_EQ(m.total.weight_bytes, e.weight_bytes) << e.file;
  EXPECT_EQ(static_cast<std::int64_t>(g.nodes().size()), e.nodes) << e.file;
}

TEST_P(RealModelTest, MatchesHandWrittenJsonModel) {
  const Expected& e = GetParam();
  if (e.json_model == nullptr) GTEST_SKIP() << "no hand-written JSON model for " << e.file;
  const Graph imported = ImportTflite(SharedModel(e.file));
  const Graph written =
      LoadModel(std::string(OPCOST_SOURCE_DIR) + "/models/" + e.json_model + ".json");
  const NetworkMetrics a = ComputeMetrics(imported);
  const NetworkMetrics b = ComputeMetrics(written);
  EXPECT_EQ(a.total.macs, b.total.macs);
  EXPECT_EQ(a.total.params, b.total.params);
  ASSERT_EQ(a.layers.size(), b.layers.size());
  for (std::size_t i = 0; i < a.layers.size(); ++i) {
    EXPECT_EQ(a.layers[i].macs, b.layers[i].macs) << "layer " << i;
    EXPECT_EQ(a.layers[i].params, b.layers[i].params) << "layer " << i;
    EXPECT_EQ(a.layers[i].category, b.layers[i].category) << "layer " << i;
    EXPECT_EQ(a.layers[i].output_elements, b.layers[i].output_elements) << "layer " << i;
  }
}

TEST_P(RealModelTest, RoundTripsThroughJson) {
  const Expected& e = GetParam();
  const Graph g = ImportTflite(SharedModel(e.file));
  const Graph back = ParseModel(SaveModelToString(g), "roundtrip");
  const NetworkMetrics a = ComputeMetrics(g);
  const NetworkMetrics b = ComputeMetrics(back);
  EXPECT_EQ(a.total.macs, b.total.macs);
  EXPECT_EQ(a.total.params, b.total.params);
  EXPECT_EQ(a.total.weight_bytes, b.total.weight_bytes);
  EXPECT_EQ(a.total.ops, b.total.ops);
  ASSERT_EQ(g.tensors().size(), back.tensors().size());
  for (TensorId t = 0; t < static_cast<TensorId>(g.tensors().size()); ++t) {
    const Tensor& x = g.tensor(t);
    const TensorId u = back.FindTensor(x.name);
    ASSERT_NE(u, kNoTensor) << x.name;
    const Tensor& y = back.tensor(u);
    EXPECT_EQ(x.shape, y.shape) << x.name;
    EXPECT_EQ(x.dtype, y.dtype) << x.name;
    EXPECT_EQ(x.data, y.data) << x.name;
    EXPECT_EQ(x.quantization.scales, y.quantization.scales) << x.name;
    EXPECT_EQ(x.quantization.zero_points, y.quantization.zero_points) << x.name;
  }
}

// gtest prints the parameter as the file in failure messages.
void PrintTo(const Expected& e, std::ostream* os) { *os << e.file; }

INSTANTIATE_TEST_SUITE_P(MlperfTiny, RealModelTest, ::testing::ValuesIn(kModels),
                         [](const auto& param_info) {
                           return test::ParamName(param_info.param.file);
                         });

TEST(McunetTest, MatchesModelZooFigures) {
  const Graph g = ImportTflite(SharedModel("mcunet/mcunet-vww1.tflite"));
  const NetworkMetrics m = ComputeMetrics(g);
  // mcunet_model_zoo.csv row mcunet-vww1: "11.6M" MACs and "0.43M" params, rounded.
  EXPECT_GE(m.total.macs, 11550000);
  EXPECT_LT(m.total.macs, 11650000);
  EXPECT_GE(m.total.params, 425000);
  EXPECT_LT(m.total.params, 435000);
  EXPECT_EQ(g.nodes().size(), 61u);
  // The fused TRANSPOSE + MEAN + MEAN is one global average pool to [1,160].
  const NodeId pool = g.FindNode("global_avg_pool_58");
  ASSERT_NE(pool, kNoNode);
  EXPECT_EQ(g.tensor(g.node(pool).outputs[0]).shape, (Shape{1, 160}));
  // Float input quantized on entry, dequantized on exit.
  EXPECT_EQ(g.tensor(g.inputs()[0]).dtype, DataType::kFloat32);
  EXPECT_EQ(g.node(0).type, OpType::kQuantize);
  EXPECT_EQ(g.tensor(g.outputs()[0]).dtype, DataType::kFloat32);
  // PAD's paddings tensor became an attribute: [[0,0],[1,1],[1,1],[0,0]] -> 80x80 to 82x82.
  EXPECT_EQ(g.node(1).type, OpType::kPad);
  EXPECT_EQ(g.tensor(g.node(1).outputs[0]).shape, (Shape{1, 82, 82, 3}));
  EXPECT_EQ(g.node(1).inputs.size(), 1u);
}

TEST(KwsDetailTest, KeepsNamesQuantizationAndData) {
  const Graph g = ImportTflite(SharedModel("mlperf-tiny/kws_ref_model.tflite"));
  EXPECT_EQ(g.name(), "kws_ref_model");
  ASSERT_EQ(g.inputs().size(), 1u);
  EXPECT_EQ(g.tensor(g.inputs()[0]).name, "input_1");
  EXPECT_EQ(g.tensor(g.inputs()[0]).shape, (Shape{1, 49, 10, 1}));
  EXPECT_EQ(g.tensor(g.outputs()[0]).name, "Identity");
  const Node& conv = g.node(0);
  EXPECT_EQ(conv.type, OpType::kConv2D);
  EXPECT_EQ(conv.attrs.kernel_h, 10);
  EXPECT_EQ(conv.attrs.kernel_w, 4);
  EXPECT_EQ(conv.attrs.stride_h, 2);
  EXPECT_EQ(conv.attrs.padding, Padding::kSame);
  EXPECT_EQ(conv.attrs.activation, Activation::kRelu);
  ASSERT_EQ(conv.inputs.size(), 3u);
  const Tensor& w = g.tensor(conv.inputs[1]);
  EXPECT_TRUE(w.is_constant);
  EXPECT_EQ(w.shape, (Shape{64, 10, 4, 1}));
  EXPECT_EQ(w.data.size(), 2560u);  // md: conv1 const bytes 2816 = 2560 weights + 256 bias
  EXPECT_EQ(w.quantization.scales.size(), 64u);  // per-output-channel int8 weights
  EXPECT_EQ(w.quantization.axis, 0);
  const Tensor& b = g.tensor(conv.inputs[2]);
  EXPECT_EQ(b.dtype, DataType::kInt32);
  EXPECT_EQ(b.data.size(), 256u);
  const Tensor& act = g.tensor(conv.outputs[0]);
  EXPECT_EQ(act.quantization.scales.size(), 1u);
  EXPECT_EQ(act.quantization.zero_points.size(), 1u);
  // Reshape's shape tensor is the new_shape attribute, not an input.
  const Node& reshape = g.node(10);
  EXPECT_EQ(reshape.type, OpType::kReshape);
  EXPECT_EQ(reshape.inputs.size(), 1u);
  EXPECT_EQ(reshape.attrs.new_shape, (Shape{-1, 64}));  // the file's shape tensor
  EXPECT_EQ(g.node(9).type, OpType::kAvgPool);
  EXPECT_EQ(g.node(9).attrs.kernel_h, 25);
  EXPECT_EQ(g.node(9).attrs.padding, Padding::kValid);
  EXPECT_EQ(g.node(12).type, OpType::kSoftmax);
}

TEST(ImportFileTest, MissingFileIsIoError) {
  try {
    ImportTflite("/nonexistent/dir/model.tflite");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kIo);
    EXPECT_NE(std::string(e.what()).find("/nonexistent/dir/model.tflite"), std::string::npos);
  }
}

TEST(ImportFileTest, JsonFileIsNotTflite) {
  try {
    ImportTflite(std::string(OPCOST_SOURCE_DIR) + "/models/mlperf_kws_ds_cnn.json");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kBadModel);
    EXPECT_NE(std::string(e.what()).find("not a TFLite file"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace opcost
