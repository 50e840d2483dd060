#!/bin/sh
# CI check (CTest characterize.reduced_sweep): build both images, run the reduced sweep on both
# emulated cores, require every output byte to match the host reference, and require the
# emulated cycles to reproduce the shipped profiles' curves within tolerance (check_curves.py).
# usage: check_reduced.sh RUNNER WORK_DIR
set -eu
runner="$1"; work="$2"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
mkdir -p "$work"
for core in cortex-m7 cortex-m4; do
  sh "$here/sweep.sh" "$runner" "$core" reduced "$work/$core" "$work/sweep-$core.csv"
done
for p in cortex-m7-f746:cortex-m7 cortex-m4-l4r5:cortex-m4; do
  name="${p%%:*}"; core="${p##*:}"
  python3 "$here/check_curves.py" "$root/profiles/$name.json" "$work/sweep-$core.csv" \
    "$here/data/fit-$name.json" "$here/data/sweep-$core.csv"
done
