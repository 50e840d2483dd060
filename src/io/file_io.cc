#include "io/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <new>

#include "opcost/error.h"

namespace opcost::detail {
namespace {

[[noreturn]] void FailIo(const std::string& path, const std::string& what, int err) {
  throw Error(ErrorCode::kIo,
              "cannot write '" + path + "': " + what + " (" + std::strerror(err) + ")");
}

// Devices and pipes (/dev/stdout, a FIFO) cannot be replaced by a rename: written in place.
void WriteInPlace(const std::string& path, const std::string& text) {
  const int fd = open(path.c_str(), O_WRONLY | O_TRUNC);
  if (fd < 0) FailIo(path, "cannot open it", errno);
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = n < 0 ? errno : EIO;
      close(fd);
      FailIo(path, "write failed after " + std::to_string(done) + " bytes", err);
    }
    done += static_cast<std::size_t>(n);
  }
  if (close(fd) != 0) FailIo(path, "close failed", errno);
}

[[noreturn]] void FailOverBudget(const std::string& path, std::int64_t limit) {
  throw Error(ErrorCode::kIo, "'" + path + "' is larger than the input budget of " +
                                  std::to_string(limit) +
                                  " bytes (set OPCOST_MAX_INPUT_BYTES to raise it)");
}

}  // namespace

std::int64_t MaxInputBytes() {
  constexpr std::int64_t kDefault = std::int64_t{1} << 30;
  const char* env = std::getenv("OPCOST_MAX_INPUT_BYTES");
  if (env == nullptr || *env == '\0') return kDefault;
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(env, &end, 10);
  if (errno != 0 || *end != '\0' || v <= 0) {
    throw Error(
        ErrorCode::kInvalidArgument,
        std::string("OPCOST_MAX_INPUT_BYTES must be a positive integer (got \"") + env + "\")");
  }
  return v;
}

std::string ReadInputFile(const std::string& path) {
  struct stat st;
  const bool known = stat(path.c_str(), &st) == 0;
  if (known && S_ISDIR(st.st_mode)) {
    throw Error(ErrorCode::kIo, "'" + path + "' is a directory, not a file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw Error(ErrorCode::kIo,
                "cannot open '" + path + "' for reading (" + std::strerror(errno) + ")");
  }
  const std::int64_t limit = MaxInputBytes();
  // A regular file larger than the budget is refused before reading it; devices and pipes have
  // no size and are read up to the budget.
  if (known && S_ISREG(st.st_mode) && st.st_size > limit) FailOverBudget(path, limit);
  std::string text;
  char chunk[1 << 16];
  while (in) {
    in.read(chunk, sizeof chunk);
    try {
      text.append(chunk, static_cast<std::size_t>(in.gcount()));
    } catch (const std::bad_alloc&) {
      throw Error(ErrorCode::kIo, "'" + path + "': out of memory after reading " +
                                      std::to_string(text.size()) +
                                      " bytes (OPCOST_MAX_INPUT_BYTES lowers the input budget)");
    }
    if (static_cast<std::int64_t>(text.size()) > limit) FailOverBudget(path, limit);
  }
  if (in.bad()) throw Error(ErrorCode::kIo, "cannot read '" + path + "'");
  return text;
}

bool IsValidUtf8(const std::string& s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    const unsigned char c = p[i];
    std::size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;  // overlong
      if (c == 0xED) hi = 0x9F;  // surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;  // overlong
      if (c == 0xF4) hi = 0x8F;  // above U+10FFFF
    } else {
      return false;
    }
    if (i + len > n) return false;
    if (p[i + 1] < lo || p[i + 1] > hi) return false;
    for (std::size_t k = 2; k < len; ++k) {
      if (p[i + k] < 0x80 || p[i + k] > 0xBF) return false;
    }
    i += len;
  }
  return true;
}

std::int64_t MaxJsonValues() {
  return std::max<std::int64_t>(std::int64_t{1} << 20, MaxInputBytes() / 16);
}

void WriteFileAtomically(const std::string& target, const std::string& text) {
  struct stat lst;
  if (lstat(target.c_str(), &lst) == 0 && !S_ISREG(lst.st_mode) && !S_ISLNK(lst.st_mode)) {
    WriteInPlace(target, text);
    return;
  }
  // A symbolic link keeps pointing where it did: the file it names is replaced.
  std::string path = target;
  if (lstat(target.c_str(), &lst) == 0 && S_ISLNK(lst.st_mode)) {
    char* real = realpath(target.c_str(), nullptr);
    if (real != nullptr) {
      path = real;
      std::free(real);
      struct stat st;
      if (stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
        WriteInPlace(path, text);
        return;
      }
    }
  }
  const std::size_t slash = path.rfind('/');
  const std::string dir =
      slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  std::string tmp = (slash == std::string::npos ? std::string() : path.substr(0, slash + 1)) + "." +
                    path.substr(slash == std::string::npos ? 0 : slash + 1) + ".tmp-XXXXXX";
  const int fd = mkstemp(tmp.data());
  if (fd < 0) FailIo(path, "cannot create a temporary file in '" + dir + "'", errno);
  // Keep the target's permissions; a new file gets the usual 0644.
  struct stat st;
  const mode_t mode = stat(path.c_str(), &st) == 0 ? (st.st_mode & 07777) : 0644;
  const auto fail = [&](const std::string& what) {
    const int err = errno;
    close(fd);
    unlink(tmp.c_str());
    FailIo(path, what, err);
  };
  if (fchmod(fd, mode) != 0) fail("cannot set the permissions of the temporary file");
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = EIO;
      fail("write failed after " + std::to_string(done) + " bytes");
    }
    done += static_cast<std::size_t>(n);
  }
  if (fsync(fd) != 0) fail("fsync failed");
  if (close(fd) != 0) {
    const int err = errno;
    unlink(tmp.c_str());
    FailIo(path, "close failed", err);
  }
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    unlink(tmp.c_str());
    FailIo(path, "cannot rename the temporary file over it", err);
  }
  // Make the rename itself durable.
  const int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (dfd >= 0) {
    fsync(dfd);
    close(dfd);
  }
}

void RefuseOverwritingInputs(const std::string& output, const std::vector<std::string>& inputs) {
  struct stat out;
  if (stat(output.c_str(), &out) != 0) return;  // a new file cannot be an input
  for (const std::string& input : inputs) {
    struct stat in;
    if (stat(input.c_str(), &in) == 0 && in.st_dev == out.st_dev && in.st_ino == out.st_ino) {
      throw Error(ErrorCode::kInvalidArgument, "refusing to write '" + output +
                                                   "': it is the input '" + input +
                                                   "' (choose another output file)");
    }
  }
}

}  // namespace opcost::detail
