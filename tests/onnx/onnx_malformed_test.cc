// Broken input: hand-made protobuf faults, the committed invalid models in
// tests/data/onnx/bad/ (one error each), and real exports truncated at many lengths and with
// flipped bytes. Each must import or throw opcost::Error naming the file, never crash or hang.
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "opcost/error.h"
#include "opcost/metrics.h"
#include "opcost/onnx_import.h"
#include "param_name.h"

namespace opcost {
namespace {

std::string DataPath(const std::string& name) {
  return std::string(OPCOST_SOURCE_DIR) + "/tests/data/onnx/" + name;
}

std::vector<std::uint8_t> ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), {});
}

void ExpectError(const std::vector<std::uint8_t>& bytes, ErrorCode code, const std::string& part) {
  try {
    ImportOnnxBuffer(bytes.data(), bytes.size(), "m.onnx");
    FAIL() << "imported; expected: " << part;
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    EXPECT_EQ(std::string(e.what()).rfind("m.onnx: ", 0), 0u) << e.what();
    EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
  }
}

TEST(OnnxMalformed, RejectsAnEmptyFile) { ExpectError({}, ErrorCode::kBadModel, "it is empty"); }

TEST(OnnxMalformed, RejectsAWrongWireType) {
  ExpectError({0x38, 0x01}, ErrorCode::kBadModel,
              "field 7 (graph) has wire type varint, expected length-delimited (at byte 0");
}

TEST(OnnxMalformed, RejectsATwoGigabyteLengthClaim) {
  ExpectError({0x3a, 0x80, 0x80, 0x80, 0x80, 0x08, 0x00}, ErrorCode::kBadModel,
              "field 7 claims 2147483648 bytes but the message has 1 left");
}

TEST(OnnxMalformed, RejectsAnOverlongVarint) {
  std::vector<std::uint8_t> bytes(12, 0x80);
  bytes[0] = 0x08;
  ExpectError(bytes, ErrorCode::kBadModel, "varint above 64 bits (at byte 1");
}

TEST(OnnxMalformed, RejectsGroups) {
  ExpectError({0x0b, 0x0c}, ErrorCode::kBadModel, "wire type 3");
}

TEST(OnnxMalformed, NamesTheMessagePathOfANestedFault) {
  // graph { node { input: <claims 5 bytes, has 1> } }
  ExpectError({0x3a, 0x05, 0x0a, 0x03, 0x0a, 0x05, 0x41}, ErrorCode::kBadModel,
              "graph.node[0]: field 1 claims 5 bytes but the message has 1 left (at byte 4");
}

TEST(OnnxMalformed, RejectsAModelWithoutAGraph) {
  ExpectError({0x08, 0x07}, ErrorCode::kBadModel, "has no graph");
}

struct BadFile {
  const char* name;
  ErrorCode code;
  const char* message;
};

const BadFile kBadFiles[] = {
    {"cycle", ErrorCode::kBadModel,
     "node 'r1' (#0, Relu): input 0 'b' is not a graph input, an initializer or the output of "
     "an earlier node"},
    {"missing_initializer", ErrorCode::kBadModel, "input 1 'w_missing' is not a graph input"},
    {"dynamic_dim", ErrorCode::kBadModel,
     "graph input 'x': dim 2 is dynamic ('height'); opcost needs static dims"},
    {"overflow_shape", ErrorCode::kOverflow,
     "graph input 'x' has dims [1,1099511627776,1073741824,8] that overflow 64 bits"},
    {"overflow_initializer", ErrorCode::kOverflow,
     "initializer 0 'w' has dims [2147483648,2147483648,4,4] whose element count overflows"},
    {"subgraph", ErrorCode::kUnsupportedOp,
     "node 'branch' (#0, If): attribute 'else_branch' holds a subgraph"},
    {"shape_mismatch", ErrorCode::kBadModel,
     "tensor 'y' (output of node 'conv'): the file declares shape [1,4,8,8] but the ops compute "
     "[1,4,6,6]"},
    {"wrong_data_size", ErrorCode::kBadModel, "needs 432 data bytes, but has 40"},
    {"unsupported_op", ErrorCode::kUnsupportedOp, "node 'up' (#0, Resize): op is not supported"},
};

class OnnxBadFiles : public ::testing::TestWithParam<BadFile> {};

TEST_P(OnnxBadFiles, FailWithTheirError) {
  const std::string path = DataPath(std::string("bad/") + GetParam().name + ".onnx");
  try {
    ImportOnnx(path);
    FAIL() << path << " imported";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), GetParam().code) << e.what();
    EXPECT_EQ(std::string(e.what()).rfind(path + ": ", 0), 0u) << e.what();
    EXPECT_NE(std::string(e.what()).find(GetParam().message), std::string::npos) << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(Files, OnnxBadFiles, ::testing::ValuesIn(kBadFiles),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

struct Outcome {
  bool ok = false;
  std::int64_t macs = 0;
};

Outcome TryImport(const std::uint8_t* data, std::size_t size) {
  Outcome o;
  try {
    const Graph g = ImportOnnxBuffer(data, size, "broken.onnx");
    o.macs = ComputeMetrics(g).total.macs;
    o.ok = true;
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("broken.onnx: ", 0), 0u) << e.what();
  }
  return o;
}

const char* const kModels[] = {"mlperf_kws_ds_cnn_qdq.onnx", "mlperf_ic_resnet8.onnx",
                               "nas_cell_qdq.onnx", "qoperator.onnx", "batchnorm.onnx"};

class OnnxCorrupted : public ::testing::TestWithParam<const char*> {};

TEST_P(OnnxCorrupted, TruncatedFilesFailOrMatch) {
  const std::vector<std::uint8_t> bytes = ReadBytes(DataPath(GetParam()));
  ASSERT_GT(bytes.size(), 1000u);
  const Outcome full = TryImport(bytes.data(), bytes.size());
  ASSERT_TRUE(full.ok);
  const std::size_t step = bytes.size() / 200 + 1;
  for (std::size_t n = 0; n < bytes.size(); n += step) {
    const Outcome o = TryImport(bytes.data(), n);
    // A cut at a message boundary can leave a valid smaller model; never a wrong big one.
    if (o.ok) {
      EXPECT_LE(o.macs, full.macs) << "truncated at " << n;
    }
  }
}

TEST_P(OnnxCorrupted, FlippedBytesFailOrImport) {
  const std::vector<std::uint8_t> bytes = ReadBytes(DataPath(GetParam()));
  std::mt19937 rng(42);
  for (int i = 0; i < 300; ++i) {
    std::vector<std::uint8_t> copy = bytes;
    const std::size_t at = rng() % copy.size();
    copy[at] = static_cast<std::uint8_t>(copy[at] ^ (1u << (rng() % 8)));
    TryImport(copy.data(), copy.size());
  }
}

INSTANTIATE_TEST_SUITE_P(Models, OnnxCorrupted, ::testing::ValuesIn(kModels),
                         [](const auto& param_info) { return test::ParamName(param_info.param); });

TEST(OnnxMalformed, BufferImportWithoutADirectoryRefusesExternalData) {
  const std::vector<std::uint8_t> bytes = ReadBytes(DataPath("external_data.onnx"));
  ExpectError(bytes, ErrorCode::kBadModel, "set OnnxImportOptions::external_data_dir");
}

}  // namespace
}  // namespace opcost
