#include "report/escape.h"

#include <cstring>
#include <string>

#include "io/file_io.h"

namespace opcost::report {
namespace {

constexpr char kReplacement[] = "\xEF\xBF\xBD";  // U+FFFD

// Valid UTF-8 without control characters (tab, newline and CR excepted): the page shows them
// as U+FFFD, since browsers render a NUL or an escape byte unpredictably.
std::string CleanText(const std::string& text) {
  const bool valid = detail::IsValidUtf8(text);
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    const unsigned char c = static_cast<unsigned char>(ch);
    const bool control = (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F;
    if (control || (!valid && c >= 0x80)) {
      out += kReplacement;
    } else {
      out += ch;
    }
  }
  return out;
}

bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

}  // namespace

std::string EscapeHtml(const std::string& text) {
  std::string out;
  for (char c : CleanText(text)) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string EscapeMarkdown(const std::string& text) {
  // Backslashes first, entities second: the entities' own '#' and ';' must stay unescaped.
  std::string marked;
  for (char c : CleanText(text)) {
    if (c == '\n' || c == '\r' || c == '\t') {
      marked += ' ';
      continue;
    }
    if (c != '\0' && std::strchr("\\`*_[]|~", c) != nullptr) marked += '\\';
    marked += c;
  }
  return EscapeHtml(marked);
}

std::string Truncate(const std::string& text, std::size_t max_chars) {
  std::size_t chars = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (IsContinuationByte(text[i])) continue;
    if (chars == max_chars) return text.substr(0, i) + "\xE2\x80\xA6";  // U+2026
    ++chars;
  }
  return text;
}

}  // namespace opcost::report
