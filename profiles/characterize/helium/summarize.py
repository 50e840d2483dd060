#!/usr/bin/env python3
"""Per-category throughput of the Helium run against the Cortex-M7, as a table and a figure.

usage: summarize.py HELIUM_CSV M7_PROFILE_JSON OUT_DIR
Writes OUT_DIR/summary.md and OUT_DIR/fig-helium-vs-m7.svg (plain SVG, no plotting package).

Rows are binned by MACs per output (bins 1.45x wide in log space, as fit.py bins the sweep); a
bin's value is the median over its shapes with regular channels (C_in % 4 == 0, even C_out:
the shapes the shipped curves are fitted on). Pooling and ReLU: cycles per element as fit.py
counts them (max pool k*k-1 comparisons per output, average pool k*k additions per output, ReLU
one per output). "M7 emulated" is the existing pipeline's raw emulated cycles of the same shape
and data (alpha = 1, like the Helium numbers); "M7 shipped" is the calibrated curve of
profiles/cortex-m7-f746.json at the bin's MACs per output (divided by alpha, so not comparable
one to one: shown for orientation only).
"""
import csv
import json
import math
import statistics
import sys

CATS = ["conv", "fully_connected", "conv_1x1", "depthwise_conv"]
ELEMENT_KERNELS = ["maxpool_s8", "avgpool_s8", "relu_s8"]
BIN = math.log(1.45)


def regular(r):
    return int(r["in_c"]) % 4 == 0 and (r["category"] == "depthwise_conv" or int(r["out_c"]) % 2 == 0)


def curve_at(points, x):
    """Piecewise linear in log(MACs per output), clamped at the ends (as a reader of the curve
    would do; opcost's own interpolation may differ)."""
    if x <= points[0][0]:
        return points[0][1]
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        if x <= x1:
            t = (math.log(x) - math.log(x0)) / (math.log(x1) - math.log(x0))
            return y0 + t * (y1 - y0)
    return points[-1][1]


def bins(rows):
    out = {}
    for r in rows:
        out.setdefault(int(math.log(float(r["macs_per_output"])) / BIN), []).append(r)
    return [out[k] for k in sorted(out)]


def elements(r):
    """Work units of a pooling or activation row, as fit.py's load_rows counts them."""
    k2, outputs = int(r["k"]) ** 2, int(r["outputs"])
    return outputs * {"maxpool_s8": k2 - 1, "avgpool_s8": k2}.get(r["kernel"], 1)


def med(rows, key):
    return statistics.median(float(r[key]) for r in rows)


def table(rows, profile):
    lines = ["| category | MACs/output | shapes | M55 MACs/cycle | M85 MACs/cycle (M55 trace) "
             "| M7 emulated MACs/cycle | M55 / M7 | M85 / M7 | M7 shipped curve |",
             "|---|---|---|---|---|---|---|---|---|"]
    overall = []
    for cat in CATS:
        reg = [r for r in rows if r["category"] == cat and regular(r) and r["m7_emulated_cycles"]]
        points = profile["categories"][cat]["throughput"]["points"]
        for b in bins(reg):
            x = math.exp(statistics.mean(math.log(float(r["macs_per_output"])) for r in b))
            lines.append(
                f"| {cat} | {x:.0f} | {len(b)} | {med(b, 'm55_macs_per_cycle'):.3f} | "
                f"{med(b, 'm85_macs_per_cycle'):.3f} | {med(b, 'm7_macs_per_cycle'):.3f} | "
                f"{med(b, 'm55_speedup_vs_m7'):.2f}x | {med(b, 'm85_speedup_vs_m7'):.2f}x | "
                f"{curve_at(points, x):.3f} |")
        allc = [r for r in rows if r["category"] == cat and r["m7_emulated_cycles"]]
        irr = [r for r in allc if not regular(r)]
        overall.append(
            f"| {cat} | {len(allc)} ({len(irr)} irregular) | "
            f"{min(float(r['m55_speedup_vs_m7']) for r in allc):.2f}x | "
            f"{med(allc, 'm55_speedup_vs_m7'):.2f}x | "
            f"{max(float(r['m55_speedup_vs_m7']) for r in allc):.2f}x | "
            f"{med(irr, 'm55_speedup_vs_m7') if irr else float('nan'):.2f}x | "
            f"{med(allc, 'm85_speedup_vs_m7'):.2f}x |")
    lines += ["", "Pooling and activation, cycles per element (medians over the kernel's shapes; "
              "elements as fit.py counts them):", "",
              "| kernel | shapes | M55 cycles/element | M85 cycles/element "
              "| M7 emulated cycles/element | M55 speed-up over M7 (median) |",
              "|---|---|---|---|---|---|"]
    for kernel in ELEMENT_KERNELS:
        sel = [r for r in rows if r["kernel"] == kernel and r["m7_emulated_cycles"]]
        if not sel:
            continue
        per = lambda col: statistics.median(int(r[col]) / elements(r) for r in sel)
        lines.append(f"| {kernel} | {len(sel)} | {per('m55_cycles'):.3f} | "
                     f"{per('m85_cycles'):.3f} | {per('m7_emulated_cycles'):.3f} | "
                     f"{med(sel, 'm55_speedup_vs_m7'):.2f}x |")
    lines += ["", "Speed-up per cycle over every shape of the category (M7 emulated cycles / "
              "Helium cycles, same shape and data):", "",
              "| category | shapes | M55 min | M55 median | M55 max | M55 median, irregular "
              "channels | M85 median |", "|---|---|---|---|---|---|---|"] + overall
    return "\n".join(lines) + "\n"


def svg(rows, profile):
    w, h, pad = 330, 260, 45
    # Per panel: x range (log), x ticks, y max (depthwise sits far lower than the GEMM-like ops).
    xs = {"conv": (16, 4096), "fully_connected": (8, 4096), "conv_1x1": (2, 1024),
          "depthwise_conv": (5, 64)}
    ticks = {"conv": (27, 100, 400, 1600), "fully_connected": (8, 32, 128, 512, 2048),
             "conv_1x1": (2, 8, 32, 128, 512), "depthwise_conv": (9, 25, 49)}
    ymaxs = {"conv": 3.0, "fully_connected": 3.0, "conv_1x1": 3.0, "depthwise_conv": 0.5}
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{len(CATS) * w}" height="{h + 30}" '
             'font-family="sans-serif" font-size="11">']
    colors = {"m55": "#1f77b4", "m85": "#ff7f0e", "m7": "#555555"}
    for i, cat in enumerate(CATS):
        x0 = i * w + pad
        lo, hi = xs[cat]
        ymax = ymaxs[cat]
        px = lambda v: x0 + (math.log(v) - math.log(lo)) / (math.log(hi) - math.log(lo)) * (w - pad - 10)
        py = lambda v: 10 + (1 - min(v, ymax) / ymax) * (h - pad)
        parts.append(f'<rect x="{x0}" y="10" width="{w - pad - 10}" height="{h - pad}" '
                     'fill="none" stroke="#999"/>')
        parts.append(f'<text x="{x0 + 5}" y="24">{cat}</text>')
        for k in range(1, 7):
            yv = ymax * k / 6
            parts.append(f'<text x="{x0 - 32}" y="{py(yv) + 4:.1f}">{yv:.2f}</text>')
        for v in ticks[cat]:
            parts.append(f'<text x="{px(v) - 8:.1f}" y="{h - pad + 24}">{v:g}</text>')
        for r in rows:
            if r["category"] != cat:
                continue
            x = px(float(r["macs_per_output"]))
            for key, col in (("m7_macs_per_cycle", "m7"), ("m85_macs_per_cycle", "m85"),
                             ("m55_macs_per_cycle", "m55")):
                if r[key]:
                    parts.append(f'<circle cx="{x:.1f}" cy="{py(float(r[key])):.1f}" r="2.2" '
                                 f'fill="{colors[col]}" fill-opacity="0.6"/>')
        pts = profile["categories"][cat]["throughput"]["points"]
        path = " ".join(f"{px(min(max(a, lo), hi)):.1f},{py(b):.1f}" for a, b in pts)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#555" stroke-dasharray="4 3"/>')
        parts.append(f'<text x="{x0 + 60}" y="{h - pad + 38}">MACs per output (log)</text>')
        parts.append(f'<text x="{x0 - 40}" y="8">MACs/cycle</text>')
    legend = [("m55", "Cortex-M55 (QEMU trace, llvm-mca M55)"),
              ("m85", "Cortex-M85 timing of the M55 trace"), ("m7", "Cortex-M7 emulated sweep")]
    for j, (col, text) in enumerate(legend):
        parts.append(f'<circle cx="{12 + j * 262}" cy="{h + 22}" r="4" fill="{colors[col]}"/>'
                     f'<text x="{20 + j * 262}" y="{h + 26}">{text}</text>')
    parts.append(f'<text x="{len(CATS) * w - 240}" y="{h + 26}">'
                 'dashed: shipped M7 curve (calibrated)</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    rows = list(csv.DictReader(open(sys.argv[1])))
    profile = json.load(open(sys.argv[2]))
    md = ("# Helium run: MACs per cycle, Cortex-M55 / M85 vs Cortex-M7 (generated by "
          "summarize.py)\n\n"
          f"{len(rows)} shapes, {sum(int(r['bitexact']) for r in rows)} bit-exact against both "
          "host references. Medians per bin of MACs per output, regular channels only.\n\n"
          + table(rows, profile))
    open(f"{sys.argv[3]}/summary.md", "w").write(md)
    open(f"{sys.argv[3]}/fig-helium-vs-m7.svg", "w").write(svg(rows, profile))
    print(md)


if __name__ == "__main__":
    main()
