// Model-supplied strings (layer, tensor and model names can hold anything: <, &, quotes,
// control characters, invalid UTF-8) made safe for the page and the Markdown summary.
#ifndef OPCOST_SRC_REPORT_ESCAPE_H_
#define OPCOST_SRC_REPORT_ESCAPE_H_

#include <cstddef>
#include <string>

namespace opcost::report {

// Text and attribute values of HTML: & < > " ' as entities; control characters and invalid
// UTF-8 become U+FFFD.
std::string EscapeHtml(const std::string& text);
// A table cell of GitHub Markdown: HTML-escaped, and the characters Markdown would act on
// (| ` * _ [ ] \ and friends) backslash-escaped; line breaks become spaces.
std::string EscapeMarkdown(const std::string& text);
// The first `max_chars` code points of `text`, with "…" when cut (never splits a character).
std::string Truncate(const std::string& text, std::size_t max_chars);

}  // namespace opcost::report

#endif  // OPCOST_SRC_REPORT_ESCAPE_H_
