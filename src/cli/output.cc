#include "cli/output.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace opcost::cli {

OJson ConventionJson() {
  OJson c;
  c["mac"] = "one multiply-accumulate";
  c["ops"] = "2 * macs + other_ops";
  c["other_ops"] =
      "bias_adds + comparisons + additions + multiplications + divisions + nonlinear_ops + "
      "conversions";
  c["bias"] = "bias adds are not MACs; counted in bias_adds";
  c["padding"] = "MACs on padded positions are counted";
  c["batch"] = "explicit in the input shapes; counts cover the whole batch";
  c["params"] = "constant elements (weights and bias); weight_bytes in their stored dtypes";
  return c;
}

void AppendMetricsJson(const OpMetrics& m, OJson* j) {
  OJson& o = *j;
  o["macs"] = m.macs;
  o["output_elements"] = m.output_elements;
  o["macs_per_output"] = m.macs_per_output;
  o["bias_adds"] = m.bias_adds;
  o["comparisons"] = m.comparisons;
  o["additions"] = m.additions;
  o["multiplications"] = m.multiplications;
  o["divisions"] = m.divisions;
  o["nonlinear_ops"] = m.nonlinear_ops;
  o["conversions"] = m.conversions;
  o["other_ops"] = m.other_ops;
  o["ops"] = m.ops;
  o["weight_params"] = m.weight_params;
  o["bias_params"] = m.bias_params;
  o["params"] = m.params;
  o["weight_bytes"] = m.weight_bytes;
  o["input_bytes"] = m.input_bytes;
  o["output_bytes"] = m.output_bytes;
}

const std::vector<std::string>& MetricsCsvColumns() {
  static const std::vector<std::string> columns = {
      "macs",          "output_elements", "macs_per_output", "bias_adds",     "comparisons",
      "additions",     "multiplications", "divisions",       "nonlinear_ops", "conversions",
      "other_ops",     "ops",             "weight_params",   "bias_params",   "params",
      "weight_bytes",  "input_bytes",     "output_bytes"};
  return columns;
}

std::vector<std::string> MetricsCsvValues(const OpMetrics& m) {
  auto s = [](std::int64_t v) { return std::to_string(v); };
  return {s(m.macs),          s(m.output_elements), FormatNumber(m.macs_per_output, 10),
          s(m.bias_adds),     s(m.comparisons),     s(m.additions),
          s(m.multiplications), s(m.divisions),     s(m.nonlinear_ops),
          s(m.conversions),   s(m.other_ops),       s(m.ops),
          s(m.weight_params), s(m.bias_params),     s(m.params),
          s(m.weight_bytes),  s(m.input_bytes),     s(m.output_bytes)};
}

TextTable::TextTable(std::vector<std::string> header, std::vector<bool> left_aligned)
    : header_(std::move(header)), left_(std::move(left_aligned)) {
  left_.resize(header_.size(), false);
}

void TextTable::AddRow(std::vector<std::string> row) {
  row.resize(header_.size());
  rows_.push_back(std::move(row));
}

void TextTable::AddRule() { rows_.emplace_back(); }

void TextTable::Print(std::ostream& out) const {
  std::vector<std::size_t> width(header_.size());
  for (std::size_t c = 0; c < header_.size(); ++c) width[c] = header_[c].size();
  for (const auto& row : rows_) {
    for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  }
  auto print_row = [&](const std::vector<std::string>& row) {
    std::string line;
    for (std::size_t c = 0; c < header_.size(); ++c) {
      const std::string pad(width[c] - row[c].size(), ' ');
      if (c > 0) line += "  ";
      line += left_[c] ? row[c] + pad : pad + row[c];
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << "\n";
  };
  auto rule = [&] {
    std::size_t total = 0;
    for (std::size_t c = 0; c < width.size(); ++c) total += width[c] + (c > 0 ? 2 : 0);
    out << std::string(total, '-') << "\n";
  };
  print_row(header_);
  rule();
  for (const auto& row : rows_) {
    if (row.empty()) {
      rule();
    } else {
      print_row(row);
    }
  }
}

std::string DumpJson(const OJson& j) {
  return j.dump(2, ' ', false, OJson::error_handler_t::replace);
}

void WriteCsvRow(std::ostream& out, const std::vector<std::string>& fields) {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out << ',';
    const std::string& f = fields[i];
    if (f.find_first_of(",\"\n") == std::string::npos) {
      out << f;
    } else {
      out << '"';
      for (char ch : f) out << (ch == '"' ? "\"\"" : std::string(1, ch));
      out << '"';
    }
  }
  out << "\n";
}

std::string FormatNumber(double v, int digits) {
  char buf[64];
  // In tables (few digits) large values print whole (18136, not 1.814e+04); CSV keeps %g.
  if (digits <= 6 && std::abs(v) >= 1e4 && std::abs(v) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  }
  return buf;
}

}  // namespace opcost::cli
