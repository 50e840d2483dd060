// One CSV line split into fields (RFC 4180 quoting: "a,b" and "" inside quotes), shared by the
// CSV readers of `opcost fit` and `opcost validate`. A trailing '\r' is dropped.
#ifndef OPCOST_ESTIMATE_CSV_LINE_H_
#define OPCOST_ESTIMATE_CSV_LINE_H_

#include <string>
#include <vector>

namespace opcost::detail {

std::vector<std::string> SplitCsvLine(const std::string& line);

}  // namespace opcost::detail

#endif  // OPCOST_ESTIMATE_CSV_LINE_H_
