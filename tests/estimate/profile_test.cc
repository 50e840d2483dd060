#include <cmath>
#include <filesystem>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "opcost/error.h"
#include "opcost/profile.h"

namespace opcost {
namespace {

using ::testing::HasSubstr;

std::string DataPath(const std::string& name) {
  return std::string(OPCOST_SOURCE_DIR) + "/tests/data/profiles/" + name;
}

// Expects LoadProfile(file) to throw `code` with every substring in `parts`.
void ExpectRejected(const std::string& file, ErrorCode code,
                    std::initializer_list<const char*> parts) {
  try {
    LoadProfile(DataPath(file));
    FAIL() << file << " was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    EXPECT_THAT(e.what(), HasSubstr(file));
    for (const char* p : parts) EXPECT_THAT(e.what(), HasSubstr(p));
  }
}

TEST(ThroughputCurve, InterpolatesLinearlyInLogMacsPerOutput) {
  ThroughputCurve c({{10, 0.1}, {1000, 0.3}});
  bool ex = false;
  // At the geometric midpoint (100) the value is the arithmetic midpoint.
  EXPECT_DOUBLE_EQ(c.Evaluate(100, &ex), 0.2);
  // x = 10^1.5 is a quarter of the way in log space.
  EXPECT_NEAR(c.Evaluate(std::pow(10.0, 1.5), &ex), 0.15, 1e-12);
  EXPECT_DOUBLE_EQ(c.Evaluate(10, &ex), 0.1);
  EXPECT_DOUBLE_EQ(c.Evaluate(1000, &ex), 0.3);
  EXPECT_FALSE(ex);
}

TEST(ThroughputCurve, UsesTheRightSegmentOfThree) {
  ThroughputCurve c({{1, 1.0}, {10, 2.0}, {100, 0.5}});
  bool ex = false;
  EXPECT_NEAR(c.Evaluate(std::sqrt(10.0), &ex), 1.5, 1e-12);
  EXPECT_NEAR(c.Evaluate(std::sqrt(1000.0), &ex), 1.25, 1e-12);
  EXPECT_FALSE(ex);
}

TEST(ThroughputCurve, ClampsAndFlagsOutsideRange) {
  ThroughputCurve c({{10, 0.1}, {1000, 0.3}});
  bool low = false, high = false, nan = false, zero = false;
  EXPECT_DOUBLE_EQ(c.Evaluate(2, &low), 0.1);
  EXPECT_TRUE(low);
  EXPECT_DOUBLE_EQ(c.Evaluate(5000, &high), 0.3);
  EXPECT_TRUE(high);
  EXPECT_DOUBLE_EQ(c.Evaluate(std::nan(""), &nan), 0.1);
  EXPECT_TRUE(nan);
  EXPECT_DOUBLE_EQ(c.Evaluate(0.0, &zero), 0.1);
  EXPECT_TRUE(zero);
}

TEST(ThroughputCurve, SinglePointIsConstant) {
  ThroughputCurve c({{9, 0.08}});
  bool ex = false;
  EXPECT_DOUBLE_EQ(c.Evaluate(9, &ex), 0.08);
  EXPECT_FALSE(ex);
  EXPECT_DOUBLE_EQ(c.Evaluate(100, &ex), 0.08);
  EXPECT_TRUE(ex);
}

TEST(ThroughputCurve, RejectsBadPoints) {
  using P = ThroughputCurve::Point;
  EXPECT_THROW(ThroughputCurve(std::vector<P>{}), Error);
  EXPECT_THROW(ThroughputCurve({{10, 0.1}, {10, 0.2}}), Error);
  EXPECT_THROW(ThroughputCurve({{10, 0.1}, {5, 0.2}}), Error);
  EXPECT_THROW(ThroughputCurve({{10, -0.1}}), Error);
  EXPECT_THROW(ThroughputCurve({{std::nan(""), 0.1}}), Error);
}

TEST(Profile, LoadsTheDocumentedExample) {
  const HardwareProfile p = LoadProfile(DataPath("valid_example.json"));
  EXPECT_EQ(p.name, "example");
  EXPECT_EQ(p.clock_hz, 1e8);
  EXPECT_EQ(p.sram_bytes, 327680);
  EXPECT_TRUE(p.category(OpCategory::kConv).characterized);
  EXPECT_FALSE(p.category(OpCategory::kOther).characterized);
  EXPECT_EQ(p.category(OpCategory::kConv).curve.points().size(), 2u);
  EXPECT_DOUBLE_EQ(p.category(OpCategory::kPooling).cycles_per_element, 2.0);
  EXPECT_DOUBLE_EQ(p.category(OpCategory::kPooling).power_mw, 250.0);
  EXPECT_DOUBLE_EQ(p.naive_ops_per_cycle, 0.5);
  ASSERT_EQ(p.variants.size(), 1u);
  EXPECT_EQ(p.variants[0].condition, VariantCondition::kInputChannelsNotMultipleOf);
  ASSERT_EQ(p.scratch.size(), 1u);
  EXPECT_EQ(p.scratch[0].bytes_per_unit, 4);
}

TEST(Profile, SaveRoundTrips) {
  const HardwareProfile p = LoadProfile(DataPath("valid_example.json"));
  const std::string text = SaveProfileToString(p);
  const HardwareProfile q = ParseProfile(text, "roundtrip");
  EXPECT_EQ(SaveProfileToString(q), text);
  EXPECT_EQ(q.category(OpCategory::kConv).curve.points()[1].macs_per_cycle, 0.3);
}

TEST(Profile, EveryShippedProfileParses) {
  int count = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(OPCOST_SOURCE_DIR) + "/profiles")) {
    if (entry.path().extension() != ".json") continue;
    SCOPED_TRACE(entry.path().string());
    const HardwareProfile p = LoadProfile(entry.path().string());
    EXPECT_EQ(p.name, entry.path().stem().string()) << "the CLI finds profiles by file stem";
    ++count;
  }
  EXPECT_GE(count, 1);
}

// A validation record says how many of its rows the profile was calibrated or fitted on: the
// F746 profile's one absolute row is mcunet-vww1, its calibration network
// (profiles/characterize/calibration.csv). Files without the field (older ones) read 0.
TEST(Profile, ValidationRecordsCountTheirInSampleRows) {
  const HardwareProfile p =
      LoadProfile(std::string(OPCOST_SOURCE_DIR) + "/profiles/cortex-m7-f746.json");
  const ValidationRecord* absolute = nullptr;
  for (const ValidationRecord& v : p.validation) {
    if (v.kind == "absolute") absolute = &v;
    if (v.kind == "leave_one_out") {
      EXPECT_EQ(v.in_sample_rows, 0);
    }
  }
  ASSERT_NE(absolute, nullptr);
  EXPECT_EQ(absolute->rows, 1);
  EXPECT_EQ(absolute->in_sample_rows, 1);
  const std::string text = SaveProfileToString(p);
  EXPECT_EQ(SaveProfileToString(ParseProfile(text, "roundtrip")), text);

  std::string older = text;
  const std::string field = "\"in_sample_rows\": 1,";
  const auto pos = older.find(field);
  ASSERT_NE(pos, std::string::npos);
  older.erase(pos, field.size());
  for (const ValidationRecord& v : ParseProfile(older, "older.json").validation) {
    EXPECT_EQ(v.in_sample_rows, 0);
  }
  std::string bad = text;
  bad.replace(bad.find(field), field.size(), "\"in_sample_rows\": 2,");
  try {
    ParseProfile(bad, "bad.json");
    FAIL() << "more in-sample rows than rows accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kBadProfile);
    EXPECT_THAT(e.what(), HasSubstr("bad.json: /validation/1/in_sample_rows"));
  }
}

TEST(Profile, RejectsMissingCategory) {
  ExpectRejected("missing_category.json", ErrorCode::kBadProfile,
                 {"/categories", "missing category \"pooling\""});
}
TEST(Profile, RejectsNegativeThroughput) {
  ExpectRejected("negative_throughput.json", ErrorCode::kBadProfile,
                 {"/categories/conv/throughput/points/1/1", "must be > 0", "-0.3"});
}
TEST(Profile, RejectsUnsortedPoints) {
  ExpectRejected("unsorted_points.json", ErrorCode::kBadProfile,
                 {"/categories/conv/throughput/points/1/0", "sorted"});
}
TEST(Profile, RejectsDuplicatePoints) {
  ExpectRejected("duplicate_points.json", ErrorCode::kBadProfile,
                 {"/categories/conv/throughput/points/1/0", "duplicate"});
}
TEST(Profile, RejectsUnknownKey) {
  ExpectRejected("unknown_key.json", ErrorCode::kBadProfile,
                 {"/categories/conv", "unknown field \"overhead_cyles\""});
}
TEST(Profile, RejectsUnknownSource) {
  ExpectRejected("unknown_source.json", ErrorCode::kBadProfile,
                 {"/categories/elementwise/power_mw/source", "unknown provenance id \"nowhere\""});
}
TEST(Profile, RejectsZeroPower) {
  ExpectRejected("zero_power.json", ErrorCode::kBadProfile,
                 {"/categories/pooling/power_mw/value", "must be > 0"});
}
TEST(Profile, RejectsUnknownVersion) {
  ExpectRejected("wrong_version.json", ErrorCode::kBadProfile,
                 {"/format_version", "unsupported version 3"});
}
TEST(Profile, RejectsTruncatedFile) {
  ExpectRejected("truncated.json", ErrorCode::kBadProfile, {"malformed JSON"});
}
TEST(Profile, RejectsNaNLiteral) {
  ExpectRejected("nan_value.json", ErrorCode::kBadProfile, {"malformed JSON"});
}
TEST(Profile, RejectsInfiniteNumber) {
  try {
    LoadProfile(DataPath("infinite_value.json"));
    FAIL() << "accepted";
  } catch (const Error& e) {
    // nlohmann either refuses the literal or parses it as inf; both must be rejected.
    EXPECT_EQ(e.code(), ErrorCode::kBadProfile);
    EXPECT_THAT(e.what(), HasSubstr("infinite_value.json"));
  }
}
TEST(Profile, RejectsMissingFile) {
  try {
    LoadProfile(DataPath("no_such_profile.json"));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kIo);
    EXPECT_THAT(e.what(), HasSubstr("no_such_profile.json"));
  }
}

// Small in-code mutations of the valid example for the remaining rules.
class ProfileMutation : public ::testing::Test {
 protected:
  std::string Valid() {
    return SaveProfileToString(LoadProfile(DataPath("valid_example.json")));
  }
  void ExpectBad(const std::string& from, const std::string& to, const char* part) {
    std::string text = Valid();
    const auto pos = text.find(from);
    ASSERT_NE(pos, std::string::npos) << from;
    text.replace(pos, from.size(), to);
    try {
      ParseProfile(text, "mutated.json");
      FAIL() << "accepted: " << to;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kBadProfile) << e.what();
      EXPECT_THAT(e.what(), HasSubstr("mutated.json"));
      EXPECT_THAT(e.what(), HasSubstr(part));
    }
  }
};

TEST_F(ProfileMutation, RejectsEachRule) {
  ExpectBad("\"format\": \"opcost-profile\"", "\"format\": \"other\"", "/format");
  ExpectBad("\"clock_hz\": 100000000.0", "\"clock_hz\": 0", "/hardware/clock_hz");
  ExpectBad("\"sram_bytes\": 327680", "\"sram_bytes\": 1.5", "/hardware/sram_bytes");
  ExpectBad("\"ops_per_cycle\": 0.5", "\"ops_per_cycle\": \"fast\"", "/naive_model/ops_per_cycle");
  ExpectBad("\"condition\": \"input_channels_not_multiple_of\"", "\"condition\": \"odd\"",
            "/variants/0/condition");
  ExpectBad("\"factor\": 1.5", "\"factor\": -1", "/variants/0/factor");
  ExpectBad("\"term\": \"kernel_area_x_input_channels\"", "\"term\": \"x\"", "/scratch/0/term");
  ExpectBad("\"bytes_per_unit\": 4", "\"bytes_per_unit\": -4", "/scratch/0/bytes_per_unit");
  ExpectBad("\"kind\": \"estimate\"", "\"kind\": \"guess\"", "/sources/hand/kind");
  ExpectBad("\"cycles_per_element\"", "\"throughput\"", "/categories/pooling");
  ExpectBad("\"name\": \"example\"", "\"name\": \"example\", \"extra\": 1", "unknown field \"extra\"");
  ExpectBad("\"points\": [", "\"points\": [[5], ", "/categories/conv/throughput/points/0");
}

TEST(Profile, ScratchBytesFollowsTheRule) {
  const HardwareProfile p = LoadProfile(DataPath("valid_example.json"));
  // 4 bytes x 5 x 5 x 32 = 3200, the legacy CMSIS-NN CIFAR-10 example's col_buffer
  // (shared/measured/cmsisnn_cifar10.csv: "col_buffer q7[2*5*5*32*2]", conv2 has C_in 32).
  EXPECT_EQ(ScratchBytes(p, LayerDesc::Conv2D({1, 16, 16, 32}, 16, 5, 5)), 3200);
  // No rule for fully connected in this profile.
  EXPECT_EQ(ScratchBytes(p, LayerDesc::FullyConnected(1, 512, 10)), 0);
}

TEST(Profile, F746ScratchMatchesCmsisNnCifar10Buffer) {
  const HardwareProfile p = LoadProfile(std::string(OPCOST_SOURCE_DIR) +
                                        "/profiles/cortex-m7-f746.json");
  // Largest im2col among the M4 CIFAR-10 example's convs (5x5: C_in 3, 32, 16) = 3200 bytes.
  std::int64_t peak = 0;
  for (std::int64_t cin : {3, 32, 16}) {
    peak = std::max(peak, ScratchBytes(p, LayerDesc::Conv2D({1, 8, 8, cin}, 16, 5, 5)));
  }
  EXPECT_EQ(peak, 3200);
  EXPECT_EQ(ScratchBytes(p, LayerDesc::DepthwiseConv2D({1, 8, 8, 16}, 3, 3)), 2 * 9 * 16);
  EXPECT_EQ(ScratchBytes(p, LayerDesc::Conv2D({1, 8, 8, 16}, 16, 1, 1)), 0);
}

}  // namespace
}  // namespace opcost
