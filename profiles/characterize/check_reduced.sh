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
  sh "$here/build_image.sh" "$core" "$work"
  "$runner" --image "$work/nnk-$core.elf" --core "$core" --sweep reduced \
    --blocks-out "$work/blocks-$core.tsv" > /dev/null
  python3 "$here/block_costs.py" "$work/nnk-$core.dis" "$work/blocks-$core.tsv" "$core" \
    "$work/costs-$core.tsv"
  "$runner" --image "$work/nnk-$core.elf" --core "$core" --sweep reduced \
    --costs "$work/costs-$core.tsv" --csv-out "$work/sweep-$core.csv"
done
if [ -f "$here/check_curves.py" ]; then
  python3 "$here/check_curves.py" "$root/profiles/cortex-m7-f746.json" "$work/sweep-cortex-m7.csv"
  python3 "$here/check_curves.py" "$root/profiles/cortex-m4-l4r5.json" "$work/sweep-cortex-m4.csv"
fi
