// CSV reading shared by `opcost fit` and `opcost validate`: one line split into fields (RFC 4180
// quoting: "a,b" and "" inside quotes), the lines of a text with their numbers, and the header
// check. A trailing '\r' is dropped.
#ifndef OPCOST_SRC_IO_CSV_LINE_H_
#define OPCOST_SRC_IO_CSV_LINE_H_

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace opcost::detail {

std::vector<std::string> SplitCsvLine(const std::string& line);

// The data lines of a CSV text: blank lines and lines starting with '#' are skipped. Every line
// must be UTF-8, since its fields end up in JSON output and in messages.
class CsvLines {
 public:
  CsvLines(const std::string& text, std::string source) : text_(text), source_(std::move(source)) {}
  // Splits the next data line into `fields`; false at the end of the text. Throws
  // Error{kInvalidArgument} naming source:line for a line that is not UTF-8.
  bool Next(std::vector<std::string>* fields);
  int line() const { return line_; }  // 1-based number of the line Next returned

 private:
  const std::string& text_;
  std::string source_;
  std::size_t pos_ = 0;
  int line_ = 0;
};

// Throws Error{kInvalidArgument} naming source:line and both columns if a column name is given
// twice (a second "model" column would otherwise be ignored or win, silently).
void CheckUniqueColumns(const std::vector<std::string>& header, const std::string& source,
                        int line);

}  // namespace opcost::detail

#endif  // OPCOST_SRC_IO_CSV_LINE_H_
