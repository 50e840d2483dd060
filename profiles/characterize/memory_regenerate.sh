#!/bin/sh
# Opt-in memory check, everything (docs/characterization.md, "Memory in the emulator: a check of
# the analytic term"): full sweep on both cores with weights in emulated flash, the network check
# and the summary table. Does not touch the shipped profiles or the default sweep data.
# usage: memory_regenerate.sh [BUILD_DIR] [WORK_DIR]   (defaults build-characterize, /tmp/opcost-memory)
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="${1:-build-characterize}"; work="${2:-/tmp/opcost-memory}"
runner="$build/profiles/characterize/opcost_characterize"
for core in cortex-m7 cortex-m4; do
  sh "$here/memory_check.sh" "$runner" "$core" full "$work/$core" "$here/data/memory-check-$core.csv"
done
shared="$root/shared"; [ -d "$shared/models" ] || shared="$root/../shared"
python3 "$here/memory_networks.py" "$build/src/cli/opcost" "$runner" "$work/cortex-m7/nnk-cortex-m7.elf" \
  "$work/cortex-m4/nnk-cortex-m4.elf" "$shared" "$work/networks" "$here/data/memory-check-networks.csv" > /dev/null
python3 "$here/memory_summary.py" "$here/data/memory-check-cortex-m7.csv" "$here/data/memory-check-cortex-m4.csv"
