// The strict JSON reading every input goes through: nesting bound and duplicate keys (issue 11).
#include "io/json_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "io/file_io.h"
#include "opcost/error.h"

namespace opcost::detail {
namespace {

using ::testing::HasSubstr;

std::string ErrorOf(const std::string& text) {
  try {
    ParseJsonText(text, "t.json", ErrorCode::kBadModel);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kBadModel);
    return e.what();
  }
  return "";
}

TEST(StrictJson, DuplicateKeysAreNamedWithTheirPath) {
  EXPECT_THAT(ErrorOf(R"({"a": 1, "a": 2})"), HasSubstr("t.json: /: duplicate key \"a\""));
  EXPECT_THAT(ErrorOf(R"({"l": [{"x": 1}, {"y": [1, {"k": 0, "k": 1}]}]})"),
              HasSubstr("t.json: /l/1/y/1: duplicate key \"k\""));
  // Escaped quotes are part of the key; equal keys in different objects are fine.
  EXPECT_THAT(ErrorOf(R"({"a\"b": 1, "a\"b": 2})"), HasSubstr("duplicate key \"a\\\"b\""));
  EXPECT_EQ(ErrorOf(R"({"a": {"k": 1}, "b": {"k": 1}, "c": ["k", "k"]})"), "");
  // Many keys (the hash set takes over after 16): still found.
  std::string many = "{";
  for (int i = 0; i < 100; ++i) many += "\"k" + std::to_string(i) + "\": 0, ";
  EXPECT_EQ(ErrorOf(many + "\"end\": 0}"), "");
  EXPECT_THAT(ErrorOf(many + "\"k57\": 0}"), HasSubstr("/: duplicate key \"k57\""));
}

TEST(StrictJson, NestingIsBoundedAndStringsDoNotCount) {
  std::string deep(64, '[');
  deep += std::string(64, ']');
  EXPECT_EQ(ErrorOf(deep), "");
  EXPECT_THAT(ErrorOf("[" + deep + "]"), HasSubstr("t.json: /0/0"));
  EXPECT_THAT(ErrorOf("[" + deep + "]"), HasSubstr("nesting deeper than 64 levels"));
  // Brackets inside strings are text.
  EXPECT_EQ(ErrorOf("{\"s\": \"" + std::string(1000, '[') + "\"}"), "");
}

TEST(StrictJson, MalformedTextReportsTheParserError) {
  // A duplicate key in text that is malformed anyway: the parse error is the one reported.
  EXPECT_THAT(ErrorOf(R"({"a": 1, "a": )"), HasSubstr("malformed JSON"));
  EXPECT_THAT(ErrorOf(R"({"a": "unterminated)"), HasSubstr("malformed JSON"));
}

TEST(StrictJson, ValuesInMessagesAreCut) {
  // A profile entry holding 100,000 numbers must not become a 600 KB error line.
  const Json big = Json(std::vector<int>(100000, 7));
  EXPECT_EQ(Excerpt(big).size(), 64u);
  EXPECT_EQ(Excerpt(big).substr(0, 8), "[7,7,7,7");
  EXPECT_EQ(Excerpt(Json(1.5)), "1.5");
}

TEST(StrictJson, ValuesAreBudgetedBeforeParsing) {
  // 1.1 M one-digit numbers: within the default budget (input budget / 16 = 64 Mi values), over
  // the smallest one (2^20 values, what a tiny OPCOST_MAX_INPUT_BYTES gives).
  std::string text = "[1";
  for (int i = 0; i < 1100000; ++i) text += ",1";
  text += "]";
  EXPECT_NO_THROW(ParseJsonText(text, "t.json", ErrorCode::kBadModel));
  setenv("OPCOST_MAX_INPUT_BYTES", "1000", 1);
  EXPECT_EQ(MaxJsonValues(), std::int64_t{1} << 20);
  EXPECT_THAT(ErrorOf(text), HasSubstr("t.json: /1048575: more than 1048576 JSON values"));
  unsetenv("OPCOST_MAX_INPUT_BYTES");
}

}  // namespace
}  // namespace opcost::detail
