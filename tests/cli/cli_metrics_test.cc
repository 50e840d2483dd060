// `opcost metrics` and `opcost import` through the executable: the MLPerf Tiny KWS DS-CNN totals
// in every output form, from the JSON model and from the reference .tflite, and the import round
// trip.
//
// Expected numbers: the hand count in cli_test_util.h.
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

void ExpectKwsTotals(const json& totals) {
  EXPECT_EQ(totals.at("macs").get<std::int64_t>(), kKwsMacs);
  EXPECT_EQ(totals.at("params").get<std::int64_t>(), kKwsParams);
  EXPECT_EQ(totals.at("weight_bytes").get<std::int64_t>(), kKwsWeightBytes);
  EXPECT_EQ(totals.at("other_ops").get<std::int64_t>(), kKwsOtherOps);
  EXPECT_EQ(totals.at("ops").get<std::int64_t>(), kKwsOps);
  EXPECT_EQ(totals.at("output_elements").get<std::int64_t>(), kKwsOutputElements);
  EXPECT_NEAR(totals.at("macs_per_output").get<double>(), 2656768.0 / 72012.0, 1e-9);
}

TEST(CliMetrics, JsonOfTheKwsModel) {
  const json j = RunJson({"metrics", KwsJson(), "--format", "json"});
  EXPECT_EQ(j.at("model"), "mlperf_kws_ds_cnn");
  const json& layers = j.at("layers");
  ASSERT_EQ(layers.size(), 13u);
  for (std::size_t i = 0; i < layers.size(); ++i) {
    ASSERT_TRUE(layers[i].is_object());
    EXPECT_EQ(layers[i].at("index").get<std::size_t>(), i);
  }
  // Per-layer rows of the model_architectures.md table: conv1, dw1, pw1, avg pool, fc.
  EXPECT_EQ(layers[0].at("name"), "conv1");
  EXPECT_EQ(layers[0].at("macs").get<std::int64_t>(), 320000);
  EXPECT_EQ(layers[0].at("output_shape"), json::parse("[1, 25, 5, 64]"));
  EXPECT_EQ(layers[0].at("macs_per_output").get<double>(), 40.0);  // 10 x 4 x 1
  EXPECT_EQ(layers[1].at("macs").get<std::int64_t>(), 72000);
  EXPECT_EQ(layers[1].at("category"), "depthwise_conv");
  EXPECT_EQ(layers[2].at("macs").get<std::int64_t>(), 512000);
  EXPECT_EQ(layers[2].at("category"), "conv_1x1");
  EXPECT_EQ(layers[2].at("params").get<std::int64_t>(), 4160);
  EXPECT_EQ(layers[9].at("op"), "avg_pool");
  EXPECT_EQ(layers[9].at("additions").get<std::int64_t>(), 64 * 124);
  EXPECT_EQ(layers[11].at("macs").get<std::int64_t>(), 768);
  EXPECT_EQ(layers[11].at("params").get<std::int64_t>(), 780);

  const json& totals = j.at("totals");
  EXPECT_EQ(totals.at("layers").get<int>(), 13);
  ExpectKwsTotals(totals);
  // Totals are the sums of the layers (no shared constants in this model).
  for (const char* key : {"macs", "params", "ops", "weight_bytes", "other_ops"}) {
    std::int64_t sum = 0;
    for (const json& l : layers) sum += l.at(key).get<std::int64_t>();
    EXPECT_EQ(sum, totals.at(key).get<std::int64_t>()) << key;
  }
  const json& c = j.at("convention");
  EXPECT_EQ(c.at("ops"), "2 * macs + other_ops");
  for (const char* key : {"mac", "other_ops", "bias", "padding", "batch", "params"}) {
    EXPECT_TRUE(c.contains(key)) << key;
  }
}

// One row type per CSV file (pandas reads typed columns): the layers, or with --totals the totals.
TEST(CliMetrics, CsvHasLayerRowsAndTotalsHaveTheirOwnFile) {
  const ProcessResult totals = RunOpcost({"metrics", KwsJson(), "--format", "csv", "--totals"});
  ASSERT_EQ(totals.exit_code, 0) << totals.err;
  const std::vector<std::string> total_lines = Lines(totals.out);
  ASSERT_EQ(total_lines.size(), 2u);  // header, totals
  const std::vector<std::string> header = SplitCsv(total_lines.front());
  const std::vector<std::string> total = SplitCsv(total_lines.back());
  ASSERT_EQ(header.size(), total.size());
  auto column = [&](const std::string& name) -> std::string {
    for (std::size_t i = 0; i < header.size(); ++i) {
      if (header[i] == name) return total[i];
    }
    ADD_FAILURE() << "no column " << name << " in " << total_lines.front();
    return "";
  };
  EXPECT_EQ(header[0], "model");
  EXPECT_EQ(column("layers"), "13");
  EXPECT_EQ(column("macs"), std::to_string(kKwsMacs));
  EXPECT_EQ(column("params"), std::to_string(kKwsParams));
  EXPECT_EQ(column("ops"), std::to_string(kKwsOps));
  EXPECT_EQ(column("other_ops"), std::to_string(kKwsOtherOps));
  EXPECT_EQ(column("weight_bytes"), std::to_string(kKwsWeightBytes));
  EXPECT_EQ(column("output_elements"), std::to_string(kKwsOutputElements));
  EXPECT_EQ(column("macs_per_output"), "36.89340665");  // 10 significant digits

  const ProcessResult r = RunOpcost({"metrics", KwsJson(), "--format", "csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 1u + 13u);  // header, 13 layers, no totals row
  EXPECT_EQ(SplitCsv(lines.front())[0], "index");
  EXPECT_EQ(SplitCsv(lines.back())[0], "12");
  EXPECT_EQ(RunOpcost({"metrics", KwsJson(), "--totals"}).exit_code, 2);  // csv only
  // The first layer row.
  EXPECT_THAT(lines[1], testing::StartsWith("0,conv1,conv2d,conv,320000,8000,40,"));
}

TEST(CliMetrics, TableHasTheTotals) {
  const ProcessResult r = RunOpcost({"metrics", KwsJson()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("model: mlperf_kws_ds_cnn (13 layers)"));
  // The total row: label, MACs, MACs/out (4 digits), other ops, params, weight bytes.
  EXPECT_THAT(r.out, testing::ContainsRegex("\n +total +2656768 +36\\.89 +152070 +22604 +24368\n"));
  EXPECT_THAT(r.out, HasSubstr("ops = 2 x MACs + other ops = 5465606\n"));
}

TEST(CliMetrics, TfliteInputGivesTheSameTotals) {
  // The reference .tflite has the same 13 ops (model_architectures.md, "KWS DS-CNN (from the
  // reference .tflite)"); its MAC total is the table's total. That table's "const bytes" total
  // (24,376) also has the RESHAPE's int32[2] shape tensor (8 B), which the importer keeps as the
  // reshape's attribute, not a weight: 24,376 - 8 = 24,368 weight bytes.
  const json from_json = RunJson({"metrics", KwsJson(), "--format", "json"});
  const json from_tflite = RunJson({"metrics", KwsTflite(), "--format", "json"});
  ASSERT_EQ(from_tflite.at("layers").size(), 13u);
  ExpectKwsTotals(from_tflite.at("totals"));
  for (const char* key : {"macs", "params", "ops", "weight_bytes", "output_elements"}) {
    EXPECT_EQ(from_tflite.at("totals").at(key), from_json.at("totals").at(key)) << key;
  }
  for (std::size_t i = 0; i < 13; ++i) {
    EXPECT_EQ(from_tflite.at("layers")[i].at("macs"), from_json.at("layers")[i].at("macs")) << i;
    EXPECT_EQ(from_tflite.at("layers")[i].at("category"), from_json.at("layers")[i].at("category"))
        << i;
  }
}

TEST(CliImport, RoundTripKeepsTheTotals) {
  TempDir dir;
  const std::string out = dir.path() + "/kws.json";
  const ProcessResult r = RunOpcost({"import", KwsTflite(), "-o", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("MACs: 2656768\nparams: 22604\n"));
  const json from_tflite = RunJson({"metrics", KwsTflite(), "--format", "json"});
  const json round_trip = RunJson({"metrics", out, "--format", "json"});
  EXPECT_EQ(round_trip.at("totals"), from_tflite.at("totals"));
  EXPECT_EQ(round_trip.at("layers"), from_tflite.at("layers"));
  ExpectKwsTotals(round_trip.at("totals"));
}

TEST(CliImport, JsonAndCsvSummaries) {
  TempDir dir;
  const std::string out = dir.path() + "/kws.json";
  const json j = RunJson({"import", KwsTflite(), "-o", out, "--format", "json"});
  EXPECT_EQ(j.at("source"), KwsTflite());
  EXPECT_EQ(j.at("output"), out);
  EXPECT_EQ(j.at("layers").get<int>(), 13);
  EXPECT_EQ(j.at("macs").get<std::int64_t>(), kKwsMacs);
  EXPECT_EQ(j.at("params").get<std::int64_t>(), kKwsParams);
  EXPECT_EQ(j.at("weight_bytes").get<std::int64_t>(), kKwsWeightBytes);
  EXPECT_EQ(j.at("unsupported"), json::array());

  const ProcessResult csv = RunOpcost({"import", KwsTflite(), "-o", out, "--format", "csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  const std::vector<std::string> lines = Lines(csv.out);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "model,source,output,layers,tensors,macs,params,weight_bytes,unsupported");
  const std::vector<std::string> row = SplitCsv(lines[1]);
  ASSERT_EQ(row.size(), 9u);
  EXPECT_EQ(row[3], "13");
  EXPECT_EQ(row[5], "2656768");
  EXPECT_EQ(row[6], "22604");
  EXPECT_EQ(row[8], "0");
}

TEST(CliImport, WithoutOutputTheModelGoesToStdout) {
  const ProcessResult r = RunOpcost({"import", KwsTflite()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json model = json::parse(r.out);
  EXPECT_EQ(model.at("format"), "opcost-model");
  EXPECT_EQ(model.at("layers").size(), 13u);
}

}  // namespace
}  // namespace opcost::clitest
