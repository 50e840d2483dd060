#!/usr/bin/env bash
# The whole test suite: installs what is missing, then
#   1. Release build with -Werror, every CTest test (unit tests, CLI, installed-package consumer,
#      Cortex-M characterization reduced sweep);
#   2. the same tests built with -fsanitize=address,undefined;
#   3. each libFuzzer target for a bounded time (OPCOST_FUZZ_SECONDS, default 30).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shared="${OPCOST_SHARED_DIR:-${root}/tests/data/shared}"
jobs=2
start=$(date +%s)
stamp() { echo "== [$(( $(date +%s) - start ))s] $*"; }

"${root}/scripts/install-deps.sh" --all

stamp "release build"
cmake -S "${root}" -B "${root}/build-test" -DCMAKE_BUILD_TYPE=Release -DOPCOST_WERROR=ON \
  -DOPCOST_SHARED_DIR="${shared}" -DOPCOST_BUILD_BENCHMARKS=ON > /dev/null
cmake --build "${root}/build-test" -j "${jobs}"
stamp "release tests"
ctest --test-dir "${root}/build-test" -j "${jobs}" --output-on-failure

stamp "sanitizer build (address, undefined)"
cmake -S "${root}" -B "${root}/build-asan" -DCMAKE_BUILD_TYPE=Debug -DOPCOST_SANITIZE=ON \
  -DOPCOST_SHARED_DIR="${shared}" -DOPCOST_INSTALL=OFF -DOPCOST_BUILD_CHARACTERIZE=OFF \
  -DOPCOST_BUILD_PYTHON=OFF > /dev/null  # an ASan module cannot load into a plain python3
cmake --build "${root}/build-asan" -j "${jobs}"
stamp "sanitizer tests"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir "${root}/build-asan" -j "${jobs}" --output-on-failure

stamp "fuzzing"
OPCOST_SHARED_DIR="${shared}" "${root}/fuzz/run.sh" "${OPCOST_FUZZ_SECONDS:-30}"
stamp "all tests passed"
