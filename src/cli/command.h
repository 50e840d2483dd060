// The CLI's commands. Each command lives in its own <name>_command.cc and is listed in main.cc.
// A command gets its arguments (after the command name) and returns the process exit code:
// 0 success, 1 bad input (opcost::Error from the library), 2 usage error, 3 internal error.
// Commands print results to `out`; errors are thrown (opcost::Error, or UsageError below) and
// printed by main as one line "opcost: error: ..." on stderr.
#ifndef OPCOST_CLI_COMMAND_H_
#define OPCOST_CLI_COMMAND_H_

#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "opcost/graph.h"

namespace opcost::cli {

using Args = std::vector<std::string>;

// Thrown for bad command-line usage (exit code 2).
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Command {
  const char* name;
  const char* summary;  // one line for `opcost --help`
  const char* help;     // full text for `opcost help NAME` / `opcost NAME --help`
  int (*run)(const Args& args, std::ostream& out);
};

enum class OutputFormat { kTable, kJson, kCsv };
// Parses "table" | "json" | "csv"; throws UsageError otherwise.
OutputFormat ParseOutputFormat(const std::string& value);

// Loads a model for any command: a .tflite or .onnx file goes through its importer, anything
// else through the JSON loader. `allow_unsupported` (--allow-unsupported): an imported op opcost
// does not map becomes a flagged zero-cost "unsupported" op instead of an error.
Graph LoadModelForCli(const std::string& path, bool allow_unsupported = false);
// RFC 3629 UTF-8 (what nlohmann requires of every string it serializes).
bool IsValidUtf8(const std::string& s);
// Throws Error{kBadModel} naming `path` if a name read from the TFLite file `path` (tensor, op,
// unsupported op, description) is not valid UTF-8 (FlatBuffers strings are UTF-8: the file is
// corrupt), so no JSON output fails later.
void CheckTfliteStrings(const Graph& g, const std::string& path);
// Throws Error{kIo} "'PATH' is a directory, not a WHAT file" if `path` is a directory.
void RejectDirectory(const std::string& path, const char* what);

// Minimal flag parser shared by commands: "--name value" and "--name=value" options, "--flag"
// switches, and positional arguments. Unknown options are a UsageError.
struct ParsedArgs {
  std::vector<std::string> positional;
  std::vector<std::pair<std::string, std::string>> options;  // name (without --), value
  bool Has(const std::string& name) const;
  // The value of option `name`, or `fallback` if absent.
  std::string Get(const std::string& name, const std::string& fallback = "") const;
};
// `with_value` lists the options that take a value, `switches` those that do not.
ParsedArgs ParseArgs(const Args& args, const std::vector<std::string>& with_value,
                     const std::vector<std::string>& switches);

// The command table (main.cc).
const std::vector<Command>& Commands();

// Every command's entry point, defined in its own file.
extern const Command kMetricsCommand;
extern const Command kMemoryCommand;
extern const Command kEstimateCommand;
extern const Command kFitCommand;
extern const Command kImportCommand;
extern const Command kVectorsCommand;
extern const Command kRunCommand;
extern const Command kValidateCommand;
extern const Command kProfilesCommand;
extern const Command kReportCommand;

}  // namespace opcost::cli

#endif  // OPCOST_CLI_COMMAND_H_
