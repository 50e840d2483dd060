// The budget every importer charges what a model file expands into, and its one error template:
// "<file>: [<where>: ]<what grew> past the decode budget of <total> <rule>: a corrupted or
// hostile file".
#include "io/decode_budget.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "opcost/error.h"

namespace opcost::detail {
namespace {

// The message of the error `charge` throws, or "" if it throws none.
template <typename Charge>
std::string ErrorOf(Charge charge) {
  try {
    charge();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kBadModel);
    return e.what();
  }
  return "";
}

TEST(DecodeBudget, ChargesUpToTheTotalExactly) {
  DecodeBudget budget("m.bin", "the decoded model grew", 100, "bytes (test rule)");
  budget.Charge(60);
  budget.Charge(0);
  budget.Charge(40);
  EXPECT_EQ(budget.left(), 0u);
  EXPECT_NE(ErrorOf([&] { budget.Charge(1); }), "");
}

TEST(DecodeBudget, ErrorNamesTheFileWhatGrewTheTotalAndTheRule) {
  DecodeBudget budget("m.tflite", "shared tables expanded", 1000,
                      "elements (16 per file byte, at least 2^20)");
  budget.Charge(999);
  EXPECT_EQ(ErrorOf([&] { budget.Charge(2); }),
            "m.tflite: shared tables expanded past the decode budget of 1000 elements (16 per "
            "file byte, at least 2^20): a corrupted or hostile file");
  // A refused charge takes nothing: what was left is still there.
  EXPECT_EQ(budget.left(), 1u);
}

TEST(DecodeBudget, ErrorNamesWhereWhenGiven) {
  DecodeBudget budget("m.onnx", "constant data copied into the graph grew", 8, "bytes (rule)");
  EXPECT_EQ(ErrorOf([&] { budget.Charge(9, "node 'c' (#3, Conv)"); }),
            "m.onnx: node 'c' (#3, Conv): constant data copied into the graph grew past the "
            "decode budget of 8 bytes (rule): a corrupted or hostile file");
}

TEST(DecodeBudget, HugeChargesDoNotWrapAround) {
  DecodeBudget budget("m.onnx", "the decoded model grew", std::uint64_t{1} << 40, "bytes");
  EXPECT_NE(ErrorOf([&] { budget.Charge(~std::uint64_t{0}); }), "");
}

}  // namespace
}  // namespace opcost::detail
