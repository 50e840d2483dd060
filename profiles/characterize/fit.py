#!/usr/bin/env python3
"""Fits a hardware profile (docs/profile-format.md) from an emulated sweep and calibrates its
global terms on a measured network latency (docs/characterization.md).

usage: fit.py PROFILE_NAME SWEEP_CSV OPCOST_BIN REPO_ROOT SHARED_DIR
  writes REPO_ROOT/profiles/PROFILE_NAME.json and profiles/characterize/data/fit-PROFILE_NAME.json

Steps:
 1. MAC categories: bin the sweep rows whose channels are regular (C_in % 4 == 0, C_out even)
    by MACs per output (bins 1.45x wide in log space); point = (geometric mean MACs/output,
    median MACs/cycle). Irregular rows give variant factors (median actual / curve). The curves
    are then refined by `opcost fit` over every MAC row (the estimator's own fitter).
 2. pooling: cycles per element (k*k-1 comparisons per max-pool output, k*k additions+division
    per avg-pool output); activation: cycles per output element. Median over the rows.
 3. Calibration: `opcost estimate` of the calibration network at alpha = 1 and 2 separates the
    cycles that scale with the emulated curves from the fixed ones (per-layer overhead,
    non-emulated categories); alpha = (measured - fixed) / emulated. Every emulated throughput
    is divided by alpha (cycles per element multiplied). The overhead per layer is a stated
    estimate.
"""
import copy
import csv
import datetime
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile

MAC_CATS = ["conv", "conv_1x1", "depthwise_conv", "fully_connected"]

# What each generated profile is and what it is calibrated on.
PROFILES = {
    "cortex-m7-f746": {"core": "cortex-m7", "base": "profiles/cortex-m7-f746.json",
                       "overhead_cycles": 1000.0, "overhead_source": "pico-overhead"},
    "cortex-m4-l4r5": {"core": "cortex-m4", "base": "profiles/cortex-m7-f746.json",
                       "overhead_cycles": 1000.0, "overhead_source": "overhead-estimate-m4"},
}
# Measured whole-network latencies: "calibrate" rows fit alpha, "validate" rows only report.
CALIBRATION_CSV = os.path.join(os.path.dirname(os.path.abspath(__file__)), "calibration.csv")


def load_rows(path):
    rows = []
    for r in csv.DictReader(open(path)):
        for k in ("in_h", "in_w", "in_c", "out_h", "out_w", "out_c", "k", "stride", "pad", "macs",
                  "outputs", "window_ops", "instructions", "taken_exits", "mispredicts", "cycles",
                  "bitexact"):
            r[k] = int(r[k])
        r["macs_per_output"] = float(r["macs_per_output"])
        if r["kernel"] == "maxpool_s8":
            r["elements"] = r["outputs"] * (r["k"] * r["k"] - 1)
        elif r["kernel"] == "avgpool_s8":
            r["elements"] = r["outputs"] * r["k"] * r["k"]
        else:
            r["elements"] = r["outputs"]
        rows.append(r)
    bad = [r for r in rows if r["bitexact"] != 1]
    if bad:
        sys.exit(f"fit.py: {len(bad)} sweep rows are not bit-exact; refusing to fit")
    return rows


def regular(r):
    return r["in_c"] % 4 == 0 and (r["out_c"] % 2 == 0 or r["category"] == "depthwise_conv")


def curve_eval(points, x):
    if x <= points[0][0]:
        return points[0][1]
    if x >= points[-1][0]:
        return points[-1][1]
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        if x0 <= x <= x1:
            t = (math.log(x) - math.log(x0)) / (math.log(x1) - math.log(x0))
            return y0 + t * (y1 - y0)
    return points[-1][1]


def fit_curve(rows):
    xs = sorted({r["macs_per_output"] for r in rows})
    bins, cur = [], [xs[0]]
    for x in xs[1:]:
        if math.log(x / cur[0]) < math.log(1.45):
            cur.append(x)
        else:
            bins.append(cur)
            cur = [x]
    bins.append(cur)
    points = []
    for b in bins:
        sel = [r for r in rows if r["macs_per_output"] in b]
        x = math.exp(statistics.mean(math.log(r["macs_per_output"]) for r in sel))
        y = statistics.median(r["macs"] / r["cycles"] for r in sel)
        points.append([round(x, 2), y])
    return points


VARIANT_CONDITIONS = [
    ("input_channels_not_multiple_of", 4, lambda r: r["in_c"] % 4 != 0),
    ("output_channels_not_multiple_of", 2, lambda r: r["out_c"] % 2 != 0),
]


def variant_factor(r, variants):
    f = 1.0
    for v in variants:
        if v["category"] == r["category"]:
            cond = {"input_channels_not_multiple_of": r["in_c"] % v["value"] != 0,
                    "output_channels_not_multiple_of": r["out_c"] % v["value"] != 0}[v["condition"]]
            if cond:
                f *= v["factor"]
    return f


def fit_core(rows):
    """Raw (uncalibrated) fit: curves, variants, per-element costs, and the fit error."""
    fit = {"curves": {}, "variants": [], "cycles_per_element": {}, "fit_error": {}}
    for cat in MAC_CATS:
        cat_rows = [r for r in rows if r["category"] == cat]
        reg = [r for r in cat_rows if regular(r)]
        points = fit_curve(reg)
        fit["curves"][cat] = points
        for name, value, pred in VARIANT_CONDITIONS:
            if cat == "depthwise_conv" and name == "output_channels_not_multiple_of":
                continue
            sel = [r for r in cat_rows if pred(r)]
            if len(sel) < 3:
                continue
            ratios = [r["cycles"] / (r["macs"] / curve_eval(points, r["macs_per_output"])) for r in sel]
            factor = statistics.median(ratios)
            if abs(factor - 1.0) > 0.05:
                fit["variants"].append({"category": cat, "condition": name, "value": value,
                                        "factor": round(factor, 3), "rows": len(sel)})
    for cat in ("pooling", "activation"):
        cat_rows = [r for r in rows if r["category"] == cat]
        fit["cycles_per_element"][cat] = statistics.median(r["cycles"] / r["elements"] for r in cat_rows)
    fit["fit_error"] = fit_errors(rows, fit)
    return fit


def fit_csv_row(i, r):
    """One sweep row in the layer-row format of `opcost fit` (cycles measured)."""
    if r["kernel"] == "fc_s8":
        return f"r{i},fully_connected,1x{r['in_c']},,,,,{r['out_c']},{r['cycles']}"
    op = "depthwise_conv2d" if r["kernel"] == "dwconv_s8" else "conv2d"
    filters = "" if op == "depthwise_conv2d" else r["out_c"]
    padding = "same" if r["pad"] else "valid"
    return f"r{i},{op},1x{r['in_h']}x{r['in_w']}x{r['in_c']},{filters},{r['k']},{r['stride']},{padding},,{r['cycles']}"


def refine_with_opcost_fit(rows, fit, opcost_bin, base, core, work):
    """Refits the MAC curves with the estimator's own fitter (`opcost fit`: least squares in log
    space over every sweep row through the estimator's cost formula, curves kept monotone),
    starting from the median-per-bin curves. Returns a description of what was used."""
    raw = copy.deepcopy(base)
    # The sweep's cycles come from zero-wait memory: fit the curves without the memory term.
    raw.pop("memory", None)
    raw.pop("validation", None)
    raw["format_version"] = 1
    raw["sources"]["sweep"] = {"kind": "generator", "citation": "fit.py interim curves"}
    for cat in MAC_CATS:
        raw["categories"][cat].pop("characterized", None)
        raw["categories"][cat]["throughput"] = {"points": fit["curves"][cat], "source": "sweep"}
        raw["categories"][cat]["overhead_cycles"] = {"value": 0, "source": "sweep"}
    raw["variants"] = [{"category": v["category"], "condition": v["condition"], "value": v["value"],
                        "factor": v["factor"], "source": "sweep"} for v in fit["variants"]]
    os.makedirs(work, exist_ok=True)
    raw_path, csv_path, out_path = (os.path.join(work, n) for n in ("raw.json", "rows.csv", "fitted.json"))
    json.dump(raw, open(raw_path, "w"), indent=1)
    with open(csv_path, "w") as f:
        f.write("name,op,input,filters,kernel,stride,padding,units,cycles\n")
        for i, r in enumerate(rows):
            if r["category"] in MAC_CATS:
                f.write(fit_csv_row(i, r) + "\n")
    res = subprocess.run([opcost_bin, "fit", csv_path, "--base", raw_path, "-o", out_path, "--no-loo",
                          "--format", "json"], capture_output=True, text=True)
    if res.returncode != 0:
        print(f"fit.py: opcost fit failed ({res.stderr.strip()}); keeping the median-per-bin curves",
              file=sys.stderr)
        return "median per bin (fit.py interim fitter; opcost fit failed)"
    fitted = json.load(open(out_path))
    for cat in MAC_CATS:
        fit["curves"][cat] = [[x, y] for x, y in fitted["categories"][cat]["throughput"]["points"]]
    return "opcost fit (least squares in log space, monotone), started from the median per bin"


def fit_errors(rows, fit):
    out = {}
    for cat in MAC_CATS + ["pooling", "activation"]:
        errs = []
        for r in rows:
            if r["category"] != cat:
                continue
            if cat in MAC_CATS:
                pred = r["macs"] / curve_eval(fit["curves"][cat], r["macs_per_output"]) * variant_factor(r, fit["variants"])
            else:
                pred = r["elements"] * fit["cycles_per_element"][cat]
            errs.append(abs(pred - r["cycles"]) / r["cycles"])
        errs.sort()
        out[cat] = {"rows": len(errs), "median": statistics.median(errs),
                    "p90": errs[int(0.9 * (len(errs) - 1))], "max": errs[-1]}
    return out


def network_metrics(opcost_bin, model):
    res = subprocess.run([opcost_bin, "metrics", model, "--format", "json"], capture_output=True, text=True)
    if res.returncode != 0:
        sys.exit(f"fit.py: opcost metrics {model} failed: {res.stderr.strip()}")
    return json.loads(res.stdout)


def layer_elements(layer):
    cat = layer["category"]
    if cat == "pooling":
        return layer.get("comparisons", 0) + layer.get("additions", 0) + layer.get("divisions", 0)
    return layer.get("output_elements", 0)


def tool_versions(core):
    def first_line(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True).stdout.strip().splitlines()[0]
        except Exception:  # noqa: BLE001 - provenance only
            return "?"
    mca = [l for l in subprocess.run(["llvm-mca", "--version"], capture_output=True, text=True).stdout.splitlines()
           if "LLVM version" in l]
    return {"gcc": first_line(["arm-none-eabi-gcc", "--version"]),
            "llvm_mca": mca[0].strip() if mca else "?",
            "unicorn": "libunicorn2 " + first_line(["dpkg-query", "-W", "-f=${Version}", "libunicorn2"])}


def estimator_cycles(opcost_bin, model, profile, work, tag):
    """Total cycles of `model` under `profile` by the estimator itself (`opcost estimate`)."""
    path = os.path.join(work, f"probe-{tag}.json")
    json.dump(profile, open(path, "w"), indent=1)
    res = subprocess.run([opcost_bin, "estimate", model, "--profile", path, "--format", "json"],
                         capture_output=True, text=True)
    if res.returncode != 0:
        sys.exit(f"fit.py: opcost estimate {model} failed: {res.stderr.strip()}")
    return json.loads(res.stdout)


def build_profile(name, cfg, base, fit, alpha, sources_extra, naive_ops_per_cycle, cal_id):
    core = cfg["core"]
    emu_id = f"emulated-{core}"
    p = copy.deepcopy(base)
    p["name"] = name
    p["format_version"] = 2
    p["memory"] = MEMORY[name]
    src = dict(p["sources"])
    src.update(sources_extra)
    src.update(MEMORY_SOURCES)
    if name == "cortex-m4-l4r5":
        p["description"] = ("STM32L4R5ZI (NUCLEO-L4R5ZI) Cortex-M4 at 120 MHz running int8 CMSIS-NN kernels (TFLite "
                            "Micro or microTVM). GENERATED by profiles/characterize/regenerate.sh: curves from "
                            "emulating CMSIS-NN-style kernels on a Cortex-M4 model; level calibrated on the four MLPerf "
                            "Tiny networks measured on this board with CMSIS-NN (microTVM); power measured in the same "
                            "runs. Elementwise and other categories carried over from the F746 profile. Every number "
                            "names its source below.")
        p["hardware"] = {"core": "cortex-m4", "mcu": "STM32L4R5ZI", "board": "NUCLEO-L4R5ZI",
                         "clock_hz": 120000000, "flash_bytes": 2097152, "sram_bytes": 655360,
                         "kernel_library": "TFLite Micro + CMSIS-NN", "source": "l4r5-identity"}
        src.update(M4_SOURCES)
        p["idle_power_mw"] = {"value": 0.033, "source": "idle-estimate-m4"}
        for cat in p["categories"].values():
            if "power_mw" in cat:
                cat["power_mw"] = {"value": 52.0, "source": "mlperf-l4r5-power"}
    else:
        p["description"] = ("STM32F746 (NUCLEO-F746ZG / STM32F746G-DISCO) at 216 MHz running int8 CMSIS-NN kernels "
                            "under TFLM: the seed paper's platform. MAC, pooling and activation categories GENERATED "
                            "by profiles/characterize/regenerate.sh (emulated CMSIS-NN-style kernels, calibrated on "
                            "mcunet-vww1); elementwise and other kept from the starting profile. Every number names "
                            "its source below.")
    for cat in MAC_CATS:
        c = p["categories"][cat]
        c.pop("characterized", None)
        c["throughput"] = {"points": [[x, round(y / alpha, 5)] for x, y in fit["curves"][cat]], "source": emu_id}
        c["overhead_cycles"] = {"value": cfg["overhead_cycles"], "source": cfg["overhead_source"]}
        c["note"] = (f"emulated {core}, calibrated (alpha {alpha:.3f}); fit error on the sweep: median "
                     f"{fit['fit_error'][cat]['median'] * 100:.1f}%, p90 {fit['fit_error'][cat]['p90'] * 100:.1f}%")
    for cat in ("pooling", "activation"):
        c = p["categories"][cat]
        c.pop("characterized", None)
        c["cycles_per_element"] = {"value": round(fit["cycles_per_element"][cat] * alpha, 4), "source": emu_id}
        c["overhead_cycles"] = {"value": cfg["overhead_cycles"], "source": cfg["overhead_source"]}
        c["note"] = (f"emulated {core} (max/avg pooling, ReLU), calibrated (alpha {alpha:.3f}); fit error on the "
                     f"sweep: median {fit['fit_error'][cat]['median'] * 100:.1f}%")
    p["naive_model"] = {"ops_per_cycle": round(naive_ops_per_cycle, 4), "source": cal_id,
                        "note": "one average throughput for every op, fitted on the calibration network"}
    fitted = {(v["category"], v["condition"]) for v in fit["variants"]}
    kept = [v for v in base.get("variants", []) if (v["category"], v["condition"]) not in fitted]
    p["variants"] = kept + [{"category": v["category"], "condition": v["condition"], "value": v["value"],
                             "factor": v["factor"], "source": emu_id,
                             "note": f"median over {v['rows']} emulated shapes"} for v in fit["variants"]]
    used = set()

    def collect(o):
        if isinstance(o, dict):
            for k, v in o.items():
                if k == "source" and isinstance(v, str):
                    used.add(v)
                else:
                    collect(v)
        elif isinstance(o, list):
            for v in o:
                collect(v)
    collect({k: v for k, v in p.items() if k != "sources"})
    p["sources"] = {k: v for k, v in src.items() if k in used}
    return p


M4_SOURCES = {
    "l4r5-identity": {
        "kind": "measurement",
        "citation": ("NUCLEO-L4R5ZI as described in the published MLPerf Tiny submissions: STM32L4R5ZIT6, Cortex-M4 "
                     "(DSP + FPU) at 120 MHz, 640 KB SRAM, 2 MB flash (github.com/mlcommons/tiny_results_v1.0 "
                     "closed/OctoML/systems/system_description_NUCLEO_L4R5ZI_microtvm_cmsis_nn.json @ cc81fd5c; "
                     "tiny_results_v0.5 closed/reference/systems/Nucleo_L4R5ZI_System_Description.json)")},
    "mlperf-l4r5-power": {
        "kind": "measurement",
        "citation": ("MLPerf Tiny v1.0 energy runs on NUCLEO-L4R5ZI at 120 MHz, microTVM + CMSIS-NN "
                     "(github.com/mlcommons/tiny_results_v1.0 closed/OctoML/results/microtvm_cmsis_nn/NUCLEO_L4R5ZI/"
                     "{kws,vww,ic}/energy/results.txt @ cc81fd5c): average power 52.28 mW (KWS), 51.99 mW (VWW), "
                     "51.93 mW (IC) while inferring; 52.0 mW used for every category (the three networks mix the "
                     "categories differently and differ by 0.7 %, as the seed paper observes). Whole-MCU power "
                     "through the EnergyRunner; not a datasheet figure")},
    "idle-estimate-m4": {
        "kind": "estimate",
        "citation": "NOT a datasheet figure: assumed ~10 uA x 3.3 V in Stop 2 mode between inferences"},
    "overhead-estimate-m4": {
        "kind": "estimate",
        "citation": ("per-layer TFLM invoke overhead taken as 1000 cycles as for the Cortex-M7 profile "
                     "(pico-overhead); not measured on a Cortex-M4")},
}


# Where operands live and what reading them costs beyond the zero-wait memory the emulator
# models (docs/profile-format.md, section memory). Weights stream from flash once per inference;
# a flash access stalls the core for the wait states, so stall cycles per byte = wait states /
# bytes per access. Activations are in zero-wait SRAM: nothing extra.
MEMORY = {
    "cortex-m7-f746": {
        "regions": {
            "flash": {"kind": "flash", "bytes": {"value": 1048576, "source": "seed-paper"},
                      "read_cycles_per_byte": {"value": 0.875, "source": "f746-flash"}},
            "sram": {"kind": "sram", "bytes": {"value": 327680, "source": "seed-paper"},
                     "read_cycles_per_byte": {"value": 0.0, "source": "zero-wait-sram"}},
        },
        "weights": "flash", "activations": "sram"},
    "cortex-m4-l4r5": {
        "regions": {
            "flash": {"kind": "flash", "bytes": {"value": 2097152, "source": "l4r5-identity"},
                      "read_cycles_per_byte": {"value": 0.625, "source": "l4r5-flash"}},
            "sram": {"kind": "sram", "bytes": {"value": 655360, "source": "l4r5-identity"},
                     "read_cycles_per_byte": {"value": 0.0, "source": "zero-wait-sram"}},
        },
        "weights": "flash", "activations": "sram"},
}
MEMORY_SOURCES = {
    "f746-flash": {
        "kind": "derived",
        "citation": ("7 wait states / 8 bytes per access = 0.875 stall cycles per weight byte. 7 WS: STM32F746 at "
                     "216 MHz, 2.7-3.6 V, over-drive on: RM0385 wait-state table as copied in "
                     "STMicroelectronics/stm32f7xx_hal_driver Src/stm32f7xx_ll_utils.c @72edf6a7 (\"7WS(8CPU cycle) "
                     "| 210 < HCLK <= 216\") and STM32CubeF7 Projects/STM32F746ZG-Nucleo/Examples/GPIO/GPIO_EXTI/"
                     "Src/main.c @36006032 (FLASH_LATENCY_7 at SYSCLK 216 MHz). 8 bytes: weights at 0x08000000 are "
                     "read over AXI through the 64-bit AXI-to-AHB path (RM0385 Figure 1); the ART accelerator serves "
                     "only the ITCM path (stm32f7xx HAL __HAL_FLASH_ART_ENABLE comment); the 4 KB D-cache does not "
                     "help a once-per-inference weight stream. ASSUMPTION, not sourced: that every 8-byte beat pays "
                     "the wait states (the flash word may be wider and serve several beats: then the cost is lower)")},
    "l4r5-flash": {
        "kind": "derived",
        "citation": ("5 wait states / 8 bytes per access = 0.625 stall cycles per weight byte. 5 WS: STM32L4+ at "
                     "100-120 MHz in Range 1 boost: stm32l4xx_hal_driver Src/stm32l4xx_hal_rcc.c @a9f8b8a1 \"Table 2. "
                     "HCLK clock frequency for STM32L4+ devices\" (\"5WS(6 CPU cycles) | 100 < HCLK <= 120\") and "
                     "STM32CubeL4 Projects/NUCLEO-L4R5ZI/Examples/GPIO/GPIO_Demo/Src/main.c @703570fd (FLASH_LATENCY_5 "
                     "at 120 MHz). 8 bytes: flash data are 72-bit words, 64 data bits per access "
                     "(Src/stm32l4xx_hal_flash.c: ECC, \"72-bits word (8 bits added per double word)\"); the D-Code "
                     "cache holds 8 lines of 4x64 bits (256 B, same file), far smaller than a weight stream")},
    "zero-wait-sram": {
        "kind": "derived",
        "citation": ("SRAM and TCM are read at the core clock without wait states, which is how the kernels were "
                     "characterized (profiles/characterize: the emulator's memory has no wait states), so "
                     "activations cost nothing beyond the curves")},
}


def golden_min(f, lo, hi, iterations=100):
    g = (math.sqrt(5) - 1) / 2
    a, b = lo, hi
    for _ in range(iterations):
        c, d = b - g * (b - a), a + g * (b - a)
        if f(c) < f(d):
            b = d
        else:
            a = c
    return (a + b) / 2


def fit_alpha(rows):
    """Least squares in log space of (fixed + alpha x emulated) against the measured cycles."""
    if len(rows) == 1:
        r = rows[0]
        return (r["measured_cycles"] - r["fixed"]) / r["emulated"]
    return golden_min(lambda a: sum(math.log((r["fixed"] + a * r["emulated"]) / r["measured_cycles"]) ** 2
                                    for r in rows), 0.05, 20.0)


def fit_naive(rows):
    """One ops/cycle figure: geometric mean of ops / measured cycles."""
    return math.exp(statistics.mean(math.log(r["ops"] / r["measured_cycles"]) for r in rows))


def main():
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    name, sweep_csv, opcost_bin, root, shared = sys.argv[1:]
    cfg = PROFILES[name]
    core = cfg["core"]
    rows = load_rows(sweep_csv)
    fit = fit_core(rows)
    base_path = os.path.join(root, cfg["base"])
    out_path = os.path.join(root, "profiles", name + ".json")
    base = json.load(open(out_path if os.path.exists(out_path) else base_path))
    work = os.environ.get("OPCOST_FIT_WORK") or tempfile.mkdtemp(prefix="opcost-fit-")
    os.makedirs(work, exist_ok=True)
    fit["curve_fitter"] = refine_with_opcost_fit(rows, fit, opcost_bin, base, core, work)
    fit["fit_error"] = fit_errors(rows, fit)
    versions = tool_versions(core)
    emu_id, cal_id = f"emulated-{core}", f"calibration-{name}"
    n_rows = len(rows)

    def model_path(m):
        return os.path.join(shared, m[len("shared/"):]) if m.startswith("shared/") else os.path.join(root, m)

    meas = [dict(r) for r in csv.DictReader(open(CALIBRATION_CSV)) if r["profile"] == name]
    if not any(m["role"] == "calibrate" for m in meas):
        sys.exit(f"fit.py: no calibrate row for {name} in {CALIBRATION_CSV}")
    # Emulated categories scale linearly with alpha: total(alpha) = fixed + alpha x emulated.
    # Two estimator runs per network give both terms exactly as the estimator computes them.
    placeholder = {emu_id: {"kind": "generator", "citation": "probe"}, cal_id: {"kind": "derived", "citation": "probe"}}
    for i, m in enumerate(meas):
        path = model_path(m["model"])
        t1 = estimator_cycles(opcost_bin, path, build_profile(name, cfg, base, fit, 1.0, placeholder, 1.0, cal_id),
                              work, f"{i}-a1")
        t2 = estimator_cycles(opcost_bin, path, build_profile(name, cfg, base, fit, 2.0, placeholder, 1.0, cal_id),
                              work, f"{i}-a2")["totals"]["cycles"]
        m["ops"] = t1["totals"]["ops"]
        t1 = t1["totals"]["cycles"]
        m["emulated"], m["fixed"] = t2 - t1, 2 * t1 - t2
        m["measured_cycles"] = float(m["latency_s"]) * float(m["clock_hz"])
    cal = [m for m in meas if m["role"] == "calibrate"]
    alpha = fit_alpha(cal)
    naive = fit_naive(cal)
    for m in meas:
        m["alpha1_cycles"] = m["fixed"] + m["emulated"]
        m["estimate_cycles"] = m["fixed"] + alpha * m["emulated"]
        m["naive_cycles"] = m["ops"] / naive
        if m["role"] == "calibrate" and len(cal) > 1:  # leave-one-out
            others = [o for o in cal if o is not m]
            m["loo_cycles"] = m["fixed"] + fit_alpha(others) * m["emulated"]
            m["naive_loo_cycles"] = m["ops"] / fit_naive(others)
        for k in ("alpha1", "estimate", "naive", "loo", "naive_loo"):
            if k + "_cycles" in m:
                m[k + "_error"] = m[k + "_cycles"] / m["measured_cycles"] - 1
    cal_text = "; ".join(
        f"{m['name']}: measured {float(m['latency_s']) * 1e3:.1f} ms, estimate {m['estimate_cycles'] / float(m['clock_hz']) * 1e3:.1f} ms "
        f"({m['estimate_error'] * 100:+.1f}%" + (f", leave-one-out {m['loo_error'] * 100:+.1f}%" if "loo_error" in m else "")
        + f"), uncalibrated {m['alpha1_error'] * 100:+.1f}%, ops-proportional {m['naive_error'] * 100:+.1f}%"
        + (f" (leave-one-out {m['naive_loo_error'] * 100:+.1f}%)" if "naive_loo_error" in m else "")
        for m in cal)
    sources_extra = {
        emu_id: {
            "kind": "generator",
            "citation": (f"profiles/characterize/regenerate.sh on {datetime.date.today().isoformat()}: {n_rows} layer "
                         f"shapes (profiles/characterize/data/sweep-{core}.csv) run in Unicorn ({versions['unicorn']}, "
                         f"CPU model {core}) on our CMSIS-NN-style kernels (profiles/characterize/target/nnk.c) built "
                         f"with {versions['gcc']}, flags in build_image.sh (-mcpu={core} -mthumb -O2 ...); all outputs "
                         f"bit-exact against the host references; cycles = sum over executed blocks of executions x "
                         f"cycles per block from {versions['llvm_mca']} (llvm-mca -mcpu={core}) plus branch terms "
                         f"(docs/characterization.md). Curve: x = MACs-per-output bins of the rows with C_in % 4 == 0 "
                         f"and even C_out; y fitted by {fit['curve_fitter']} over all MAC rows; divided by the "
                         f"calibration factor of {cal_id}"),
        },
        cal_id: {
            "kind": "derived",
            "citation": (f"alpha = {alpha:.3f}, fitted (least squares in log space) so that opcost estimate matches "
                         f"{len(cal)} measured network latenc{'y' if len(cal) == 1 else 'ies'} "
                         f"(profiles/characterize/calibration.csv): {cal_text}. Emulated throughputs are divided "
                         f"(cycles per element multiplied) by alpha, which absorbs what neither the emulator nor the "
                         f"memory term (section memory: flash wait states per weight byte) sees (caches, framework "
                         f"and kernel-version differences). "
                         f"Naive model: ops / cycles, geometric mean over the same networks. Sources: "
                         + " | ".join(m["citation"] for m in cal)),
        },
    }
    p = build_profile(name, cfg, base, fit, alpha, sources_extra, naive, cal_id)
    for m in meas:  # the shipped profile must reproduce the estimates above
        got = estimator_cycles(opcost_bin, model_path(m["model"]), p, work, "final")["totals"]["cycles"]
        if abs(got - m["estimate_cycles"]) > 1e-4 * m["estimate_cycles"]:  # curve points are rounded
            sys.exit(f"fit.py: estimator gives {got} cycles for {m['name']}, calibration expected {m['estimate_cycles']}")
    with open(out_path, "w") as f:
        json.dump(p, f, indent=2)
        f.write("\n")
    side = {"profile": name, "core": core, "alpha": alpha, "naive_ops_per_cycle": naive,
            "overhead_cycles": cfg["overhead_cycles"], "raw": fit, "measurements": meas,
            "tools": versions, "sweep_rows": n_rows}
    side_path = os.path.join(root, "profiles/characterize/data", f"fit-{name}.json")
    with open(side_path, "w") as f:
        json.dump(side, f, indent=2)
        f.write("\n")
    print(f"{name}: curves by {fit['curve_fitter']}; alpha {alpha:.3f}")
    for m in meas:
        print(f"  {m['role']:9s} {m['name']}: measured {float(m['latency_s']) * 1e3:.2f} ms, estimate "
              f"{m['estimate_error'] * 100:+.1f}%" + (f" (LOO {m['loo_error'] * 100:+.1f}%)" if "loo_error" in m else "")
              + f", alpha=1 {m['alpha1_error'] * 100:+.1f}%, naive {m['naive_error'] * 100:+.1f}%"
              + (f" (LOO {m['naive_loo_error'] * 100:+.1f}%)" if "naive_loo_error" in m else ""))


if __name__ == "__main__":
    main()
