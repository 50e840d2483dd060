// Broken files: the real models truncated at many lengths and with flipped bytes, plus the
// committed corpus in tests/data/tflite_bad/. Each must import cleanly or throw opcost::Error,
// never crash or hang (run under OPCOST_SANITIZE=ON to catch memory errors), and a truncated
// file that still imports must give the original's numbers.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "opcost/error.h"
#include "opcost/metrics.h"
#include "opcost/tflite_import.h"
#include "param_name.h"

namespace opcost {
namespace {

std::vector<std::uint8_t> ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), {});
}

const char* const kModels[] = {
    "mlperf-tiny/kws_ref_model.tflite", "mlperf-tiny/ad01_int8.tflite",
    "mlperf-tiny/pretrainedResnet_quant.tflite", "mlperf-tiny/str_ww_ref_model.tflite",
    "mlperf-tiny/vww_96_int8.tflite", "mcunet/mcunet-vww1.tflite"};

struct Outcome {
  bool ok = false;
  std::int64_t macs = 0;
  std::int64_t params = 0;
};

Outcome TryImport(const std::vector<std::uint8_t>& bytes, std::size_t size) {
  Outcome o;
  try {
    const Graph g = ImportTfliteBuffer(bytes.data(), size, "broken.tflite");
    const NetworkMetrics m = ComputeMetrics(g);
    o.ok = true;
    o.macs = m.total.macs;
    o.params = m.total.params;
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("broken.tflite: ", 0), 0u) << e.what();
  }
  return o;
}

class MalformedTest : public ::testing::TestWithParam<const char*> {};

TEST_P(MalformedTest, TruncatedFilesFailOrMatch) {
  const std::vector<std::uint8_t> bytes =
      ReadBytes(std::string(OPCOST_SHARED_DIR) + "/models/" + GetParam());
  ASSERT_GT(bytes.size(), 1000u);
  const Outcome full = TryImport(bytes, bytes.size());
  ASSERT_TRUE(full.ok);
  std::vector<std::size_t> lengths;
  for (std::size_t n = 0; n < 64; ++n) lengths.push_back(n);
  for (std::size_t k = 1; k < 200; ++k) lengths.push_back(bytes.size() * k / 200);
  for (std::size_t n = 1; n <= 16; ++n) lengths.push_back(bytes.size() - n);
  int rejected = 0;
  for (std::size_t n : lengths) {
    std::vector<std::uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
    const Outcome o = TryImport(cut, n);
    if (!o.ok) {
      ++rejected;
      continue;
    }
    EXPECT_EQ(o.macs, full.macs) << "truncated to " << n;
    EXPECT_EQ(o.params, full.params) << "truncated to " << n;
  }
  EXPECT_GT(rejected, 200);  // nearly every cut is caught by the verifier
}

TEST_P(MalformedTest, FlippedBytesNeverCrash) {
  const std::vector<std::uint8_t> bytes =
      ReadBytes(std::string(OPCOST_SHARED_DIR) + "/models/" + GetParam());
  std::mt19937 rng(1234);  // fixed: the same corpus every run
  std::uniform_int_distribution<std::size_t> pos(0, bytes.size() - 1);
  std::uniform_int_distribution<int> bit(0, 7);
  int rejected = 0;
  for (int i = 0; i < 400; ++i) {
    std::vector<std::uint8_t> broken = bytes;
    // Bias half of the flips toward the flatbuffer's tables (the first and last 4 KiB hold
    // offsets, vtables, shapes and indices; the middle is mostly weight bytes).
    std::size_t p = pos(rng);
    if (i % 2 == 0) p = p % 4096;
    if (i % 4 == 1) p = bytes.size() - 1 - p % 4096;
    broken[p] = static_cast<std::uint8_t>(broken[p] ^ (1u << bit(rng)));
    if (i % 8 == 3) broken[p] = 0xff;
    rejected += TryImport(broken, broken.size()).ok ? 0 : 1;
  }
  EXPECT_GT(rejected, 0);
}

INSTANTIATE_TEST_SUITE_P(RealModels, MalformedTest, ::testing::ValuesIn(kModels),
                         [](const auto& param_info) { return test::ParamName(param_info.param); });

// tests/data/tflite_bad/: files whose rejection message is pinned (README.md there says how
// each was made).
struct BadFile {
  const char* name;
  ErrorCode code;
  const char* substring;
};

class BadCorpusTest : public ::testing::TestWithParam<BadFile> {};

TEST_P(BadCorpusTest, RejectedWithClearError) {
  const BadFile& f = GetParam();
  const std::string path = std::string(OPCOST_SOURCE_DIR) + "/tests/data/tflite_bad/" + f.name;
  ASSERT_TRUE(std::filesystem::exists(path)) << path;
  try {
    ImportTflite(path);
    FAIL() << "expected " << f.substring;
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), f.code) << e.what();
    EXPECT_NE(std::string(e.what()).find(f.substring), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(f.name), std::string::npos) << e.what();
  }
}

const BadFile kBadFiles[] = {
    {"empty.tflite", ErrorCode::kBadModel, "0 bytes is too short"},
    {"kws_truncated_1000.tflite", ErrorCode::kBadModel, "flatbuffer verification failed"},
    {"kws_wrong_identifier.tflite", ErrorCode::kBadModel, "is not \"TFL3\""},
    {"kws_root_offset_past_end.tflite", ErrorCode::kBadModel, "root offset points outside"},
    {"tensor_index_out_of_range.tflite", ErrorCode::kBadModel, "tensor index 99 is out of range"},
    {"opcode_index_out_of_range.tflite", ErrorCode::kBadModel, "opcode index 7 is out of range"},
    {"absurd_shape.tflite", ErrorCode::kOverflow, "overflows 64 bits"},
    {"unsupported_op.tflite", ErrorCode::kUnsupportedOp, "operator 0 (STRIDED_SLICE)"},
};

// gtest prints the parameter as the file name in failure messages.
void PrintTo(const BadFile& f, std::ostream* os) { *os << f.name; }

INSTANTIATE_TEST_SUITE_P(Corpus, BadCorpusTest, ::testing::ValuesIn(kBadFiles),
                         [](const auto& param_info) {
                           return test::ParamName(param_info.param.name);
                         });

}  // namespace
}  // namespace opcost
