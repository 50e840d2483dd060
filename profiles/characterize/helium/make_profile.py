#!/usr/bin/env python3
"""Makes the Cortex-M55 profile (profiles/cortex-m55-e7.json: Alif Ensemble E7, RTSS-HP core)
from the Helium run (data/helium.csv), with fit.py's own functions: the same curves, variants,
cycles per element, curve refinement (`opcost fit`) and profile assembly as the shipped
Cortex-M7/M4/M33 CMSIS-NN profiles.

usage: make_profile.py OPCOST_BIN [--check]
  writes profiles/cortex-m55-e7.json and helium/data/fit-cortex-m55-e7.json;
  --check: builds both again and fails (exit 1) unless they equal the committed files.

What differs from fit.py's main:
  - rows come from data/helium.csv (M55 cycles of the QEMU trace timed by llvm-mca-19,
    column m55_cycles), converted to the sweep CSV's columns;
  - NOT calibrated: no Cortex-M55 measurement is used, alpha = 1 (the level is the emulated
    kernels' on ideal memory plus the memory section). The naive model is this profile's own
    average ops/cycle on the Cortex-M7 profile's calibration network (no latency measured on an
    M55 enters anything), as fit.py does for the uncalibrated reference-kernel profiles;
  - the board (Alif Ensemble E7, HP core at 400 MHz, MRAM, TCM) and its sources are defined here.
"""
import csv
import json
import math
import os
import statistics
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CHAR = os.path.dirname(HERE)
ROOT = os.path.dirname(os.path.dirname(CHAR))
sys.path.insert(0, CHAR)
sys.path.insert(0, os.path.dirname(CHAR))
import fit  # noqa: E402  profiles/characterize/fit.py
import runtime_reserves  # noqa: E402

NAME = "cortex-m55-e7"
HELIUM_CSV = os.path.join(HERE, "data", "helium.csv")
SIDE_JSON = os.path.join(HERE, "data", f"fit-{NAME}.json")
PROFILE_JSON = os.path.join(ROOT, "profiles", NAME + ".json")
ALPHA = 1.0
# Naive model: own ops/cycle on the network the Cortex-M7 profile is calibrated on (its row in
# calibration.csv; the measured latency there is not used).
NAIVE_FROM = "cortex-m7-f746"

DFP = "github.com/alifsemi/alif_ensemble-cmsis-dfp @ea9cf1e977671c642094eccbfcb4f9d564dafa68"
SWRM = ("Alif Ensemble Software Reference Manual, section 2.4 Real-Time Subsystem (RTSS), "
        "https://swrm.alifsemi.com/Content/2.4%20Real%20Time%20SS.htm")
RAM_WHITEPAPER = ("Alif whitepaper AWPR0003 'RAM Regions and Linker Files in Alif Microcontrollers', "
                  "https://alifsemi.com/whitepaper/alif-mcu-ram-regions-and-linker-files/")

CFG = {"core": "cortex-m55", "base": fit.SEED,
       "overhead_cycles": 1000.0, "overhead_source": "overhead-estimate-m55",
       "power": {"value": 100.0, "source": "power-estimate-m55"}}

SOURCES = {
    "e7-identity": {
        "kind": "datasheet",
        "citation": (f"Alif Ensemble E7 AE722F80F55D5 (DevKit-E7), RTSS-HP Cortex-M55 (Helium, MVE int8): "
                     f"'The Cortex-M55 in the RTSS-HP can operate at up to 400 MHz core clock frequency. The "
                     f"single-cycle 256KB ... ITCM and 1MB ... DTCM' ({SWRM}); MRAM 5.5 MB "
                     f"(DEVICE_FEATURE_MRAM_SIZE 0x00580000, {DFP} Device/common/include/AE722F80F55D5XX.h). "
                     f"sram_bytes = the HP core's 1 MB DTCM (SRAM3, 0x50800000, 400 MHz: {RAM_WHITEPAPER}); "
                     f"the 4 MB + 2.5 MB bulk SRAM0/SRAM1 (same header and whitepaper) are not counted: a "
                     f"tensor arena is placed in the DTCM for speed")},
    "e7-mram": {
        "kind": "estimate",
        "citation": ("ASSUMPTION, not sourced: 0.25 stall cycles per weight byte read from MRAM (2 wait states "
                     "per 8-byte beat of the Cortex-M55's 64-bit M-AXI). No Alif document found here gives the "
                     "MRAM read latency or wait states at 400 MHz; the MRAM base 0x80000000 and size are from "
                     f"{DFP} (DEVICE_FEATURE_MRAM_SIZE) and lvgl/lv_alif app/RTE/Device/AE722F80F55D5LS_M55_HP/"
                     "regions_AE722F80F55D5LS_M55_HP.h (__ROM0_BASE 0x80000000, __ROM0_SIZE 0x00580000). The "
                     "M55's data cache (not modelled) may hide part of it; alpha would absorb it if a measurement "
                     "existed")},
    "zero-wait-tcm": {
        "kind": "datasheet",
        "citation": (f"activations in the HP core's DTCM, 'single-cycle' ({SWRM}): nothing beyond the curves, "
                     "which were characterized on ideal memory")},
    "power-estimate-m55": {
        "kind": "estimate",
        "citation": ("ASSUMPTION, not a datasheet or measured figure: 100 mW for the whole MCU with the RTSS-HP "
                     "Cortex-M55 running at 400 MHz from TCM (no Ensemble E7 active-current figure was found "
                     "here); used for every category")},
    "idle-estimate-m55": {
        "kind": "estimate",
        "citation": "ASSUMPTION, not a datasheet figure: ~10 uA x 3.3 V in a standby mode between inferences, "
                    "as for the M4 and M33 profiles"},
    "overhead-estimate-m55": {
        "kind": "estimate",
        "citation": ("per-layer TFLM invoke overhead taken as 1000 cycles as for the Cortex-M7 profile "
                     "(pico-overhead); not measured on a Cortex-M55")},
}

BOARD = {
    "description": (
        "Alif Ensemble E7 (AE722F80F55D5, DevKit-E7), RTSS-HP Cortex-M55 at 400 MHz running int8 Helium "
        "(MVE) kernels. MAC, pooling and activation categories GENERATED by "
        "profiles/characterize/helium/make_profile.py from our Helium kernels run bit-exact on QEMU's "
        "Cortex-M55 (mps3-an547) and timed with LLVM 19's Cortex-M55 scheduling model. UNCALIBRATED: no "
        "Cortex-M55 measurement is used anywhere, alpha = 1 (ideal-memory kernel cycles plus the memory "
        "section's MRAM term, which is an ASSUMPTION); the calibrated Cortex-M7/M4/M33 profiles' alpha (1.06-1.37 "
        f"over their emulated curves) has no counterpart here. {fit.CARRIED}. Every number names its source below."),
    "hardware": {"core": "cortex-m55", "mcu": "AE722F80F55D5", "board": "Alif DevKit-E7 (RTSS-HP core)",
                 "clock_hz": 400000000, "flash_bytes": 5767168, "sram_bytes": 1048576,
                 "kernel_library": "Helium (MVE) int8 kernels, CMSIS-NN-style",
                 "kernel_library_version": ("our kernels written after CMSIS-NN's MVE idioms "
                                            "(profiles/characterize/helium/target/helium.c); not a CMSIS-NN release"),
                 "source": "e7-identity"},
    "idle_power": {"value": 0.033, "source": "idle-estimate-m55"},
    "sources": SOURCES,
}

MEMORY = {
    "regions": {
        "mram": {"kind": "flash", "bytes": {"value": 5767168, "source": "e7-identity"},
                 "read_cycles_per_byte": {"value": 0.25, "source": "e7-mram"}},
        "dtcm": {"kind": "sram", "bytes": {"value": 1048576, "source": "e7-identity"},
                 "read_cycles_per_byte": {"value": 0.0, "source": "zero-wait-tcm"}},
    },
    "weights": "mram", "activations": "dtcm"}


def load_helium_rows(path):
    """data/helium.csv as fit.py's load_rows returns the sweep CSV: same columns and work units."""
    rows = []
    for h in csv.DictReader(open(path)):
        r = {"core": "cortex-m55", "category": h["category"], "kernel": h["kernel"]}
        for k in ("in_h", "in_w", "in_c", "out_c", "k", "stride", "pad", "macs", "outputs",
                  "window_ops", "instructions", "taken_exits", "bitexact"):
            r[k] = int(h[k])
        r["out_h"] = (r["in_h"] + 2 * r["pad"] - r["k"]) // r["stride"] + 1
        r["out_w"] = (r["in_w"] + 2 * r["pad"] - r["k"]) // r["stride"] + 1
        r["mispredicts"] = int(h["bimodal_mispredicts"])
        r["cycles"] = int(h["m55_cycles"])
        r["macs_per_output"] = float(h["macs_per_output"])
        k2 = r["k"] * r["k"]
        r["elements"] = r["outputs"] * {"maxpool_s8": k2 - 1, "avgpool_s8": k2}.get(r["kernel"], 1)
        rows.append(r)
    bad = [r for r in rows if r["bitexact"] != 1]
    if bad:
        sys.exit(f"make_profile.py: {len(bad)} rows of {path} are not bit-exact; refusing to fit")
    missing = {"conv", "conv_1x1", "depthwise_conv", "fully_connected", "pooling", "activation"} - \
        {r["category"] for r in rows}
    if missing:
        sys.exit(f"make_profile.py: {path} has no rows of {sorted(missing)}")
    return rows


def naive_ops_per_cycle(opcost_bin, profile, work):
    """This profile's own ops/cycle on the networks NAIVE_FROM is calibrated on (geometric mean
    of ops / estimated cycles); no measured latency is read."""
    shared = os.environ.get("OPCOST_SHARED_DIR") or os.path.join(ROOT, "..", "shared")
    nets = [r for r in csv.DictReader(open(fit.CALIBRATION_CSV))
            if r["profile"] == NAIVE_FROM and r["role"] == "calibrate"]
    ratios = []
    for i, r in enumerate(nets):
        m = r["model"]
        path = os.path.join(shared, m[len("shared/"):]) if m.startswith("shared/") else os.path.join(ROOT, m)
        t = fit.estimator_cycles(opcost_bin, path, profile, work, f"naive-{i}")["totals"]
        ratios.append((r["name"], t["ops"] / t["cycles"]))
    return math.exp(statistics.mean(math.log(x) for _, x in ratios)), ratios


def make(opcost_bin, work):
    rows = load_helium_rows(HELIUM_CSV)
    raw = fit.fit_core(rows)
    base = json.load(open(os.path.join(ROOT, CFG["base"])))
    raw["curve_fitter"] = fit.refine_with_opcost_fit(rows, raw, opcost_bin, base, CFG["core"], work)
    raw["fit_error"] = fit.fit_errors(rows, raw)
    fit.BOARDS[NAME] = BOARD  # build_profile reads the board and memory section from these tables
    fit.MEMORY[NAME] = MEMORY
    emu_id, cal_id = fit.emulated_id(CFG), f"calibration-{NAME}"
    versions = fit.tool_versions(CFG["core"])
    n_bins = ", ".join(f"{c} {len(raw['curves'][c])} bins" for c in fit.MAC_CATS)
    sources_extra = {
        emu_id: {
            "kind": "generator",
            "citation": (
                f"profiles/characterize/helium/run.sh + make_profile.py: {len(rows)} layer shapes "
                f"(helium/data/helium.csv; the Cortex-M7 sweep's conv, 1x1, fully connected, depthwise, "
                f"pooling and ReLU shapes with the same data) run once each on QEMU 7.2 "
                f"(qemu-system-arm -M mps3-an547, a Cortex-M55) with our Helium (MVE) kernels "
                f"(helium/target/helium.c) built with {versions['gcc']} (-mcpu=cortex-m55 -O2 ...); every output "
                f"bit-exact against both host references; cycles = sum over executed translation blocks of "
                f"executions x cycles per block from llvm-mca-19 -mcpu=cortex-m55 (LLVM 19.1.7's CortexM55 "
                f"model) plus 3 cycles per taken branch other than low-overhead-loop back edges "
                f"(helium/README.md). Curves: x = MACs-per-output bins of the rows with C_in % 4 == 0 and even "
                f"C_out ({n_bins}), y fitted by {raw['curve_fitter']} over all MAC rows; pooling and "
                f"activation: median cycles per element; NOT divided by any calibration factor (alpha = 1)")},
        cal_id: {
            "kind": "derived",
            "citation": (
                "NOT CALIBRATED: alpha = 1. No Cortex-M55 latency measurement is used anywhere (none is in "
                "profiles/characterize/calibration.csv, and MLPerf Tiny results are deliberately not used), so "
                "the curves are the emulated kernels' cycles on ideal memory; the calibrated Cortex-M7/M4/M33 "
                "profiles needed alpha of 1.06-1.37 on top of their emulated curves, so this profile likely "
                "underestimates latency by a similar factor. Naive model: this profile's own average ops/cycle "
                f"(ops / opcost estimate with this profile) on the network(s) {NAIVE_FROM} is calibrated on "
                "({naive}); no measured latency enters it")},
    }
    probe = fit.build_profile(NAME, CFG, base, raw, ALPHA, sources_extra, 1.0, cal_id)
    naive, per_net = naive_ops_per_cycle(opcost_bin, probe, work)
    sources_extra[cal_id]["citation"] = sources_extra[cal_id]["citation"].replace(
        "{naive}", ", ".join(f"{n} {x:.4f}" for n, x in per_net))
    p = fit.build_profile(NAME, dict(CFG, naive_note=(
        "one average throughput for every op: this profile's own average ops/cycle on the calibration "
        f"network of {NAIVE_FROM} (no Cortex-M55 measurement)")), base, raw, ALPHA, sources_extra, naive, cal_id)
    for cat, c in p["categories"].items():  # fit.py's notes say "calibrated": this profile is not
        if "note" in c and c["throughput" if cat in fit.MAC_CATS else "cycles_per_element"].get("source") == emu_id:
            err = raw["fit_error"][cat]
            c["note"] = (f"emulated cortex-m55 Helium kernels, NOT calibrated (alpha 1); fit error on the Helium "
                         f"run: median {err['median'] * 100:.1f}%"
                         + (f", p90 {err['p90'] * 100:.1f}%" if cat in fit.MAC_CATS else ""))
    runtime_reserves.apply(p)
    side = {"profile": NAME, "core": CFG["core"], "alpha": ALPHA, "calibrated": False,
            "naive_ops_per_cycle": naive, "naive_networks": per_net,
            "overhead_cycles": CFG["overhead_cycles"], "raw": raw, "tools": {"gcc": versions["gcc"]},
            "rows": len(rows)}
    return p, side


def dumps(obj):
    return json.dumps(obj, indent=2) + "\n"


def main():
    args = [a for a in sys.argv[1:] if a != "--check"]
    if len(args) != 1:
        sys.exit(__doc__)
    with tempfile.TemporaryDirectory(prefix="opcost-m55-") as tmp:
        run(args[0], os.environ.get("OPCOST_FIT_WORK") or tmp, check="--check" in sys.argv)


def run(opcost_bin, work, check):
    """Writes the profile and its side file, or with check=True compares them with the files."""
    p, side = make(opcost_bin, work)
    outputs = {PROFILE_JSON: dumps(p), SIDE_JSON: dumps(side)}
    if check:
        bad = [path for path, text in outputs.items()
               if not os.path.exists(path) or open(path).read() != text]
        if bad:
            sys.exit(f"make_profile.py --check: {bad} differ from what helium/data/helium.csv gives; "
                     f"regenerate with make_profile.py OPCOST_BIN (set OPCOST_FIT_WORK to keep the work files)")
        print(f"make_profile.py --check: {NAME} reproduced from {os.path.relpath(HELIUM_CSV, ROOT)}")
        return
    for path, text in outputs.items():
        open(path, "w").write(text)
    print(f"{NAME}: curves by {side['raw']['curve_fitter']}; alpha 1 (uncalibrated); naive "
          f"{side['naive_ops_per_cycle']:.4f} ops/cycle")


if __name__ == "__main__":
    main()
