#!/bin/sh
# Emulated sweep for one core: image -> pass 1 (executed blocks) -> llvm-mca block costs ->
# pass 2 (cycles). usage: sweep.sh RUNNER CORE full|reduced WORK_DIR OUT_CSV [cmsis|reference]
#   the last argument selects the kernel library of the image (build_image.sh); default cmsis.
set -eu
runner="$1"; core="$2"; which="$3"; work="$4"; out="$5"; lib="${6:-cmsis}"
here="$(cd "$(dirname "$0")" && pwd)"
case "$lib" in
  cmsis) img=nnk ;;
  reference) img=nnk_ref ;;
  *) echo "sweep.sh: unknown kernel library '$lib' (expected cmsis or reference)" >&2; exit 2 ;;
esac
mkdir -p "$work"
sh "$here/build_image.sh" "$core" "$work" "$lib"
"$runner" --image "$work/$img-$core.elf" --core "$core" --sweep "$which" \
  --blocks-out "$work/blocks-$core.tsv" > /dev/null
python3 "$here/block_costs.py" "$work/$img-$core.dis" "$work/blocks-$core.tsv" "$core" \
  "$work/costs-$core.tsv"
"$runner" --image "$work/$img-$core.elf" --core "$core" --sweep "$which" \
  --costs "$work/costs-$core.tsv" --csv-out "$out"
