#!/usr/bin/env python3
"""Summary of the opt-in memory check (memory_check.sh): per core and MAC category, the
emulated / analytic flash stall ratio and the emulated stalls as % of compute cycles.
usage: memory_summary.py MEMORY_CSV...   (prints a markdown table)"""
import csv
import sys


def pct(values, q):
    """Linear-interpolated percentile (q in 0..100) of a non-empty list."""
    v = sorted(values)
    pos = (len(v) - 1) * q / 100.0
    lo = int(pos)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (pos - lo)


def fmt(values, digits):
    return f"{pct(values, 50):.{digits}f} ({pct(values, 10):.{digits}f} .. {pct(values, 90):.{digits}f})"


def main(paths):
    order = ["fully_connected", "conv_1x1", "conv", "depthwise_conv"]
    rows = []
    for path in paths:
        with open(path, newline="") as f:
            rows += list(csv.DictReader(f))
    bad = [r for r in rows if r["bitexact"] != "1"]
    if bad:
        sys.exit(f"memory_summary.py: {len(bad)} rows not bit-exact")
    print("| core (model) | category | rows | emulated / analytic stalls, median (p10 .. p90) "
          "| emulated stalls % of compute, median (p10 .. p90) | analytic % of compute, median "
          "| word-fill / analytic, median |")
    print("|---|---|---|---|---|---|---|")
    cores = []
    for r in rows:
        if (r["core"], r["memory_model"]) not in cores:
            cores.append((r["core"], r["memory_model"]))
    for core, model in cores:
        for cat in order + ["all"]:
            sel = [r for r in rows if r["core"] == core and (cat == "all" or r["category"] == cat)]
            if not sel:
                continue
            ratio = [float(r["ratio_emulated_analytic"]) for r in sel]
            stall = [float(r["stall_pct_of_compute"]) for r in sel]
            ana = [100.0 * float(r["analytic_stall_cycles"]) / float(r["compute_cycles"]) for r in sel]
            word = [float(r["word_fill_stall_cycles"]) / float(r["analytic_stall_cycles"]) for r in sel]
            print(f"| {core} ({model}) | {cat} | {len(sel)} | {fmt(ratio, 2)} | {fmt(stall, 1)} "
                  f"| {pct(ana, 50):.1f} | {pct(word, 50):.2f} |")
    # Totals: the sweep as if it were one network (sums, not medians).
    print()
    print("| core (model) | category | sum emulated stalls / sum analytic | sum emulated stalls / sum compute |")
    print("|---|---|---|---|")
    for core, model in cores:
        for cat in order + ["all"]:
            sel = [r for r in rows if r["core"] == core and (cat == "all" or r["category"] == cat)]
            if not sel:
                continue
            emu = sum(float(r["stall_cycles"]) for r in sel)
            ana = sum(float(r["analytic_stall_cycles"]) for r in sel)
            comp = sum(float(r["compute_cycles"]) for r in sel)
            print(f"| {core} ({model}) | {cat} | {emu / ana:.2f} | {100.0 * emu / comp:.1f} % |")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
