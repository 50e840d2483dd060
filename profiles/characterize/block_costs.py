#!/usr/bin/env python3
"""Cycles per executed block from LLVM's scheduling model (llvm-mca -mcpu=<core>).

usage: block_costs.py IMAGE.dis BLOCKS.tsv CORE OUT.tsv
  IMAGE.dis  arm-none-eabi-objdump -d --no-show-raw-insn of the image
  BLOCKS.tsv "addr_hex size" per line (opcost_characterize --blocks-out)
  OUT.tsv    "addr_hex size instructions cycles" per line (opcost_characterize --costs)

Each block becomes one llvm-mca code region, run 100 iterations back to back; its cost is the
steady-state cycles per iteration (total cycles / 100). llvm-mca does not model branches or
memory: the runner adds the branch terms, calibration the memory terms. IT instructions are
replaced by nop (llvm-mca rejects IT; a predicated-out instruction still costs its slot on M7).
"""
import re
import subprocess
import sys

ITERATIONS = 100
INSN = re.compile(r"^\s*([0-9a-f]+):\s+(\S+)\s*(.*)$")
TARGET = re.compile(r"\b[0-9a-f]+ <[^>]*>")


def parse_dis(path):
    insns = {}
    for line in open(path):
        m = INSN.match(line.rstrip("\n"))
        if not m:
            continue
        addr, mnem, ops = int(m.group(1), 16), m.group(2), m.group(3)
        if mnem.startswith(".") or mnem == "bkpt":
            continue
        ops = re.split(r"\s*[;@]", ops)[0].strip()
        insns[addr] = (mnem, ops)
    return insns


def to_llvm(mnem, ops, label):
    mnem = re.sub(r"\.(w|n)$", "", mnem)
    if re.fullmatch(r"it[te]{0,3}", mnem):
        return "nop"
    ops = TARGET.sub(label, ops)
    return f"{mnem}\t{ops}" if ops else mnem


# Armv7E-M for the M4 and M7, Armv8-M mainline (with the DSP extension, as -mcpu implies) for the M33.
TRIPLES = {"cortex-m4": "thumbv7em-none-eabi", "cortex-m7": "thumbv7em-none-eabi",
           "cortex-m33": "thumbv8m.main-none-eabi"}
# The llvm-mca whose scheduling model times each core, pinned: Debian 12's llvm-mca (LLVM 14).
# LLVM 14 and 19 both time cortex-m33 with the Cortex-M4 model (resource "M4Unit"); LLVM 19
# also rejects the IT-less predicated instructions this script emits (docs/characterization.md).
LLVM_MCA = {"cortex-m4": "llvm-mca", "cortex-m7": "llvm-mca", "cortex-m33": "llvm-mca"}


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    dis, blocks_path, core, out_path = sys.argv[1:]
    insns = parse_dis(dis)
    addrs = sorted(insns)
    blocks = []
    for line in open(blocks_path):
        if line.strip():
            a, s = line.split()
            blocks.append((int(a, 16), int(s)))
    src = [".syntax unified", ".thumb"]
    counts = []
    for i, (a, s) in enumerate(blocks):
        body = [insns[x] for x in addrs if a <= x < a + s]
        if not body:
            sys.exit(f"block_costs.py: block 0x{a:x}+{s} has no instructions in {dis}")
        counts.append(len(body))
        src.append(f"# LLVM-MCA-BEGIN b{i}")
        src += [to_llvm(m, o, f".Lt{i}") for m, o in body]
        src.append("# LLVM-MCA-END")
        src.append(f".Lt{i}:")
    asm = "\n".join(src) + "\n"
    res = subprocess.run([LLVM_MCA[core], f"-mtriple={TRIPLES[core]}", f"-mcpu={core}",
                          f"-iterations={ITERATIONS}", "-all-stats=false", "-instruction-info=false",
                          "-resource-pressure=false"],
                         input=asm, capture_output=True, text=True)
    if res.returncode != 0:
        sys.exit("block_costs.py: llvm-mca failed:\n" + res.stderr[:4000])
    totals = [int(x) for x in re.findall(r"Total Cycles:\s+(\d+)", res.stdout)]
    if len(totals) != len(blocks):
        sys.exit(f"block_costs.py: llvm-mca gave {len(totals)} regions for {len(blocks)} blocks")
    with open(out_path, "w") as out:
        ver = subprocess.run([LLVM_MCA[core], "--version"], capture_output=True, text=True).stdout
        ver = re.search(r"LLVM version (\S+)", ver)
        out.write(f"# llvm-mca {ver.group(1) if ver else '?'} -mcpu={core} -iterations={ITERATIONS}\n")
        for (a, s), n, t in zip(blocks, counts, totals):
            out.write(f"{a:x} {s} {n} {t / ITERATIONS:.2f}\n")


if __name__ == "__main__":
    main()
