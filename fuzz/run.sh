#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for a bounded time on a
# seed corpus. For CI: needs Debian's clang and libclang-rt-14-dev.
#   fuzz/run.sh [SECONDS_PER_TARGET]      (default 60)
# Exit status is non-zero if a target finds a crash; the reproducer is left in
# build-fuzz/artifacts/. Inputs in fuzz/regressions/TARGET/ (past crashes) are rerun once each.
set -euo pipefail
seconds="${1:-60}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shared="${OPCOST_SHARED_DIR:-${root}/tests/data/shared}"
build="${OPCOST_FUZZ_BUILD_DIR:-${root}/build-fuzz}"
flags="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g -O1"

CC=clang CXX=clang++ cmake -S "${root}" -B "${build}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DOPCOST_BUILD_FUZZERS=ON -DOPCOST_BUILD_TESTS=OFF -DOPCOST_BUILD_CLI=OFF \
  -DOPCOST_INSTALL=OFF -DCMAKE_CXX_FLAGS="${flags}" > "${build}.cmake.log" 2>&1 ||
  { cat "${build}.cmake.log"; exit 1; }
targets=(tflite_import_fuzzer model_json_fuzzer profile_fuzzer pipeline_fuzzer run_fuzzer
  vectors_fuzzer onnx_import_fuzzer)
cmake --build "${build}" -j 2 --target "${targets[@]}"

# Seed corpora: the real models and broken files for TFLite, bundled JSON models and profiles,
# the shared test vectors, and the hostile classes of issue 11 built by make_corpus.py (shared
# flatbuffer tables, deep nesting, huge dims, overflowing numbers, duplicate keys, NaN/inf
# profile values, truncated files, runnable int8 models).
corpus="${build}/corpus"
mkdir -p "${corpus}/tflite" "${corpus}/json" "${corpus}/profile" "${corpus}/onnx" "${build}/artifacts"
OPCOST_SHARED_DIR="${shared}" /usr/bin/python3 "${root}/fuzz/make_corpus.py" "${corpus}"
cp "${root}"/tests/data/tflite_bad/*.tflite "${corpus}/tflite/" 2>/dev/null || true
cp "${shared}"/models/*/*.tflite "${corpus}/tflite/" 2>/dev/null || true
cp "${root}"/models/*.json "${corpus}/json/" 2>/dev/null || true
cp "${root}"/profiles/*.json "${corpus}/profile/" 2>/dev/null || true
cp "${root}"/tests/data/onnx/*.onnx "${root}"/tests/data/onnx/bad/*.onnx "${corpus}/onnx/" \
  2>/dev/null || true

run() {
  local target="$1" dir="$2"
  echo "== ${target}: ${seconds}s on ${dir}"
  "${build}/fuzz/${target}" -max_total_time="${seconds}" -timeout=10 -rss_limit_mb=2048 \
    -max_len=1048576 -artifact_prefix="${build}/artifacts/${target}-" -print_final_stats=1 \
    "${dir}" 2>&1 | tail -n 12
  return "${PIPESTATUS[0]}"
}
status=0
run tflite_import_fuzzer "${corpus}/tflite" || status=1
run model_json_fuzzer "${corpus}/json" || status=1
run profile_fuzzer "${corpus}/profile" || status=1
run pipeline_fuzzer "${corpus}/json" || status=1
run run_fuzzer "${corpus}/run" || status=1
run vectors_fuzzer "${corpus}/vectors" || status=1
run onnx_import_fuzzer "${corpus}/onnx" || status=1
# Inputs that once crashed or hung a target must keep passing (each is run once).
for dir in "${root}"/fuzz/regressions/*/; do
  inputs=("${dir}"*)
  [[ -e "${inputs[0]}" ]] || continue
  target="$(basename "${dir}")"
  echo "== ${target}: ${#inputs[@]} regression inputs in ${dir}"
  "${build}/fuzz/${target}" -timeout=10 -rss_limit_mb=2048 "${inputs[@]}" 2>&1 | tail -n 3 ||
    status=1
done
exit "${status}"
