#!/bin/sh
# CI check (CTest characterize.reduced_sweep, and characterize.reference_reduced_sweep with the
# last argument "reference"): build both images, run the reduced sweep on both emulated cores,
# require every output byte to match the host reference, and require the emulated cycles to
# reproduce the shipped profiles' curves within tolerance (check_curves.py).
# usage: check_reduced.sh RUNNER WORK_DIR [cmsis|reference]   (default cmsis)
set -eu
runner="$1"; work="$2"; lib="${3:-cmsis}"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
case "$lib" in
  cmsis) cores="cortex-m7 cortex-m4 cortex-m33"
         pairs="cortex-m7-f746:cortex-m7 cortex-m4-l4r5:cortex-m4 cortex-m33-ra6m4:cortex-m33"; tag="" ;;
  reference) cores="cortex-m7 cortex-m4"
             pairs="stm32f746-tflm-reference:cortex-m7 stm32l4r5-tflm-reference:cortex-m4"; tag="ref-" ;;
  *) echo "check_reduced.sh: unknown kernel library '$lib' (expected cmsis or reference)" >&2; exit 2 ;;
esac
mkdir -p "$work"
for core in $cores; do
  sh "$here/sweep.sh" "$runner" "$core" reduced "$work/$tag$core" "$work/sweep-$tag$core.csv" "$lib"
done
for p in $pairs; do
  name="${p%%:*}"; core="${p##*:}"
  python3 "$here/check_curves.py" "$root/profiles/$name.json" "$work/sweep-$tag$core.csv" \
    "$here/data/fit-$name.json" "$here/data/sweep-$tag$core.csv"
done
