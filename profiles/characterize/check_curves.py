#!/usr/bin/env python3
"""CI check: a (reduced) emulated sweep reproduces the shipped profile's curves.

usage: check_curves.py PROFILE.json SWEEP.csv FIT.json FULL_SWEEP.csv

1. Every row must be bit-exact.
2. Every row must reproduce the committed full-sweep row of the same shape (FULL_SWEEP.csv, the
   data the curves were fitted on) within 1 % of its cycles: same kernels, toolchain and model.
3. For each emulated category, the relative error between the sweep's cycles and what the shipped
   profile predicts for that shape (curve x variants, without the per-layer overhead, divided
   back by the calibration factor alpha) must stay inside the band the full fit states in
   FIT.json: median <= full-sweep p90, max <= full-sweep max + 0.10.
Exit 0 pass, 1 fail.
"""
import json
import statistics
import sys

sys.path.insert(0, __import__("os").path.dirname(__file__))
from fit import MAC_CATS, curve_eval, load_rows, variant_factor  # noqa: E402


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    profile = json.load(open(sys.argv[1]))
    rows = load_rows(sys.argv[2])  # exits if a row is not bit-exact
    fit = json.load(open(sys.argv[3]))
    alpha = fit["alpha"]
    variants = [v for v in profile.get("variants", []) if v["source"].startswith("emulated-")]
    ok = True
    key = ("kernel", "in_h", "in_w", "in_c", "out_c", "k", "stride", "pad")
    full = {tuple(r[k] for k in key): r for r in load_rows(sys.argv[4])}
    drift = 0
    for r in rows:
        ref_row = full.get(tuple(r[k] for k in key))
        if ref_row is None or abs(ref_row["cycles"] - r["cycles"]) > 0.01 * ref_row["cycles"]:
            drift += 1
            print(f"FAIL {r['kernel']} {r['in_h']}x{r['in_w']}x{r['in_c']}->{r['out_c']} k{r['k']}: "
                  f"{r['cycles']} cycles vs committed {ref_row['cycles'] if ref_row else 'missing'}")
    print(f"{'ok  ' if drift == 0 else 'FAIL'} {len(rows) - drift}/{len(rows)} rows reproduce the committed sweep within 1%")
    ok = drift == 0
    for cat in MAC_CATS + ["pooling", "activation"]:
        c = profile["categories"][cat]
        errs = []
        for r in rows:
            if r["category"] != cat:
                continue
            if cat in MAC_CATS:
                pred = r["macs"] / curve_eval(c["throughput"]["points"], r["macs_per_output"]) * variant_factor(r, variants)
            else:
                pred = r["elements"] * c["cycles_per_element"]["value"]
            errs.append(abs(pred / alpha - r["cycles"]) / r["cycles"])
        if not errs:
            print(f"{cat}: no rows in the sweep")
            ok = False
            continue
        errs.sort()
        med, worst = statistics.median(errs), errs[-1]
        ref = fit["raw"]["fit_error"][cat]
        passed = med <= ref["p90"] and worst <= ref["max"] + 0.10
        ok = ok and passed
        print(f"{'ok  ' if passed else 'FAIL'} {cat}: {len(errs)} rows, median error {med * 100:.1f}% "
              f"(limit {ref['p90'] * 100:.1f}%), max {worst * 100:.1f}% (limit {(ref['max'] + 0.10) * 100:.1f}%)")
    print(f"{sys.argv[1]}: {len(rows)} rows bit-exact; curves {'reproduced' if ok else 'NOT reproduced'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
