#!/usr/bin/env python3
"""Opt-in memory check on whole networks (docs/characterization.md, "Memory in the emulator").

For every conv / depthwise / fully-connected layer of a model, runs a proxy layer with the same
filter, bias and number of output pixels (stride 1, no padding, input = output + kernel - 1)
through the runner with weights in emulated flash (--memory-model) and sums the stall cycles;
compares them with the analytic memory term of `opcost estimate` and, where the model is a
calibration network of the profile (data/fit-<profile>.json, role calibrate), with the measured
latency: alpha1 = the profile's estimate before calibration (ideal-memory emulated curves + fixed
terms + the analytic memory term); "with emulated memory" swaps the analytic term for the stalls.
The proxy reads the filter exactly like the real layer for conv, 1x1 conv and fully connected
(their filter reads do not depend on padding or stride). Depthwise skips the taps clipped by the
padding, so a depthwise layer keeps its stride and its top/left padding, with the input size
chosen to give the real output size (the bottom/right clipping then equals the top/left one: TF
'same' with stride 2 pads one more row at the bottom, read here as a real row).

usage: memory_networks.py OPCOST RUNNER M7_ELF M4_ELF SHARED_DIR WORK_DIR OUT_CSV
"""
import csv
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
MODELS = ["mlperf-tiny/vww_96_int8.tflite", "mlperf-tiny/kws_ref_model.tflite",
          "mlperf-tiny/pretrainedResnet_quant.tflite", "mlperf-tiny/ad01_int8.tflite",
          "mcunet/mcunet-vww1.tflite"]
CORES = [("cortex-m7", "f746", "cortex-m7-f746"), ("cortex-m4", "l4r5", "cortex-m4-l4r5")]


def run_json(cmd):
    return json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)


def proxy_layers(opcost, model):
    """(runner line, metrics layer) for every MAC layer of the model."""
    imported = run_json([opcost, "import", model])
    metrics = run_json([opcost, "metrics", model, "--format", "json"])["layers"]
    shapes = {t["name"]: t.get("shape") for t in imported["tensors"]}
    for t in imported["inputs"]:
        shapes[t["name"]] = t["shape"]
    for layer, m in zip(imported["layers"], metrics):
        if m.get("output_shape"):
            shapes[layer["outputs"][0]] = m["output_shape"]
    out = []
    for layer, m in zip(imported["layers"], metrics):
        assert layer["name"] == m["name"], (layer["name"], m["name"])
        op = layer["op"]
        if op not in ("conv2d", "depthwise_conv2d", "fully_connected"):
            assert m["macs"] == 0 or op in ("add",), (op, m["macs"])
            continue
        w = shapes[layer["inputs"][1]]
        if op == "fully_connected":
            units, cin = w
            line, macs = f"fc_s8 1 1 {cin} {units} 1 1 1 0", units * cin
        else:
            _, oh, ow, oc = m["output_shape"]
            if op == "conv2d":
                cout, kh, kw, cin = w
                assert cout == oc and layer.get("groups", 1) == 1
                kernel = "conv1x1_s8" if kh == kw == 1 else "conv_s8"
                macs = oh * ow * cout * kh * kw * cin
            else:
                _, kh, kw, c = w
                assert c == oc and layer.get("depth_multiplier", 1) == 1
                cin, cout, kernel = c, c, "dwconv_s8"
                macs = oh * ow * c * kh * kw
            line = f"{kernel} {oh + kh - 1} {ow + kw - 1} {cin} {cout} {kh} {kw} 1 0"
            if op == "depthwise_conv2d":
                _, ih, iw, _ = shapes[layer["inputs"][0]]
                sh, sw = layer["stride"]
                if layer["padding"] == "same":
                    pt = max((oh - 1) * sh + kh - ih, 0) // 2
                    pl = max((ow - 1) * sw + kw - iw, 0) // 2
                else:
                    pt = pl = 0
                if sh == sw and pt == pl:
                    line = (f"{kernel} {(oh - 1) * sh + kh - 2 * pt} {(ow - 1) * sw + kw - 2 * pl} {c} {c} "
                            f"{kh} {kw} {sh} {pt}")
        assert macs == m["macs"], (layer["name"], macs, m["macs"])
        out.append((line, m))
    return out


def main(opcost, runner, m7_elf, m4_elf, shared, work, out_csv):
    os.makedirs(work, exist_ok=True)
    elf = {"cortex-m7": m7_elf, "cortex-m4": m4_elf}
    rows = []
    for rel in MODELS:
        model = os.path.join(shared, "models", rel)
        name = os.path.splitext(os.path.basename(rel))[0]
        layers = proxy_layers(opcost, model)
        layers_file = os.path.join(work, f"layers-{name}.txt")
        with open(layers_file, "w") as f:
            f.write("".join(line + "\n" for line, _ in layers))
        for core, mem_model, profile in CORES:
            mem_csv = os.path.join(work, f"memory-{name}-{core}.csv")
            subprocess.run([runner, "--image", elf[core], "--core", core, "--layers", layers_file,
                            "--memory-model", mem_model, "--memory-csv-out", mem_csv],
                           check=True, capture_output=True)
            with open(mem_csv, newline="") as f:
                mem = list(csv.DictReader(f))
            assert len(mem) == len(layers) and all(r["bitexact"] == "1" for r in mem)
            for r, (_, m) in zip(mem, layers):
                assert int(r["weight_bytes"]) == m["weight_bytes"], (name, r, m["weight_bytes"])
            est = run_json([opcost, "estimate", model, "--profile",
                            os.path.join(ROOT, "profiles", profile + ".json"), "--format", "json"])
            measured = alpha1 = ""
            with open(os.path.join(HERE, "data", f"fit-{profile}.json")) as f:
                for meas in json.load(f)["measurements"]:
                    if meas["role"] == "calibrate" and meas["model"].endswith(rel):
                        measured, alpha1 = meas["measured_cycles"], meas["alpha1_cycles"]
            emulated = sum(int(r["stall_cycles"]) for r in mem)
            analytic = est["totals"]["memory_cycles"]
            row = {"core": core, "memory_model": mem_model, "network": name, "mac_layers": len(mem),
                   "weight_bytes": sum(int(r["weight_bytes"]) for r in mem),
                   "analytic_memory_cycles": round(analytic),
                   "emulated_stall_cycles": emulated,
                   "ratio_emulated_analytic": f"{emulated / analytic:.2f}",
                   "estimate_cycles": round(est["totals"]["cycles"]),
                   "emulated_stalls_pct_of_estimate": f"{100.0 * emulated / est['totals']['cycles']:.1f}",
                   "measured_cycles": round(measured) if measured else "",
                   "alpha1_cycles": round(alpha1) if alpha1 else "",
                   "alpha1_with_emulated_memory_vs_measured_pct":
                       f"{100.0 * ((alpha1 - analytic + emulated) / measured - 1):+.1f}" if measured else "",
                   "alpha1_vs_measured_pct": f"{100.0 * (alpha1 / measured - 1):+.1f}" if measured else ""}
            rows.append(row)
    with open(out_csv, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    for r in rows:
        print(",".join(str(v) for v in r.values()))


if __name__ == "__main__":
    if len(sys.argv) != 8:
        sys.exit(__doc__)
    main(*sys.argv[1:])
