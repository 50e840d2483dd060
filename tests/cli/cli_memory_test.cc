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

// 40 relus of one input, all concatenated: at the branch of b31 and later more than 32 tensors
// are live (x and b0..bi); the peak is the concat step (40 branches + its output, 41 tensors).
std::string FanInModel(int branches) {
  json layers = json::array();
  json names = json::array();
  for (int i = 0; i < branches; ++i) {
    const std::string name = std::string("b") + std::to_string(i);
    layers.push_back({{"name", name}, {"op", "relu"}, {"inputs", {"x"}}});
    names.push_back(name);
  }
  layers.push_back({{"name", "cat"}, {"op", "concat"}, {"axis", -1}, {"inputs", names}});
  const json model = {{"format", "opcost-model"}, {"format_version", 1},
                      {"name", "fan_in"},         {"inputs", {{{"name", "x"}, {"shape", {1, 16}}}}},
                      {"layers", layers},         {"outputs", {"cat"}}};
  return model.dump();
}

TEST(CliMemory, ListsAtMost32LiveTensorsPerStepButThePeakInFull) {
  const TempDir dir;
  const std::string model = dir.Write("fan_in.json", FanInModel(40));
  const json j = RunJson({"memory", model, "--format", "json"});
  ASSERT_EQ(j.at("steps").size(), 41u);
  EXPECT_EQ(j.at("peak_step").get<int>(), 40);
  const json& before = j.at("steps")[30];  // x, b0..b30: 32 live, all listed
  EXPECT_EQ(before.at("live_tensors").size(), 32u);
  EXPECT_EQ(before.at("live_tensors_omitted").get<int>(), 0);
  const json& last_branch = j.at("steps")[39];  // x, b0..b39: 41 live
  ASSERT_EQ(last_branch.at("live_tensors").size(), 32u);
  EXPECT_EQ(last_branch.at("live_tensors")[0], "x");
  EXPECT_EQ(last_branch.at("live_tensors")[31], "b30");
  EXPECT_EQ(last_branch.at("live_tensors_omitted").get<int>(), 9);
  const json& peak = j.at("steps")[40];
  EXPECT_EQ(peak.at("live_tensors").size(), 41u);
  EXPECT_EQ(peak.at("live_tensors_omitted").get<int>(), 0);
  EXPECT_EQ(j.at("peak_tensors"), peak.at("live_tensors"));

  const ProcessResult csv = RunOpcost({"memory", model, "--format", "csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_THAT(csv.out, HasSubstr(" b29 b30 ... and 9 more\n"));
  EXPECT_THAT(csv.out, HasSubstr(" b38 b39 cat\n"));  // the peak row: every name
  const ProcessResult table = RunOpcost({"memory", model});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_THAT(table.out, HasSubstr(" b31 ... and 9 more\n"));  // the concat row: 32 of 41
  EXPECT_THAT(table.out, HasSubstr("(layer 'cat'): b0 b1 "));
  EXPECT_THAT(table.out, HasSubstr(" b39 cat\n"));  // the peak line: every name
}

TEST(CliMemory, FanInListingGrowsLinearly) {
  // 400 branches: step i has x and b0..bi live, the concat all 400 branches and its output;
  // every step but the peak lists at most 32 names and counts the rest.
  const TempDir dir;
  const json j = RunJson({"memory", dir.Write("fan_in.json", FanInModel(400)), "--format", "json"});
  ASSERT_EQ(j.at("steps").size(), 401u);
  std::size_t listed = 0;
  for (std::size_t i = 0; i < 401; ++i) {
    const json& step = j.at("steps")[i];
    const std::size_t live = i < 400 ? i + 2 : 401;
    EXPECT_EQ(step.at("live_tensors").size() + step.at("live_tensors_omitted").get<std::size_t>(),
              live)
        << i;
    listed += step.at("live_tensors").size();
  }
  // Steps 0..30 list all their 2..32 tensors, steps 31..399 32 each, the peak all 401.
  EXPECT_EQ(listed, (2u + 32u) * 31u / 2u + 32u * 369u + 401u);
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
