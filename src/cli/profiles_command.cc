// `opcost profiles [--format table|json|csv]`: the profiles a name can select (shipped, installed
// and $OPCOST_PROFILE_PATH), with what each describes, so a user can pick one.
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "cli/command.h"
#include "cli/output.h"
#include "cli/profile_lookup.h"
#include "opcost/profile_catalog.h"

namespace opcost::cli {
namespace {

constexpr char kHelp[] =
    "usage: opcost profiles [--format table|json|csv]\n\n"
    "Lists the hardware profiles --profile NAME can select: NAME.json in $OPCOST_PROFILE_PATH,\n"
    "the installed share/opcost/profiles and the source tree's profiles/, with the aliases that\n"
    "name board and runtime (docs/profiles.md). Columns: name, the file it loads, core, board,\n"
    "clock, kernel library (runtime), flash and SRAM, and the mean absolute latency error of\n"
    "its validation (docs/accuracy.md), leave-one-out and absolute, with the number of rows in\n"
    "brackets (empty when never validated; an absolute error on the rows a profile was fitted\n"
    "to is in-sample).\n";

struct Row {
  std::string name;
  HardwareProfile profile;
};

// The profile's validation record of one kind; nullptr if it has none.
const ValidationRecord* FindValidation(const HardwareProfile& p, const std::string& kind) {
  for (const ValidationRecord& v : p.validation) {
    if (v.kind == kind) return &v;
  }
  return nullptr;
}

// One row's cells: the table shows "6.81 (16)", CSV keeps numbers in columns of their own.
std::vector<std::string> Cells(const Row& r, bool csv) {
  const HardwareProfile& p = r.profile;
  std::vector<std::string> cells = {r.name,
                                    p.core,
                                    p.board,
                                    FormatNumber(p.clock_hz / 1e6, 4),
                                    p.kernel_library,
                                    std::to_string(p.flash_bytes / 1024),
                                    std::to_string(p.sram_bytes / 1024)};
  for (const char* kind : {"leave_one_out", "absolute"}) {
    const ValidationRecord* v = FindValidation(p, kind);
    const std::string error = v ? FormatNumber(v->latency_error_pct, 3) : "";
    const std::string rows = v ? std::to_string(v->rows) : "";
    const std::string in_sample = v ? std::to_string(v->in_sample_rows) : "";
    if (csv) {
      cells.push_back(error);
      cells.push_back(rows);
      if (std::string(kind) == "absolute") cells.push_back(in_sample);
    } else if (v == nullptr) {
      cells.emplace_back();
    } else {
      cells.push_back(error + " (" + rows +
                      (v->in_sample_rows > 0 ? ", " + in_sample + " in-sample" : "") + ")");
    }
  }
  return cells;
}

OJson RowJson(const Row& r) {
  const HardwareProfile& p = r.profile;
  OJson j;
  j["name"] = r.name;
  j["profile"] = p.name;
  j["file"] = p.source_name;
  j["core"] = p.core;
  j["board"] = p.board;
  j["clock_hz"] = p.clock_hz;
  j["kernel_library"] = p.kernel_library;
  j["flash_bytes"] = p.flash_bytes;
  j["sram_bytes"] = p.sram_bytes;
  j["runtime_reserve"] = {{"flash_bytes", p.runtime_reserve.flash_bytes},
                          {"sram_bytes", p.runtime_reserve.sram_bytes}};
  OJson validation = OJson::array();
  for (const ValidationRecord& v : p.validation) {
    validation.push_back({{"kind", v.kind},
                          {"rows", v.rows},
                          {"in_sample_rows", v.in_sample_rows},
                          {"latency_error_pct", v.latency_error_pct},
                          {"naive_latency_error_pct", v.naive_latency_error_pct}});
  }
  j["validation"] = validation;
  return j;
}

int Run(const Args& args, std::ostream& out) {
  const ParsedArgs parsed = ParseArgs(args, {"format"}, {});
  if (!parsed.positional.empty()) throw UsageError("profiles takes no arguments");
  const OutputFormat format = ParseOutputFormat(parsed.Get("format", "table"));
  const std::vector<std::string> dirs = ProfileSearchPath();
  std::vector<Row> rows;
  for (const std::string& name : ListProfiles(dirs))
    rows.push_back({name, FindProfile(name, dirs)});
  if (format == OutputFormat::kJson) {
    OJson list = OJson::array();
    for (const Row& r : rows) list.push_back(RowJson(r));
    out << DumpJson(OJson{{"profiles", list}}) << "\n";
    return 0;
  }
  const std::vector<std::string> identity = {"name",    "core",      "board",   "clock_mhz",
                                             "runtime", "flash_kib", "sram_kib"};
  if (format == OutputFormat::kCsv) {
    std::vector<std::string> header = identity;
    for (const char* c :
         {"loo_error_pct", "loo_rows", "abs_error_pct", "abs_rows", "abs_in_sample_rows"}) {
      header.emplace_back(c);
    }
    WriteCsvRow(out, header);
    for (const Row& r : rows) WriteCsvRow(out, Cells(r, true));
    return 0;
  }
  std::vector<std::string> header = identity;
  header.emplace_back("loo error % (rows)");
  header.emplace_back("abs error % (rows)");
  TextTable t(header, {true, true, true, false, true, false, false, false, false});
  for (const Row& r : rows) t.AddRow(Cells(r, false));
  t.Print(out);
  return 0;
}

}  // namespace

const Command kProfilesCommand = {"profiles", "list the hardware profiles --profile can name",
                                  kHelp, &Run};

}  // namespace opcost::cli
