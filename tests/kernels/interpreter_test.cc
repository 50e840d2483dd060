// RunInt8 end to end. Acceptance: the DS-CNN S (and L) networks of the CMSIS-NN test vectors,
// rebuilt as opcost Graphs (weights, biases and quantization as tensor data), map the first
// input to the reference output byte for byte.
#include "opcost/interpreter.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "opcost/builder.h"
#include "opcost/error.h"
#include "opcost/kernels/requantize.h"
#include "opcost/model_io.h"
#include "opcost/shape_inference.h"

namespace opcost {
namespace {

using json = nlohmann::json;
using I8 = std::vector<std::int8_t>;

const std::string kVectorDir = std::string(OPCOST_SHARED_DIR) + "/testvectors/cmsis-nn-s8";

json ReadJson(const std::string& path) {
  std::ifstream in(path);
  return json::parse(in);
}

std::vector<std::uint8_t> Bytes(const json& data) {
  std::vector<std::uint8_t> out;
  for (const json& v : data) out.push_back(static_cast<std::uint8_t>(v.get<int>()));
  return out;
}

std::vector<std::uint8_t> Int32Bytes(const json& data) {
  std::vector<std::uint8_t> out;
  for (const json& v : data) {
    const auto u = static_cast<std::uint32_t>(v.get<std::int32_t>());
    for (int b = 0; b < 4; ++b) out.push_back(static_cast<std::uint8_t>(u >> (8 * b)));
  }
  return out;
}

Quantization ActQuant(float scale, std::int64_t zero_point) {
  Quantization q;
  q.scales = {scale};
  q.zero_points = {zero_point};
  return q;
}

// Rebuilds a DS-CNN vector case as a Graph. Activations get scale 1 (the vectors carry only
// fixed-point factors), except the softmax input whose scale is recovered exactly from the
// softmax multiplier; weights carry approximate float scales plus the exact multipliers/shifts.
Graph DsCnnGraph(const json& v) {
  const json& c = v.at("config");
  const json& arr = v.at("arrays");
  auto cfg = [&](const std::string& k) { return c.at(k).get<std::int64_t>(); };
  GraphBuilder b(v.at("case").get<std::string>());
  TensorId x = b.Input("input", {1, cfg("CONV_2D_1_INPUT_H"), cfg("CONV_2D_1_INPUT_W"),
                                 cfg("CONV_2D_1_IN_CH")});
  Graph& g = b.mutable_graph();
  g.mutable_tensor(x).quantization = ActQuant(1.0f, -cfg("CONV_2D_1_INPUT_OFFSET"));
  float softmax_input_scale = 1.0f;
  for (int i = 1; i <= 20; ++i) {
    const std::string n = std::to_string(i);
    if (c.contains("SOFTMAX_" + n + "_MULT")) {
      // MULT * 2^SHIFT / 2^31 = input_scale * 2^26 (TFLite's PreprocessSoftmaxScaling).
      softmax_input_scale = static_cast<float>(
          std::ldexp(cfg("SOFTMAX_" + n + "_MULT"),
                     static_cast<int>(cfg("SOFTMAX_" + n + "_SHIFT")) - 31 - 26));
    }
  }
  for (int i = 1; i <= 20; ++i) {
    const std::string n = std::to_string(i);
    const bool conv = c.contains("CONV_2D_" + n + "_OUT_CH");
    const bool dw = c.contains("DEPTHWISE_CONV_2D_" + n + "_OUT_CH");
    const std::string name = "layer" + n;
    if (conv || dw) {
      const std::string k = (conv ? "CONV_2D_" : "DEPTHWISE_CONV_2D_") + n + "_";
      const std::string a = "layer_" + n + (conv ? "_conv_2d_" : "_depthwise_conv_2d_");
      if (conv) {
        ConvOptions o;
        o.filters = cfg(k + "OUT_CH");
        o.kernel_h = cfg(k + "FILTER_Y");
        o.kernel_w = cfg(k + "FILTER_X");
        o.stride_h = cfg(k + "STRIDE_Y");
        o.stride_w = cfg(k + "STRIDE_X");
        x = b.Conv2D(name, x, o);
      } else {
        DepthwiseOptions o;
        o.kernel_h = cfg(k + "FILTER_Y");
        o.kernel_w = cfg(k + "FILTER_X");
        o.stride_h = cfg(k + "STRIDE_Y");
        o.stride_w = cfg(k + "STRIDE_X");
        x = b.DepthwiseConv2D(name, x, o);
      }
      Tensor& w = g.mutable_tensor(g.FindTensor(name + "/weights"));
      w.data = Bytes(arr.at(a + "weights").at("data"));
      const json& mults = arr.at(a + "output_mult").at("data");
      const json& shifts = arr.at(a + "output_shift").at("data");
      for (std::size_t ch = 0; ch < mults.size(); ++ch) {
        const auto m = mults.at(ch).get<std::int32_t>();
        const auto s = shifts.at(ch).get<std::int32_t>();
        w.quantization.scales.push_back(static_cast<float>(std::ldexp(m, s - 31)));
        w.quantization.zero_points.push_back(0);
        w.quantization.multipliers.push_back(m);
        w.quantization.shifts.push_back(s);
      }
      w.quantization.axis = dw ? 3 : 0;
      g.mutable_tensor(g.FindTensor(name + "/bias")).data = Int32Bytes(arr.at(a + "bias").at("data"));
      g.mutable_tensor(x).quantization = ActQuant(1.0f, cfg(k + "OUTPUT_OFFSET"));
    } else if (c.contains("AVERAGE_POOL_2D_" + n + "_OUT_CH")) {
      const std::string k = "AVERAGE_POOL_2D_" + n + "_";
      PoolOptions o;
      o.pool_h = cfg(k + "FILTER_Y");
      o.pool_w = cfg(k + "FILTER_X");
      o.stride_h = cfg(k + "STRIDE_Y");
      o.stride_w = cfg(k + "STRIDE_X");
      const Quantization q = g.tensor(x).quantization;
      x = b.AvgPool(name, x, o);
      g.mutable_tensor(x).quantization = q;
    } else if (c.contains("FULLY_CONNECTED_" + n + "_OUTPUT_MULTIPLIER")) {
      const std::string k = "FULLY_CONNECTED_" + n + "_";
      const std::string a = "layer_" + n + "_fully_connected_";
      const auto units = static_cast<std::int64_t>(arr.at(a + "bias").at("data").size());
      x = b.FullyConnected(name, x, units);
      Tensor& w = g.mutable_tensor(g.FindTensor(name + "/weights"));
      w.data = Bytes(arr.at(a + "weights").at("data"));
      const auto m = static_cast<std::int32_t>(cfg(k + "OUTPUT_MULTIPLIER"));
      const auto s = static_cast<std::int32_t>(cfg(k + "OUTPUT_SHIFT"));
      w.quantization.scales = {static_cast<float>(std::ldexp(m, s - 31) * softmax_input_scale)};
      w.quantization.zero_points = {0};
      w.quantization.multipliers = {m};
      w.quantization.shifts = {s};
      g.mutable_tensor(g.FindTensor(name + "/bias")).data = Int32Bytes(arr.at(a + "bias").at("data"));
      g.mutable_tensor(x).quantization = ActQuant(softmax_input_scale, cfg(k + "OUTPUT_OFFSET"));
    } else if (c.contains("SOFTMAX_" + n + "_MULT")) {
      x = b.Unary(name, OpType::kSoftmax, x);
      g.mutable_tensor(x).quantization = ActQuant(1.0f / 256, -128);
    }
  }
  return b.Build();
}

I8 Int8Array(const json& data) {
  I8 out;
  for (const json& v : data) out.push_back(static_cast<std::int8_t>(v.get<int>()));
  return out;
}

class DsCnnTest : public ::testing::TestWithParam<std::string> {};

TEST_P(DsCnnTest, GraphReproducesReferenceOutput) {
  const json v = ReadJson(kVectorDir + "/" + GetParam() + ".json");
  const Graph g = DsCnnGraph(v);
  ASSERT_EQ(g.nodes().size(), GetParam() == "ds_cnn_s" ? 12u : 14u);
  const auto out = RunInt8(g, {Int8Array(v.at("arrays").at("input").at("data"))});
  ASSERT_EQ(out.size(), 1u);
  const I8 ref = Int8Array(v.at("arrays").at("output_ref").at("data"));
  ASSERT_EQ(out[0].size(), ref.size());
  for (std::size_t i = 0; i < ref.size(); ++i) {
    EXPECT_EQ(out[0][i], ref[i]) << GetParam() << ": first difference at index " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Vectors, DsCnnTest, ::testing::Values("ds_cnn_s", "ds_cnn_l"));

// A 1x1 conv and a relu6-fused fc whose multipliers come from float scales.
Graph TinyGraph() {
  GraphBuilder b("tiny");
  TensorId x = b.Input("x", {1, 1, 2, 1});
  Graph& g = b.mutable_graph();
  g.mutable_tensor(x).quantization = ActQuant(0.5f, 10);
  ConvOptions o;
  o.filters = 1;
  x = b.Conv2D("conv", x, o);
  Tensor& w = g.mutable_tensor(g.FindTensor("conv/weights"));
  w.data = {3};
  w.quantization = ActQuant(0.25f, 0);
  g.mutable_tensor(g.FindTensor("conv/bias")).data = Int32Bytes(json::array({8}));
  g.mutable_tensor(x).quantization = ActQuant(0.125f, -5);  // effective scale 0.5*0.25/0.125 = 1
  x = b.FullyConnected("fc", x, 1, /*bias=*/false, Activation::kRelu6);
  Tensor& w2 = g.mutable_tensor(g.FindTensor("fc/weights"));
  w2.data = {1, 2};
  w2.quantization = ActQuant(1.0f, 0);
  g.mutable_tensor(x).quantization = ActQuant(0.25f, 0);  // effective 0.125 / 0.25 = 0.5
  return b.Build();
}

TEST(RunInt8, DerivesMultipliersFromScales) {
  const Graph g = TinyGraph();
  // conv: (x + -10) * 3 + 8, x1, then -5: x = 14 -> (4 * 3 + 8) - 5 = 15; x = 12 -> 6 + 8 - 5 = 9.
  // fc: ((15 + 5) * 1 + (9 + 5) * 2) * 0.5 = 24, relu6 caps at round(6 / 0.25) = 24.
  auto out = RunInt8(g, {I8{14, 12}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], (I8{24}));
  // x = 30, 12: conv 60 + 8 - 5 = 63, 9; fc (68 + 28) * 0.5 = 48 -> capped at 24 by relu6.
  out = RunInt8(g, {I8{30, 12}});
  EXPECT_EQ(out[0], (I8{24}));
  // x = 10, 10: conv 8 - 5 = 3, 3; fc (8 + 16) * 0.5 = 12.
  out = RunInt8(g, {I8{10, 10}});
  EXPECT_EQ(out[0], (I8{12}));
}

TEST(RunInt8, RejectsBadInputsAndGraphs) {
  const Graph g = TinyGraph();
  auto expect_error = [](auto f, ErrorCode code, const std::string& substring) {
    try {
      f();
      ADD_FAILURE() << "expected an error containing '" << substring << "'";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), code) << e.what();
      EXPECT_NE(std::string(e.what()).find(substring), std::string::npos) << e.what();
    }
  };
  expect_error([&] { RunInt8(g, {}); }, ErrorCode::kInvalidArgument, "it has 1 inputs (got 0");
  expect_error([&] { RunInt8(g, {I8{1}}); }, ErrorCode::kInvalidArgument,
               "input 'x' [1,1,2,1] needs 2 values (got 1)");
  {
    Graph bad = TinyGraph();
    bad.mutable_tensor(bad.FindTensor("conv/weights")).data.clear();
    expect_error([&] { RunInt8(bad, {I8{1, 2}}); }, ErrorCode::kInvalidArgument,
                 "conv2d node 'conv' (#0): constant 'conv/weights' must hold 1 bytes of data");
  }
  {
    Graph bad = TinyGraph();
    bad.mutable_tensor(bad.FindTensor("conv")).quantization.scales = {0.0f};
    expect_error([&] { RunInt8(bad, {I8{1, 2}}); }, ErrorCode::kInvalidArgument,
                 "tensor 'conv' scale must be finite and > 0");
  }
  {
    Graph bad = TinyGraph();
    bad.mutable_tensor(bad.FindTensor("conv/weights")).quantization.zero_points = {3};
    expect_error([&] { RunInt8(bad, {I8{1, 2}}); }, ErrorCode::kInvalidArgument,
                 "weights 'conv/weights' must have zero point 0 (got 3)");
  }
  {
    Graph bad = TinyGraph();
    bad.mutable_tensor(bad.FindTensor("fc/weights")).quantization.shifts = {40};
    bad.mutable_tensor(bad.FindTensor("fc/weights")).quantization.multipliers = {1 << 30};
    expect_error([&] { RunInt8(bad, {I8{1, 2}}); }, ErrorCode::kInvalidArgument,
                 "fully_connected node 'fc' (#1): requantization shift must be in [-31, 30]");
  }
  {
    GraphBuilder b("sig");
    TensorId x = b.Input("x", {1, 4});
    b.mutable_graph().mutable_tensor(x).quantization = ActQuant(1.0f, 0);
    TensorId y = b.Unary("s", OpType::kSigmoid, x);
    b.mutable_graph().mutable_tensor(y).quantization = ActQuant(1.0f, 0);
    const Graph sg = b.Build();
    expect_error([&] { RunInt8(sg, {I8{1, 2, 3, 4}}); }, ErrorCode::kUnsupportedOp,
                 "sigmoid node 's' (#0): no int8 kernel for this op");
  }
}

}  // namespace
}  // namespace opcost

namespace opcost {
namespace {

// Weights, biases and quantization survive the JSON model format, so a saved model runs the
// same (this is what `opcost run` loads).
TEST(RunInt8, SavedJsonModelRunsTheSame) {
  const Graph g = TinyGraph();
  const Graph loaded = ParseModel(SaveModelToString(g), "tiny.json");
  EXPECT_EQ(RunInt8(loaded, {I8{10, 10}})[0], (I8{12}));
  EXPECT_EQ(RunInt8(loaded, {I8{14, 12}})[0], (I8{24}));
}

}  // namespace
}  // namespace opcost
