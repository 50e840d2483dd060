// The deployer's options of `opcost memory --profile` (--flash, --sram, --reserve-*,
// --require-fit, --totals) and models read from standard input, run as a process through a shell
// (for `<` redirection). Expected numbers are hand sums of the figures the tests name.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/shell_run.h"

namespace {

using ::testing::HasSubstr;

using Result = opcost::clitest::ShellResult;

Result Shell(const std::string& args) { return opcost::clitest::RunShell(args); }

const std::string kSource = OPCOST_SOURCE_DIR;
// mlperf_kws_ds_cnn: weights 24368 B, peak activations with cortex-m7-f746's scratch 17152 B
// (tests/cli/cli_memory_test.cc and docs/memory.md); that profile's runtime reserve is 146992 B
// flash, 92480 B SRAM (profiles/runtime_reserves.py).
const std::string kKws = kSource + "/models/mlperf_kws_ds_cnn.json";
const std::string kMemoryKws = "memory " + kKws + " --profile cortex-m7-f746";

nlohmann::json Fit(const std::string& extra) {
  const Result r = Shell(kMemoryKws + " --format json " + extra);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  return nlohmann::json::parse(r.out).at("fit");
}

TEST(DeployerOptions, ProfileReserveCountsInUsedAndMargins) {
  const nlohmann::json f = Fit("");
  EXPECT_EQ(f.at("flash_used_bytes").get<long long>(), 24368 + 146992);
  EXPECT_EQ(f.at("sram_used_bytes").get<long long>(), 17152 + 92480);
  EXPECT_EQ(f.at("sram_margin_bytes").get<long long>(), 327680 - 17152 - 92480);
  EXPECT_EQ(f.at("runtime_flash_bytes").get<long long>(), 146992);
  EXPECT_TRUE(f.at("fits").get<bool>());
}

TEST(DeployerOptions, CapacityAndReserveOverridesWithSuffixes) {
  const nlohmann::json f = Fit("--flash 64K --sram 1M --reserve-flash 4KiB --reserve-sram 0");
  EXPECT_EQ(f.at("flash_capacity_bytes").get<long long>(), 65536);
  EXPECT_EQ(f.at("sram_capacity_bytes").get<long long>(), 1048576);
  EXPECT_EQ(f.at("flash_used_bytes").get<long long>(), 24368 + 4096);
  EXPECT_EQ(f.at("flash_margin_bytes").get<long long>(), 65536 - 24368 - 4096);
  EXPECT_EQ(f.at("sram_used_bytes").get<long long>(), 17152);
  EXPECT_TRUE(f.at("fits").get<bool>());
}

TEST(DeployerOptions, RequireFitExitsFourOnlyWhenItDoesNotFit) {
  // SRAM 17408 B (17K) < 17152 + 1024 B: misses by 768 B.
  const std::string tight = kMemoryKws + " --sram 17K --reserve-sram 1K";
  Result r = Shell(tight);
  EXPECT_EQ(r.exit_code, 0) << r.out;  // without --require-fit a verdict is not an error
  EXPECT_THAT(r.out, HasSubstr("fit (cortex-m7-f746): DOES NOT FIT\n"));
  EXPECT_THAT(r.out, HasSubstr("SRAM: 17152 B peak activations + 1024 B runtime = 18176 / 17408 B "
                               "(margin -768 B)"));
  r = Shell(tight + " --require-fit");
  EXPECT_EQ(r.exit_code, 4) << r.out;
  EXPECT_THAT(r.out, HasSubstr("DOES NOT FIT"));  // the result is still printed
  r = Shell(tight + " --require-fit --format json");
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_FALSE(nlohmann::json::parse(r.out).at("fit").at("fits_sram").get<bool>());
  r = Shell(kMemoryKws + " --sram 18176 --reserve-sram 1K --require-fit");  // exactly fits
  EXPECT_EQ(r.exit_code, 0) << r.out;
}

TEST(DeployerOptions, CsvTotalsCarryTheVerdict) {
  const Result r = Shell(kMemoryKws + " --format csv --totals --sram 17K --reserve-sram 1K");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out,
            "model,peak_activation_bytes,peak_step,peak_layer,weight_bytes,total_footprint_bytes,"
            "profile,flash_capacity_bytes,flash_used_bytes,runtime_flash_bytes,flash_margin_bytes,"
            "sram_capacity_bytes,sram_used_bytes,runtime_sram_bytes,sram_weight_bytes,"
            "sram_margin_bytes,fits_flash,fits_sram,fits\n"
            "mlperf_kws_ds_cnn,17152,1,dw1,24368,41520,cortex-m7-f746,1048576,171360,146992,"
            "877216,17408,18176,1024,0,-768,true,false,false\n");
  // Without a profile the totals row has the memory columns only.
  const Result bare = Shell("memory " + kKws + " --format csv --totals");
  EXPECT_EQ(bare.out,
            "model,peak_activation_bytes,peak_step,peak_layer,weight_bytes,total_footprint_bytes\n"
            "mlperf_kws_ds_cnn,16000,1,dw1,24368,40368\n");
}

TEST(DeployerOptions, BadValuesAreUsageErrors) {
  for (const char* bad : {"--sram 12X", "--sram -5", "--sram 0", "--flash 99999999999999999",
                          "--reserve-flash 2000000000M", "--sram ''"}) {
    const Result r = Shell(kMemoryKws + " " + bad);
    EXPECT_EQ(r.exit_code, 2) << bad << ": " << r.out;
    EXPECT_THAT(r.out, HasSubstr("opcost: usage error: --")) << bad;
  }
  const Result no_profile = Shell("memory " + kKws + " --require-fit");
  EXPECT_EQ(no_profile.exit_code, 2);
  EXPECT_THAT(no_profile.out, HasSubstr("need --profile"));
  EXPECT_EQ(Shell("memory " + kKws + " --totals").exit_code, 2);  // --totals needs csv
}

TEST(StandardInput, EveryModelKindReadsFromADash) {
  const std::string tflite = kSource + "/tests/data/shared/models/mlperf-tiny/kws_ref_model.tflite";
  const std::string onnx = kSource + "/tests/data/onnx/mlperf_kws_ds_cnn.onnx";
  for (const std::string& file : {kKws, tflite, onnx}) {
    const Result from_file = Shell("metrics " + file + " --format csv --totals");
    const Result from_stdin = Shell("metrics - --format csv --totals < " + file);
    ASSERT_EQ(from_stdin.exit_code, 0) << file << ": " << from_stdin.out;
    // Same numbers; only the model name may differ (a file's stem vs the JSON's name).
    EXPECT_EQ(from_file.out.substr(from_file.out.find(',', from_file.out.find('\n'))),
              from_stdin.out.substr(from_stdin.out.find(',', from_stdin.out.find('\n'))))
        << file;
  }
  const Result piped = Shell("estimate - --profile cortex-m7-f746 --format json < " + kKws);
  EXPECT_EQ(piped.exit_code, 0) << piped.out;
  const Result imported = Shell("import - < " + tflite);
  EXPECT_EQ(imported.exit_code, 0) << imported.out;
  EXPECT_THAT(imported.out, HasSubstr("\"format\": \"opcost-model\""));
}

TEST(StandardInput, EmptyOrGarbageNamesStdinAndExitsOne) {
  Result r = Shell("metrics - < /dev/null");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, HasSubstr("<stdin>: empty input"));
  r = Shell("metrics - < " + kSource + "/README.md");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, HasSubstr("<stdin>"));
  EXPECT_THAT(r.out, HasSubstr("read as ONNX when it is neither JSON"));
  r = Shell("metrics - < " + kSource + "/tests/data/profiles/nan_value.json");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, HasSubstr("<stdin>"));
}

}  // namespace
