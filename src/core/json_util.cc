#include "core/json_util.h"

#include <cmath>
#include <fstream>
#include <limits>
#include <set>
#include <vector>

#include "core/file_io.h"

namespace opcost::detail {

std::string ReadTextFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::kIo, "cannot open '" + path + "' for reading");
  // Bounded: /dev/zero or a runaway file ends at the budget, not when memory runs out.
  const std::int64_t limit = MaxInputBytes();
  std::string text;
  char chunk[1 << 16];
  while (in) {
    in.read(chunk, sizeof chunk);
    text.append(chunk, static_cast<std::size_t>(in.gcount()));
    if (static_cast<std::int64_t>(text.size()) > limit) {
      throw Error(ErrorCode::kIo, "'" + path + "' is larger than the input budget of " +
                                      std::to_string(limit) +
                                      " bytes (set OPCOST_MAX_INPUT_BYTES to raise it)");
    }
  }
  if (in.bad()) throw Error(ErrorCode::kIo, "cannot read '" + path + "'");
  return text;
}

namespace {

// Where the parser is, for the strict checks: one frame per open object or array.
struct Frame {
  bool is_object = false;
  std::set<std::string> keys;  // objects: keys seen so far
  std::string key;             // objects: the current member's key
  std::size_t index = 0;       // arrays: the current element's index
};

std::string PathOf(const std::vector<Frame>& stack, std::size_t frames) {
  std::string path;
  for (std::size_t i = 0; i < frames; ++i) {
    path += "/" + (stack[i].is_object ? stack[i].key : std::to_string(stack[i].index));
  }
  return path.empty() ? "/" : path;
}

}  // namespace

Json ParseJsonText(const std::string& text, const std::string& source, ErrorCode code) {
  // Strictness the parser does not have: a nesting bound (deep documents would otherwise cost
  // stack in every recursive consumer) and no duplicate keys (the last one silently won).
  std::vector<Frame> stack;
  const Json::parser_callback_t strict = [&](int, Json::parse_event_t event, Json& parsed) {
    switch (event) {
      case Json::parse_event_t::object_start:
      case Json::parse_event_t::array_start:
        if (stack.size() >= kMaxJsonDepth) {
          throw Error(code, source + ": " + PathOf(stack, stack.size()) + ": nesting deeper than " +
                                std::to_string(kMaxJsonDepth) + " levels");
        }
        stack.emplace_back();
        stack.back().is_object = event == Json::parse_event_t::object_start;
        break;
      case Json::parse_event_t::key: {
        Frame& f = stack.back();
        const std::string& key = parsed.get_ref<const std::string&>();
        if (!f.keys.insert(key).second) {
          throw Error(code, source + ": " + PathOf(stack, stack.size() - 1) + ": duplicate key \"" +
                                key + "\"");
        }
        f.key = key;
        break;
      }
      case Json::parse_event_t::object_end:
      case Json::parse_event_t::array_end:
        stack.pop_back();
        if (!stack.empty() && !stack.back().is_object) stack.back().index++;
        break;
      case Json::parse_event_t::value:
        if (!stack.empty() && !stack.back().is_object) stack.back().index++;
        break;
    }
    return true;
  };
  try {
    return Json::parse(text, strict);
  } catch (const Json::parse_error& e) {
    // e.what() is "[json.exception.parse_error.101] parse error at line 1, column 5: ..."
    std::string what = e.what();
    const std::size_t cut = what.find("] ");
    if (cut != std::string::npos) what = what.substr(cut + 2);
    throw Error(code, source + ": malformed JSON: " + what);
  } catch (const Json::exception& e) {
    // e.g. a number literal too large for a double ("1e999").
    std::string what = e.what();
    const std::size_t cut = what.find("] ");
    if (cut != std::string::npos) what = what.substr(cut + 2);
    throw Error(code, source + ": invalid JSON: " + what);
  }
}

std::string JsonReader::Prefix(const std::string& path) const {
  std::string p = source_ + ": " + (path.empty() ? "/" : path);
  if (!label_.empty()) p += " (" + label_ + ")";
  return p;
}

void JsonReader::Fail(const std::string& path, const std::string& message) const {
  throw Error(code_, Prefix(path) + ": " + message);
}

namespace {

const char* TypeName(const Json& j) { return j.type_name(); }

}  // namespace

void JsonReader::ExpectObject(const Json& j, const std::string& path) const {
  if (!j.is_object()) Fail(path, std::string("expected an object (got ") + TypeName(j) + ")");
}

void JsonReader::ExpectArray(const Json& j, const std::string& path) const {
  if (!j.is_array()) Fail(path, std::string("expected an array (got ") + TypeName(j) + ")");
}

void JsonReader::CheckKeys(const Json& obj, const std::string& path,
                           std::initializer_list<const char*> allowed) const {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    bool known = false;
    for (const char* a : allowed) known = known || it.key() == a;
    if (!known) Fail(path, "unknown field \"" + it.key() + "\"");
  }
}

const Json& JsonReader::Member(const Json& obj, const std::string& key,
                               const std::string& path) const {
  auto it = obj.find(key);
  if (it == obj.end()) Fail(path, "missing required field \"" + key + "\"");
  return *it;
}

std::string JsonReader::String(const Json& j, const std::string& path) const {
  if (!j.is_string()) Fail(path, std::string("expected a string (got ") + TypeName(j) + ")");
  return j.get<std::string>();
}

std::int64_t JsonReader::Int(const Json& j, const std::string& path) const {
  if (j.is_number_unsigned()) {
    const auto v = j.get<std::uint64_t>();
    if (v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      Fail(path, "integer " + j.dump() + " does not fit in 64 bits");
    }
    return static_cast<std::int64_t>(v);
  }
  if (j.is_number_integer()) return j.get<std::int64_t>();
  if (j.is_number_float()) Fail(path, "expected an integer (got " + j.dump() + ")");
  Fail(path, std::string("expected an integer (got ") + TypeName(j) + ")");
}

std::int64_t JsonReader::PositiveInt(const Json& j, const std::string& path) const {
  const std::int64_t v = Int(j, path);
  if (v < 1) Fail(path, "must be a positive integer (got " + std::to_string(v) + ")");
  return v;
}

double JsonReader::Number(const Json& j, const std::string& path) const {
  if (!j.is_number()) Fail(path, std::string("expected a number (got ") + TypeName(j) + ")");
  const double v = j.get<double>();
  if (!std::isfinite(v)) Fail(path, "must be finite (got " + j.dump() + ")");
  return v;
}

bool JsonReader::Bool(const Json& j, const std::string& path) const {
  if (!j.is_boolean()) Fail(path, std::string("expected true or false (got ") + TypeName(j) + ")");
  return j.get<bool>();
}

}  // namespace opcost::detail
