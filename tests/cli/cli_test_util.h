// Helpers shared by the CLI test files: JSON runs, CSV splitting, tolerant comparison, the
// throughput-curve interpolation of docs/profile-format.md, and the inputs the tests share.
#ifndef OPCOST_TESTS_CLI_CLI_TEST_UTIL_H_
#define OPCOST_TESTS_CLI_CLI_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli/cli_process.h"

namespace opcost::clitest {

inline std::string KwsJson() { return SourcePath("models/mlperf_kws_ds_cnn.json"); }
inline std::string KwsTflite() { return SharedPath("models/mlperf-tiny/kws_ref_model.tflite"); }
inline std::string F746() { return SourcePath("profiles/cortex-m7-f746.json"); }
inline std::string Vectors() { return SharedPath("testvectors/cmsis-nn-s8"); }

// MLPerf Tiny KWS DS-CNN (models/mlperf_kws_ds_cnn.json, 13 ops), by hand from the layer table
// in ../shared/measured/model_architectures.md section 3 and the rules of docs/metrics.md:
//   MACs   = 320000 (conv1) + 4 x 72000 (dw) + 4 x 512000 (pw) + 768 (fc) = 2,656,768
//            (model_architectures.md: "2,656,768 MACs")
//   params = 2624 + 4 x 640 + 4 x 4160 + 780 = 22,604 (model_architectures.md: "22,604")
//   weight_bytes = int8 weights 2560 + 4 x 576 + 4 x 4096 + 768 = 22,016
//                + int32 bias 4 x (9 x 64 + 12) = 2,352                 -> 24,368
//   other ops = bias 9 x 8000 + 12 = 72,012; fused relu 9 x 8000 = 72,000 comparisons;
//               avg pool 25x5 over 64 channels: 64 x 124 additions + 64 divisions = 8,000;
//               softmax of 12: 11 + 23 + 12 + 12 = 58                    -> 152,070
//   ops = 2 x 2,656,768 + 152,070 = 5,465,606
//   output elements = 9 x 8000 + 64 (pool) + 64 (reshape) + 12 (fc) + 12 (softmax) = 72,152
//   network MACs/output = 2,656,768 / (9 x 8000 + 12) = 36.89340665 (only ops with MACs)
//   peak activations: two 25x5x64 int8 buffers = 16,000 B (model_architectures.md, consistency
//   checks: Hello Edge ds_cnn.h and the max "live act. bytes" of the KWS .tflite table)
constexpr std::int64_t kKwsMacs = 2656768;
constexpr std::int64_t kKwsParams = 22604;
constexpr std::int64_t kKwsWeightBytes = 24368;
constexpr std::int64_t kKwsOtherOps = 152070;
constexpr std::int64_t kKwsOps = 5465606;
constexpr std::int64_t kKwsOutputElements = 72152;
constexpr std::int64_t kKwsPeakBytes = 2 * 25 * 5 * 64;  // 16,000

// Runs opcost, expects exit 0 and a silent stderr, and parses stdout.
inline nlohmann::json RunJson(const std::vector<std::string>& args) {
  const ProcessResult r = RunOpcost(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  return nlohmann::json::parse(r.out);
}

inline std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream s(text);
  std::string line;
  while (std::getline(s, line)) lines.push_back(line);
  return lines;
}

// Splits a CSV line without quoted fields.
inline std::vector<std::string> SplitCsv(const std::string& line) {
  std::vector<std::string> fields;
  std::stringstream s(line);
  std::string f;
  while (std::getline(s, f, ',')) fields.push_back(f);
  if (!line.empty() && line.back() == ',') fields.emplace_back();
  return fields;
}

// Relative comparison (nlohmann prints doubles with 17 significant digits).
inline void ExpectClose(double actual, double expected, const std::string& what,
                        double rel = 1e-12) {
  EXPECT_NEAR(actual, expected, std::abs(expected) * rel + 1e-300) << what;
}

// A double with every digit, for CSV input.
inline std::string Num17(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

// y(x) of a throughput curve (docs/profile-format.md): linear in log x between points, the end
// value outside them (then *extrapolated is set).
inline double Interpolate(const nlohmann::json& points, double x, bool* extrapolated) {
  const std::size_t n = points.size();
  const double x0 = points[0][0].get<double>();
  const double xn = points[n - 1][0].get<double>();
  *extrapolated = x < x0 || x > xn;
  if (x <= x0) return points[0][1].get<double>();
  if (x >= xn) return points[n - 1][1].get<double>();
  for (std::size_t i = 1; i < n; ++i) {
    const double xa = points[i - 1][0].get<double>();
    const double xb = points[i][0].get<double>();
    if (x <= xb) {
      const double ya = points[i - 1][1].get<double>();
      const double yb = points[i][1].get<double>();
      const double t = (std::log(x) - std::log(xa)) / (std::log(xb) - std::log(xa));
      return ya + t * (yb - ya);
    }
  }
  return points[n - 1][1].get<double>();
}

// A small profile with round numbers (the docs/profile-format.md example, every category
// characterized, no variants), 100 MHz.
constexpr char kSyntheticProfile[] = R"({
  "format": "opcost-profile", "format_version": 1, "name": "synthetic",
  "hardware": {"core": "cortex-m7", "clock_hz": 100000000, "flash_bytes": 1048576,
               "sram_bytes": 327680, "kernel_library": "CMSIS-NN", "source": "hand"},
  "sources": {"hand": {"kind": "estimate", "citation": "round numbers for the CLI tests"}},
  "naive_model": {"ops_per_cycle": 0.5, "source": "hand"},
  "idle_power_mw": {"value": 1.0, "source": "hand"},
  "categories": {
    "conv": {"throughput": {"points": [[10, 0.1], [1000, 0.3]], "source": "hand"},
             "overhead_cycles": {"value": 100, "source": "hand"},
             "power_mw": {"value": 300, "source": "hand"}},
    "conv_1x1": {"throughput": {"points": [[4, 0.2], [64, 0.4]], "source": "hand"},
                 "overhead_cycles": {"value": 50, "source": "hand"},
                 "power_mw": {"value": 280, "source": "hand"}},
    "depthwise_conv": {"throughput": {"points": [[9, 0.1], [49, 0.2]], "source": "hand"},
                       "overhead_cycles": {"value": 80, "source": "hand"},
                       "power_mw": {"value": 260, "source": "hand"}},
    "fully_connected": {"throughput": {"points": [[10, 0.25], [1000, 0.35]], "source": "hand"},
                        "overhead_cycles": {"value": 60, "source": "hand"},
                        "power_mw": {"value": 240, "source": "hand"}},
    "pooling": {"cycles_per_element": {"value": 2, "source": "hand"},
                "overhead_cycles": {"value": 100, "source": "hand"},
                "power_mw": {"value": 200, "source": "hand"}},
    "activation": {"cycles_per_element": {"value": 1, "source": "hand"},
                   "overhead_cycles": {"value": 0, "source": "hand"},
                   "power_mw": {"value": 200, "source": "hand"}},
    "elementwise": {"cycles_per_element": {"value": 3, "source": "hand"},
                    "overhead_cycles": {"value": 100, "source": "hand"},
                    "power_mw": {"value": 200, "source": "hand"}},
    "other": {"cycles_per_element": {"value": 1, "source": "hand"},
              "overhead_cycles": {"value": 10, "source": "hand"},
              "power_mw": {"value": 200, "source": "hand"}}
  }
})";

// One biased conv 3x3 on 8x8x8, 8 filters, SAME, no activation: 512 outputs x 72 MACs.
constexpr char kTinyModel[] = R"({
  "format": "opcost-model", "format_version": 1, "name": "tiny",
  "dtype": "int8",
  "inputs": [{"name": "x", "shape": [1, 8, 8, 8]}],
  "layers": [{"name": "c", "op": "conv2d", "filters": 8, "kernel": 3, "padding": "same"}]
})";

}  // namespace opcost::clitest

#endif  // OPCOST_TESTS_CLI_CLI_TEST_UTIL_H_
