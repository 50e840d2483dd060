#!/bin/sh
# Builds the characterization image for one core with pinned flags.
# usage: build_image.sh cortex-m7|cortex-m4|cortex-m33 OUT_DIR [cmsis|reference]
#   cmsis (default):  target/nnk.c, CMSIS-NN-style kernels      -> OUT_DIR/nnk-<core>.elf (+ .dis)
#   reference:        target/nnk_ref.c, TFLite Micro reference-style portable C kernels
#                                                               -> OUT_DIR/nnk_ref-<core>.elf (+ .dis)
set -eu
core="$1"; out="$2"; lib="${3:-cmsis}"
here="$(cd "$(dirname "$0")" && pwd)"
case "$lib" in
  cmsis) img=nnk ;;
  reference) img=nnk_ref ;;
  *) echo "build_image.sh: unknown kernel library '$lib' (expected cmsis or reference)" >&2; exit 2 ;;
esac
CC="${ARM_CC:-arm-none-eabi-gcc}"
case "$core" in
  cortex-m7) fpu="-mfpu=fpv5-d16" ;;
  cortex-m4) fpu="-mfpu=fpv4-sp-d16" ;;
  cortex-m33) fpu="-mfpu=fpv5-sp-d16" ;;  # gcc's cortex-m33 has the DSP extension (+nodsp removes it)
  *) echo "build_image.sh: unknown core '$core' (expected cortex-m7, cortex-m4 or cortex-m33)" >&2; exit 2 ;;
esac
# Pinned: the instruction mix (and so the profile) depends on them (-Os gives +61 % instructions).
FLAGS="-mcpu=$core -mthumb -mfloat-abi=hard $fpu -O2 -ffreestanding -fno-common \
-ffunction-sections -fno-tree-loop-distribute-patterns -std=c11 -Wall -Wextra"
mkdir -p "$out"
elf="$out/$img-$core.elf"
# shellcheck disable=SC2086
"$CC" $FLAGS -nostdlib -T "$here/target/image.ld" -o "$elf" \
  "$here/target/$img.c" "$here/target/rt.c" -lgcc
"${ARM_OBJDUMP:-arm-none-eabi-objdump}" -d --no-show-raw-insn "$elf" > "$out/$img-$core.dis"
echo "$FLAGS" > "$out/$img-$core.flags"
