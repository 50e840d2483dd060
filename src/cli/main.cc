// The `opcost` executable: dispatches to a command, turns exceptions into one stderr line and an
// exit code (0 ok, 1 bad input, 2 usage, 3 internal).
#include <exception>
#include <iostream>
#include <new>
#include <string>

#include "cli/command.h"
#include "opcost/error.h"

namespace opcost::cli {

const std::vector<Command>& Commands() {
  static const std::vector<Command> commands = {
      kMetricsCommand, kMemoryCommand, kEstimateCommand, kFitCommand,
      kImportCommand,  kVectorsCommand, kRunCommand,     kValidateCommand,
      kProfilesCommand, kReportCommand,
  };
  return commands;
}

namespace {

constexpr char kVersion[] = "0.1.0";

void PrintUsage(std::ostream& out) {
  out << "usage: opcost COMMAND [ARGS...]\n\n"
         "What a neural network costs on a microcontroller: MACs, cycles, latency, energy and\n"
         "memory footprint, per layer.\n\ncommands:\n";
  for (const Command& c : Commands()) {
    out << "  " << c.name
        << std::string(10 - std::min<std::size_t>(9, std::string(c.name).size()), ' ') << c.summary
        << "\n";
  }
  out << "\n'opcost help COMMAND' or 'opcost COMMAND --help' describes a command.\n";
}

const Command* FindCommand(const std::string& name) {
  for (const Command& c : Commands()) {
    if (name == c.name) return &c;
  }
  return nullptr;
}

int Main(int argc, char** argv) {
  Args args(argv + 1, argv + argc);
  if (args.empty()) {
    PrintUsage(std::cerr);
    return 2;
  }
  if (args[0] == "--help" || args[0] == "-h") {
    PrintUsage(std::cout);
    return 0;
  }
  if (args[0] == "--version") {
    std::cout << "opcost " << kVersion << "\n";
    return 0;
  }
  if (args[0] == "help") {
    if (args.size() < 2) {
      PrintUsage(std::cout);
      return 0;
    }
    const Command* c = FindCommand(args[1]);
    if (c == nullptr) throw UsageError("unknown command '" + args[1] + "'");
    std::cout << c->help;
    return 0;
  }
  const Command* command = FindCommand(args[0]);
  if (command == nullptr) throw UsageError("unknown command '" + args[0] + "' (see opcost --help)");
  Args rest(args.begin() + 1, args.end());
  for (const std::string& a : rest) {
    if (a == "--help" || a == "-h") {
      std::cout << command->help;
      return 0;
    }
  }
  return command->run(rest, std::cout);
}

}  // namespace
}  // namespace opcost::cli

namespace {

int RunAndReport(int argc, char** argv) {
  try {
    return opcost::cli::Main(argc, argv);
  } catch (const opcost::cli::UsageError& e) {
    std::cerr << "opcost: usage error: " << e.what() << "\n";
    return 2;
  } catch (const opcost::Error& e) {
    std::cerr << "opcost: error: " << e.what() << "\n";
    return e.code() == opcost::ErrorCode::kInternal ? 3 : 1;
  } catch (const std::bad_alloc&) {
    // Budgets stop what inputs can ask for; this is the machine running out below them.
    std::cerr << "opcost: error: out of memory (the input needs more memory than this machine "
                 "gives; docs/cli.md lists the budgets)\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "opcost: internal error: " << e.what() << "\n";
    return 3;
  }
}

}  // namespace

int main(int argc, char** argv) {
  const int code = RunAndReport(argc, argv);
  // A result that could not be written (full disk, closed file) must not exit 0.
  std::cout.flush();
  if (!std::cout) {
    std::cerr << "opcost: error: cannot write the result to stdout\n";
    return code == 0 ? 1 : code;
  }
  return code;
}
