// The measurement CSV of `opcost fit` (docs/profiles.md).
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "io/csv_line.h"
#include "opcost/error.h"
#include "opcost/fit.h"

namespace opcost {
namespace {

const char* const kColumns[] = {"name",   "model",    "op",      "input", "filters",
                                "kernel", "stride",   "padding", "units", "latency_s",
                                "cycles", "energy_j", "note"};

class RowReader {
 public:
  RowReader(const std::string& source, int line, const std::vector<std::string>& header,
            const std::vector<std::string>& fields)
      : source_(source), line_(line), header_(header), fields_(fields) {}

  [[noreturn]] void Fail(const std::string& column, const std::string& message) const {
    throw Error(ErrorCode::kInvalidArgument,
                source_ + ":" + std::to_string(line_) +
                    (column.empty() ? "" : " (column " + column + ")") + ": " + message);
  }
  std::string Get(const char* column) const {
    for (std::size_t i = 0; i < header_.size(); ++i) {
      if (header_[i] == column) return i < fields_.size() ? fields_[i] : std::string();
    }
    return std::string();
  }
  double Number(const char* column) const {
    const std::string s = Get(column);
    if (s.empty()) return -1.0;
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (end == s.c_str() || *end != '\0' || !std::isfinite(v) || !(v > 0.0)) {
      Fail(column, "must be a finite number > 0 (got \"" + s + "\")");
    }
    return v;
  }
  std::int64_t Integer(const char* column, std::int64_t fallback) const {
    const std::string s = Get(column);
    if (s.empty()) return fallback;
    char* end = nullptr;
    const long long v = std::strtoll(s.c_str(), &end, 10);
    if (end == s.c_str() || *end != '\0' || v <= 0) {
      Fail(column, "must be an integer > 0 (got \"" + s + "\")");
    }
    return v;
  }
  // "AxBxCxD" or "A" -> dims.
  std::vector<std::int64_t> Dims(const char* column) const {
    const std::string s = Get(column);
    std::vector<std::int64_t> dims;
    std::stringstream ss(s);
    std::string part;
    while (std::getline(ss, part, 'x')) {
      char* end = nullptr;
      const long long v = std::strtoll(part.c_str(), &end, 10);
      if (part.empty() || *end != '\0' || v <= 0) {
        Fail(column, "must be positive integers joined by 'x' (got \"" + s + "\")");
      }
      dims.push_back(v);
    }
    return dims;
  }

 private:
  std::string source_;
  int line_;
  const std::vector<std::string>& header_;
  const std::vector<std::string>& fields_;
};

LayerDesc ReadLayer(const RowReader& r) {
  const std::string op = r.Get("op");
  if (op != "conv2d" && op != "depthwise_conv2d" && op != "fully_connected") {
    r.Fail("op", "must be conv2d, depthwise_conv2d or fully_connected (got \"" + op + "\")");
  }
  const std::vector<std::int64_t> in = r.Dims("input");
  if (in.size() != 4 && !(op == "fully_connected" && in.size() == 2)) {
    r.Fail("input", "must be NxHxWxC (NxF for fully_connected)");
  }
  const std::string padding = r.Get("padding");
  if (!padding.empty() && padding != "same" && padding != "valid") {
    r.Fail("padding", "must be same or valid (got \"" + padding + "\")");
  }
  const bool valid = padding == "valid";
  const std::int64_t stride = r.Integer("stride", 1);
  if (op == "fully_connected") {
    std::int64_t features = 1;
    for (std::size_t i = 1; i < in.size(); ++i) features = CheckedMul(features, in[i]);
    const std::int64_t units = r.Integer("units", 0);
    if (units <= 0) r.Fail("units", "required for fully_connected");
    return LayerDesc::FullyConnected(in[0], features, units);
  }
  std::vector<std::int64_t> k = r.Dims("kernel");
  if (k.empty()) r.Fail("kernel", "required for " + op);
  if (k.size() == 1) k.push_back(k[0]);
  if (k.size() != 2) r.Fail("kernel", "must be KHxKW or K");
  const Shape shape{in[0], in[1], in[2], in[3]};
  if (op == "conv2d") {
    const std::int64_t filters = r.Integer("filters", 0);
    if (filters <= 0) r.Fail("filters", "required for conv2d");
    return LayerDesc::Conv2D(shape, filters, k[0], k[1], stride, valid);
  }
  return LayerDesc::DepthwiseConv2D(shape, k[0], k[1], stride, valid);
}

}  // namespace

std::vector<FitMeasurement> ParseFitCsv(const std::string& text, const std::string& source_name) {
  std::vector<FitMeasurement> rows;
  std::vector<std::string> header;
  detail::CsvLines lines(text, source_name);
  std::vector<std::string> fields;
  while (lines.Next(&fields)) {
    const int line_no = lines.line();
    if (header.empty()) {
      header = fields;
      detail::CheckUniqueColumns(header, source_name, line_no);
      for (const std::string& h : header) {
        bool known = false;
        for (const char* c : kColumns) known = known || h == c;
        if (!known) {
          throw Error(ErrorCode::kInvalidArgument, source_name + ":" + std::to_string(line_no) +
                                                       ": unknown column \"" + h + "\"");
        }
      }
      continue;
    }
    const RowReader r(source_name, line_no, header, fields);
    if (fields.size() > header.size()) r.Fail("", "more fields than the header has columns");
    FitMeasurement m;
    m.line = line_no;
    m.name = r.Get("name");
    if (m.name.empty()) r.Fail("name", "every row needs a name");
    m.model = r.Get("model");
    const std::string op = r.Get("op");
    if (m.model.empty() == op.empty())
      r.Fail("", "give exactly one of model (network) or op (layer)");
    if (!op.empty()) {
      m.is_layer = true;
      try {
        m.layer = ReadLayer(r);
        ComputeLayerMetrics(m.layer);  // shape check now, with the line in the message
      } catch (const Error& e) {
        if (e.code() == ErrorCode::kInvalidArgument &&
            std::string(e.what()).rfind(source_name, 0) == 0) {
          throw;
        }
        r.Fail("", e.what());
      }
    }
    m.latency_s = r.Number("latency_s");
    m.cycles = r.Number("cycles");
    m.energy_j = r.Number("energy_j");
    if (m.latency_s < 0 && m.cycles < 0) r.Fail("", "needs latency_s or cycles");
    rows.push_back(m);
  }
  if (header.empty()) throw Error(ErrorCode::kInvalidArgument, source_name + ": empty CSV");
  return rows;
}

}  // namespace opcost
