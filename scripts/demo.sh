#!/usr/bin/env bash
# The main job: installs what is missing, builds, and estimates a bundled model (the MLPerf Tiny
# keyword-spotting DS-CNN) on the bundled Cortex-M7 profile (STM32F746, 216 MHz, CMSIS-NN).
#   scripts/demo.sh [MODEL] [PROFILE]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
model="${1:-${root}/models/mlperf_kws_ds_cnn.json}"
profile="${2:-cortex-m7-f746}"
"${root}/scripts/install-deps.sh"
cmake -S "${root}" -B "${root}/build" -DCMAKE_BUILD_TYPE=Release -DOPCOST_BUILD_TESTS=OFF > /dev/null
# The Python package too (docs/python.md), installed for Debian's python3: afterwards
# `python3 -c "import opcost"` works.
cmake --build "${root}/build" -j 2 --target opcost_cli opcost_python > /dev/null
cmake --install "${root}/build" --component python > /dev/null
"${root}/build/src/cli/opcost" estimate "${model}" --profile "${profile}"
