// Every bundled model and every shared .tflite through `metrics`, `memory` and `estimate` (with
// each shipped profile): exit 0, nothing on stderr, and JSON whose totals agree with its layers
// and with the documented rules. The MLPerf Tiny totals are checked against the published
// numbers.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/cli_process.h"
#include "cli/cli_test_util.h"

namespace opcost::clitest {
namespace {

using nlohmann::json;

// ../shared/measured/model_architectures.md, "Consistency checks": MACs and weights+biases of
// the MLPerf Tiny reference models (equal for the JSON reconstruction and the .tflite file).
struct Published {
  const char* json_model;
  const char* tflite;
  std::int64_t macs;
  std::int64_t params;
};
const Published kMlperf[] = {
    {"mlperf_kws_ds_cnn.json", "kws_ref_model.tflite", 2656768, 22604},
    {"mlperf_ic_resnet8.json", "pretrainedResnet_quant.tflite", 12501632, 77706},
    {"mlperf_vww_mobilenet_v1_025.json", "vww_96_int8.tflite", 7489664, 210850},
    {"mlperf_ad_autoencoder.json", "ad01_int8.tflite", 264192, 265864},
};

TEST(CliModels, MlperfTotalsMatchThePublishedNumbers) {
  for (const Published& p : kMlperf) {
    for (const std::string& path : {SourcePath(std::string("models/") + p.json_model),
                                    SharedPath(std::string("models/mlperf-tiny/") + p.tflite)}) {
      const json t = RunJson({"metrics", path, "--format", "json"}).at("totals");
      EXPECT_EQ(t.at("macs").get<std::int64_t>(), p.macs) << path;
      EXPECT_EQ(t.at("params").get<std::int64_t>(), p.params) << path;
    }
  }
}

std::vector<std::string> AllModels() {
  std::vector<std::string> paths;
  for (const auto& e : std::filesystem::directory_iterator(SourcePath("models"))) {
    if (e.path().extension() == ".json") paths.push_back(e.path().string());
  }
  for (const char* dir : {"models/mlperf-tiny", "models/mcunet"}) {
    for (const auto& e : std::filesystem::directory_iterator(SharedPath(dir))) {
      if (e.path().extension() == ".tflite") paths.push_back(e.path().string());
    }
  }
  return paths;
}

std::int64_t SumInt(const json& layers, const char* key) {
  std::int64_t s = 0;
  for (const json& l : layers) s += l.at(key).get<std::int64_t>();
  return s;
}

double SumDouble(const json& layers, const char* key) {
  double s = 0;
  for (const json& l : layers) s += l.at(key).get<double>();
  return s;
}

TEST(CliModels, EveryModelThroughEveryCommand) {
  const std::vector<std::string> models = AllModels();
  ASSERT_GE(models.size(), 34u + 6u);  // docs/models.md: the bundled networks; shared .tflite
  for (const std::string& m : models) {
    SCOPED_TRACE(m);
    const json metrics = RunJson({"metrics", m, "--format", "json"});
    const json& layers = metrics.at("layers");
    const json& totals = metrics.at("totals");
    EXPECT_EQ(totals.at("layers").get<std::size_t>(), layers.size());
    EXPECT_EQ(totals.at("macs").get<std::int64_t>(), SumInt(layers, "macs"));
    EXPECT_EQ(totals.at("ops").get<std::int64_t>(), 2 * totals.at("macs").get<std::int64_t>() +
                                                        totals.at("other_ops").get<std::int64_t>());

    const json memory = RunJson({"memory", m, "--format", "json"});
    EXPECT_EQ(memory.at("total_footprint_bytes").get<std::int64_t>(),
              memory.at("weight_bytes").get<std::int64_t>() +
                  memory.at("peak_activation_bytes").get<std::int64_t>());
    // Both count every constant once (docs/metrics.md, docs/memory.md).
    EXPECT_EQ(memory.at("weight_bytes"), totals.at("weight_bytes"));

    for (const char* profile : {"cortex-m7-f746", "cortex-m4-l4r5", "stm32h747-m7-cubeai"}) {
      SCOPED_TRACE(profile);
      const json est = RunJson({"estimate", m, "--profile", profile, "--format", "json"});
      const json& t = est.at("totals");
      EXPECT_EQ(t.at("macs"), totals.at("macs"));
      EXPECT_EQ(t.at("ops"), totals.at("ops"));
      ExpectClose(t.at("cycles").get<double>(), SumDouble(est.at("layers"), "cycles"), "cycles",
                  1e-9);
      ExpectClose(t.at("latency_s").get<double>(),
                  t.at("cycles").get<double>() / est.at("profile").at("clock_hz").get<double>(),
                  "latency", 1e-9);
      EXPECT_GT(t.at("cycles").get<double>(), 0.0);
    }
  }
}

}  // namespace
}  // namespace opcost::clitest
