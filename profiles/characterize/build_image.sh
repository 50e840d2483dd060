#!/bin/sh
# Builds the characterization image for one core with pinned flags.
# usage: build_image.sh cortex-m7|cortex-m4 OUT_DIR   -> OUT_DIR/nnk-<core>.elf (+ .dis)
set -eu
core="$1"; out="$2"
here="$(cd "$(dirname "$0")" && pwd)"
CC="${ARM_CC:-arm-none-eabi-gcc}"
case "$core" in
  cortex-m7) fpu="-mfpu=fpv5-d16" ;;
  cortex-m4) fpu="-mfpu=fpv4-sp-d16" ;;
  *) echo "build_image.sh: unknown core '$core' (expected cortex-m7 or cortex-m4)" >&2; exit 2 ;;
esac
# Pinned: the instruction mix (and so the profile) depends on them (-Os gives +61 % instructions).
FLAGS="-mcpu=$core -mthumb -mfloat-abi=hard $fpu -O2 -ffreestanding -fno-common \
-ffunction-sections -fno-tree-loop-distribute-patterns -std=c11 -Wall -Wextra"
mkdir -p "$out"
elf="$out/nnk-$core.elf"
# shellcheck disable=SC2086
"$CC" $FLAGS -nostdlib -T "$here/target/image.ld" -o "$elf" \
  "$here/target/nnk.c" "$here/target/rt.c" -lgcc
"${ARM_OBJDUMP:-arm-none-eabi-objdump}" -d --no-show-raw-insn "$elf" > "$out/nnk-$core.dis"
echo "$FLAGS" > "$out/nnk-$core.flags"
