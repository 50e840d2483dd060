// Internal: strict JSON reading with error messages that name the source and the JSON path.
// Only .at()/.find() on const json (operator[] on a const json is undefined behaviour).
#ifndef OPCOST_SRC_IO_JSON_READER_H_
#define OPCOST_SRC_IO_JSON_READER_H_

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "opcost/error.h"

namespace opcost::detail {

using Json = nlohmann::json;

// Deepest nesting of objects and arrays any JSON input may have (real files need < 10).
constexpr std::size_t kMaxJsonDepth = 64;

// Reads a file into memory, at most MaxInputBytes() (io/file_io.h); throws kIo naming the path.
std::string ReadTextFile(const std::string& path);
// Parses JSON text; malformed or truncated text, nesting deeper than kMaxJsonDepth and a key
// given twice in one object throw `code` naming the source and the place (byte offset or JSON
// path).
Json ParseJsonText(const std::string& text, const std::string& source, ErrorCode code);

// The integer `v` holds, if it is an integer that fits in int64 (nlohmann reads
// 18446744073709551615 as an unsigned that get<int64_t>() would wrap to -1).
inline bool AsInt64(const Json& v, std::int64_t* out) {
  if (v.is_number_unsigned()) {
    const auto u = v.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(INT64_MAX)) return false;
    *out = static_cast<std::int64_t>(u);
    return true;
  }
  if (!v.is_number_integer()) return false;
  *out = v.get<std::int64_t>();
  return true;
}

// `v` as JSON text for an error message, cut to about 60 characters ("[1, 2, 3, ...]"), so a huge
// value does not become a huge message.
std::string Excerpt(const Json& v);

// "/layers/3" style path joins. A key is escaped as RFC 6901 says ("~" -> "~0", "/" -> "~1"), so
// a user-named key such as a source id "rm0351/table" stays one step of the path.
std::string JoinPath(const std::string& path, const std::string& key);
inline std::string JoinPath(const std::string& path, std::size_t index) {
  return path + "/" + std::to_string(index);
}

// The one strict reader of JSON inputs (models, profiles, test vectors, CLI input files). Every
// error has one template, thrown as `code`: "<source>: <path>[ (<label>)]: <rule> (got <value>)",
// the path in RFC 6901 style ("/layers/3/kernel/0"; "/" for the root, which callers pass as "").
class JsonReader {
 public:
  JsonReader(std::string source, ErrorCode code) : source_(std::move(source)), code_(code) {}

  [[noreturn]] void Fail(const std::string& path, const std::string& message) const;
  // Sets a label such as "layer 'conv1'" added to messages until cleared.
  void set_label(std::string label) { label_ = std::move(label); }
  const std::string& source() const { return source_; }
  std::string Prefix(const std::string& path) const;

  void ExpectObject(const Json& j, const std::string& path) const;
  void ExpectArray(const Json& j, const std::string& path) const;
  // Rejects keys not in `allowed`.
  void CheckKeys(const Json& obj, const std::string& path,
                 std::initializer_list<const char*> allowed) const;
  // Required members.
  const Json& Member(const Json& obj, const std::string& key, const std::string& path) const;
  std::string String(const Json& j, const std::string& path) const;
  std::int64_t Int(const Json& j, const std::string& path) const;
  std::int64_t PositiveInt(const Json& j, const std::string& path) const;
  double Number(const Json& j, const std::string& path) const;  // finite
  bool Bool(const Json& j, const std::string& path) const;

  // An object whose keys are all in `allowed` (ExpectObject, then CheckKeys).
  void CheckObject(const Json& j, const std::string& path,
                   std::initializer_list<const char*> allowed) const;
  // Optional members: the member, or nullptr (OptionalString: "") when `obj` has no `key`.
  const Json* Find(const Json& obj, const std::string& key) const;
  std::string OptionalString(const Json& obj, const std::string& key,
                             const std::string& path) const;
  // A string that must be one of `allowed`.
  std::string OneOf(const Json& j, const std::string& path,
                    std::initializer_list<const char*> allowed) const;

  // Finite numbers (as Number) with a rule on their value.
  double PositiveNumber(const Json& j, const std::string& path) const;     // > 0
  double NonNegativeNumber(const Json& j, const std::string& path) const;  // >= 0
  // `value` (already read from `path`) within [lo, hi].
  double InRange(double value, const std::string& path, double lo, double hi) const;

  // An integer in [lo, hi]. A float, a string or an integer beyond 64 bits fails with the same
  // rule: "must be an integer in [lo, hi] (got <value>)".
  std::int64_t IntInRange(const Json& j, const std::string& path, std::int64_t lo,
                          std::int64_t hi) const;
  std::int64_t IntAtLeast(const Json& j, const std::string& path, std::int64_t min) const {
    return IntInRange(j, path, min, std::numeric_limits<std::int64_t>::max());
  }
  // An array of integers that each fit in `Int` (int8_t, int32_t, ...).
  template <typename Int>
  std::vector<Int> IntArray(const Json& j, const std::string& path) const {
    ExpectArray(j, path);
    std::vector<Int> out;
    out.reserve(j.size());
    for (std::size_t i = 0; i < j.size(); ++i) {
      out.push_back(
          static_cast<Int>(IntInRange(j.at(i), JoinPath(path, i), std::numeric_limits<Int>::min(),
                                      std::numeric_limits<Int>::max())));
    }
    return out;
  }

  // Read tracking, for objects whose allowed keys are only known once they are read: Take is
  // Member remembering `key` as read in the object at `path`; MarkRead remembers a key read (or
  // deliberately skipped) without Take; RejectUnread fails on the first key of `obj` neither.
  const Json& Take(const Json& obj, const std::string& key, const std::string& path);
  void MarkRead(const std::string& path, const std::string& key);
  void RejectUnread(const Json& obj, const std::string& path) const;

 private:
  std::string source_;
  ErrorCode code_;
  std::string label_;
  std::map<std::string, std::set<std::string>> read_keys_;  // object path -> keys read
};

}  // namespace opcost::detail

#endif  // OPCOST_SRC_IO_JSON_READER_H_
