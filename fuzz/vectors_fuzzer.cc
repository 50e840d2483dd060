// libFuzzer target for `opcost vectors`: a test-vector file (CMSIS-NN style JSON, read from a
// path as the command reads it) either runs through the kernels and yields a result, or is
// refused with opcost::Error. Sizes must be checked against the arrays before anything is
// allocated: under ASan an oversized allocation is a crash, not a refusal.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "kernels/test_vectors.h"
#include "opcost/error.h"

namespace {

std::string* g_path = nullptr;

// RunVectorFile reads a path, so each input goes through one per-process file.
bool WriteInput(const std::uint8_t* data, std::size_t size) {
  std::FILE* f = std::fopen(g_path->c_str(), "wb");
  if (f == nullptr) return false;
  const bool ok = std::fwrite(data, 1, size, f) == size;
  return std::fclose(f) == 0 && ok;
}

void CheckResult(const opcost::kernels::VectorResult& r) {
  const bool consistent =
      r.passed == r.detail.empty() && r.num_differences >= 0 &&
      r.num_differences <= r.num_elements &&
      (r.first_difference < 0) == (r.num_differences == 0) &&
      r.num_elements <= static_cast<std::int64_t>(r.output.size());
  if (!consistent) {
    std::fprintf(stderr, "vectors_fuzzer: invariant broken: inconsistent result for '%s'\n",
                 r.name.c_str());
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const char* dir = std::getenv("TMPDIR");
  static std::string path = std::string(dir != nullptr ? dir : "/tmp") +
                            "/opcost_vectors_fuzzer_" + std::to_string(getpid()) + ".json";
  g_path = &path;
  std::atexit([] { std::remove(g_path->c_str()); });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (!WriteInput(data, size)) {
    std::fprintf(stderr, "vectors_fuzzer: cannot write %s\n", g_path->c_str());
    std::abort();
  }
  try {
    CheckResult(opcost::kernels::RunVectorFile(*g_path));
  } catch (const opcost::Error&) {
  }
  return 0;
}
