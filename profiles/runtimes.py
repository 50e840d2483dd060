#!/usr/bin/python3
"""Derives the X-CUBE-AI profiles from the characterized CMSIS-NN ones (docs/profiles.md).

usage: profiles/runtimes.py OPCOST_BINARY

A runtime profile keeps the emulated shapes (curves, per-element costs, variants) of the base
profile of its core and fits TWO constants with `opcost fit --constants scale,conv`: one
multiplier on every throughput and one on standard convolutions (the kernel that differs most
between runtimes: CMSIS-NN's im2col vs X-CUBE-AI's own), least squares in log space against
measured whole-network latencies of that runtime on that board; memory time stays as the board's
memory section says. The memory section is the board's, from its
reference manual; power is the measured average (energy / latency) of the same runs. Nothing here
uses MLPerf Tiny results of rounds v1.1 and later.

  stm32l4r5-x-cube-ai  Cortex-M4 shapes, STM32L4R5 board, fitted on X-CUBE-AI v7.1.0 / v7.3.0 runs
  stm32h7a3-x-cube-ai  Cortex-M7 shapes, STM32H7A3 board, fitted on X-CUBE-AI v7.1.0 / v7.3.0 runs
  stm32u575-x-cube-ai  Cortex-M33 shapes, STM32U575 board, fitted on X-CUBE-AI v7.1.0 / v7.3.0 runs
  stm32f746-x-cube-ai  Cortex-M7 shapes, STM32F746 board, the H7A3 fit's scale carried over
                       unchanged (not fitted on any F746 measurement: mcunet-vww1's 137 ms on
                       the F746 is a held-out check)
"""
import copy
import csv
import json
import math
import os
import subprocess
import sys
import tempfile

import runtime_reserves  # profiles/runtime_reserves.py

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEV = os.path.join(ROOT, "validation", "mlperf_tiny_v05_v10_cortexm.csv")

H7A3_FLASH = {
    "kind": "derived",
    "citation": ("6 wait states / 16 bytes per flash word = 0.375 stall cycles per weight byte. 6 WS: STM32H7A3 at "
                 "280 MHz (VOS0, flash clock = CPU clock): RM0455 wait-state table as copied in "
                 "STMicroelectronics/stm32h7xx_hal_driver Src/stm32h7xx_ll_utils.c @6f5e35e3 (0x480 table, "
                 "\"6WS(7CPU cycle) | 264 < HCLK <= 280\") and STM32CubeH7 Projects/NUCLEO-H7A3ZI-Q/Examples/GPIO/"
                 "GPIO_IOToggle/Src/main.c @3d3ffbe6 (FLASH_LATENCY_6 at SYSCLK 280 MHz); 16 bytes: "
                 "FLASH_NB_32BITWORD_IN_FLASHWORD 4U /* 128 bits */ (STMicroelectronics/cmsis_device_h7 "
                 "Include/stm32h7a3xx.h @13ba9da7)")}
H7A3_IDENTITY = {
    "kind": "measurement",
    "citation": ("NUCLEO-H7A3ZI-Q as described in the published MLPerf Tiny submissions: STM32H7A3ZIT6Q, Cortex-M7 at "
                 "280 MHz (github.com/mlcommons/tiny_results_v1.0 closed/STMicroelectronics/systems/NUCLEO-H7A3ZI-Q/"
                 "NUCLEO_H7A3ZI_Q_system_description.json); 2 MB flash, 1.4 MB SRAM (ST product page figures "
                 "quoted from memory: UNSOURCED, capacities only used by the memory fit check)")}

U575_FLASH = {
    "kind": "derived",
    "citation": ("4 wait states / 16 bytes per flash access = 0.25 stall cycles per weight byte. 4 WS: STM32U575 at "
                 "160 MHz, voltage scale 1: STM32CubeU5 Projects/NUCLEO-U575ZI-Q/Examples/GPIO/GPIO_IOToggle/Src/main.c "
                 "@0eedae3d (PLL 4 MHz x 80 / 2 = 160 MHz, HAL_RCC_ClockConfig(..., FLASH_LATENCY_4); ICACHE on). "
                 "16 bytes: the flash is programmed by quad-words (stm32u5xx_hal_flash.c: \"Program a quad-word "
                 "(128-bit)\"); ASSUMPTION, not sourced: reads are as wide. The 8 KB ICACHE does not help a "
                 "once-per-inference weight stream")}
ZERO_WAIT_SRAM = {
    "kind": "derived",
    "citation": ("SRAM is read at the core clock without wait states, which is how the kernels were characterized "
                 "(profiles/characterize: the emulator's memory has no wait states), so activations cost nothing "
                 "beyond the curves")}
U575_IDENTITY = {
    "kind": "measurement",
    "citation": ("NUCLEO-U575ZI-Q as described in the published MLPerf Tiny submissions: STM32U575ZIT6Q, Cortex-M33 at "
                 "160 MHz (github.com/mlcommons/tiny_results_v0.7 and _v1.0 closed/STMicroelectronics/systems/; rows in "
                 "validation/mlperf_tiny_v05_v10_cortexm.csv); 2 MB flash, 786 KB SRAM (ST product page figures quoted "
                 "from memory: UNSOURCED, capacities only used by the memory fit check)")}

PROFILES = [
    {"name": "stm32l4r5-x-cube-ai", "base": "cortex-m4-l4r5", "fit": ("NUCLEO-L4R5ZI", "X-CUBE-AI"),
     "runtime": "X-CUBE-AI", "version": "v7.1.0 / v7.3.0"},
    {"name": "stm32h7a3-x-cube-ai", "base": "cortex-m7-f746", "fit": ("NUCLEO-H7A3ZI-Q", "X-CUBE-AI"),
     "runtime": "X-CUBE-AI", "version": "v7.1.0 / v7.3.0",
     "hardware": {"core": "cortex-m7", "mcu": "STM32H7A3ZIT6Q", "board": "NUCLEO-H7A3ZI-Q",
                  "clock_hz": 280000000, "flash_bytes": 2097152, "sram_bytes": 1441792,
                  "source": "h7a3-identity"},
     "memory": {"regions": {
         "flash": {"kind": "flash", "bytes": {"value": 2097152, "source": "h7a3-identity"},
                   "read_cycles_per_byte": {"value": 0.375, "source": "h7a3-flash"}},
         "sram": {"kind": "sram", "bytes": {"value": 1441792, "source": "h7a3-identity"},
                  "read_cycles_per_byte": {"value": 0.0, "source": "zero-wait-sram"}}},
         "weights": "flash", "activations": "sram"},
     "sources": {"h7a3-flash": H7A3_FLASH, "h7a3-identity": H7A3_IDENTITY}},
    {"name": "stm32u575-x-cube-ai", "base": "cortex-m33-ra6m4", "fit": ("NUCLEO-U575ZI-Q", "X-CUBE-AI"),
     "runtime": "X-CUBE-AI", "version": "v7.1.0 / v7.3.0",
     "hardware": {"core": "cortex-m33", "mcu": "STM32U575ZIT6Q", "board": "NUCLEO-U575ZI-Q",
                  "clock_hz": 160000000, "flash_bytes": 2097152, "sram_bytes": 804864,
                  "source": "u575-identity"},
     "memory": {"regions": {
         "flash": {"kind": "flash", "bytes": {"value": 2097152, "source": "u575-identity"},
                   "read_cycles_per_byte": {"value": 0.25, "source": "u575-flash"}},
         "sram": {"kind": "sram", "bytes": {"value": 804864, "source": "u575-identity"},
                  "read_cycles_per_byte": {"value": 0.0, "source": "zero-wait-sram"}}},
         "weights": "flash", "activations": "sram"},
     "sources": {"u575-flash": U575_FLASH, "u575-identity": U575_IDENTITY, "zero-wait-sram": ZERO_WAIT_SRAM}},
    {"name": "stm32f746-x-cube-ai", "base": "cortex-m7-f746", "scale_from": "stm32h7a3-x-cube-ai",
     "runtime": "X-CUBE-AI", "version": "scale of the STM32H7A3 X-CUBE-AI v7.1.0 / v7.3.0 fit"},
]


def load(name):
    return json.load(open(os.path.join(ROOT, "profiles", name + ".json")))


def scaled(base, scale, conv_factor=1.0):
    """The base profile with every compute cost multiplied by `scale` and the conv category's by
    `conv_factor` on top (memory untouched)."""
    p = copy.deepcopy(base)
    for name, c in p["categories"].items():
        f = scale * (conv_factor if name == "conv" else 1.0)
        if "throughput" in c:
            c["throughput"]["points"] = [[x, round(y / f, 6)] for x, y in c["throughput"]["points"]]
        if "cycles_per_element" in c:
            c["cycles_per_element"]["value"] = round(c["cycles_per_element"]["value"] * scale, 6)
    return p


def fit_rows(board, runtime):
    rows = []
    for r in csv.DictReader(line for line in open(DEV) if not line.startswith("#")):
        if r["board"].upper() == board.upper() and runtime in r["runtime"]:
            rows.append(r)
    return rows


def fit(opcost, base, rows, work):
    """`opcost fit --constants scale,conv` of `base` on `rows`; returns (profile, fit report)."""
    base_path, csv_path, out_path = (os.path.join(work, n) for n in ("base.json", "rows.csv", "out.json"))
    json.dump(base, open(base_path, "w"), indent=1)
    with open(csv_path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["name", "model", "latency_s", "energy_j"])
        for r in rows:
            w.writerow([r["system"].split()[0] + " " + os.path.basename(r["model"]),
                        os.path.join(ROOT, "validation", r["model"]), float(r["latency_ms"]) * 1e-3,
                        float(r["energy_uj"]) * 1e-6 if r["energy_uj"] else ""])
    res = subprocess.run([opcost, "fit", csv_path, "--base", base_path, "-o", out_path, "--constants",
                          "scale,conv", "--format", "json"], capture_output=True, text=True)
    if res.returncode != 0:
        sys.exit(f"runtimes.py: opcost fit failed: {res.stderr.strip()}")
    return json.load(open(out_path)), json.loads(res.stdout)


def factor(base, fitted, category):
    """Compute-time factor the fit applied to `category` (base throughput / fitted)."""
    b = base["categories"][category]["throughput"]["points"][0][1]
    f = fitted["categories"][category]["throughput"]["points"][0][1]
    return b / f


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    opcost = os.path.abspath(sys.argv[1])
    work = tempfile.mkdtemp(prefix="opcost-runtimes-")
    scales, naive_models = {}, {}
    for spec in PROFILES:
        base = load(spec["base"])
        p = copy.deepcopy(base)
        p["name"] = spec["name"]
        p["format_version"] = 2
        p.pop("validation", None)
        if "hardware" in spec:
            p["hardware"].update(spec["hardware"])
        if "memory" in spec:
            p["memory"] = spec["memory"]
        p["sources"].update(spec.get("sources", {}))
        p["hardware"]["kernel_library"] = spec["runtime"]
        p["hardware"]["kernel_library_version"] = spec["version"]
        if "scale_from" in spec:
            scale, conv_factor = scales[spec["scale_from"]]
            p = scaled(p, scale, conv_factor)
            p["naive_model"] = {"ops_per_cycle": naive_models[spec["scale_from"]],
                                "source": "runtime-" + spec["name"],
                                "note": "carried over from " + spec["scale_from"]}
            cal = (f"compute scale {scale:.4f} and conv factor {conv_factor:.4f} carried over unchanged from "
                   f"{spec['scale_from']} (X-CUBE-AI's compute time relative to the emulated CMSIS-NN-style "
                   f"kernels on a Cortex-M7); fitted on no STM32F746 measurement")
            power = None
        else:
            rows = fit_rows(*spec["fit"])
            fitted, report = fit(opcost, p, rows, work)
            scale = factor(p, fitted, "fully_connected")
            conv_factor = factor(p, fitted, "conv") / scale
            scales[spec["name"]] = (scale, conv_factor)
            naive_models[spec["name"]] = fitted["naive_model"]["ops_per_cycle"]
            t = report["totals"]
            errs = [abs(r["residual"]) * 100 for r in report["rows"]]
            cal = (f"opcost fit --constants scale,conv on {len(rows)} measured latencies "
                   f"(validation/mlperf_tiny_v05_v10_cortexm.csv rows of {spec['fit'][0]} with {spec['fit'][1]}: "
                   f"MLPerf Tiny v0.7 and v1.0, github.com/mlcommons/tiny_results_v0.7 and _v1.0 "
                   f"closed/STMicroelectronics/results/...): compute time x {scale:.4f}, standard "
                   f"convolutions x {scale * conv_factor:.4f}; in-sample error {sum(errs) / len(errs):.1f} % mean, "
                   f"{max(errs):.1f} % max; leave-one-out (both constants refitted) "
                   f"{t['loo_mean_abs_error'] * 100:.1f} % mean, ops-proportional "
                   f"{t['naive_loo_mean_abs_error'] * 100:.1f} %. Shapes: {spec['base']} (emulated "
                   f"CMSIS-NN-style kernels)")
            fitted["sources"].pop("fit", None)
            p = fitted
            p["name"] = spec["name"]
            p["naive_model"]["source"] = "runtime-" + spec["name"]
            energy = [(float(r["energy_uj"]) * 1e-6, float(r["latency_ms"]) * 1e-3) for r in rows if r["energy_uj"]]
            power = sum(e / t for e, t in energy) / len(energy) * 1e3
            p["sources"]["power-" + spec["name"]] = {
                "kind": "measurement",
                "citation": (f"{power:.1f} mW = mean of energy / latency over the {len(energy)} MLPerf Tiny energy "
                             f"runs of the same rows (EnergyRunner, whole MCU); the same for every category")}
        p["sources"]["runtime-" + spec["name"]] = {"kind": "derived", "citation": cal}
        for c in p["categories"].values():
            if "throughput" in c:
                c["throughput"]["source"] = "runtime-" + spec["name"]
            if "cycles_per_element" in c:
                c["cycles_per_element"]["source"] = "runtime-" + spec["name"]
            if power is not None and "power_mw" in c:
                c["power_mw"] = {"value": round(power, 2), "source": "power-" + spec["name"]}
        p["description"] = (f"{p['hardware']['mcu']} ({p['hardware']['board']}) at "
                            f"{p['hardware']['clock_hz'] / 1e6:g} MHz running {spec['runtime']}: GENERATED by "
                            f"profiles/runtimes.py. Shapes of {spec['base']} (emulated CMSIS-NN-style kernels) with one "
                            f"two fitted constants (compute scale, conv factor); the board's memory section; see "
                            f"sources.")
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
        p["sources"] = {k: v for k, v in p["sources"].items() if k in used}
        runtime_reserves.apply(p)
        with open(os.path.join(ROOT, "profiles", spec["name"] + ".json"), "w") as f:
            json.dump(p, f, indent=2)
            f.write("\n")
        print(f"{spec['name']}: {cal}")


if __name__ == "__main__":
    main()
