// Runs the built `opcost` executable as a child process (fork/exec, no shell) and captures its
// stdout, stderr and exit status separately, so tests can assert which stream a line went to.
#ifndef OPCOST_TESTS_CLI_CLI_PROCESS_H_
#define OPCOST_TESTS_CLI_CLI_PROCESS_H_

#include <string>
#include <utility>
#include <vector>

namespace opcost::clitest {

struct ProcessResult {
  int exit_code = -1;  // WEXITSTATUS, or 128 + signal number when killed by a signal
  bool signaled = false;
  std::string out;
  std::string err;
  // The stderr lines (without their '\n').
  std::vector<std::string> ErrLines() const;
};

// Runs OPCOST_CLI_PATH with `args`; `env` entries (name, value) are set in the child only.
// With `stdout_path`, the child's stdout is that file (opened for writing) instead of `out`.
ProcessResult RunOpcost(const std::vector<std::string>& args,
                        const std::vector<std::pair<std::string, std::string>>& env = {},
                        const std::string& stdout_path = "");

// A fresh directory under the system temp dir, removed (recursively) on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  // Writes `text` to path()/name and returns the full path.
  std::string Write(const std::string& name, const std::string& text) const;

 private:
  std::string path_;
};

// The whole file, or throws std::runtime_error.
std::string ReadFile(const std::string& path);

// Paths of inputs the tests use.
std::string SourcePath(const std::string& relative);  // OPCOST_SOURCE_DIR/relative
std::string SharedPath(const std::string& relative);  // OPCOST_SHARED_DIR/relative

}  // namespace opcost::clitest

#endif  // OPCOST_TESTS_CLI_CLI_PROCESS_H_
