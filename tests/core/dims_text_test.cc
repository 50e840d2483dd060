// The one dims printer behind Shape::ToString and the importers' messages.
#include "io/dims_text.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <vector>

#include "opcost/types.h"

namespace opcost::detail {
namespace {

TEST(DimsText, PrintsAnyRankWithoutSpaces) {
  EXPECT_EQ(DimsText(std::vector<std::int64_t>{}), "[]");
  EXPECT_EQ(DimsText(std::vector<std::int64_t>{7}), "[7]");
  EXPECT_EQ(DimsText(std::vector<std::int64_t>{1, 2, 3, 4, 5, 6}), "[1,2,3,4,5,6]");
  EXPECT_EQ(DimsText(std::vector<std::int64_t>{-1, std::numeric_limits<std::int64_t>::max()}),
            "[-1,9223372036854775807]");
}

TEST(DimsText, ShapeToStringPrintsOnlyItsRank) {
  Shape s;
  s.rank = 4;
  s.dims = {1, 49, 10, 1};
  EXPECT_EQ(s.ToString(), "[1,49,10,1]");
  s.rank = 0;
  EXPECT_EQ(s.ToString(), "[]");
}

}  // namespace
}  // namespace opcost::detail
