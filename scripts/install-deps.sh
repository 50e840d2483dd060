#!/usr/bin/env bash
# Installs the Debian 12 packages opcost needs, skipping what is already there.
#   scripts/install-deps.sh            build + tests + the Python package (pybind11)
#   scripts/install-deps.sh --all      also the fuzzers (clang), the Cortex-M characterization
#                                      toolchain (arm-none-eabi-gcc, Unicorn, llvm-mca; QEMU and
#                                      LLVM 19 for the Helium kernels), what
#                                      the Python tests use (pytest, torch, Dask, matplotlib) and
#                                      the browser the report test renders in (chromium)
set -euo pipefail
packages=(cmake make g++ nlohmann-json3-dev libeigen3-dev libgtest-dev libgmock-dev
          libbenchmark-dev libflatbuffers-dev python3 python3-dev pybind11-dev python3-pybind11)
if [[ "${1:-}" == "--all" ]]; then
  packages+=(clang libclang-rt-14-dev gcc-arm-none-eabi libunicorn-dev
             llvm llvm-19 qemu-system-arm python3-pytest python3-torch python3-distributed
             python3-matplotlib chromium fonts-dejavu-core)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if (( ${#missing[@]} == 0 )); then
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "opcost: missing Debian packages (run as root to install): ${missing[*]}" >&2
  exit 1
fi
echo "opcost: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
