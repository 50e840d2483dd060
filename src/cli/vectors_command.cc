// `opcost vectors DIR [--format table|json]`: runs every int8 test-vector file in DIR through
// the reference kernels and reports pass/fail per case.
#include <ostream>
#include <string>

#include "cli/command.h"
#include "cli/output.h"
#include "kernels/test_vectors.h"

namespace opcost::cli {
namespace {

constexpr char kHelp[] =
    "usage: opcost vectors DIR [--format table|json]\n\n"
    "Runs every *.json test-vector file in DIR (format: shared/testvectors/cmsis-nn-s8/README.md)\n"
    "through opcost's bit-exact int8 kernels and compares every output byte with the reference.\n"
    "Table form: one line per case, \"NAME pass\" or \"NAME fail DETAIL\" (DETAIL names the first\n"
    "differing index), then \"N passed, M failed\". JSON form: {\"cases\": [{\"name\", \"kind\",\n"
    "\"passed\", \"detail\", \"first_difference\", \"differences\", \"bytes\"}], \"passed\",\n"
    "\"failed\"}. Exit code 0 only when every case passes, 1 otherwise.\n";

int Run(const Args& args, std::ostream& out) {
  const ParsedArgs parsed = ParseArgs(args, {"format"}, {});
  if (parsed.positional.size() != 1) throw UsageError("vectors takes one directory (DIR)");
  const OutputFormat format = ParseOutputFormat(parsed.Get("format", "table"));
  if (format == OutputFormat::kCsv) throw UsageError("vectors supports --format table or json");
  const auto results = kernels::RunVectorDirectory(parsed.positional[0]);
  int passed = 0;
  for (const auto& r : results) passed += r.passed ? 1 : 0;
  const int failed = static_cast<int>(results.size()) - passed;
  if (format == OutputFormat::kJson) {
    OJson root;
    OJson cases = OJson::array();
    for (const auto& r : results) {
      OJson c;
      c["name"] = r.name;
      c["kind"] = r.kind;
      c["passed"] = r.passed;
      c["detail"] = r.detail;
      c["first_difference"] = r.first_difference;
      c["differences"] = r.num_differences;
      c["bytes"] = r.num_elements;
      cases.push_back(c);
    }
    root["cases"] = cases;
    root["passed"] = passed;
    root["failed"] = failed;
    out << DumpJson(root) << "\n";
  } else {
    for (const auto& r : results) {
      out << r.name << (r.passed ? " pass" : " fail " + r.detail) << "\n";
    }
    out << passed << " passed, " << failed << " failed\n";
  }
  return failed == 0 ? 0 : 1;
}

}  // namespace

const Command kVectorsCommand = {"vectors", "check the int8 kernels against test vectors", kHelp,
                                 Run};

}  // namespace opcost::cli
