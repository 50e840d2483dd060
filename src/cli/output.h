// Shared output helpers for commands: metric serialization (JSON/CSV) and a plain-text table.
#ifndef OPCOST_CLI_OUTPUT_H_
#define OPCOST_CLI_OUTPUT_H_

#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "opcost/metrics.h"

namespace opcost::cli {

using OJson = nlohmann::ordered_json;

// The counting conventions echoed in every JSON result (docs/metrics.md).
OJson ConventionJson();
// All OpMetrics fields (category excluded) as ordered JSON members.
void AppendMetricsJson(const OpMetrics& m, OJson* j);
// Column names and values of the per-layer metric counts, in the same order, for CSV.
const std::vector<std::string>& MetricsCsvColumns();
std::vector<std::string> MetricsCsvValues(const OpMetrics& m);

// A plain-text table: right-aligned numeric columns, left-aligned text columns.
class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header, std::vector<bool> left_aligned);
  void AddRow(std::vector<std::string> row);
  void AddRule();  // a separator line before the next row
  void Print(std::ostream& out) const;

 private:
  std::vector<std::string> header_;
  std::vector<bool> left_;
  std::vector<std::vector<std::string>> rows_;  // an empty row is a rule
};

// The JSON text of `j` (indent 2) for stdout. Strings that are not valid UTF-8 (a model named
// after a file whose name is not UTF-8) get U+FFFD instead of nlohmann throwing type_error 316.
std::string DumpJson(const OJson& j);

// Writes one CSV line, quoting fields that need it.
void WriteCsvRow(std::ostream& out, const std::vector<std::string>& fields);
// Formats a double with up to `digits` significant digits ("12.5", "0.000123").
std::string FormatNumber(double v, int digits = 4);

}  // namespace opcost::cli

#endif  // OPCOST_CLI_OUTPUT_H_
