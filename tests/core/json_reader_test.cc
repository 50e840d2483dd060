// The strict JSON reading every input goes through: nesting bound and duplicate keys (issue 11),
// and the one error template of JsonReader: "<file>: <JSON path>[ (<label>)]: <rule> (got
// <value>)".
#include "io/json_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <functional>
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

TEST(JoinPath, EscapesKeysAsRfc6901) {
  EXPECT_EQ(JoinPath("/sources", "rm0351"), "/sources/rm0351");
  EXPECT_EQ(JoinPath("/sources", "rm0351/table~3"), "/sources/rm0351~1table~03");
  EXPECT_EQ(JoinPath("", std::size_t{4}), "/4");
  // The strict parser's own paths use the same escaping.
  EXPECT_THAT(ErrorOf(R"({"a/b": {"k": 1, "k": 2}})"),
              HasSubstr("t.json: /a~1b: duplicate key \"k\""));
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

// The message JsonReader throws (as kBadProfile) when `read` runs, or "" if it does not throw.
std::string ReaderError(const std::function<void(JsonReader&)>& read) {
  JsonReader r("f.json", ErrorCode::kBadProfile);
  try {
    read(r);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kBadProfile);
    return e.what();
  }
  return "";
}

TEST(JsonReader, CheckObjectWantsAnObjectWithKnownKeys) {
  const Json ok = Json::parse(R"({"a": 1, "b": 2})");
  EXPECT_EQ(ReaderError([&](JsonReader& r) { r.CheckObject(ok, "/x", {"a", "b", "c"}); }), "");
  EXPECT_EQ(ReaderError([&](JsonReader& r) { r.CheckObject(ok, "/x", {"a"}); }),
            "f.json: /x: unknown field \"b\"");
  EXPECT_EQ(ReaderError([&](JsonReader& r) { r.CheckObject(Json::array(), "", {"a"}); }),
            "f.json: /: expected an object (got array)");
}

TEST(JsonReader, FindAndOptionalStringTakeAbsentMembers) {
  const Json j = Json::parse(R"({"s": "text", "n": 3})");
  JsonReader r("f.json", ErrorCode::kBadProfile);
  ASSERT_NE(r.Find(j, "n"), nullptr);
  EXPECT_EQ(*r.Find(j, "n"), 3);
  EXPECT_EQ(r.Find(j, "absent"), nullptr);
  EXPECT_EQ(r.OptionalString(j, "s", "/o"), "text");
  EXPECT_EQ(r.OptionalString(j, "absent", "/o"), "");
  EXPECT_EQ(ReaderError([&](JsonReader& q) { q.OptionalString(j, "n", "/o"); }),
            "f.json: /o/n: expected a string (got number)");
}

TEST(JsonReader, OneOfNamesTheAllowedStrings) {
  EXPECT_EQ(ReaderError([](JsonReader& r) { r.OneOf(Json("sram"), "/k", {"flash", "sram"}); }), "");
  EXPECT_EQ(ReaderError([](JsonReader& r) {
              r.OneOf(Json("disk"), "/k", {"flash", "sram"});
            }),
            "f.json: /k: must be one of flash, sram (got \"disk\")");
  EXPECT_EQ(ReaderError([](JsonReader& r) { r.OneOf(Json(1), "/k", {"flash"}); }),
            "f.json: /k: expected a string (got number)");
}

TEST(JsonReader, NumbersWithASign) {
  JsonReader r("f.json", ErrorCode::kBadProfile);
  EXPECT_EQ(r.PositiveNumber(Json(0.5), "/p"), 0.5);
  EXPECT_EQ(r.NonNegativeNumber(Json(0), "/p"), 0.0);
  EXPECT_EQ(ReaderError([](JsonReader& q) { q.PositiveNumber(Json(0), "/p"); }),
            "f.json: /p: must be > 0 (got 0)");
  EXPECT_EQ(ReaderError([](JsonReader& q) { q.PositiveNumber(Json(-0.3), "/p"); }),
            "f.json: /p: must be > 0 (got -0.3)");
  EXPECT_EQ(ReaderError([](JsonReader& q) { q.NonNegativeNumber(Json(-1), "/p"); }),
            "f.json: /p: must be >= 0 (got -1)");
  EXPECT_EQ(ReaderError([](JsonReader& q) { q.NonNegativeNumber(Json("1"), "/p"); }),
            "f.json: /p: expected a number (got string)");
}

TEST(JsonReader, InRangeIncludesItsBounds) {
  JsonReader r("f.json", ErrorCode::kBadProfile);
  EXPECT_EQ(r.InRange(1e3, "/c", 1e3, 1e11), 1e3);
  EXPECT_EQ(r.InRange(1e11, "/c", 1e3, 1e11), 1e11);
  EXPECT_EQ(ReaderError([](JsonReader& q) { q.InRange(4.9e-324, "/c", 1e3, 1e11); }),
            "f.json: /c: must be between 1000 and 1e+11 (got 4.94066e-324)");
  EXPECT_EQ(ReaderError([](JsonReader& q) { q.InRange(1e-7, "/c", 1e-6, 1e4); }),
            "f.json: /c: must be between 1e-06 and 10000 (got 1e-07)");
}

TEST(JsonReader, IntInRangeStatesOneRuleForEveryBadValue) {
  JsonReader r("f.json", ErrorCode::kBadProfile);
  EXPECT_EQ(r.IntInRange(Json(-128), "/i", -128, 127), -128);
  EXPECT_EQ(r.IntInRange(Json(127), "/i", -128, 127), 127);
  for (const char* bad : {"128", "1.5", "\"1\"", "18446744073709551615", "null"}) {
    const Json v = Json::parse(bad);
    EXPECT_EQ(ReaderError([&](JsonReader& q) { q.IntInRange(v, "/i", -128, 127); }),
              std::string("f.json: /i: must be an integer in [-128, 127] (got ") + bad + ")");
  }
  EXPECT_EQ(r.IntAtLeast(Json(0), "/i", 0), 0);
  EXPECT_EQ(ReaderError([](JsonReader& q) { q.IntAtLeast(Json(-4), "/i", 0); }),
            "f.json: /i: must be an integer >= 0 (got -4)");
  EXPECT_EQ(ReaderError([](JsonReader& q) { q.IntAtLeast(Json(2.0), "/i", 1); }),
            "f.json: /i: must be an integer >= 1 (got 2.0)");
}

TEST(JsonReader, IntArrayBoundsEveryElementByItsType) {
  JsonReader r("f.json", ErrorCode::kBadProfile);
  EXPECT_EQ(r.IntArray<std::int8_t>(Json::parse("[-128, 0, 127]"), "/a"),
            (std::vector<std::int8_t>{-128, 0, 127}));
  EXPECT_EQ(r.IntArray<std::int32_t>(Json::parse("[-2147483648, 2147483647]"), "/a"),
            (std::vector<std::int32_t>{INT32_MIN, INT32_MAX}));
  EXPECT_TRUE(r.IntArray<std::int8_t>(Json::array(), "/a").empty());
  EXPECT_EQ(
      ReaderError([](JsonReader& q) { q.IntArray<std::int8_t>(Json::parse("[1, 200]"), "/a"); }),
      "f.json: /a/1: must be an integer in [-128, 127] (got 200)");
  EXPECT_EQ(ReaderError(
                [](JsonReader& q) { q.IntArray<std::int32_t>(Json::parse("[2147483648]"), "/a"); }),
            "f.json: /a/0: must be an integer in [-2147483648, 2147483647] (got 2147483648)");
  EXPECT_EQ(ReaderError([](JsonReader& q) { q.IntArray<std::int8_t>(Json(5), "/a"); }),
            "f.json: /a: expected an array (got number)");
}

TEST(JsonReader, RejectUnreadNamesTheFirstKeyNobodyRead) {
  const Json config = Json::parse(R"({"A": 1, "B": 2, "C": 3})");
  JsonReader r("f.json", ErrorCode::kBadProfile);
  EXPECT_EQ(r.Take(config, "A", "/config"), 1);
  r.MarkRead("/config", "C");
  r.MarkRead("/other", "B");  // read marks belong to one object path
  EXPECT_EQ(ReaderError([&](JsonReader&) { r.RejectUnread(config, "/config"); }),
            "f.json: /config: unknown field \"B\"");
  r.MarkRead("/config", "B");
  EXPECT_NO_THROW(r.RejectUnread(config, "/config"));
  EXPECT_EQ(ReaderError([&](JsonReader&) { r.RejectUnread(config, "/fresh"); }),
            "f.json: /fresh: unknown field \"A\"");
  EXPECT_EQ(ReaderError([&](JsonReader& q) { q.Take(config, "D", "/config"); }),
            "f.json: /config: missing required field \"D\"");
}

TEST(JsonReader, TheLabelFollowsThePath) {
  EXPECT_EQ(ReaderError([](JsonReader& r) {
              r.set_label("layer 'conv1'");
              r.IntInRange(Json(0), "/layers/3/strides/0", 1, 8);
            }),
            "f.json: /layers/3/strides/0 (layer 'conv1'): must be an integer in [1, 8] (got 0)");
}

}  // namespace
}  // namespace opcost::detail
