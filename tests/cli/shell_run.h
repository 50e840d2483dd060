// Runs the built `opcost` through the shell (for `<` redirection and pipes), stderr merged into
// the output, for the tests of tests/cli that need a shell.
#ifndef OPCOST_TESTS_CLI_SHELL_RUN_H_
#define OPCOST_TESTS_CLI_SHELL_RUN_H_

#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace opcost::clitest {

struct ShellResult {
  int exit_code = -1;
  std::string out;  // stdout and stderr
};

// `OPCOST_CLI_PATH args 2>&1` in /bin/sh.
inline ShellResult RunShell(const std::string& args) {
  const std::string cmd = std::string(OPCOST_CLI_PATH) + " " + args + " 2>&1";
  ShellResult r;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

}  // namespace opcost::clitest

#endif  // OPCOST_TESTS_CLI_SHELL_RUN_H_
