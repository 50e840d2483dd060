#!/bin/sh
# Opt-in memory check (docs/characterization.md, "Memory in the emulator"): the usual sweep
# (sweep.sh: image, block costs, ideal-memory cycles), then the same sweep again with every layer's
# weights and bias in emulated flash behind the board's read cache (runner --memory-model).
# usage: memory_check.sh RUNNER CORE full|reduced WORK_DIR OUT_CSV
#   CORE cortex-m7 -> f746 model, cortex-m4 -> l4r5 model. Writes OUT_CSV (one row per MAC layer)
#   and checks that the compute cycles with weights in flash equal the ideal-memory sweep's.
set -eu
runner="$1"; core="$2"; which="$3"; work="$4"; out="$5"
here="$(cd "$(dirname "$0")" && pwd)"
case "$core" in
  cortex-m7) model=f746 ;;
  cortex-m4) model=l4r5 ;;
  *) echo "memory_check.sh: unknown core '$core'" >&2; exit 2 ;;
esac
sh "$here/sweep.sh" "$runner" "$core" "$which" "$work" "$work/sweep-$core.csv"
"$runner" --image "$work/nnk-$core.elf" --core "$core" --sweep "$which" \
  --costs "$work/costs-$core.tsv" --csv-out "$work/sweep-flash-$core.csv" \
  --memory-model "$model" --memory-csv-out "$out"
# Placing the weights in flash must not change what executes (same blocks, same cycles).
cmp "$work/sweep-$core.csv" "$work/sweep-flash-$core.csv"
echo "memory_check.sh: $core ($model): $(($(wc -l < "$out") - 1)) rows -> $out; compute cycles unchanged"
