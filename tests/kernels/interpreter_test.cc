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
#include "param_name.h"

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
  TensorId x = b.Input(
      "input", {1, cfg("CONV_2D_1_INPUT_H"), cfg("CONV_2D_1_INPUT_W"), cfg("CONV_2D_1_IN_CH")});
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
      g.mutable_tensor(g.FindTensor(name + "/bias")).data =
          Int32Bytes(arr.at(a + "bias").at("data"));
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
      g.mutable_tensor(g.FindTensor(name + "/bias")).data =
          Int32Bytes(arr.at(a + "bias").at("data"));
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
  // The same network written as a JSON model (weights, scales and the explicit fixed-point
  // multipliers/shifts of the vectors) and loaded back runs bit-identically.
  const Graph reloaded = ParseModel(SaveModelToString(g), GetParam() + ".json");
  const auto again = RunInt8(reloaded, {Int8Array(v.at("arrays").at("input").at("data"))});
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0], out[0]);
}

INSTANTIATE_TEST_SUITE_P(Vectors, DsCnnTest, ::testing::Values("ds_cnn_s", "ds_cnn_l"),
                         [](const auto& param_info) { return test::ParamName(param_info.param); });

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

TEST(RunInt8, ActivationBudgetIsCheckedBeforeEachLayer) {
  const Graph g = TinyGraph();
  // Live bytes: the 2-byte input, then conv's 2-byte output (4 live), then fc's 1 byte after the
  // input was freed (3 live): a budget of 4 bytes suffices, 3 does not (at the conv).
  EXPECT_EQ(RunInt8(g, {I8{14, 12}}, 4)[0], (I8{24}));
  try {
    RunInt8(g, {I8{14, 12}}, 3);
    FAIL() << "ran above the budget";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("its outputs need 2 bytes with 2 bytes live, above the "
                                         "activation budget of 3 bytes"),
              std::string::npos)
        << e.what();
  }
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
    expect_error(
        [&] {
          RunInt8(bad, {I8{1, 2}});
        },
        ErrorCode::kInvalidArgument,
        "conv2d node 'conv' (#0): constant 'conv/weights' must hold 1 bytes of data");
  }
  {
    Graph bad = TinyGraph();
    bad.mutable_tensor(bad.FindTensor("conv")).quantization.scales = {0.0f};
    expect_error(
        [&] {
          RunInt8(bad, {I8{1, 2}});
        },
        ErrorCode::kInvalidArgument, "tensor 'conv' scale must be finite and > 0");
  }
  {
    Graph bad = TinyGraph();
    bad.mutable_tensor(bad.FindTensor("conv/weights")).quantization.zero_points = {3};
    expect_error(
        [&] {
          RunInt8(bad, {I8{1, 2}});
        },
        ErrorCode::kInvalidArgument, "weights 'conv/weights' must have zero point 0 (got 3)");
  }
  {
    Graph bad = TinyGraph();
    bad.mutable_tensor(bad.FindTensor("fc/weights")).quantization.shifts = {40};
    bad.mutable_tensor(bad.FindTensor("fc/weights")).quantization.multipliers = {1 << 30};
    expect_error(
        [&] {
          RunInt8(bad, {I8{1, 2}});
        },
        ErrorCode::kInvalidArgument,
        "fully_connected node 'fc' (#1): requantization shift must be in [-31, 30]");
  }
  {
    GraphBuilder b("sig");
    TensorId x = b.Input("x", {1, 4});
    b.mutable_graph().mutable_tensor(x).quantization = ActQuant(1.0f, 0);
    TensorId y = b.Unary("s", OpType::kSigmoid, x);
    b.mutable_graph().mutable_tensor(y).quantization = ActQuant(1.0f, 0);
    const Graph sg = b.Build();
    expect_error(
        [&] {
          RunInt8(sg, {I8{1, 2, 3, 4}});
        },
        ErrorCode::kUnsupportedOp, "sigmoid node 's' (#0): no int8 kernel for this op");
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

namespace opcost {
namespace {

// Single-op vector cases rebuilt as graphs whose float scales reproduce the vectors' fixed-point
// factors exactly: checks that RunInt8 derives parameters (padding, add/mul/softmax scaling)
// as TFLite does.
I8 Ref(const json& v) {
  const json& a = v.at("arrays");
  return Int8Array((a.contains("output_ref") ? a.at("output_ref") : a.at("output")).at("data"));
}

TEST(RunInt8, AddDerivesTfliteScalingFromScales) {
  // add.json: input factors 2^30 / 2^31 = s / (2 * s), output factor 2^-20 = 2 s / (2^20 s_out):
  // s_out = 2 s.
  const json v = ReadJson(kVectorDir + "/add.json");
  GraphBuilder b("add");
  TensorId x1 = b.Input("a", {1, 128});
  TensorId x2 = b.Input("b", {1, 128});
  Graph& g = b.mutable_graph();
  g.mutable_tensor(x1).quantization = ActQuant(0.5f, -128);
  g.mutable_tensor(x2).quantization = ActQuant(0.5f, -128);
  TensorId y = b.Add("sum", x1, x2);
  g.mutable_tensor(y).quantization = ActQuant(1.0f, -128);
  const Graph built = b.Build();
  const json& arr = v.at("arrays");
  const auto out = RunInt8(
      built, {Int8Array(arr.at("input1").at("data")), Int8Array(arr.at("input2").at("data"))});
  EXPECT_EQ(out.at(0), Ref(v));
}

TEST(RunInt8, MulDerivesMultiplierFromScales) {
  // mul.json: OUTPUT_MULT 1077952640 = 8421505 * 2^7, shift -7: s1 * s2 / s_out = 8421505 *
  // 2^-31, which a float holds exactly (8421505 < 2^24).
  const json v = ReadJson(kVectorDir + "/mul.json");
  GraphBuilder b("mul");
  TensorId x1 = b.Input("a", {1, 160});
  TensorId x2 = b.Input("b", {1, 160});
  Graph& g = b.mutable_graph();
  g.mutable_tensor(x1).quantization =
      ActQuant(static_cast<float>(std::ldexp(8421505.0, -31)), -128);
  g.mutable_tensor(x2).quantization = ActQuant(1.0f, -128);
  TensorId y = b.Mul("prod", x1, x2);
  g.mutable_tensor(y).quantization = ActQuant(1.0f, -128);
  const Graph built = b.Build();
  const json& arr = v.at("arrays");
  const auto out = RunInt8(
      built, {Int8Array(arr.at("input1").at("data")), Int8Array(arr.at("input2").at("data"))});
  EXPECT_EQ(out.at(0), Ref(v));
}

TEST(RunInt8, SoftmaxDerivesScalingAndDiffMinFromInputScale) {
  // softmax.json: INPUT_MULT 1077952640 (= 8421505 * 2^7), INPUT_LEFT_SHIFT 19, DIFF_MIN -3968:
  // input scale = MULT * 2^(19 - 31 - 26).
  const json v = ReadJson(kVectorDir + "/softmax.json");
  GraphBuilder b("softmax");
  TensorId x = b.Input("x", {2, 5});
  Graph& g = b.mutable_graph();
  g.mutable_tensor(x).quantization =
      ActQuant(static_cast<float>(std::ldexp(1077952640.0, 19 - 31 - 26)), 0);
  TensorId y = b.Unary("p", OpType::kSoftmax, x);
  g.mutable_tensor(y).quantization = ActQuant(1.0f / 256, -128);
  const Graph built = b.Build();
  const auto out = RunInt8(built, {Int8Array(v.at("arrays").at("input").at("data"))});
  EXPECT_EQ(out.at(0), Ref(v));
}

class PoolVectorTest : public ::testing::TestWithParam<std::string> {};

// Every pooling vector through a graph: SAME/VALID padding computed by RunInt8 from the layer's
// attributes must equal the vectors' PADDING_H/W; fused relu6 (scale 1) gives the [0, 6] clamp.
TEST_P(PoolVectorTest, GraphReproducesReference) {
  const json v = ReadJson(kVectorDir + "/" + GetParam() + ".json");
  const json& c = v.at("config");
  auto cfg = [&](const char* k) { return c.at(k).get<std::int64_t>(); };
  GraphBuilder b(GetParam());
  TensorId x = b.Input("x", {cfg("BATCH_SIZE"), cfg("INPUT_H"), cfg("INPUT_W"), cfg("INPUT_C")});
  Graph& g = b.mutable_graph();
  g.mutable_tensor(x).quantization = ActQuant(1.0f, 0);
  PoolOptions o;
  o.pool_h = cfg("FILTER_H");
  o.pool_w = cfg("FILTER_W");
  o.stride_h = cfg("STRIDE_H");
  o.stride_w = cfg("STRIDE_W");
  o.padding = c.at("PAD").get<std::string>() == "SAME" ? Padding::kSame : Padding::kValid;
  const bool average = v.at("kind").get<std::string>() == "avg_pool";
  TensorId y = average ? b.AvgPool("pool", x, o) : b.MaxPool("pool", x, o);
  g.mutable_tensor(y).quantization = ActQuant(1.0f, 0);
  if (cfg("ACTIVATION_MIN") == 0 && cfg("ACTIVATION_MAX") == 6) {
    g.mutable_node(g.FindNode("pool")).attrs.activation = Activation::kRelu6;
  } else {
    ASSERT_EQ(cfg("ACTIVATION_MIN"), -128);
    ASSERT_EQ(cfg("ACTIVATION_MAX"), 127);
  }
  const Graph built = b.Build();
  EXPECT_EQ(built.tensor(built.FindTensor("pool")).shape,
            (Shape{cfg("BATCH_SIZE"), cfg("OUTPUT_H"), cfg("OUTPUT_W"), cfg("INPUT_C")}));
  const auto out = RunInt8(built, {Int8Array(v.at("arrays").at("input_tensor").at("data"))});
  EXPECT_EQ(out.at(0), Ref(v)) << GetParam();
}

INSTANTIATE_TEST_SUITE_P(Vectors, PoolVectorTest,
                         ::testing::Values("avgpooling", "avgpooling_1", "avgpooling_2",
                                           "avgpooling_3", "avgpooling_4", "avgpooling_5",
                                           "maxpooling", "maxpooling_1", "maxpooling_2",
                                           "maxpooling_3", "maxpooling_4", "maxpooling_5",
                                           "maxpooling_6", "maxpooling_7"),
                         [](const auto& param_info) { return test::ParamName(param_info.param); });

TEST(RunInt8, RejectsQuantizationTfliteWouldRequantize) {
  auto expect_error = [](const Graph& g, const std::vector<I8>& in, ErrorCode code,
                         const std::string& substring) {
    try {
      RunInt8(g, in);
      ADD_FAILURE() << "expected an error containing '" << substring << "'";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), code) << e.what();
      EXPECT_NE(std::string(e.what()).find(substring), std::string::npos) << e.what();
    }
  };
  {
    GraphBuilder b("sm");
    TensorId x = b.Input("x", {1, 4});
    b.mutable_graph().mutable_tensor(x).quantization = ActQuant(0.1f, 0);
    TensorId y = b.Unary("p", OpType::kSoftmax, x);
    b.mutable_graph().mutable_tensor(y).quantization = ActQuant(1.0f / 128, 0);
    expect_error(b.Build(), {I8(4)}, ErrorCode::kUnsupportedOp,
                 "softmax node 'p' (#0): int8 softmax output must have scale 1/256");
  }
  {
    GraphBuilder b("relu");
    TensorId x = b.Input("x", {1, 4});
    b.mutable_graph().mutable_tensor(x).quantization = ActQuant(0.1f, 0);
    TensorId y = b.Unary("r", OpType::kRelu, x);
    b.mutable_graph().mutable_tensor(y).quantization = ActQuant(0.2f, 0);
    expect_error(b.Build(), {I8(4)}, ErrorCode::kUnsupportedOp,
                 "relu node 'r' (#0): input and output quantization must be equal");
  }
  {
    GraphBuilder b("relu_ok");
    TensorId x = b.Input("x", {1, 4});
    b.mutable_graph().mutable_tensor(x).quantization = ActQuant(0.5f, -10);
    TensorId y = b.Unary("r", OpType::kRelu6, x);
    b.mutable_graph().mutable_tensor(y).quantization = ActQuant(0.5f, -10);
    // relu6 clamps to [zp, zp + round(6 / 0.5)] = [-10, 2].
    EXPECT_EQ(RunInt8(b.Build(), {I8{-128, -5, 1, 100}}).at(0), (I8{-10, -5, 1, 2}));
  }
  {
    GraphBuilder b("bcast");
    TensorId x1 = b.Input("a", {1, 4});
    TensorId x2 = b.Input("b", {1, 1});
    b.mutable_graph().mutable_tensor(x1).quantization = ActQuant(0.5f, 0);
    b.mutable_graph().mutable_tensor(x2).quantization = ActQuant(0.5f, 0);
    TensorId y = b.Add("s", x1, x2);
    b.mutable_graph().mutable_tensor(y).quantization = ActQuant(1.0f, 0);
    expect_error(b.Build(), {I8(4), I8(1)}, ErrorCode::kUnsupportedOp,
                 "add node 's' (#0): int8 add/mul needs equal shapes");
  }
  {
    GraphBuilder b("unq");
    TensorId x = b.Input("x", {1, 4});
    TensorId y = b.Unary("r", OpType::kRelu, x);
    b.mutable_graph().mutable_tensor(y).quantization = ActQuant(0.5f, 0);
    expect_error(b.Build(), {I8(4)}, ErrorCode::kInvalidArgument,
                 "tensor 'x' needs one scale and one zero point (got 0 and 0)");
  }
}

}  // namespace
}  // namespace opcost
