#include "io/csv_line.h"

#include <unordered_map>
#include <utility>

#include "io/file_io.h"
#include "opcost/error.h"

namespace opcost::detail {

std::vector<std::string> SplitCsvLine(const std::string& line) {
  std::vector<std::string> fields;
  std::string cur;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char ch = line[i];
    if (quoted) {
      if (ch == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cur += '"';
        ++i;
      } else if (ch == '"') {
        quoted = false;
      } else {
        cur += ch;
      }
    } else if (ch == '"') {
      quoted = true;
    } else if (ch == ',') {
      fields.push_back(cur);
      cur.clear();
    } else if (ch != '\r') {
      cur += ch;
    }
  }
  fields.push_back(cur);
  return fields;
}

bool CsvLines::Next(std::vector<std::string>* fields) {
  while (pos_ < text_.size()) {
    std::size_t end = text_.find('\n', pos_);
    if (end == std::string::npos) end = text_.size();
    std::string l = text_.substr(pos_, end - pos_);
    pos_ = end + 1;
    ++line_;
    if (!l.empty() && l.back() == '\r') l.pop_back();
    if (l.empty() || l[0] == '#') continue;
    if (!IsValidUtf8(l)) {
      throw Error(ErrorCode::kInvalidArgument, source_ + ":" + std::to_string(line_) +
                                                   ": not valid UTF-8 (CSV text must be UTF-8)");
    }
    *fields = SplitCsvLine(l);
    return true;
  }
  return false;
}

void CheckUniqueColumns(const std::vector<std::string>& header, const std::string& source,
                        int line) {
  std::unordered_map<std::string, std::size_t> first;  // name -> 1-based column
  for (std::size_t i = 0; i < header.size(); ++i) {
    const auto [it, inserted] = first.emplace(header[i], i + 1);
    if (!inserted) {
      throw Error(ErrorCode::kInvalidArgument, source + ":" + std::to_string(line) + ": column \"" +
                                                   header[i] + "\" appears twice (columns " +
                                                   std::to_string(it->second) + " and " +
                                                   std::to_string(i + 1) + ")");
    }
  }
}

}  // namespace opcost::detail
