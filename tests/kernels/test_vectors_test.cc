// Every case of shared/testvectors/cmsis-nn-s8 reproduced byte for byte (69 files, including
// the whole DS-CNN S and L networks). A failure names the case and the first differing index.
#include "opcost/kernels/test_vectors.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "opcost/error.h"

namespace opcost::kernels {
namespace {

const std::string kVectorDir = std::string(OPCOST_SHARED_DIR) + "/testvectors/cmsis-nn-s8";

std::vector<std::string> VectorFiles() {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(kVectorDir)) {
    if (e.path().extension() == ".json") files.push_back(e.path().stem().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

class VectorFileTest : public ::testing::TestWithParam<std::string> {};

TEST_P(VectorFileTest, ReproducesReferenceByteForByte) {
  const VectorResult r = RunVectorFile(kVectorDir + "/" + GetParam() + ".json");
  EXPECT_EQ(r.name, GetParam());
  EXPECT_TRUE(r.passed) << "case '" << r.name << "' (" << r.kind << "): " << r.detail
                        << " (first differing index " << r.first_difference << ")";
  EXPECT_EQ(r.num_differences, 0);
  EXPECT_GT(r.num_elements, 0);
}

INSTANTIATE_TEST_SUITE_P(CmsisNnS8, VectorFileTest, ::testing::ValuesIn(VectorFiles()),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           return param_info.param;
                         });

TEST(TestVectors, DirectoryHoldsAll69CasesAndAllPass) {
  const auto results = RunVectorDirectory(kVectorDir);
  ASSERT_EQ(results.size(), 69u);
  int passed = 0;
  for (const auto& r : results) passed += r.passed ? 1 : 0;
  EXPECT_EQ(passed, 69);
}

TEST(TestVectors, DsCnnNetworksEndInTwelveClassScores) {
  for (const char* name : {"ds_cnn_s", "ds_cnn_l"}) {
    const VectorResult r = RunVectorFile(kVectorDir + "/" + name + ".json");
    EXPECT_EQ(r.kind, "model");
    EXPECT_EQ(r.output.size(), 12u) << name;
    EXPECT_TRUE(r.passed) << name << ": " << r.detail;
  }
}

}  // namespace
}  // namespace opcost::kernels
