#!/bin/sh
# CI check (CTest characterize.memory_check) of the opt-in memory mode: the reduced sweep with
# weights in emulated flash on both cores is bit-exact and executes the same blocks as with ideal
# memory (memory_check.sh), and a fully connected layer (no weight reuse) stalls as the analytic
# term says: emulated / analytic within 0.95..1.3 (docs/characterization.md).
# usage: check_memory.sh RUNNER WORK_DIR
set -eu
runner="$1"; work="$2"
here="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$work"
for core in cortex-m7 cortex-m4; do
  sh "$here/memory_check.sh" "$runner" "$core" reduced "$work/$core" "$work/memory-$core.csv"
  python3 - "$work/memory-$core.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
fc = [r for r in rows if r["category"] == "fully_connected"]
bad = [r for r in rows if r["bitexact"] != "1"]
if bad or not fc:
    sys.exit(f"check_memory.sh: {len(bad)} rows not bit-exact, {len(fc)} fully connected rows")
off = [float(r["ratio_emulated_analytic"]) for r in fc if not 0.95 <= float(r["ratio_emulated_analytic"]) <= 1.3]
if off:
    sys.exit(f"check_memory.sh: fully connected emulated/analytic stall ratios outside 0.95..1.3: {off}")
print(f"check_memory.sh: {sys.argv[1]}: {len(rows)} rows bit-exact, {len(fc)} fully connected within 0.95..1.3")
PY
done
