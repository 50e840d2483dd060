#!/bin/sh
# Regenerates every generated profile and its evidence (docs/characterization.md):
#   profiles/cortex-m7-f746.json, profiles/cortex-m4-l4r5.json, profiles/cortex-m33-ra6m4.json
#   (CMSIS-NN-style kernels), profiles/cortex-m55-e7.json (MVE kernels on QEMU, helium/),
#   profiles/stm32f746-tflm-reference.json, profiles/stm32l4r5-tflm-reference.json (TFLite Micro
#   reference-style kernels; alpha copied from the CMSIS-NN profile of the same board),
#   profiles/characterize/data/{sweep-*.csv,sweep-ref-*.csv,costs-*.tsv,costs-ref-*.tsv,fit-*.json},
#   docs/characterization/*.svg
# usage: profiles/characterize/regenerate.sh [BUILD_DIR]   (default: build-characterize)
# Needs: gcc-arm-none-eabi, libunicorn-dev, llvm (llvm-mca), python3, cmake.
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="${1:-$root/build-characterize}"
shared="${OPCOST_SHARED_DIR:-$root/../shared}"
cmake -S "$root" -B "$build" -DOPCOST_BUILD_CHARACTERIZE=ON > /dev/null
cmake --build "$build" --target opcost_characterize opcost_cli -j2
runner="$build/profiles/characterize/opcost_characterize"
opcost="$(find "$build/src/cli" -maxdepth 1 -name opcost -type f | head -n 1)"
[ -x "$opcost" ] || { echo "regenerate.sh: opcost CLI not found under $build/src/cli" >&2; exit 1; }
mkdir -p "$here/data"
for core in cortex-m7 cortex-m4 cortex-m33; do
  sh "$here/sweep.sh" "$runner" "$core" full "$build/characterize/$core" "$here/data/sweep-$core.csv"
  cp "$build/characterize/$core/costs-$core.tsv" "$here/data/costs-$core.tsv"
done
OPCOST_FIT_WORK="$build/characterize/fit-m7" python3 "$here/fit.py" cortex-m7-f746 "$here/data/sweep-cortex-m7.csv" "$opcost" "$root" "$shared"
OPCOST_FIT_WORK="$build/characterize/fit-m4" python3 "$here/fit.py" cortex-m4-l4r5 "$here/data/sweep-cortex-m4.csv" "$opcost" "$root" "$shared"
# The Cortex-M33 profile starts from the M4 one (elementwise and other categories).
OPCOST_FIT_WORK="$build/characterize/fit-m33" python3 "$here/fit.py" cortex-m33-ra6m4 "$here/data/sweep-cortex-m33.csv" "$opcost" "$root" "$shared"
# Reference kernels: after the CMSIS-NN fits, whose alpha they copy.
for core in cortex-m7 cortex-m4; do
  sh "$here/sweep.sh" "$runner" "$core" full "$build/characterize/ref-$core" "$here/data/sweep-ref-$core.csv" reference
  cp "$build/characterize/ref-$core/costs-$core.tsv" "$here/data/costs-ref-$core.tsv"
done
OPCOST_FIT_WORK="$build/characterize/fit-ref-m7" python3 "$here/fit.py" stm32f746-tflm-reference "$here/data/sweep-ref-cortex-m7.csv" "$opcost" "$root" "$shared"
OPCOST_FIT_WORK="$build/characterize/fit-ref-m4" python3 "$here/fit.py" stm32l4r5-tflm-reference "$here/data/sweep-ref-cortex-m4.csv" "$opcost" "$root" "$shared"
python3 "$here/plot.py" "$root" "$opcost"
for p in cortex-m7-f746 cortex-m4-l4r5 cortex-m33-ra6m4 stm32f746-tflm-reference stm32l4r5-tflm-reference; do  # relative profile path: stable output
  (cd "$root" && "$opcost" estimate "$shared/models/mcunet/mcunet-vww1.tflite" \
    --profile "profiles/$p.json" --format json > "$here/data/estimate-mcunet-vww1-$p.json")
done
# Helium: the Cortex-M55 kernels on QEMU, then profiles/cortex-m55-e7.json (uncalibrated).
sh "$here/helium/run.sh" "$build/characterize/helium"
python3 "$here/helium/make_profile.py" "$opcost"
# The profiles made from these (X-CUBE-AI: two constants on the Cortex-M shapes), then every
# profile's validation records and docs/accuracy.md.
python3 "$root/profiles/runtimes.py" "$opcost"
python3 "$root/validation/report.py" "$opcost" --update-profiles
echo "regenerate.sh: done"
