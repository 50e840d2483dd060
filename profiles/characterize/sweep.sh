#!/bin/sh
# Emulated sweep for one core: image -> pass 1 (executed blocks) -> llvm-mca block costs ->
# pass 2 (cycles). usage: sweep.sh RUNNER CORE full|reduced WORK_DIR OUT_CSV
set -eu
runner="$1"; core="$2"; which="$3"; work="$4"; out="$5"
here="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$work"
sh "$here/build_image.sh" "$core" "$work"
"$runner" --image "$work/nnk-$core.elf" --core "$core" --sweep "$which" \
  --blocks-out "$work/blocks-$core.tsv" > /dev/null
python3 "$here/block_costs.py" "$work/nnk-$core.dis" "$work/blocks-$core.tsv" "$core" \
  "$work/costs-$core.tsv"
"$runner" --image "$work/nnk-$core.elf" --core "$core" --sweep "$which" \
  --costs "$work/costs-$core.tsv" --csv-out "$out"
