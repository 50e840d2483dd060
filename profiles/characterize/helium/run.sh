#!/bin/sh
# Helium (Cortex-M55, MVE) characterization: build, emulate on QEMU mps3-an547, check bit-exact,
# count executed blocks, time them with llvm-mca-19 (cortex-m55 and cortex-m85), summarize.
# usage: run.sh [OUT_DIR] [SHAPES] [RESULTS_DIR]
#   defaults: build-helium, shapes.txt and data/ next to this script.
# Scratch files (image, blob, QEMU log) go to OUT_DIR; the results (helium.csv, blocks-*.tsv,
# summary.md, fig-helium-vs-m7.svg) to RESULTS_DIR. Exit 77 when a tool is missing.
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
char="$(cd "$here/.." && pwd)"
repo="$(cd "$char/../.." && pwd)"
out="${1:-build-helium}"
shapes="${2:-$here/shapes.txt}"
results="${3:-$here/data}"
LLVM_BIN="${LLVM_BIN:-/usr/lib/llvm-19/bin}"
export LLVM_BIN
for tool in arm-none-eabi-gcc arm-none-eabi-nm qemu-system-arm g++ python3 "$LLVM_BIN/llvm-mca" \
            "$LLVM_BIN/llvm-objdump"; do
  command -v "$tool" >/dev/null 2>&1 || { echo "run.sh: missing $tool" >&2; exit 77; }
done
mkdir -p "$out" "$results"
out="$(cd "$out" && pwd)"

# 1. Image, pinned flags (the existing pipeline's, with the M55 instead of the M7). gcc 12.2 has
#    no -mcpu=cortex-m85; the M85 runs the same Armv8.1-M + MVE code.
FLAGS="-mcpu=cortex-m55 -mthumb -mfloat-abi=hard -mfpu=auto -O2 -ffreestanding -fno-common \
-ffunction-sections -fno-tree-loop-distribute-patterns -std=c11 -Wall -Wextra"
INC="-I$here/target -I$char/target"
# shellcheck disable=SC2086
arm-none-eabi-gcc $FLAGS $INC -c "$here/target/helium.c" -o "$out/helium.o"
# shellcheck disable=SC2086
arm-none-eabi-gcc $FLAGS $INC -nostdlib -T "$here/target/helium.ld" -o "$out/helium-m55.elf" \
  "$out/helium.o" "$here/target/main.c" "$here/target/startup.c" -lgcc
"$LLVM_BIN/llvm-objdump" -d --mattr=+mve "$out/helium-m55.elf" > "$out/helium-m55.dis"
echo "$FLAGS" > "$out/helium-m55.flags"

# 2. Host generator: the sweep's data (runner/layers.cc) and both host references.
# shellcheck disable=SC2086
g++ -std=c++17 -O2 -Wall -Wextra -I"$repo/include" -I"$repo/src" -I"$char/runner" $INC \
  -o "$out/helium_gen" "$here/gen.cc" "$char/runner/layers.cc" "$char/runner/library_reference.cc" \
  "$repo/src/kernels/conv.cc" "$repo/src/kernels/depthwise_conv.cc" \
  "$repo/src/kernels/fully_connected.cc" "$repo/src/kernels/pooling.cc" \
  "$repo/src/kernels/activation.cc" "$repo/src/kernels/requantize.cc" \
  "$repo/src/kernels/validate.cc"
"$out/helium_gen" "$shapes" "$out/blob.bin" "$out/expected.bin" "$out/cases.csv"

# 3. One QEMU run: every case once, outputs back through semihosting, TBs logged.
rm -f "$out/helium_out.bin" "$out/qemu.log"
(cd "$out" && qemu-system-arm -M mps3-an547 -nographic \
  -semihosting-config enable=on,target=native -kernel helium-m55.elf \
  -device loader,file=blob.bin,addr=0x60000000 -d in_asm,exec,nochain -D qemu.log) || {
  echo "run.sh: QEMU exited with status $? (3: fault, 4: bad blob, 5: bad case, 6: write)" >&2
  exit 1
}

# 4. Counts, block costs, cycles (fails if any output differs from the host references).
python3 "$here/count.py" "$out/helium-m55.elf" "$out/qemu.log" "$out/cases.csv" "$out" \
  --m7-sweep "$char/data/sweep-cortex-m7.csv"
[ "${KEEP_LOG:-0}" = 1 ] || rm -f "$out/qemu.log"
cp "$out/helium.csv" "$out/blocks-cortex-m55.tsv" "$out/blocks-cortex-m85.tsv" "$results/"
python3 "$here/summarize.py" "$results/helium.csv" "$repo/profiles/cortex-m7-f746.json" \
  "$results"
