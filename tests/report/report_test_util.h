// Shared inputs of the report tests: the example profile with round numbers, the shared
// .tflite models, and small graphs whose report can be computed by hand.
#ifndef OPCOST_TESTS_REPORT_REPORT_TEST_UTIL_H_
#define OPCOST_TESTS_REPORT_REPORT_TEST_UTIL_H_

#include <string>
#include <vector>

#include "opcost/builder.h"
#include "opcost/graph.h"
#include "opcost/profile.h"

namespace opcost::reporttest {

inline HardwareProfile ExampleProfile() {
  return LoadProfile(std::string(OPCOST_SOURCE_DIR) + "/tests/data/profiles/valid_example.json");
}

inline HardwareProfile CortexM7Profile() {
  return LoadProfile(std::string(OPCOST_SOURCE_DIR) + "/profiles/cortex-m7-f746.json");
}

// Every .tflite under tests/data/shared/models, relative to it.
inline std::vector<std::string> SharedModels() {
  return {"mcunet/mcunet-vww1.tflite",           "mlperf-tiny/ad01_int8.tflite",
          "mlperf-tiny/kws_ref_model.tflite",    "mlperf-tiny/pretrainedResnet_quant.tflite",
          "mlperf-tiny/str_ww_ref_model.tflite", "mlperf-tiny/vww_96_int8.tflite"};
}

inline std::string SharedModelPath(const std::string& relative) {
  return std::string(OPCOST_SHARED_DIR) + "/models/" + relative;
}

// fully_connected 100 -> 10 (int8, bias), then relu: small enough to cost by hand against
// ExampleProfile(). `fc_name` lets a test give the layer a hostile name.
inline Graph FcReluGraph(const std::string& fc_name = "fc") {
  GraphBuilder b("fc_relu");
  const TensorId x = b.Input("x", {1, 100});
  const TensorId y = b.FullyConnected(fc_name, x, 10);
  b.Unary("relu", OpType::kRelu, y);
  return b.Build();
}

// One reshape: no MACs; zero time where 'other' ops are free.
inline Graph ReshapeOnlyGraph() {
  GraphBuilder b("reshape_only");
  const TensorId x = b.Input("x", {1, 4, 4, 2});
  b.Reshape("flat", x, {1, 32});
  return b.Build();
}

}  // namespace opcost::reporttest

#endif  // OPCOST_TESTS_REPORT_REPORT_TEST_UTIL_H_
