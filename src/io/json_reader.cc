#include "io/json_reader.h"

#include <cmath>
#include <limits>
#include <sstream>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "io/file_io.h"

namespace opcost::detail {

std::string JoinPath(const std::string& path, const std::string& key) {
  std::string out = path + "/";
  out.reserve(out.size() + key.size());
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string ReadTextFile(const std::string& path) { return ReadInputFile(path); }

std::string Excerpt(const Json& v) {
  constexpr std::size_t kMax = 60;
  std::string text = v.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (text.size() > kMax) text = text.substr(0, kMax) + " ...";
  return text;
}

namespace {

// One open object or array during the strict scan.
struct Frame {
  bool is_object = false;
  bool expect_key = false;                 // objects: the next string is a key
  std::string_view key;                    // objects: the current member's key
  std::size_t index = 0;                   // arrays: the current element's index
  std::vector<std::string_view> few_keys;  // objects: keys seen, while few
  std::unordered_set<std::string_view> many_keys;

  // False if `k` was seen before in this object.
  bool AddKey(std::string_view k) {
    if (many_keys.empty() && few_keys.size() < 16) {
      for (std::string_view seen : few_keys) {
        if (seen == k) return false;
      }
      few_keys.push_back(k);
      return true;
    }
    if (many_keys.empty()) many_keys.insert(few_keys.begin(), few_keys.end());
    return many_keys.insert(k).second;
  }
};

std::string PathOf(const std::vector<Frame>& stack, std::size_t frames) {
  std::string path;
  for (std::size_t i = 0; i < frames; ++i) {
    path = stack[i].is_object ? JoinPath(path, std::string(stack[i].key))
                              : JoinPath(path, stack[i].index);
  }
  return path.empty() ? "/" : path;
}

// Strictness nlohmann's parser does not have, checked by one linear scan of the text (a parser
// callback doubled the parse time): nesting deeper than kMaxJsonDepth throws at once (deep
// documents would cost stack in every recursive consumer); the first key given twice in one
// object is returned as a message (the parser's own error wins for malformed text). Keys are
// compared as written: a key and an escaped spelling of it are not recognized as the same.
std::string ScanStrict(const std::string& text, const std::string& source, ErrorCode code) {
  std::vector<Frame> stack;
  std::string duplicate;
  const std::size_t n = text.size();
  // The parsed document takes ~16 bytes per value however short its text ("1,"): values are
  // budgeted before parsing, so a file of tiny numbers cannot take 18x its size in memory.
  const std::int64_t max_values = MaxJsonValues();
  std::int64_t values = 0;
  auto count_value = [&]() {
    if (++values > max_values) {
      throw Error(code, source + ": " + PathOf(stack, stack.size()) + ": more than " +
                            std::to_string(max_values) +
                            " JSON values (the decode budget, input budget / 16; set "
                            "OPCOST_MAX_INPUT_BYTES to raise it)");
    }
  };
  for (std::size_t i = 0; i < n; ++i) {
    const char c = text[i];
    if (c == '"') {
      std::size_t end = i + 1;
      while (end < n && text[end] != '"') end += text[end] == '\\' ? 2 : 1;
      if (end >= n) break;  // unterminated: the parser reports it
      if (!stack.empty() && stack.back().is_object && stack.back().expect_key) {
        Frame& f = stack.back();
        const std::string_view key(text.data() + i + 1, end - i - 1);
        if (!f.AddKey(key) && duplicate.empty()) {
          duplicate = source + ": " + PathOf(stack, stack.size() - 1) + ": duplicate key \"" +
                      std::string(key) + "\"";
        }
        f.key = key;
        f.expect_key = false;
      }
      i = end;
    } else if (c == '{' || c == '[') {
      count_value();
      if (stack.size() >= kMaxJsonDepth) {
        throw Error(code, source + ": " + PathOf(stack, stack.size()) + ": nesting deeper than " +
                              std::to_string(kMaxJsonDepth) + " levels");
      }
      stack.emplace_back();
      stack.back().is_object = c == '{';
      stack.back().expect_key = c == '{';
    } else if (c == '}' || c == ']') {
      if (!stack.empty()) stack.pop_back();
    } else if (c == ',' && !stack.empty()) {
      count_value();
      if (stack.back().is_object) {
        stack.back().expect_key = true;
      } else {
        stack.back().index++;
      }
    }
  }
  return duplicate;
}

}  // namespace

Json ParseJsonText(const std::string& text, const std::string& source, ErrorCode code) {
  const std::string duplicate = ScanStrict(text, source, code);
  Json doc;
  try {
    doc = Json::parse(text);
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
  if (!duplicate.empty()) throw Error(code, duplicate);
  return doc;
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
      Fail(path, "integer " + Excerpt(j) + " does not fit in 64 bits");
    }
    return static_cast<std::int64_t>(v);
  }
  if (j.is_number_integer()) return j.get<std::int64_t>();
  if (j.is_number_float()) Fail(path, "expected an integer (got " + Excerpt(j) + ")");
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
  if (!std::isfinite(v)) Fail(path, "must be finite (got " + Excerpt(j) + ")");
  return v;
}

bool JsonReader::Bool(const Json& j, const std::string& path) const {
  if (!j.is_boolean()) Fail(path, std::string("expected true or false (got ") + TypeName(j) + ")");
  return j.get<bool>();
}

void JsonReader::CheckObject(const Json& j, const std::string& path,
                             std::initializer_list<const char*> allowed) const {
  ExpectObject(j, path);
  CheckKeys(j, path, allowed);
}

const Json* JsonReader::Find(const Json& obj, const std::string& key) const {
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

std::string JsonReader::OptionalString(const Json& obj, const std::string& key,
                                       const std::string& path) const {
  const Json* v = Find(obj, key);
  return v == nullptr ? std::string() : String(*v, JoinPath(path, key));
}

std::string JsonReader::OneOf(const Json& j, const std::string& path,
                              std::initializer_list<const char*> allowed) const {
  const std::string s = String(j, path);
  std::string names;
  for (const char* a : allowed) {
    if (s == a) return s;
    names += (names.empty() ? "" : ", ") + std::string(a);
  }
  Fail(path, "must be one of " + names + " (got \"" + s + "\")");
}

double JsonReader::PositiveNumber(const Json& j, const std::string& path) const {
  const double v = Number(j, path);
  if (!(v > 0.0)) Fail(path, "must be > 0 (got " + Excerpt(j) + ")");
  return v;
}

double JsonReader::NonNegativeNumber(const Json& j, const std::string& path) const {
  const double v = Number(j, path);
  if (!(v >= 0.0)) Fail(path, "must be >= 0 (got " + Excerpt(j) + ")");
  return v;
}

double JsonReader::InRange(double value, const std::string& path, double lo, double hi) const {
  if (!(value >= lo && value <= hi)) {
    std::ostringstream m;  // default stream format: "between 1000 and 1e+11"
    m << "must be between " << lo << " and " << hi << " (got " << value << ")";
    Fail(path, m.str());
  }
  return value;
}

std::int64_t JsonReader::IntInRange(const Json& j, const std::string& path, std::int64_t lo,
                                    std::int64_t hi) const {
  std::int64_t v = 0;
  if (!AsInt64(j, &v) || v < lo || v > hi) {
    const std::string bounds = hi == std::numeric_limits<std::int64_t>::max()
                                   ? ">= " + std::to_string(lo)
                                   : "in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
    Fail(path, "must be an integer " + bounds + " (got " + Excerpt(j) + ")");
  }
  return v;
}

const Json& JsonReader::Take(const Json& obj, const std::string& key, const std::string& path) {
  const Json& v = Member(obj, key, path);
  MarkRead(path, key);
  return v;
}

void JsonReader::MarkRead(const std::string& path, const std::string& key) {
  read_keys_[path].insert(key);
}

void JsonReader::RejectUnread(const Json& obj, const std::string& path) const {
  auto read = read_keys_.find(path);
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (read == read_keys_.end() || read->second.count(it.key()) == 0) {
      Fail(path, "unknown field \"" + it.key() + "\"");
    }
  }
}

}  // namespace opcost::detail
