#!/usr/bin/python3
"""Writes docs/accuracy.md from `opcost validate` runs over every table in validation/.

usage: validation/report.py OPCOST_BINARY [--record] [--update-profiles]

  --record           also rewrite validation/recorded/*.json (the baselines CI compares
                     against: do this only when a change is meant to move the numbers)
  --update-profiles  also rewrite the "validation" records of the shipped profiles that the
                     development set exercises

Standard library only. Every number in the page comes from the runs made here.
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEV_SET = "mlperf_tiny_v05_v10_cortexm"


def run(opcost, table):
    path = os.path.join(HERE, table + ".csv")
    res = subprocess.run([opcost, "validate", path, "--format", "json"], capture_output=True,
                         text=True, cwd=ROOT)
    if res.returncode != 0:
        sys.exit(f"report.py: opcost validate {path} failed: {res.stderr.strip()}")
    return json.loads(res.stdout)


def pct(summary, key):
    v = summary.get(key + "_pct")
    return "-" if v is None else f"{v['mean']:.1f}"


def comment_lines(table):
    with open(os.path.join(HERE, table + ".csv")) as f:
        return [line[1:].strip() for line in f if line.startswith("#")]


def network_section(name, result):
    out = [f"### `validation/{name}.csv`", ""]
    out += [" ".join(comment_lines(name)), ""]
    out += [f"Command: `opcost validate validation/{name}.csv`", ""]
    out += ["| system | runtime | profile | rows | abs | abs ops-prop. | LOO | LOO ops-prop. | "
            "energy abs | energy abs ops-prop. | energy LOO | energy LOO ops-prop. |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for s in result["systems"]:
        m = s["summary"]
        out.append(f"| {s['system']} | {s['runtime']} | {s['profile']} | {len(s['rows'])} | "
                   f"{pct(m, 'abs_error')} | {pct(m, 'naive_abs_error')} | {pct(m, 'loo_error')} | "
                   f"{pct(m, 'naive_loo_error')} | {pct(m, 'energy_abs_error')} | "
                   f"{pct(m, 'naive_energy_abs_error')} | {pct(m, 'energy_loo_error')} | "
                   f"{pct(m, 'naive_energy_loo_error')} |")
    m = result["summary"]
    out.append(f"| **all** | | | {sum(len(s['rows']) for s in result['systems'])} | "
               f"**{pct(m, 'abs_error')}** | {pct(m, 'naive_abs_error')} | **{pct(m, 'loo_error')}** | "
               f"{pct(m, 'naive_loo_error')} | **{pct(m, 'energy_abs_error')}** | "
               f"{pct(m, 'naive_energy_abs_error')} | **{pct(m, 'energy_loo_error')}** | "
               f"{pct(m, 'naive_energy_loo_error')} |")
    out += ["", "Per network (measured and estimated ms; errors in %):", "",
            "| system | model | measured | estimate | of it memory | abs | LOO | LOO ops-prop. |",
            "|---|---|---|---|---|---|---|---|"]
    for s in result["systems"]:
        for r in s["rows"]:
            e = lambda k: "-" if k not in r else f"{r[k] * 100:.1f}"
            in_sample = " (in-sample)" if r["match"] == "calibration" else ""
            out.append(f"| {s['system']} | {os.path.basename(r['model'])} | {r['measured_s'] * 1e3:.3g} | "
                       f"{r['estimate_s'] * 1e3:.3g} | {r['memory_s'] * 1e3:.3g} | {e('abs_error')}{in_sample} | "
                       f"{e('loo_error')} | {e('naive_loo_error')} |")
    return out + [""]


def layer_section(name, result):
    s = result["summary"]
    out = [f"### `validation/{name}.csv`", "", " ".join(comment_lines(name)), "",
           f"Command: `opcost validate validation/{name}.csv`. Model {result['model']}, profile "
           f"{result['profile']}. Share error = |estimated share - measured share| of network time, in "
           f"percentage points: opcost mean **{s['share_error_points']['mean']:.2f}**, max "
           f"{s['share_error_points']['max']:.2f}; ops-proportional mean "
           f"{s['naive_share_error_points']['mean']:.2f}, max {s['naive_share_error_points']['max']:.2f}.",
           "", "| layer | category | measured % | opcost % | ops-prop. % |", "|---|---|---|---|---|"]
    for l in result["layers"]:
        out.append(f"| {l['layer']} | {l['category']} | {l['measured_share'] * 100:.2f} | "
                   f"{l['estimate_share'] * 100:.2f} | {l['naive_share'] * 100:.2f} |")
    return out + [""]


def subset_mean(result, keep, key):
    vals = [r[key] for s in result["systems"] if keep(s) for r in s["rows"] if key in r]
    return (sum(vals) / len(vals) * 100 if vals else float("nan")), len(vals)


def fit_scale(pairs, combine):
    """Scale s minimizing sum log(combine(s, compute, memory) / measured)^2 (golden section)."""
    import math
    cost = lambda ls: sum(math.log(combine(math.exp(ls), c, m) / y) ** 2 for c, m, y in pairs)
    lo, hi, g = -12.0, 12.0, (math.sqrt(5) - 1) / 2
    for _ in range(120):
        a, b = hi - g * (hi - lo), lo + g * (hi - lo)
        if cost(a) < cost(b):
            hi = b
        else:
            lo = a
    return math.exp((lo + hi) / 2)


def combine_section(dev):
    """How to combine compute and memory time: leave-one-out error of three forms on the
    development set, each with one free scale per system on the compute part."""
    forms = {
        "compute only (no memory term)": lambda s, c, m: s * c,
        "sum: s x compute + memory (shipped)": lambda s, c, m: s * c + m,
        "max(s x compute, memory) (full overlap)": lambda s, c, m: max(s * c, m),
        "s x (compute + memory) (memory scaled with the runtime)": lambda s, c, m: s * (c + m),
    }
    out = ["## Combining compute and memory: the evidence", "",
           "Leave-one-out latency error on the development set with the shipped curves and memory "
           "sections, for four ways to combine a layer's compute time (curves) and memory time "
           "(weight bytes x flash read cost); one free scale per system in each. Computed by "
           "`validation/report.py` from the per-row compute and memory times of "
           "`opcost validate --format json`.", "", "| form | LOO mean % | AD rows mean % |", "|---|---|---|"]
    for name, f in forms.items():
        errs, ad = [], []
        for s in dev["systems"]:
            rows = [(r["estimate_s"] - r["memory_s"], r["memory_s"], r["measured_s"], r["model"]) for r in s["rows"]]
            for i, (c, m, y, model) in enumerate(rows):
                others = [(c2, m2, y2) for j, (c2, m2, y2, _) in enumerate(rows) if j != i]
                k = fit_scale(others, f)
                e = abs(f(k, c, m) / y - 1) * 100
                errs.append(e)
                if "ad_autoencoder" in model:
                    ad.append(e)
        out.append(f"| {name} | {sum(errs) / len(errs):.1f} | {sum(ad) / len(ad):.1f} |")
    out += emulated_memory_rows(dev)
    return out + [""]


def emulated_memory_rows(dev):
    """The sum form with the emulator's cache-model stalls (profiles/characterize/data/
    memory-check-networks.csv: weights re-read when they do not fit the data cache) in place of
    the analytic once-per-inference term; Cortex-M7 systems take the F746 model, the others the
    L4R5 one."""
    path = os.path.join(ROOT, "profiles", "characterize", "data", "memory-check-networks.csv")
    if not os.path.exists(path):
        return []
    import csv
    import math
    stalls = {(r["core"], r["network"]): float(r["emulated_stall_cycles"]) for r in csv.DictReader(open(path))}
    names = {"mlperf_kws_ds_cnn": "kws_ref_model", "mlperf_vww_mobilenet_v1_025": "vww_96_int8",
             "mlperf_ic_resnet8": "pretrainedResnet_quant", "mlperf_ad_autoencoder": "ad01_int8"}
    table = os.path.join(HERE, DEV_SET + ".csv")
    clocks = {}
    with open(table) as f:
        for r in csv.DictReader(line for line in f if not line.startswith("#")):
            clocks[(r["system"], r["model"])] = float(r["clock_hz"])
    errs, ad = [], []
    for s in dev["systems"]:
        core = "cortex-m7" if s["core"] == "Cortex-M7" else "cortex-m4"
        rows = []
        for r in s["rows"]:
            net = names[os.path.splitext(os.path.basename(r["model"]))[0]]
            m = stalls[(core, net)] / clocks[(s["system"], r["model"])]
            rows.append((r["estimate_s"] - r["memory_s"], m, r["measured_s"], r["model"]))
        for i, (c, m, y, model) in enumerate(rows):
            others = [(c2, m2, y2) for j, (c2, m2, y2, _) in enumerate(rows) if j != i]
            k = fit_scale(others, lambda s_, c_, m_: s_ * c_ + m_)
            e = abs((k * c + m) / y - 1) * 100
            errs.append(e)
            if "ad_autoencoder" in model:
                ad.append(e)
    return [f"| sum with the emulator's cache-model stalls instead (re-reads when weights exceed the data "
            f"cache; docs/characterization.md) | {sum(errs) / len(errs):.1f} | {sum(ad) / len(ad):.1f} |"]


def update_profiles(results):
    """Every shipped profile that a network table uses records its leave-one-out error on the
    development set (where it gives a system's shape there) and its absolute error over the rows
    whose match is exact or calibration (how many of them are in-sample: calibration), with the
    command that reproduces them."""
    names = sorted({s["profile"] for res in results.values() if res["kind"] == "networks"
                    for s in res["systems"]})
    for profile in names:
        path = os.path.join(ROOT, "profiles", profile + ".json")
        if not os.path.exists(path):
            continue
        p = json.load(open(path))
        records = []
        keep = lambda s: s["profile"] == profile
        loo, n = subset_mean(results[DEV_SET], keep, "loo_error")
        nloo, _ = subset_mean(results[DEV_SET], keep, "naive_loo_error")
        if n:
            records.append({"kind": "leave_one_out", "rows": n, "latency_error_pct": round(loo, 2),
                            "naive_latency_error_pct": round(nloo, 2), "source": "validation-tables"})
        absv, nabs, tables, in_sample = [], [], set(), 0
        for t, res in sorted(results.items()):
            if res["kind"] != "networks":
                continue
            for s in res["systems"]:
                for r in s["rows"]:
                    if s["profile"] == profile and "abs_error" in r:
                        absv.append(r["abs_error"])
                        nabs.append(r["naive_abs_error"])
                        in_sample += r["match"] == "calibration"
                        tables.add(t)
        if absv:
            rec = {"kind": "absolute", "rows": len(absv)}
            if in_sample:
                rec["in_sample_rows"] = in_sample
            records.append({**rec,
                            "latency_error_pct": round(sum(absv) / len(absv) * 100, 2),
                            "naive_latency_error_pct": round(sum(nabs) / len(nabs) * 100, 2),
                            "source": "validation-tables"})
        if not records:
            continue
        p["validation"] = records
        p["format_version"] = 2
        p["sources"].pop("validation-dev-set", None)
        p["sources"]["validation-tables"] = {
            "kind": "derived",
            "citation": ("validation/report.py --update-profiles: opcost validate over validation/*.csv "
                         "(docs/accuracy.md). leave_one_out: rows of the development set "
                         "(validation/mlperf_tiny_v05_v10_cortexm.csv, MLPerf Tiny v0.5-v1.0) whose system "
                         "this profile gives the shape, each network predicted with one scale fitted on the "
                         "same system's other networks; absolute: rows of " + ", ".join(sorted(tables) or ["-"]) +
                         " whose board and runtime are this profile's (match = exact or calibration); "
                         "in_sample_rows counts those the profile was calibrated or fitted on (match = "
                         "calibration; each table's header and docs/accuracy.md say how)")}
        with open(path, "w") as f:
            json.dump(p, f, indent=2)
            f.write("\n")


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    opcost = os.path.abspath(sys.argv[1])
    tables = sorted(n[:-4] for n in os.listdir(HERE) if n.endswith(".csv"))
    results = {t: run(opcost, t) for t in tables}
    if "--record" in sys.argv:
        os.makedirs(os.path.join(HERE, "recorded"), exist_ok=True)
        for t, r in results.items():
            with open(os.path.join(HERE, "recorded", t + ".json"), "w") as f:
                json.dump(r, f, indent=2)
                f.write("\n")
    if "--update-profiles" in sys.argv:
        update_profiles(results)

    dev = results[DEV_SET]
    cmsis = lambda s: "CMSIS-NN" in s["runtime"] or "CMSIS" in s["runtime"]
    m_all, n_all = subset_mean(dev, lambda s: True, "loo_error")
    nm_all, _ = subset_mean(dev, lambda s: True, "naive_loo_error")
    m_cm, n_cm = subset_mean(dev, cmsis, "loo_error")
    nm_cm, _ = subset_mean(dev, cmsis, "naive_loo_error")
    ad_cmsis = [r["loo_error"] * 100 for s in dev["systems"] if cmsis(s) for r in s["rows"]
                if "ad_autoencoder" in r["model"]]
    e_all, ne = subset_mean(dev, lambda s: True, "energy_loo_error")
    ne_all, _ = subset_mean(dev, lambda s: True, "naive_energy_loo_error")
    layers = results.get("pico_person_detection_layers")

    lines = open(os.path.join(HERE, "accuracy_intro.md")).read().rstrip().split("\n") + [""]
    lines += ["## The issue-10 targets, measured", "",
              "Generated by `validation/report.py build/src/cli/opcost` from the tables below. "
              "LOO = leave-one-out with one free scale per system; ops-prop. = the ops-proportional "
              "model with the same one free parameter.", "",
              "| target | measured | met |", "|---|---|---|",
              f"| LOO latency error over all 20 development systems <= 10 % mean, at most half of ops-prop. | "
              f"{m_all:.1f} % over {n_all} rows (ops-prop. {nm_all:.1f} %) | "
              f"{'yes' if m_all <= 10 and m_all <= nm_all / 2 else 'no'} |",
              f"| LOO <= 8 % for the CMSIS-NN-based runtimes | {m_cm:.1f} % over {n_cm} rows "
              f"(ops-prop. {nm_cm:.1f} %) | {'yes' if m_cm <= 8 else 'no'} |",
              f"| AD within 10 % (LOO) on every CMSIS-NN-based system | "
              f"{', '.join(f'{x:.1f}' for x in ad_cmsis)} % | {'yes' if all(x <= 10 for x in ad_cmsis) else 'no'} |",
              f"| energy, LOO, where the source gives energy | {e_all:.1f} % over {ne} rows "
              f"(ops-prop. {ne_all:.1f} %) | (no target) |"]
    if layers:
        s = layers["summary"]["share_error_points"]
        lines.append(f"| per-layer share error on the RP2040 table no worse than before the memory term "
                     f"(0.68 points mean with the format-1 Cortex-M4 profile) | {s['mean']:.2f} points mean | "
                     f"{'yes' if s['mean'] <= 0.68 + 1e-9 else 'no'} |")
    # Absolute error of every system that has a profile for its board and runtime (any table).
    absolute = []
    for t, res in sorted(results.items()):
        if res["kind"] != "networks":
            continue
        for sy in res["systems"]:
            v = sy["summary"].get("abs_error_pct")
            if v:
                in_sample = all(r["match"] == "calibration" for r in sy["rows"] if "abs_error" in r)
                absolute.append((f"{sy['system']} ({sy['profile']}, {t}{', in-sample' if in_sample else ''})",
                                 v["mean"]))
    lines.append("| absolute error <= 15 % for every system with a profile for its board and runtime | " +
                 "; ".join(f"{n}: {e:.1f} %" for n, e in absolute) + " | " +
                 ("yes" if all(e <= 15 for _, e in absolute) else
                  "no: " + ", ".join(n.split(" (")[0] for n, e in absolute if e > 15)) + " |")
    lines += [""] + combine_section(dev)
    lines += ["## Tables", ""]
    for t in tables:
        lines += (layer_section if results[t]["kind"] == "layers" else network_section)(t, results[t])
    with open(os.path.join(ROOT, "docs", "accuracy.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"report.py: wrote docs/accuracy.md ({len(tables)} tables)")


if __name__ == "__main__":
    main()
