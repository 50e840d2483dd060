// `opcost memory` run as a process: JSON keys and values (the published tflite-tools peak),
// CSV rows, and exit codes for bad input (1) and bad usage (2).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/shell_run.h"

namespace {

using ::testing::HasSubstr;

using Result = opcost::clitest::ShellResult;

Result Opcost(const std::string& args) { return opcost::clitest::RunShell(args); }

const std::string kExample = std::string(OPCOST_SOURCE_DIR) + "/models/tflite_tools_example.json";

TEST(MemoryCommand, JsonHasThePublishedPeakAndTheDocumentedKeys) {
  const Result r = Opcost("memory " + kExample + " --format json --optimize-order --plan");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  // tflite_tools_example_peak_memory.csv: peak 26944 B at Conv2/Relu.
  EXPECT_EQ(j.at("peak_activation_bytes").get<long long>(), 26944);
  EXPECT_EQ(j.at("peak_step").get<int>(), 1);
  EXPECT_EQ(j.at("peak_layer").get<std::string>(), "Conv2/Relu");
  EXPECT_EQ(j.at("optimized_peak_activation_bytes").get<long long>(), 26944);
  EXPECT_TRUE(j.at("optimal").get<bool>());
  EXPECT_EQ(j.at("arena_bytes").get<long long>(), 26944);
  EXPECT_EQ(j.at("total_footprint_bytes").get<long long>(),
            j.at("weight_bytes").get<long long>() + 26944);
  ASSERT_EQ(j.at("steps").size(), 6u);
  EXPECT_EQ(j.at("steps").at(0).at("total_bytes").get<long long>(), 17472);
  EXPECT_FALSE(j.contains("fit"));
}

TEST(MemoryCommand, ProfileAddsScratchAndFit) {
  const Result r = Opcost("memory " + kExample + " --format json --profile " +
                          std::string(OPCOST_SOURCE_DIR) + "/profiles/cortex-m7-f746.json");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  const nlohmann::json& step = j.at("steps").at(j.at("peak_step").get<int>());
  EXPECT_EQ(step.at("total_bytes"), j.at("peak_activation_bytes"));
  EXPECT_GT(step.at("scratch_bytes").get<long long>(), 0);
  // SRAM used = peak + the runtime's own RAM (the profile's runtime_reserve: 92480 B, derived
  // in profiles/runtime_reserves.py from TinyEngine's measurement).
  const nlohmann::json& fit = j.at("fit");
  EXPECT_EQ(fit.at("runtime_sram_bytes").get<long long>(), 92480);
  EXPECT_EQ(fit.at("runtime_flash_bytes").get<long long>(), 146992);
  EXPECT_EQ(fit.at("sram_used_bytes").get<long long>(),
            j.at("peak_activation_bytes").get<long long>() + 92480);
  EXPECT_EQ(fit.at("flash_used_bytes").get<long long>(),
            j.at("weight_bytes").get<long long>() + 146992);
  EXPECT_EQ(fit.at("sram_margin_bytes").get<long long>(),
            fit.at("sram_capacity_bytes").get<long long>() -
                fit.at("sram_used_bytes").get<long long>());
}

TEST(MemoryCommand, CsvHasOneRowPerStep) {
  const Result r = Opcost("memory " + kExample + " --format csv");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("step,layer,op,activation_bytes,scratch_bytes,total_bytes"));
  EXPECT_THAT(r.out, HasSubstr("1,Conv2/Relu,conv2d,26944,0,26944,false,Conv1/Relu Conv2/Relu"));
}

TEST(MemoryCommand, TableNamesThePeak) {
  const Result r = Opcost("memory " + kExample);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("peak activation: 26944 B at step 1 (layer 'Conv2/Relu')"));
}

TEST(MemoryCommand, BadInputExitsOneBadUsageTwo) {
  Result r = Opcost("memory /nonexistent/model.json");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_THAT(r.out, HasSubstr("opcost: error:"));
  r = Opcost("memory " + kExample + " --alignment 12");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_THAT(r.out, HasSubstr("--alignment must be a power of two up to 4096 (got 12)"));
  r = Opcost("memory " + kExample + " --max-states x");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_THAT(r.out, HasSubstr("--max-states needs a positive integer (got 'x')"));
  for (const char* seconds : {"0", "-1", "1e9", "nan", "2s"}) {
    r = Opcost("memory " + kExample + " --optimize-order --max-seconds " + seconds);
    EXPECT_EQ(r.exit_code, 2) << seconds << ": " << r.out;
    EXPECT_THAT(r.out, HasSubstr("--max-seconds needs a number of seconds in (0, 86400] (got '" +
                                 std::string(seconds) + "')"));
  }
  r = Opcost("memory");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  r = Opcost("memory " + kExample + " --profile /nonexistent.json");
  EXPECT_EQ(r.exit_code, 1) << r.out;
}

}  // namespace
