// Peaks of the real .tflite files in ../shared/models (through the TFLite importer).
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <string>

#include "opcost/memory.h"
#include "opcost/tflite_import.h"

namespace opcost {
namespace {

std::int64_t Peak(const std::string& relative) {
  return AnalyzeMemory(ImportTflite(std::string(OPCOST_SHARED_DIR) + "/models/" + relative))
      .peak_activation_bytes;
}

// model_architectures.md section 3: "live act. bytes" totals derived from the reference files.
TEST(TfliteMemory, MlperfReferenceModelsMatchDerivedPeaks) {
  EXPECT_EQ(Peak("mlperf-tiny/kws_ref_model.tflite"), 16000);
  EXPECT_EQ(Peak("mlperf-tiny/pretrainedResnet_quant.tflite"), 49152);
}

// tinyengine_mcunet_measured.csv, mcunet-vww1 on STM32F746G-DISCO, peak_sram_kB: TF-Lite Micro
// 220 and 227, CMSIS-NN 248, X-CUBE-AI 123, TinyEngine 88. The measured figures include runtime
// state, scratch and (TFLM) arena overheads, or (TinyEngine, X-CUBE-AI) in-place and fused
// kernels, so opcost's tensor-only peak must fall between the in-place runtimes and TFLM.
TEST(TfliteMemory, McunetVww1PeakLiesBetweenMeasuredRuntimes) {
  std::ifstream in(std::string(OPCOST_SHARED_DIR) + "/measured/tinyengine_mcunet_measured.csv");
  ASSERT_TRUE(in);
  std::string line;
  double tflm_min_kb = 1e9, xcube_kb = -1;
  const std::regex row(",mcunet-vww1,([^,]+),peak_sram_kB,([0-9.]+),kB");
  while (std::getline(in, line)) {
    std::smatch m;
    if (line.rfind("STM32F746G-DISCO,", 0) != 0 || !std::regex_search(line, m, row)) continue;
    const double kb = std::stod(m[2]);
    if (m[1].str().rfind("TF-Lite Micro", 0) == 0) tflm_min_kb = std::min(tflm_min_kb, kb);
    if (m[1].str().rfind("X-CUBE-AI", 0) == 0) xcube_kb = kb;
  }
  ASSERT_EQ(tflm_min_kb, 220);
  ASSERT_EQ(xcube_kb, 123);
  const std::int64_t peak = Peak("mcunet/mcunet-vww1.tflite");
  EXPECT_EQ(peak, 161472);
  EXPECT_GT(static_cast<double>(peak), xcube_kb * 1024);     // above even with kB = 1024 B
  EXPECT_LT(static_cast<double>(peak), tflm_min_kb * 1000);  // below even with kB = 1000 B
}

}  // namespace
}  // namespace opcost
