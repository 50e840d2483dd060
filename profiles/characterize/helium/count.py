#!/usr/bin/env python3
"""Cycles per kernel call of the Helium image from QEMU's execution log and llvm-mca.

usage: count.py ELF QEMU_LOG CASES_CSV OUT_DIR [--m7-sweep CSV]

OUT_DIR must hold expected.bin (helium_gen) and helium_out.bin (written by the image): every
case's output bytes are compared (column bitexact); any difference makes the exit status 1.

QEMU_LOG comes from `qemu-system-arm ... -d in_asm,exec,nochain -D QEMU_LOG`:
  - `in_asm` prints each translation block (TB) once when it is translated: its start address
    and every instruction in it (condition-failed IT instructions included, they are part of the
    TB);
  - `exec` with `nochain` prints one `Trace` line for every TB executed (chaining would hide
    TB-to-TB jumps from the log).
Between the TBs of hel_mark_begin and hel_mark_end (one pair per case, in order) the TBs inside
[__kern_start, __kern_end) are the kernel's; each distinct TB (start, end) is timed once by
llvm-mca-19 (-mcpu=cortex-m55 and -mcpu=cortex-m85) as one code region run 100 times back to
back, steady state. Cycles of a call = sum over TBs of executions x block cycles + a branch term:
  - M55: every taken TB exit except the LE back edge of a low-overhead loop costs the LLVM model's
    MispredictPenalty (3): the model has no branch predictor to go by, so every taken branch pays
    the refill; LE back edges are what the M55's loop cache exists for and are charged only
    their issue slot (inside the block, as a `b`);
  - M85: a 2-bit bimodal predictor per exit (as the M7 pipeline does), each mispredict costs the
    LLVM M85 model's MispredictPenalty (4).
Writes OUT_DIR/helium.csv (per case), OUT_DIR/blocks-<cpu>.tsv (per block) and prints a summary.
"""
import collections
import csv
import os
import re
import subprocess
import sys

LLVM = os.environ.get("LLVM_BIN", "/usr/lib/llvm-19/bin")
TRIPLE = "thumbv8.1m.main-none-eabi"
CPUS = {"cortex-m55": 3, "cortex-m85": 4}  # cpu -> LLVM MispredictPenalty (ARMScheduleM55/M85.td)
ITERATIONS = 100

TRACE_RE = re.compile(r"^Trace \d+: 0x[0-9a-f]+ \[[0-9a-f]+/([0-9a-f]+)/")
INSN_RE = re.compile(r"^0x([0-9a-f]{8}):\s")
DIS_RE = re.compile(r"^\s*([0-9a-f]+):\s+((?:[0-9a-f]{4} )+)\s*(.*)$")
BRANCH_TARGET_RE = re.compile(r"0x[0-9a-f]+ <[^>]*>")
COND = "eq|ne|cs|hs|cc|lo|mi|pl|vs|vc|hi|ls|ge|lt|gt|le|al"


def symbols(elf):
    out = subprocess.run(["arm-none-eabi-nm", elf], check=True, capture_output=True, text=True)
    return {f[2]: int(f[0], 16) for f in (l.split() for l in out.stdout.splitlines()) if len(f) == 3}


def disassemble(elf):
    """address -> (size in bytes, assembly text) from llvm-objdump-19 (it knows MVE)."""
    out = subprocess.run([f"{LLVM}/llvm-objdump", "-d", "--mattr=+mve", elf], check=True,
                         capture_output=True, text=True).stdout
    insns = {}
    for line in out.splitlines():
        m = DIS_RE.match(line)
        if m:
            text = m.group(3).split("@")[0].strip().replace("\t", " ")
            insns[int(m.group(1), 16)] = (2 * len(m.group(2).split()), text)
    return insns


def parse_log(path, syms):
    """Per case: Counter of (tb_start, tb_end) executions and the ordered list of kernel TBs'
    exits (Counter of (from_block, next_start) pairs), and the mispredicts of a 2-bit bimodal
    predictor per exit site (state kept across cases, as on a core that runs them in a row)."""
    begin, end = syms["hel_mark_begin"], syms["hel_mark_end"]
    lo, hi = syms["__kern_start"], syms["__kern_end"]
    tb_end = {}  # TB start -> end address of its latest translation
    cases = []
    current = None
    translating = None
    last = None
    predictor = {}  # exit site (block) -> 2-bit counter, >= 2 predicts taken
    with open(path, errors="replace") as f:
        for line in f:
            if line.startswith("IN:"):
                translating = []
                continue
            m = INSN_RE.match(line)
            if m and translating is not None:
                translating.append(line)
                continue
            if translating:
                # The TB's end: its last instruction's address plus its size (hex halfwords).
                first = int(INSN_RE.match(translating[0]).group(1), 16)
                lastline = translating[-1]
                addr = int(INSN_RE.match(lastline).group(1), 16)
                size = 2 * len(re.findall(r"\b[0-9a-f]{4}\b", lastline.split(":", 1)[1][:14]))
                tb_end[first] = addr + size
            translating = None
            m = TRACE_RE.match(line)
            if not m:
                continue
            pc = int(m.group(1), 16)
            if pc == begin:
                current = {"blocks": collections.Counter(), "exits": collections.Counter(),
                           "mispredicts": 0}
                last = None
            elif pc == end:
                if current is not None:
                    cases.append(current)
                current = None
            elif current is not None and lo <= pc < hi:
                block = (pc, tb_end[pc])
                current["blocks"][block] += 1
                if last is not None:
                    current["exits"][(last, pc)] += 1
                    taken = pc != last[1]
                    state = predictor.get(last, 1)
                    current["mispredicts"] += (state >= 2) != taken
                    predictor[last] = min(3, state + 1) if taken else max(0, state - 1)
                last = block
    return cases


def block_asm(block, insns):
    """llvm-mca input for one TB. Rewrites (each one kept minimal, reasons below):
    - branch targets -> a local label (llvm-mc needs a symbol, the target does not matter);
    - `le lr, X` -> `b` (LLVM 19 has no scheduling class for LE; `b` takes its issue slot);
    - `dls lr, rN` -> `mov lr, rN` (no scheduling class in the M55 model; a 1-cycle move);
    - `it` blocks kept as they are: the M55 model times IT; the M85 model rejects it
      ("unsupported instruction"), then it_to_nop."""
    start, stop = block
    lines = []
    pc = start
    covered = it_slots_left(start, insns)
    while pc < stop:
        if pc not in insns:
            raise SystemExit(f"count.py: no instruction at {pc:#x} (block {start:#x}-{stop:#x})")
        size, text = insns[pc]
        text = BRANCH_TARGET_RE.sub(".Lblk", text)
        mnem = text.split()[0]
        if mnem == "le":
            text = "b .Lblk"
        elif mnem in ("dls", "wls"):
            text = "mov lr, " + text.split(",")[1].strip()
        if covered:  # predicated by an IT in the previous TB (already timed there)
            covered -= 1
            text = strip_condition(text)
        lines.append(text)
        pc += size
    return lines


def it_slots_left(start, insns):
    """Instructions at `start` and after that an IT before `start` still predicates. QEMU ends a
    translation block at a 1 KB page boundary even inside an IT block (seen with the pooling
    kernels: a TB starting with `movmi`); llvm-mca rejects a predicated instruction outside an IT,
    so block_asm strips their conditions (the IT itself is timed in the previous block)."""
    n_before, pc = 0, start
    for _ in range(8):
        prev = next((a for a in (pc - 2, pc - 4) if a in insns and a + insns[a][0] == pc), None)
        if prev is None:
            return 0
        mnem = insns[prev][1].split()[0]
        if re.fullmatch(r"it[te]{0,3}", mnem):
            return max(0, len(mnem) - 1 - n_before)
        n_before, pc = n_before + 1, prev
    return 0


def strip_condition(text):
    parts = text.split(None, 1)
    m = re.fullmatch(rf"([a-z]+?)({COND})(\.[a-z0-9.]+)?", parts[0])
    if m:
        parts[0] = m.group(1) + (m.group(3) or "")
    return " ".join(parts)


def it_to_nop(lines):
    """LLVM 19's llvm-mca has no scheduling class for IT ("unsupported instruction"): replace IT
    by a nop (the M55 model gives both the same no-resource dual-issue write) and strip the
    condition from the instructions it predicates, as block_costs.py does for LLVM 14."""
    out, pending = [], 0
    for text in lines:
        mnem = text.split()[0]
        if re.fullmatch(r"it[te]{0,3}", mnem):
            pending = len(mnem) - 1
            out.append("nop")
            continue
        if pending:
            pending -= 1
            parts = text.split(None, 1)
            m = re.fullmatch(rf"([a-z]+?)({COND})(\.[a-z0-9.]+)?", parts[0])
            if m:
                parts[0] = m.group(1) + (m.group(3) or "")
            text = " ".join(parts)
        out.append(text)
    return out


def run_mca(regions, cpu):
    """Steady-state cycles per iteration of each region (a list of instruction lists), all in one
    llvm-mca run: each region between LLVM-MCA-BEGIN/END markers is analysed on its own."""
    src = []
    for i, lines in enumerate(regions):
        src.append(f"# LLVM-MCA-BEGIN b{i}\n.Lblk{i}:\n")
        src += [f"\t{l.replace('.Lblk', f'.Lblk{i}')}\n" for l in lines]
        src.append("# LLVM-MCA-END\n")
    cmd = [f"{LLVM}/llvm-mca", f"-mtriple={TRIPLE}", f"-mcpu={cpu}", f"-iterations={ITERATIONS}",
           "-resource-pressure=0", "-instruction-info=0"]
    r = subprocess.run(cmd, input="".join(src), capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(r.stderr.strip())
    cycles = [int(c) / ITERATIONS for c in re.findall(r"Total Cycles:\s+(\d+)", r.stdout)]
    if len(cycles) != len(regions):
        raise RuntimeError(f"llvm-mca reported {len(cycles)} regions, expected {len(regions)}")
    return cycles


def block_costs(blocks, insns, cpu):
    """block -> (cycles, rewrite note). One batched llvm-mca run; if it is rejected (the M85 model
    has no scheduling class for IT), again with it_to_nop on the blocks holding an IT; then one
    by one as the last resort."""
    asm = [block_asm(b, insns) for b in blocks]
    try:
        return {b: (c, "as is") for b, c in zip(blocks, run_mca(asm, cpu))}
    except RuntimeError:
        pass
    has_it = [any(re.fullmatch(r"it[te]{0,3}", l.split()[0]) for l in lines) for lines in asm]
    try:
        fixed = [it_to_nop(l) if h else l for l, h in zip(asm, has_it)]
        return {b: (c, "it->nop" if h else "as is")
                for b, c, h in zip(blocks, run_mca(fixed, cpu), has_it)}
    except RuntimeError:
        pass
    out = {}
    for b, lines in zip(blocks, asm):
        try:
            out[b] = (run_mca([lines], cpu)[0], "as is")
        except RuntimeError:
            out[b] = (run_mca([it_to_nop(lines)], cpu)[0], "it->nop")
    return out


def taken_exits(exits, insns):
    """Taken TB exits of one case that are not the LE back edge of a low-overhead loop."""
    taken = 0
    for ((start, stop), nxt), n in exits.items():
        if nxt == stop:
            continue
        last = max(a for a in insns if start <= a < stop)
        if insns[last][1].split()[0] != "le":
            taken += n
    return taken


def shape_key(r):
    """A layer's identity in both CSVs (the sweep's and helium_gen's cases.csv)."""
    return tuple(r[k] for k in ("category", "kernel", "in_h", "in_w", "in_c", "out_c", "k",
                                "stride", "pad"))


def check_outputs(rows, out_dir):
    """Cases whose output differs from the expected bytes; also fails on stray writes anywhere in
    the output region (the gaps between outputs are filled with 0x5A on both sides)."""
    expected = open(os.path.join(out_dir, "expected.bin"), "rb").read()
    actual = open(os.path.join(out_dir, "helium_out.bin"), "rb").read()
    bad = set()
    for r in rows:
        a, n = int(r["out_offset"]), int(r["out_bytes"])
        if expected[a:a + n] != actual[a:a + n]:
            bad.add(r["case"])
    if len(expected) != len(actual) or (not bad and expected != actual):
        bad.add("region")
    return bad


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    elf, log, cases_csv, out_dir = sys.argv[1:5]
    m7_csv = sys.argv[sys.argv.index("--m7-sweep") + 1] if "--m7-sweep" in sys.argv else None
    syms = symbols(elf)
    insns = disassemble(elf)
    cases = parse_log(log, syms)
    rows = list(csv.DictReader(open(cases_csv)))
    mismatched = check_outputs(rows, out_dir)
    if len(cases) != len(rows):
        sys.exit(f"count.py: {len(cases)} kernel calls in the log, {len(rows)} cases")
    distinct = sorted(set().union(*(c["blocks"] for c in cases)))
    costs = {cpu: {} for cpu in CPUS}
    for cpu in CPUS:
        with open(os.path.join(out_dir, f"blocks-{cpu}.tsv"), "w") as f:
            f.write("start\tend\tinstructions\tcycles\trewrite\tasm\n")
            for b, (cycles, how) in block_costs(distinct, insns, cpu).items():
                lines = block_asm(b, insns)
                costs[cpu][b] = cycles
                f.write(f"{b[0]:#x}\t{b[1]:#x}\t{len(lines)}\t{cycles:.2f}\t{how}\t"
                        + " ; ".join(lines) + "\n")
    m7 = {}
    if m7_csv:
        for r in csv.DictReader(open(m7_csv)):
            m7[shape_key(r)] = int(r["cycles"])
    out_rows = []
    for r, c in zip(rows, cases):
        n_insn = sum(n * len(block_asm(b, insns)) for b, n in c["blocks"].items())
        taken = taken_exits(c["exits"], insns)
        mis = c["mispredicts"]
        m55_blocks = sum(n * costs["cortex-m55"][b] for b, n in c["blocks"].items())
        m85_blocks = sum(n * costs["cortex-m85"][b] for b, n in c["blocks"].items())
        m55 = m55_blocks + CPUS["cortex-m55"] * taken
        m85 = m85_blocks + CPUS["cortex-m85"] * mis
        macs = int(r["macs"])
        m7c = m7.get(shape_key(r))
        out_rows.append({
            **{k: r[k] for k in ("case", "category", "kernel", "in_h", "in_w", "in_c", "out_c",
                                  "k", "stride", "pad", "macs", "macs_per_output", "window_ops",
                                  "outputs")},
            "bitexact": int(r["case"] not in mismatched),
            "tb_executions": sum(c["blocks"].values()), "instructions": n_insn,
            "taken_exits": taken, "bimodal_mispredicts": mis,
            "m55_block_cycles": round(m55_blocks), "m55_cycles": round(m55),
            "m55_macs_per_cycle": round(macs / m55, 4),
            "m55_cycles_per_window_op": round(m55 / int(r["window_ops"]), 4)
                                        if int(r["window_ops"]) else "",
            "m85_cycles": round(m85), "m85_macs_per_cycle": round(macs / m85, 4),
            "m7_emulated_cycles": m7c if m7c else "",
            "m7_macs_per_cycle": round(macs / m7c, 4) if m7c else "",
            "m55_speedup_vs_m7": round(m7c / m55, 2) if m7c else "",
            "m85_speedup_vs_m7": round(m7c / m85, 2) if m7c else "",
        })
    with open(os.path.join(out_dir, "helium.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(out_rows[0]))
        w.writeheader()
        w.writerows(out_rows)
    print(f"count.py: {len(out_rows)} kernel calls, {len(distinct)} distinct blocks, "
          f"{len(out_rows) - len(mismatched - {'region'})} bit-exact"
          + (", STRAY WRITES in the output region" if "region" in mismatched else ""))
    if mismatched:
        sys.exit(f"count.py: outputs differ from the host references: {sorted(mismatched)}")


if __name__ == "__main__":
    main()
