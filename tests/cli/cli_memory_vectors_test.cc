// `opcost memory` on the MLPerf KWS DS-CNN and `opcost vectors` on the shared CMSIS-NN vectors,
// through the executable.
//
// KWS DS-CNN memory, independent source: ../shared/measured/model_architectures.md, "Consistency
// checks": the peak is two consecutive 25x5x64 int8 buffers = 2 x 8000 = 16,000 B (Hello Edge
// ds_cnn.h comment, and the max of the "live act. bytes" column of the KWS .tflite table, first
// reached at op 1, the first depthwise conv). Weights: 24,368 B (hand count in
// cli_metrics_test.cc: int8 weights 22,016 + int32 bias 2,352).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/cli_process.h"

namespace opcost::clitest {
namespace {

using nlohmann::json;
using ::testing::EndsWith;
using ::testing::HasSubstr;

constexpr std::int64_t kKwsPeakBytes = 2 * 25 * 5 * 64;  // 16,000
constexpr std::int64_t kKwsWeightBytes = 24368;

std::string KwsJson() { return SourcePath("models/mlperf_kws_ds_cnn.json"); }
std::string KwsTflite() { return SharedPath("models/mlperf-tiny/kws_ref_model.tflite"); }
std::string Vectors() { return SharedPath("testvectors/cmsis-nn-s8"); }

json RunJson(const std::vector<std::string>& args) {
  const ProcessResult r = RunOpcost(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  return json::parse(r.out);
}

TEST(CliMemory, KwsPeakIsTwoActivationBuffers) {
  const json j = RunJson({"memory", KwsJson(), "--format", "json"});
  EXPECT_EQ(j.at("model"), "mlperf_kws_ds_cnn");
  EXPECT_EQ(j.at("peak_activation_bytes").get<std::int64_t>(), kKwsPeakBytes);
  EXPECT_EQ(j.at("peak_step").get<int>(), 1);
  EXPECT_EQ(j.at("peak_layer"), "dw1");
  EXPECT_EQ(j.at("weight_bytes").get<std::int64_t>(), kKwsWeightBytes);
  EXPECT_EQ(j.at("total_footprint_bytes").get<std::int64_t>(), kKwsWeightBytes + kKwsPeakBytes);
  EXPECT_DOUBLE_EQ(j.at("activation_share").get<double>(), 16000.0 / 40368.0);
  // Step 0 (conv1): the 49x10x1 input (490 B) and the 25x5x64 output (8000 B), as the .tflite
  // table's "live act. bytes" of op 0 (8490).
  ASSERT_EQ(j.at("steps").size(), 13u);
  EXPECT_EQ(j.at("steps")[0].at("total_bytes").get<std::int64_t>(), 8490);
  EXPECT_EQ(j.at("order").size(), 13u);
  EXPECT_FALSE(j.contains("optimized_peak_activation_bytes"));
  EXPECT_FALSE(j.contains("arena_bytes"));
}

TEST(CliMemory, OptimizeOrderAndPlan) {
  const json j = RunJson({"memory", KwsJson(), "--format", "json", "--optimize-order", "--plan"});
  // A chain has one topological order: the best order is the given one, proven.
  EXPECT_EQ(j.at("optimized_peak_activation_bytes").get<std::int64_t>(), kKwsPeakBytes);
  EXPECT_TRUE(j.at("optimal").get<bool>());
  EXPECT_EQ(j.at("optimized_order"), j.at("order"));
  // Ping-pong of the 8000 B buffers at offsets 0 and 8000 (16-aligned) holds everything else in
  // the free half: the arena is the peak.
  EXPECT_EQ(j.at("arena_bytes").get<std::int64_t>(), kKwsPeakBytes);
  EXPECT_EQ(j.at("arena").at("alignment_bytes").get<int>(), 16);
  EXPECT_EQ(j.at("arena").at("order"), "optimized");
}

TEST(CliMemory, TfliteHasTheSamePeak) {
  // model_architectures.md: "max live activation bytes of the MLPerf KWS .tflite (16,000 B)".
  const json j = RunJson({"memory", KwsTflite(), "--format", "json"});
  EXPECT_EQ(j.at("peak_activation_bytes").get<std::int64_t>(), kKwsPeakBytes);
  EXPECT_EQ(j.at("total_footprint_bytes").get<std::int64_t>(),
            j.at("weight_bytes").get<std::int64_t>() + kKwsPeakBytes);
}

TEST(CliMemory, TableAndCsv) {
  const ProcessResult t = RunOpcost({"memory", KwsJson()});
  ASSERT_EQ(t.exit_code, 0) << t.err;
  EXPECT_THAT(t.out, HasSubstr("peak activation: 16000 B at step 1 (layer 'dw1')"));
  EXPECT_THAT(t.out, HasSubstr("weights: 24368 B; total footprint: 40368 B"));
  const ProcessResult c = RunOpcost({"memory", KwsJson(), "--format", "csv"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_THAT(c.out, testing::StartsWith("step,layer,op,activation_bytes,scratch_bytes,"
                                         "total_bytes,in_place,live_tensors\n"));
  EXPECT_THAT(c.out, HasSubstr("\n1,dw1,depthwise_conv2d,16000,0,16000,false,"));
}

TEST(CliMemory, BadOptionValuesAreUsageErrors) {
  for (const char* bad : {"12", "0", "x"}) {
    const ProcessResult r = RunOpcost({"memory", KwsJson(), "--plan", "--alignment", bad});
    EXPECT_EQ(r.exit_code, 2) << bad;
    ASSERT_EQ(r.ErrLines().size(), 1u) << r.err;
    EXPECT_THAT(r.err, testing::StartsWith("opcost: usage error: "));
  }
}

TEST(CliVectors, AllSharedVectorsPass) {
  const ProcessResult r = RunOpcost({"vectors", Vectors()});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.err, "");
  // shared/testvectors/cmsis-nn-s8/README.md: 69 cases.
  EXPECT_THAT(r.out, EndsWith("\n69 passed, 0 failed\n"));
  EXPECT_THAT(r.out, testing::StartsWith("add pass\n"));
}

TEST(CliVectors, JsonCounts) {
  const json j = RunJson({"vectors", Vectors(), "--format", "json"});
  EXPECT_EQ(j.at("passed").get<int>(), 69);
  EXPECT_EQ(j.at("failed").get<int>(), 0);
  EXPECT_EQ(j.at("cases").size(), 69u);
}

// A copy of the vectors with one reference byte changed: exactly that case fails.
TEST(CliVectors, OneCorruptedCopyFails) {
  TempDir dir;
  for (const auto& entry : std::filesystem::directory_iterator(Vectors())) {
    if (entry.path().extension() != ".json") continue;
    std::filesystem::copy_file(entry.path(), dir.path() + "/" + entry.path().filename().string());
  }
  json add = json::parse(ReadFile(Vectors() + "/add.json"));
  json& ref = add.at("arrays").at("output_ref").at("data");
  const int original = ref[5].get<int>();
  const int corrupted = original == 127 ? 126 : original + 1;
  ref[5] = corrupted;
  dir.Write("add.json", add.dump());

  const ProcessResult r = RunOpcost({"vectors", dir.path()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_LT(r.exit_code, 128);
  EXPECT_THAT(r.out, EndsWith("\n68 passed, 1 failed\n"));
  EXPECT_THAT(r.out, HasSubstr("add fail output[5] = " + std::to_string(original) + ", expected " +
                               std::to_string(corrupted) + " (1 of 128 bytes differ)\n"));
  const ProcessResult rj = RunOpcost({"vectors", dir.path(), "--format", "json"});
  EXPECT_EQ(rj.exit_code, 1);
  const json j = json::parse(rj.out);
  EXPECT_EQ(j.at("passed").get<int>(), 68);
  EXPECT_EQ(j.at("failed").get<int>(), 1);
  for (const json& c : j.at("cases")) {
    if (c.at("name") != "add") continue;
    EXPECT_FALSE(c.at("passed").get<bool>());
    EXPECT_EQ(c.at("first_difference").get<int>(), 5);
    EXPECT_EQ(c.at("differences").get<int>(), 1);
    EXPECT_EQ(c.at("bytes").get<int>(), 128);
  }
}

TEST(CliVectors, TruncatedFileIsAFailedCaseNotACrash) {
  TempDir dir;
  std::filesystem::copy_file(Vectors() + "/add.json", dir.path() + "/add.json");
  const std::string text = ReadFile(Vectors() + "/basic.json");
  dir.Write("basic.json", text.substr(0, text.size() / 2));
  const ProcessResult r = RunOpcost({"vectors", dir.path()});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.out, HasSubstr("add pass\n"));
  EXPECT_THAT(r.out, HasSubstr("basic fail "));
  EXPECT_THAT(r.out, EndsWith("\n1 passed, 1 failed\n"));
}

}  // namespace
}  // namespace opcost::clitest
