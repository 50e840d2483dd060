// Real PyTorch exports (tests/data/onnx/make_models.py) against the bundled JSON models of the
// same networks: MACs, params, weight bytes and peak activation bytes must be equal. The QDQ
// files are int8 like the JSON models; the float exports are compared with the JSON models
// loaded as float32 (weights and activations 4 bytes).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "opcost/memory.h"
#include "opcost/metrics.h"
#include "opcost/model_io.h"
#include "opcost/onnx_import.h"
#include "param_name.h"

namespace opcost {
namespace {

std::string DataPath(const std::string& name) {
  return std::string(OPCOST_SOURCE_DIR) + "/tests/data/onnx/" + name;
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

Graph BundledModel(const std::string& name, bool as_float) {
  const std::string path = std::string(OPCOST_SOURCE_DIR) + "/models/" + name + ".json";
  std::string text = ReadText(path);
  if (as_float) {
    const std::string from = "\"dtype\": \"int8\"";
    const std::size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos);
    text.replace(at, from.size(), "\"dtype\": \"float32\"");
  }
  return ParseModel(text, path);
}

struct Totals {
  std::int64_t macs, params, weight_bytes, peak_bytes;
  std::size_t layers;
};

Totals TotalsOf(const Graph& g) {
  const NetworkMetrics m = ComputeMetrics(g);
  return {m.total.macs, m.total.params, m.total.weight_bytes,
          AnalyzeMemory(g).peak_activation_bytes, g.nodes().size()};
}

void ExpectSameTotals(const Graph& onnx, const Graph& json) {
  const Totals a = TotalsOf(onnx);
  const Totals b = TotalsOf(json);
  EXPECT_EQ(a.macs, b.macs);
  EXPECT_EQ(a.params, b.params);
  EXPECT_EQ(a.weight_bytes, b.weight_bytes);
  EXPECT_EQ(a.peak_bytes, b.peak_bytes);
  EXPECT_EQ(a.layers, b.layers);
}

const char* const kNetworks[] = {"mobilenet_v2_035_128", "mlperf_ic_resnet8", "mlperf_kws_ds_cnn",
                                 "nas_cell"};

class OnnxModels : public ::testing::TestWithParam<const char*> {};

TEST_P(OnnxModels, QdqExportCostsWhatTheBundledInt8ModelCosts) {
  const Graph g = ImportOnnx(DataPath(std::string(GetParam()) + "_qdq.onnx"));
  ExpectSameTotals(g, BundledModel(GetParam(), false));
  for (const Node& n : g.nodes()) {
    if (n.type != OpType::kConv2D && n.type != OpType::kDepthwiseConv2D &&
        n.type != OpType::kFullyConnected) {
      continue;
    }
    const Tensor& w = g.tensor(n.inputs[1]);
    EXPECT_EQ(w.dtype, DataType::kInt8) << n.name;
    EXPECT_FALSE(w.quantization.empty()) << n.name;
    EXPECT_EQ(g.tensor(n.inputs[2]).dtype, DataType::kInt32) << n.name;
    EXPECT_EQ(g.tensor(n.outputs[0]).dtype, DataType::kInt8) << n.name;
    EXPECT_FALSE(g.tensor(n.outputs[0]).quantization.empty()) << n.name;
  }
}

TEST_P(OnnxModels, FloatExportCostsWhatTheBundledModelCostsInFloat) {
  const Graph g = ImportOnnx(DataPath(std::string(GetParam()) + ".onnx"));
  ExpectSameTotals(g, BundledModel(GetParam(), true));
}

TEST_P(OnnxModels, SurvivesAJsonRoundTrip) {
  const Graph g = ImportOnnx(DataPath(std::string(GetParam()) + "_qdq.onnx"));
  const Graph back = ParseModel(SaveModelToString(g), "roundtrip");
  const Totals a = TotalsOf(g);
  const Totals b = TotalsOf(back);
  EXPECT_EQ(a.macs, b.macs);
  EXPECT_EQ(a.weight_bytes, b.weight_bytes);
  EXPECT_EQ(a.peak_bytes, b.peak_bytes);
}

INSTANTIATE_TEST_SUITE_P(Networks, OnnxModels, ::testing::ValuesIn(kNetworks),
                         [](const auto& param_info) { return test::ParamName(param_info.param); });

TEST(OnnxModels, DynamicBatchBecomesOneWithANote) {
  const Graph g = ImportOnnx(DataPath("mlperf_ic_resnet8.onnx"));
  EXPECT_EQ(g.tensor(g.inputs()[0]).shape, (Shape{1, 32, 32, 3}));
  EXPECT_NE(g.description().find("dynamic batch dim of input 'input' ('batch') set to 1"),
            std::string::npos)
      << g.description();
}

TEST(OnnxModels, ReluAndClipFuseIntoTheirProducers) {
  const Graph g = ImportOnnx(DataPath("mobilenet_v2_035_128.onnx"));
  EXPECT_EQ(g.nodes()[0].type, OpType::kConv2D);
  EXPECT_EQ(g.nodes()[0].attrs.activation, Activation::kRelu6);
  EXPECT_EQ(g.nodes()[1].type, OpType::kDepthwiseConv2D);
  EXPECT_EQ(g.nodes()[0].attrs.padding, Padding::kExplicit);
  const Graph r = ImportOnnx(DataPath("mlperf_ic_resnet8.onnx"));
  for (const Node& n : r.nodes()) {
    if (n.type == OpType::kAdd) {
      EXPECT_EQ(n.attrs.activation, Activation::kRelu) << n.name;
    }
  }
}

}  // namespace
}  // namespace opcost
