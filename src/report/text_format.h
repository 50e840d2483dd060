// Numbers as the report prints them: exact values for data attributes and JSON-checkable text,
// short values with units for people. Every function prints a non-finite input as "0" (the
// library's results are finite; a page must never show "nan").
#ifndef OPCOST_SRC_REPORT_TEXT_FORMAT_H_
#define OPCOST_SRC_REPORT_TEXT_FORMAT_H_

#include <cstdint>
#include <string>

namespace opcost::report {

// Round-trip exact ("%.17g"): what data-value attributes hold.
std::string ExactNumber(double v);
// "1,234,567".
std::string GroupedInt(std::int64_t v);
// Up to `digits` significant digits, no exponent for 1e-6 <= |v| < 1e15 ("0.00123", "12.5").
std::string Significant(double v, int digits = 4);
// A duration with a unit chosen by size: "268.997 ms", "41.2 µs", "1.25 s".
std::string Seconds(double seconds);
// An energy with a unit chosen by size: "12.3 mJ", "845 µJ".
std::string Joules(double joules);
// "591,968 B".
std::string Bytes(std::int64_t bytes);
// A fraction in [0, 1] as "12.3 %".
std::string Percent(double fraction);
// a / b, 0 when b is 0 or the result is not finite: shares of an empty model stay 0.
double SafeRatio(double a, double b);

}  // namespace opcost::report

#endif  // OPCOST_SRC_REPORT_TEXT_FORMAT_H_
