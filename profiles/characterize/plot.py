#!/usr/bin/env python3
"""Figures for docs/characterization.md as plain SVG (no plotting package needed).

usage: plot.py REPO_ROOT OPCOST_BIN
  docs/characterization/fig2-<core>.svg  throughput vs MACs per output per op type (seed Fig. 2)
  docs/characterization/fig1-cifar10.svg normalized throughput per op type, CIFAR-10 CNN (Fig. 1)
  docs/characterization/numbers.json     the numbers the doc tables quote
"""
import json
import math
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from fit import MAC_CATS, load_rows, network_metrics  # noqa: E402

COLORS = {"conv": "#d62728", "conv_1x1": "#1f77b4", "depthwise_conv": "#2ca02c", "fully_connected": "#9467bd",
          "pooling": "#ff7f0e", "activation": "#8c564b", "elementwise": "#7f7f7f", "other": "#bcbd22"}
CORES = [("cortex-m7", "cortex-m7-f746", "Cortex-M7 (STM32F746, 216 MHz)"),
         ("cortex-m4", "cortex-m4-l4r5", "Cortex-M4 (STM32L4R5, 120 MHz)")]
# Fig. 2 for every characterized core; Fig. 1 compares the first two (its bars are M7 vs M4).
FIG2_CORES = CORES + [("cortex-m33", "cortex-m33-ra6m4", "Cortex-M33 (RA6M4, 200 MHz)"),
                      ("cortex-m55", "cortex-m55-e7", "Cortex-M55 (Alif E7 HP, 400 MHz)")]
# Cores characterized outside the Unicorn sweep: (rows CSV, fit side file, row loader), relative to
# the repository root. The Cortex-M55 comes from the Helium run (helium/README.md), uncalibrated.
HELIUM = "profiles/characterize/helium"
OTHER_DATA = {"cortex-m55": (f"{HELIUM}/data/helium.csv", f"{HELIUM}/data/fit-cortex-m55-e7.json")}


def core_rows_and_fit(root, core, name):
    """The emulated rows of a core (fit.py's row format) and its fit side file."""
    if core in OTHER_DATA:
        sys.path.insert(0, os.path.join(root, HELIUM))
        from make_profile import load_helium_rows  # noqa: E402  only needed for the M55
        rows_path, fit_path = (os.path.join(root, p) for p in OTHER_DATA[core])
        return load_helium_rows(rows_path), json.load(open(fit_path))
    rows = load_rows(os.path.join(root, f"profiles/characterize/data/sweep-{core}.csv"))
    return rows, json.load(open(os.path.join(root, "profiles/characterize/data", f"fit-{name}.json")))


def svg(w, h, body):
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" '
            f'font-size="12">\n<rect width="{w}" height="{h}" fill="white"/>\n' + "\n".join(body) + "\n</svg>\n")


def fig2(root, core, name, title):
    prof = json.load(open(os.path.join(root, "profiles", name + ".json")))
    all_rows, fit = core_rows_and_fit(root, core, name)
    alpha = fit["alpha"]
    rows = [r for r in all_rows if r["category"] in MAC_CATS]
    level = "calibrated" if fit.get("calibrated", True) else "uncalibrated, alpha = 1"
    w, h, l, r_, t, b = 720, 440, 70, 170, 40, 50
    ymax = max(max(p[1] for p in prof["categories"][c]["throughput"]["points"]) for c in MAC_CATS)
    ymax = max(ymax, max(r["macs"] / (r["cycles"] * alpha) for r in rows)) * 1.1
    xlo, xhi = math.log10(2), math.log10(4096)

    def X(x):
        return l + (math.log10(x) - xlo) / (xhi - xlo) * (w - l - r_)

    def Y(y):
        return h - b - y / ymax * (h - t - b)
    body = [f'<text x="{w / 2}" y="22" text-anchor="middle" font-size="14">{title}: MACs/cycle vs MACs per output</text>']
    for e in range(1, 4):
        for m in (1, 2, 5):
            x = m * 10 ** e
            if 2 <= x <= 4096:
                body.append(f'<line x1="{X(x):.1f}" y1="{t}" x2="{X(x):.1f}" y2="{h - b}" stroke="#eee"/>')
                body.append(f'<text x="{X(x):.1f}" y="{h - b + 15}" text-anchor="middle">{x}</text>')
    for i in range(6):
        y = ymax * i / 5
        body.append(f'<line x1="{l}" y1="{Y(y):.1f}" x2="{w - r_}" y2="{Y(y):.1f}" stroke="#eee"/>')
        body.append(f'<text x="{l - 6}" y="{Y(y) + 4:.1f}" text-anchor="end">{y:.3f}</text>')
    body.append(f'<line x1="{l}" y1="{h - b}" x2="{w - r_}" y2="{h - b}" stroke="black"/>')
    body.append(f'<line x1="{l}" y1="{t}" x2="{l}" y2="{h - b}" stroke="black"/>')
    body.append(f'<text x="{(l + w - r_) / 2}" y="{h - 12}" text-anchor="middle">MACs per output (log)</text>')
    body.append(f'<text x="16" y="{h / 2}" transform="rotate(-90 16 {h / 2})" text-anchor="middle">MACs per cycle ({level})</text>')
    for r in rows:
        y = r["macs"] / (r["cycles"] * alpha)
        if 2 <= r["macs_per_output"] <= 4096:
            body.append(f'<circle cx="{X(r["macs_per_output"]):.1f}" cy="{Y(y):.1f}" r="2" fill="{COLORS[r["category"]]}" fill-opacity="0.35"/>')
    for i, cat in enumerate(MAC_CATS):
        pts = prof["categories"][cat]["throughput"]["points"]
        path = " ".join(f"{X(x):.1f},{Y(y):.1f}" for x, y in pts)
        body.append(f'<polyline points="{path}" fill="none" stroke="{COLORS[cat]}" stroke-width="2.5"/>')
        ly = t + 20 + 22 * i
        body.append(f'<line x1="{w - r_ + 15}" y1="{ly}" x2="{w - r_ + 40}" y2="{ly}" stroke="{COLORS[cat]}" stroke-width="2.5"/>')
        body.append(f'<text x="{w - r_ + 45}" y="{ly + 4}">{cat}</text>')
    body.append(f'<text x="{w - r_ + 15}" y="{t + 120}" font-size="10">dots: emulated shapes</text>')
    body.append(f'<text x="{w - r_ + 15}" y="{t + 134}" font-size="10">lines: shipped curve</text>')
    return svg(w, h, body)


def estimated_cycles(opcost_bin, model, profile_path):
    """Per-layer cycles by the estimator itself (`opcost estimate`: curves, variants, memory term,
    overhead), so the figure shows what users get."""
    res = subprocess.run([opcost_bin, "estimate", model, "--profile", profile_path, "--format", "json"],
                         capture_output=True, text=True)
    if res.returncode != 0:
        sys.exit(f"plot.py: opcost estimate {model} failed: {res.stderr.strip()}")
    return {l["name"]: l["cycles"] for l in json.loads(res.stdout)["layers"]}


def fig1(root, opcost_bin):
    model = os.path.join(root, "models/cifar10_cmsisnn_m7.json")
    m = network_metrics(opcost_bin, model)
    layers = [l for l in m["layers"] if l.get("ops", 0) > 0]
    data = {}
    for core, name, title in CORES:
        cycles = estimated_cycles(opcost_bin, model, os.path.join(root, "profiles", name + ".json"))
        tp = [l["ops"] / cycles[l["name"]] for l in layers]
        data[core] = [t / max(tp) for t in tp]
    w, h, l0, b = 760, 380, 60, 90
    n = len(layers)
    slot = (w - l0 - 20) / n
    body = ['<text x="380" y="22" text-anchor="middle" font-size="14">CIFAR-10 CNN (cifar10_cmsisnn_m7): '
            'normalized throughput (ops/cycle) per layer</text>']
    for i in range(6):
        y = h - b - i / 5 * (h - 40 - b)
        body.append(f'<line x1="{l0}" y1="{y:.1f}" x2="{w - 20}" y2="{y:.1f}" stroke="#eee"/>')
        body.append(f'<text x="{l0 - 6}" y="{y + 4:.1f}" text-anchor="end">{i / 5:.1f}</text>')
    for i, layer in enumerate(layers):
        x = l0 + i * slot
        for j, (core, _, _) in enumerate(CORES):
            v = data[core][i]
            bh = v * (h - 40 - b)
            color = COLORS[layer["category"]]
            op = "1.0" if j == 0 else "0.5"
            body.append(f'<rect x="{x + 4 + j * (slot - 8) / 2:.1f}" y="{h - b - bh:.1f}" width="{(slot - 8) / 2:.1f}" '
                        f'height="{bh:.1f}" fill="{color}" fill-opacity="{op}"/>')
        body.append(f'<text x="{x + slot / 2:.1f}" y="{h - b + 14}" text-anchor="middle" font-size="10">{layer["name"][:10]}</text>')
        body.append(f'<text x="{x + slot / 2:.1f}" y="{h - b + 27}" text-anchor="middle" font-size="9">{layer["category"]}</text>')
    body.append(f'<text x="{l0}" y="{h - 30}">left bar (solid): Cortex-M7 F746 profile; right bar (light): Cortex-M4 L4R5 '
                'profile; each normalized to its fastest layer</text>')
    body.append(f'<text x="{l0}" y="{h - 14}">ops = 2 x MACs + other ops; cycles from opcost estimate (overhead, variants and '
                'reading weights from flash included)</text>')
    table = []
    for i, layer in enumerate(layers):
        table.append({"layer": layer["name"], "category": layer["category"], "ops": layer["ops"],
                      "norm_m7": data["cortex-m7"][i], "norm_m4": data["cortex-m4"][i]})
    return svg(w, h, body), table


def main():
    root, opcost_bin = sys.argv[1:3]
    out = os.path.join(root, "docs/characterization")
    os.makedirs(out, exist_ok=True)
    numbers = {}
    for core, name, title in FIG2_CORES:
        open(os.path.join(out, f"fig2-{core}.svg"), "w").write(fig2(root, core, name, title))
        prof = json.load(open(os.path.join(root, "profiles", name + ".json")))
        ys = {c: prof["categories"][c]["throughput"]["points"] for c in MAC_CATS}
        numbers[core] = {"curves": ys}
    s, table = fig1(root, opcost_bin)
    open(os.path.join(out, "fig1-cifar10.svg"), "w").write(s)
    numbers["fig1"] = table
    json.dump(numbers, open(os.path.join(out, "numbers.json"), "w"), indent=1)


if __name__ == "__main__":
    main()
