// Every case of shared/testvectors/cmsis-nn-s8 reproduced byte for byte (69 files, including
// the whole DS-CNN S and L networks). A failure names the case and the first differing index.
#include "kernels/test_vectors.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "opcost/error.h"
#include "param_name.h"

namespace opcost::kernels {
namespace {

const std::string kVectorDir = std::string(OPCOST_SHARED_DIR) + "/testvectors/cmsis-nn-s8";

std::vector<std::string> VectorFiles() {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(kVectorDir)) {
    if (e.path().extension() == ".json") files.push_back(e.path().stem().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

class VectorFileTest : public ::testing::TestWithParam<std::string> {};

TEST_P(VectorFileTest, ReproducesReferenceByteForByte) {
  const VectorResult r = RunVectorFile(kVectorDir + "/" + GetParam() + ".json");
  EXPECT_EQ(r.name, GetParam());
  EXPECT_TRUE(r.passed) << "case '" << r.name << "' (" << r.kind << "): " << r.detail
                        << " (first differing index " << r.first_difference << ")";
  EXPECT_EQ(r.num_differences, 0);
  EXPECT_GT(r.num_elements, 0);
}

INSTANTIATE_TEST_SUITE_P(CmsisNnS8, VectorFileTest, ::testing::ValuesIn(VectorFiles()),
                         [](const auto& param_info) { return test::ParamName(param_info.param); });

TEST(TestVectors, DirectoryHoldsAll69CasesAndAllPass) {
  const auto results = RunVectorDirectory(kVectorDir);
  ASSERT_EQ(results.size(), 69u);
  int passed = 0;
  for (const auto& r : results) passed += r.passed ? 1 : 0;
  EXPECT_EQ(passed, 69);
}

TEST(TestVectors, DsCnnNetworksEndInTwelveClassScores) {
  for (const char* name : {"ds_cnn_s", "ds_cnn_l"}) {
    const VectorResult r = RunVectorFile(kVectorDir + "/" + name + ".json");
    EXPECT_EQ(r.kind, "model");
    EXPECT_EQ(r.output.size(), 12u) << name;
    EXPECT_TRUE(r.passed) << name << ": " << r.detail;
  }
}

// A scratch directory with modified copies of vector files, removed afterwards.
class VectorRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(OPCOST_BINARY_DIR) / "kernels_vector_runner_test" /
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path) << text;
    return path;
  }
  // A copy of basic.json with `from` replaced by `to` (the first occurrence).
  std::string WriteBasicWith(const std::string& name, const std::string& from,
                             const std::string& to) {
    std::ifstream in(kVectorDir + "/basic.json");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::size_t pos = text.find(from);
    EXPECT_NE(pos, std::string::npos) << from;
    if (pos != std::string::npos) text.replace(pos, from.size(), to);
    return Write(name, text);
  }

  void ExpectRejected(const std::string& path, ErrorCode code, const std::string& substring) {
    try {
      RunVectorFile(path);
      ADD_FAILURE() << "expected an error containing '" << substring << "'";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), code) << e.what();
      EXPECT_NE(std::string(e.what()).find(substring), std::string::npos) << e.what();
    }
  }

  std::filesystem::path dir_;
};

// A small, fully known conv case: 1x1x2x1 input, 1x1 filter of 2, per-tensor x1 requantization.
constexpr char kTinyConv[] = R"({"case": "tiny", "kind": "conv",
  "config": {"OUT_CH": 1, "IN_CH": 1, "INPUT_W": 2, "INPUT_H": 1, "OUT_ACTIVATION_MIN": -128,
             "OUT_ACTIVATION_MAX": 127, "INPUT_BATCHES": 1, "FILTER_X": 1, "FILTER_Y": 1,
             "STRIDE_X": 1, "STRIDE_Y": 1, "PAD_X": 0, "PAD_Y": 0, "OUTPUT_W": 2, "OUTPUT_H": 1,
             "INPUT_OFFSET": 0, "OUTPUT_OFFSET": 0},
  "arrays": {"input": {"type": "int8_t", "data": [3, -4]},
             "weights": {"type": "int8_t", "data": [2]},
             "output_mult": {"type": "int32_t", "data": [1073741824]},
             "output_shift": {"type": "int32_t", "data": [1]},
             "output_ref": {"type": "int8_t", "data": [6, REF1]}}})";

std::string TinyConv(const std::string& ref1) {
  std::string text = kTinyConv;
  text.replace(text.find("REF1"), 4, ref1);
  return text;
}

TEST_F(VectorRunnerTest, PassesAHandComputedCase) {
  const VectorResult r = RunVectorFile(Write("tiny.json", TinyConv("-8")));
  EXPECT_TRUE(r.passed) << r.detail;
  EXPECT_EQ(r.output, (std::vector<std::int8_t>{6, -8}));
}

TEST_F(VectorRunnerTest, NamesFirstDifferingIndex) {
  const VectorResult r = RunVectorFile(Write("tiny.json", TinyConv("-7")));
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.name, "tiny");
  EXPECT_EQ(r.first_difference, 1);
  EXPECT_EQ(r.num_differences, 1);
  EXPECT_EQ(r.detail, "output[1] = -8, expected -7 (1 of 2 bytes differ)");
}

TEST_F(VectorRunnerTest, ModifiedReferenceOfARealCaseFails) {
  // basic.json's reference begins with -11 (checked below through the unmodified file).
  const VectorResult good = RunVectorFile(kVectorDir + "/basic.json");
  ASSERT_TRUE(good.passed);
  ASSERT_EQ(good.output[0], -11);
  const VectorResult r = RunVectorFile(
      WriteBasicWith("basic.json", "\"output_ref\":{\"type\":\"int8_t\",\"data\":[-11,",
                     "\"output_ref\":{\"type\":\"int8_t\",\"data\":[-12,"));
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.name, "basic");
  EXPECT_EQ(r.first_difference, 0);
  EXPECT_EQ(r.num_differences, 1);
  EXPECT_NE(r.detail.find("output[0] = -11, expected -12 (1 of 20 bytes differ)"),
            std::string::npos)
      << r.detail;
}

TEST_F(VectorRunnerTest, RejectsMalformedFiles) {
  ExpectRejected(Write("a.json", "{\"case\": "), ErrorCode::kInvalidArgument, "malformed JSON");
  ExpectRejected(Write("b.json", "[]"), ErrorCode::kInvalidArgument,
                 "b.json: /: expected an object (got array)");
  std::string unknown = TinyConv("-8");
  unknown.replace(unknown.find("\"PAD_X\""), 7, "\"PAD_Q\": 0, \"PAD_X\"");
  ExpectRejected(Write("c.json", unknown), ErrorCode::kInvalidArgument,
                 "c.json: /config: unknown field \"PAD_Q\"");
  std::string kind = TinyConv("-8");
  kind.replace(kind.find("\"conv\""), 6, "\"deconv\"");
  ExpectRejected(Write("d.json", kind), ErrorCode::kInvalidArgument, "/kind: unknown kind");
  std::string missing = TinyConv("-8");
  missing.replace(missing.find("\"STRIDE_X\": 1, "), 15, "");
  ExpectRejected(Write("e.json", missing), ErrorCode::kInvalidArgument,
                 "/config: missing required field \"STRIDE_X\"");
  std::string type = TinyConv("-8");
  type.replace(type.find("\"int8_t\", \"data\": [2]"), 8, "\"int32_t\"");
  ExpectRejected(Write("f.json", type), ErrorCode::kInvalidArgument,
                 "/arrays/weights/type: must be \"int8_t\"");
  std::string range = TinyConv("200");
  ExpectRejected(Write("g.json", range), ErrorCode::kInvalidArgument,
                 "/arrays/output_ref/data/1: must be an integer in [-128, 127] (got 200)");
  std::string size = TinyConv("-8");
  size.replace(size.find("[3, -4]"), 7, "[3]");
  ExpectRejected(Write("h.json", size), ErrorCode::kInvalidArgument,
                 "/arrays/input/data: must hold 2 elements (got 1)");
  std::string stride = TinyConv("-8");
  stride.replace(stride.find("\"STRIDE_X\": 1"), 13, "\"STRIDE_X\": 0");
  ExpectRejected(Write("i.json", stride), ErrorCode::kInvalidArgument,
                 "case 'tiny': ConvInt8: stride_w must be >= 1 (got 0)");
  ExpectRejected((dir_ / "absent.json").string(), ErrorCode::kIo, "cannot open");
}

TEST_F(VectorRunnerTest, DirectoryReportsBrokenFilesAsFailures) {
  Write("1_good.json", TinyConv("-8"));
  Write("2_wrong.json", TinyConv("-7"));
  Write("3_broken.json", "not json");
  Write("notes.txt", "ignored");
  const auto results = RunVectorDirectory(dir_.string());
  ASSERT_EQ(results.size(), 3u);
  EXPECT_TRUE(results[0].passed);
  EXPECT_FALSE(results[1].passed);
  EXPECT_FALSE(results[2].passed);
  EXPECT_EQ(results[2].name, "3_broken");
  EXPECT_NE(results[2].detail.find("malformed JSON"), std::string::npos);
}

TEST_F(VectorRunnerTest, DirectoryErrors) {
  try {
    RunVectorDirectory(dir_.string());  // empty
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kIo);
    EXPECT_NE(std::string(e.what()).find("no .json test-vector file"), std::string::npos);
  }
  try {
    RunVectorDirectory((dir_ / "nope").string());
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kIo);
    EXPECT_NE(std::string(e.what()).find("not a readable directory"), std::string::npos);
  }
}

}  // namespace
}  // namespace opcost::kernels
