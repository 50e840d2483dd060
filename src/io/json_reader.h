// Internal: strict JSON reading with error messages that name the source and the JSON path.
// Only .at()/.find() on const json (operator[] on a const json is undefined behaviour).
#ifndef OPCOST_SRC_IO_JSON_READER_H_
#define OPCOST_SRC_IO_JSON_READER_H_

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>

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

// Error context: "<source>: <path>[ (<label>)]: <message>", thrown as `code`.
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

 private:
  std::string source_;
  ErrorCode code_;
  std::string label_;
};

// "/layers/3" style path joins.
inline std::string JoinPath(const std::string& path, const std::string& key) {
  return path + "/" + key;
}
inline std::string JoinPath(const std::string& path, std::size_t index) {
  return path + "/" + std::to_string(index);
}

}  // namespace opcost::detail

#endif  // OPCOST_SRC_IO_JSON_READER_H_
