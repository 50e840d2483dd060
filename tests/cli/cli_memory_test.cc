// `opcost memory` on the MLPerf KWS DS-CNN through the executable.
//
// KWS DS-CNN memory, independent source: ../shared/measured/model_architectures.md, "Consistency
// checks": the peak is two consecutive 25x5x64 int8 buffers = 2 x 8000 = 16,000 B (Hello Edge
// ds_cnn.h comment, and the max of the "live act. bytes" column of the KWS .tflite table, first
// reached at op 1, the first depthwise conv). Weights: 24,368 B (hand count in
// cli_test_util.h: int8 weights 22,016 + int32 bias 2,352).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/cli_process.h"
#include "cli/cli_test_util.h"

namespace opcost::clitest {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

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

}  // namespace
}  // namespace opcost::clitest
