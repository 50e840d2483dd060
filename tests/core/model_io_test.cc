#include "opcost/model_io.h"

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "opcost/metrics.h"
#include "testing/expect_error.h"

namespace opcost {
namespace {

constexpr char kTiny[] = R"({
  "format": "opcost-model", "format_version": 1, "name": "tiny", "dtype": "int8",
  "inputs": [{"name": "image", "shape": [1, 32, 32, 3]}],
  "layers": [
    {"name": "conv1", "op": "conv2d", "filters": 16, "kernel": [3, 3], "activation": "relu"},
    {"name": "pool1", "op": "max_pool", "pool": 2},
    {"name": "fc", "op": "fully_connected", "units": 10},
    {"name": "prob", "op": "softmax"}
  ]
})";

// A residual cell in DAG form with explicit constants carrying data and quantization.
constexpr char kDag[] = R"({
  "format": "opcost-model", "format_version": 1, "name": "dag",
  "inputs": [{"name": "x", "shape": [1, 4, 4, 2]}],
  "tensors": [
    {"name": "w", "shape": [2, 1, 1, 2], "dtype": "int8", "constant": true,
     "quantization": {"scale": [0.5, 0.25], "zero_point": [0, 0], "axis": 0},
     "data": [1, -2, 127, -128]},
    {"name": "b", "shape": [2], "dtype": "int32", "constant": true, "data": [100000, -7]},
    {"name": "x", "quantization": {"scale": [0.1], "zero_point": [-3]}}
  ],
  "layers": [
    {"name": "pw", "op": "conv2d", "inputs": ["x", "w", "b"], "activation": "relu6"},
    {"name": "skip", "op": "add", "inputs": ["x", "pw"]},
    {"name": "cat", "op": "concat", "inputs": ["skip", "x", "pw"]},
    {"name": "pad", "op": "pad", "paddings": [[0, 0], [1, 1], [0, 2], [0, 0]]},
    {"name": "r", "op": "reshape", "shape": [1, -1]}
  ],
  "outputs": ["r", "skip"]
})";

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  const std::size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

void ExpectSameGraph(const Graph& a, const Graph& b) {
  ASSERT_EQ(a.tensors().size(), b.tensors().size());
  for (const Tensor& t : a.tensors()) {
    const TensorId id = b.FindTensor(t.name);
    ASSERT_NE(id, kNoTensor) << t.name;
    const Tensor& u = b.tensor(id);
    EXPECT_EQ(t.shape, u.shape) << t.name;
    EXPECT_EQ(t.dtype, u.dtype) << t.name;
    EXPECT_EQ(t.is_constant, u.is_constant) << t.name;
    EXPECT_EQ(t.data, u.data) << t.name;
    EXPECT_EQ(t.quantization.scales, u.quantization.scales) << t.name;
    EXPECT_EQ(t.quantization.zero_points, u.quantization.zero_points) << t.name;
  }
  ASSERT_EQ(a.nodes().size(), b.nodes().size());
  for (std::size_t i = 0; i < a.nodes().size(); ++i) {
    const Node& n = a.nodes()[i];
    const Node& m = b.nodes()[i];
    EXPECT_EQ(n.name, m.name);
    EXPECT_EQ(n.type, m.type);
    ASSERT_EQ(n.inputs.size(), m.inputs.size()) << n.name;
    for (std::size_t k = 0; k < n.inputs.size(); ++k) {
      EXPECT_EQ(a.tensor(n.inputs[k]).name, b.tensor(m.inputs[k]).name);
    }
    EXPECT_EQ(n.attrs.stride_h, m.attrs.stride_h);
    EXPECT_EQ(n.attrs.padding, m.attrs.padding);
    EXPECT_EQ(n.attrs.activation, m.attrs.activation);
  }
  ASSERT_EQ(a.outputs().size(), b.outputs().size());
  for (std::size_t i = 0; i < a.outputs().size(); ++i) {
    EXPECT_EQ(a.tensor(a.outputs()[i]).name, b.tensor(b.outputs()[i]).name);
  }
  const NetworkMetrics ma = ComputeMetrics(a), mb = ComputeMetrics(b);
  EXPECT_EQ(ma.total.macs, mb.total.macs);
  EXPECT_EQ(ma.total.ops, mb.total.ops);
  EXPECT_EQ(ma.total.params, mb.total.params);
  EXPECT_EQ(ma.total.weight_bytes, mb.total.weight_bytes);
}

TEST(ModelIo, LoadsTheShortForm) {
  const Graph g = ParseModel(kTiny);
  EXPECT_EQ(g.name(), "tiny");
  ASSERT_EQ(g.nodes().size(), 4u);
  EXPECT_EQ(g.tensor(g.FindTensor("conv1")).shape, (Shape{1, 32, 32, 16}));
  EXPECT_EQ(g.tensor(g.FindTensor("pool1")).shape, (Shape{1, 16, 16, 16}));
  EXPECT_EQ(g.tensor(g.FindTensor("conv1/bias")).dtype, DataType::kInt32);
  EXPECT_EQ(ComputeMetrics(g).total.macs, 32 * 32 * 16 * 27 + 4096 * 10);
  ASSERT_EQ(g.outputs().size(), 1u);
  EXPECT_EQ(g.tensor(g.outputs()[0]).name, "prob");
}

TEST(ModelIo, LoadsTheDagFormWithDataAndQuantization) {
  const Graph g = ParseModel(kDag);
  const Tensor& w = g.tensor(g.FindTensor("w"));
  EXPECT_EQ(w.data, (std::vector<std::uint8_t>{1, 0xFE, 127, 0x80}));
  EXPECT_EQ(w.quantization.scales, (std::vector<float>{0.5f, 0.25f}));
  const Tensor& b = g.tensor(g.FindTensor("b"));
  EXPECT_EQ(b.data, (std::vector<std::uint8_t>{0xA0, 0x86, 0x01, 0x00, 0xF9, 0xFF, 0xFF, 0xFF}));
  EXPECT_EQ(g.tensor(g.FindTensor("x")).quantization.zero_points,
            (std::vector<std::int64_t>{-3}));
  EXPECT_EQ(g.tensor(g.FindTensor("cat")).shape, (Shape{1, 4, 4, 6}));
  EXPECT_EQ(g.tensor(g.FindTensor("pad")).shape, (Shape{1, 6, 6, 6}));
  EXPECT_EQ(g.tensor(g.FindTensor("r")).shape, (Shape{1, 216}));
  EXPECT_EQ(g.node(0).attrs.filters, 2);  // taken from the explicit weights
}

TEST(ModelIo, SaveAndLoadRoundTrip) {
  for (const char* text : {kTiny, kDag}) {
    const Graph g = ParseModel(text);
    const std::string saved = SaveModelToString(g);
    const Graph again = ParseModel(saved, "saved");
    ExpectSameGraph(g, again);
    EXPECT_EQ(SaveModelToString(again), saved);
  }
}

TEST(ModelIo, EveryBundledModelRoundTrips) {
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(OPCOST_SOURCE_DIR "/models")) {
    if (entry.path().extension() != ".json") continue;
    SCOPED_TRACE(entry.path().string());
    const Graph g = LoadModel(entry.path().string());
    EXPECT_FALSE(g.description().empty()) << "bundled models cite their source";
    ExpectSameGraph(g, ParseModel(SaveModelToString(g), "saved"));
    ++count;
  }
  EXPECT_GT(count, 20);
}

TEST(ModelIo, SaveModelWritesAFile) {
  const std::string path = ::testing::TempDir() + "/opcost_saved.json";
  SaveModel(ParseModel(kTiny), path);
  ExpectSameGraph(ParseModel(kTiny), LoadModel(path));
  EXPECT_OPCOST_ERROR(SaveModel(ParseModel(kTiny), "/nonexistent-dir/x.json"), ErrorCode::kIo,
                      "/nonexistent-dir/x.json");
}

TEST(ModelIoErrors, SavingANameThatIsNotUtf8IsAnError) {
  Graph g = ParseModel(kTiny);
  g.set_name("bad\xff");
  EXPECT_OPCOST_ERROR(SaveModelToString(g), ErrorCode::kInvalidArgument, "not valid UTF-8");
}

TEST(ModelIoErrors, MissingFile) {
  EXPECT_OPCOST_ERROR(LoadModel("/no/such/model.json"), ErrorCode::kIo, "/no/such/model.json");
}

TEST(ModelIoErrors, MalformedAndTruncatedJson) {
  EXPECT_OPCOST_ERROR(ParseModel("{\"format\": ", "m.json"), ErrorCode::kBadModel,
                      "m.json: malformed JSON");
  EXPECT_OPCOST_ERROR(ParseModel("[1, 2", "m.json"), ErrorCode::kBadModel, "malformed JSON");
  EXPECT_OPCOST_ERROR(ParseModel("{\"x\": NaN}", "m.json"), ErrorCode::kBadModel,
                      "malformed JSON");
  // Every truncation of a valid model is rejected cleanly (never a crash or a partial graph).
  const std::string full = kDag;
  for (std::size_t n = 0; n < full.size(); n += 7) {
    EXPECT_THROW(ParseModel(full.substr(0, n), "cut.json"), Error) << n;
  }
}

TEST(ModelIoErrors, FormatAndVersion) {
  const std::string t = kTiny;
  EXPECT_OPCOST_ERROR(ParseModel(Replace(t, "opcost-model", "onnx"), "m.json"),
                      ErrorCode::kBadModel, "m.json: /format: expected \"opcost-model\"");
  EXPECT_OPCOST_ERROR(ParseModel(Replace(t, "\"format_version\": 1", "\"format_version\": 2"), "m"),
                      ErrorCode::kBadModel, "/format_version: unsupported version 2");
  EXPECT_OPCOST_ERROR(ParseModel(Replace(t, "\"name\": \"tiny\"", "\"nmae\": \"tiny\""), "m"),
                      ErrorCode::kBadModel, "unknown field \"nmae\"");
}

TEST(ModelIoErrors, RequiredFieldsComeFromTheOpTable) {
  EXPECT_OPCOST_ERROR(ParseModel(Replace(kTiny, "\"pool\": 2", "\"stride\": 2"), "m.json"),
                      ErrorCode::kBadModel,
                      "m.json: /layers/1 (layer 'pool1'): missing required field \"pool\"");
}

TEST(ModelIoErrors, LayerErrorsNamePathAndLayer) {
  const std::string t = kTiny;
  EXPECT_OPCOST_ERROR(ParseModel(Replace(t, "\"op\": \"conv2d\"", "\"op\": \"conv3d\""), "m.json"),
                      ErrorCode::kBadModel, "m.json: /layers/0/op: unknown op \"conv3d\"");
  EXPECT_OPCOST_ERROR(ParseModel(Replace(t, "\"kernel\": [3, 3]", "\"kernal\": [3, 3]"), "m.json"),
                      ErrorCode::kBadModel,
                      "m.json: /layers/0 (layer 'conv1'): unknown field \"kernal\"");
  EXPECT_OPCOST_ERROR(ParseModel(Replace(t, "\"filters\": 16, ", ""), "m.json"),
                      ErrorCode::kBadModel, "(layer 'conv1'): missing required field \"filters\"");
  EXPECT_OPCOST_ERROR(ParseModel(Replace(t, "\"filters\": 16", "\"filters\": \"16\""), "m.json"),
                      ErrorCode::kBadModel, "/layers/0/filters (layer 'conv1'): expected an integer");
  EXPECT_OPCOST_ERROR(ParseModel(Replace(t, "\"filters\": 16", "\"filters\": 0"), "m.json"),
                      ErrorCode::kBadModel, "/layers/0/filters (layer 'conv1'): must be a positive");
  EXPECT_OPCOST_ERROR(ParseModel(Replace(t, "\"units\": 10", "\"units\": 1.5"), "m.json"),
                      ErrorCode::kBadModel, "/layers/2/units (layer 'fc'): expected an integer");
  EXPECT_OPCOST_ERROR(ParseModel(Replace(t, "\"activation\": \"relu\"", "\"activation\": \"gelu\""),
                                 "m.json"),
                      ErrorCode::kBadModel, "unknown activation \"gelu\"");
  EXPECT_OPCOST_ERROR(ParseModel(Replace(t, "\"pool\": 2", "\"pool\": 64"), "m.json"),
                      ErrorCode::kShapeMismatch, "m.json: /layers/1 (layer 'pool1'): cannot infer");
}

TEST(ModelIoErrors, BadDims) {
  const std::string t = kTiny;
  EXPECT_OPCOST_ERROR(ParseModel(Replace(t, "[1, 32, 32, 3]", "[1, 0, 32, 3]"), "m.json"),
                      ErrorCode::kBadModel, "m.json: /inputs/0/shape/1: dims must be positive (got 0)");
  EXPECT_OPCOST_ERROR(ParseModel(Replace(t, "[1, 32, 32, 3]", "[1, -32, 32, 3]"), "m.json"),
                      ErrorCode::kBadModel, "dims must be positive (got -32)");
  EXPECT_OPCOST_ERROR(
      ParseModel(Replace(t, "[1, 32, 32, 3]", "[1, 4294967296, 4294967296, 3]"), "m.json"),
      ErrorCode::kBadModel, "/inputs/0/shape: the product of the dims overflows");
  EXPECT_OPCOST_ERROR(
      ParseModel(Replace(t, "[1, 32, 32, 3]", "[1, 99999999999999999999, 32, 3]"), "m.json"),
      ErrorCode::kBadModel, "/inputs/0/shape/1");
  EXPECT_OPCOST_ERROR(ParseModel(Replace(t, "[1, 32, 32, 3]", "[1, 2, 3, 4, 5]"), "m.json"),
                      ErrorCode::kBadModel, "rank must be at most 4");
  // Dims that fit alone but whose MAC count overflows are caught during shape inference.
  EXPECT_OPCOST_ERROR(
      ParseModel(Replace(Replace(t, "[1, 32, 32, 3]", "[1, 1048576, 1048576, 3]"),
                         "\"filters\": 16", "\"filters\": 1073741824"),
                 "m.json"),
      ErrorCode::kOverflow, "(layer 'conv1')");
}

TEST(ModelIoErrors, GraphStructure) {
  const std::string d = kDag;
  EXPECT_OPCOST_ERROR(ParseModel(Replace(d, "\"inputs\": [\"x\", \"pw\"]", "\"inputs\": [\"x\", \"pv\"]"),
                                 "m.json"),
                      ErrorCode::kBadModel,
                      "m.json: /layers/1/inputs/1 (layer 'skip'): unknown tensor 'pv'");
  EXPECT_OPCOST_ERROR(ParseModel(Replace(d, "{\"name\": \"skip\"", "{\"name\": \"pw\""), "m.json"),
                      ErrorCode::kInvalidGraph, "duplicate tensor name 'pw'");
  // "pw" now reads "cat", which reads "pw": a cycle.
  EXPECT_OPCOST_ERROR(
      ParseModel(Replace(d, "\"inputs\": [\"x\", \"w\", \"b\"]", "\"inputs\": [\"cat\", \"w\", \"b\"]"),
                 "m.json"),
      ErrorCode::kInvalidGraph, "cycle");
  // "skip" reads "r", produced later, without a cycle back.
  EXPECT_OPCOST_ERROR(ParseModel(Replace(d, "\"inputs\": [\"x\", \"pw\"]", "\"inputs\": [\"x\", \"r\"]"),
                                 "m.json"),
                      ErrorCode::kInvalidGraph, "cycle");
  const std::string order = R"({"format": "opcost-model", "format_version": 1,
    "inputs": [{"name": "x", "shape": [1, 4]}],
    "layers": [{"name": "b", "op": "relu", "inputs": ["a"]},
               {"name": "a", "op": "relu", "inputs": ["x"]}]})";
  EXPECT_OPCOST_ERROR(ParseModel(order, "m.json"), ErrorCode::kInvalidGraph,
                      "m.json: /layers: op order is not topological: op 'b' (#0) reads tensor 'a'");
  EXPECT_OPCOST_ERROR(ParseModel(Replace(d, "\"outputs\": [\"r\", \"skip\"]", "\"outputs\": [\"q\"]"),
                                 "m.json"),
                      ErrorCode::kBadModel, "/outputs/0: unknown tensor 'q'");
}

TEST(ModelIoErrors, DeclaredTensors) {
  const std::string d = kDag;
  EXPECT_OPCOST_ERROR(ParseModel(Replace(d, "[1, -2, 127, -128]", "[1, -2, 128, -128]"), "m.json"),
                      ErrorCode::kBadModel, "/tensors/0/data/2: 128 is out of range for int8");
  EXPECT_OPCOST_ERROR(ParseModel(Replace(d, "[1, -2, 127, -128]", "[1, -2, 127]"), "m.json"),
                      ErrorCode::kBadModel, "/tensors/0/data: expected 4 values");
  EXPECT_OPCOST_ERROR(ParseModel(Replace(d, "\"scale\": [0.5, 0.25]", "\"scale\": [0.5]"), "m.json"),
                      ErrorCode::kBadModel, "/tensors/0/quantization: scale and zero_point");
  EXPECT_OPCOST_ERROR(ParseModel(Replace(d, "\"scale\": [0.5, 0.25]", "\"scale\": [0.5, 1e999]"),
                                 "m.json"),
                      ErrorCode::kBadModel, "m.json");
  EXPECT_OPCOST_ERROR(ParseModel(Replace(d, "\"dtype\": \"int32\"", "\"dtype\": \"int31\""), "m.json"),
                      ErrorCode::kBadModel, "/tensors/1/dtype: unknown dtype \"int31\"");
  EXPECT_OPCOST_ERROR(ParseModel(Replace(d, "[2, 1, 1, 2]", "[3, 1, 1, 2]"), "m.json"),
                      ErrorCode::kBadModel, "/tensors/0/data: expected 6 values");
  const std::string with_fixed_point =
      Replace(d, "\"axis\": 0}", "\"axis\": 0, \"multiplier\": [1073741824, 1518500250], \"shift\": [-1, 2]}");
  const Graph fixed = ParseModel(with_fixed_point, "m.json");
  EXPECT_EQ(fixed.tensor(fixed.FindTensor("w")).quantization.shifts, (std::vector<std::int32_t>{-1, 2}));
  ExpectSameGraph(fixed, ParseModel(SaveModelToString(fixed), "saved"));
  EXPECT_EQ(ParseModel(SaveModelToString(fixed), "saved").tensor(fixed.FindTensor("w")).quantization.multipliers,
            (std::vector<std::int32_t>{1073741824, 1518500250}));
  EXPECT_OPCOST_ERROR(ParseModel(Replace(with_fixed_point, "\"shift\": [-1, 2]", "\"shift\": [-1, 40]"), "m.json"),
                      ErrorCode::kBadModel, "/tensors/0/quantization/shift/1: shift must be in [-31, 31]");
  EXPECT_OPCOST_ERROR(ParseModel(Replace(with_fixed_point, ", \"shift\": [-1, 2]", ""), "m.json"),
                      ErrorCode::kBadModel, "come together");
  EXPECT_OPCOST_ERROR(ParseModel(Replace(with_fixed_point, "1518500250", "2147483648"), "m.json"),
                      ErrorCode::kBadModel, "/quantization/multiplier/1: a Q31 multiplier");
}

}  // namespace
}  // namespace opcost
