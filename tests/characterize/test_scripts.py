"""The characterization scripts' own arithmetic (profiles/characterize/fit.py, profiles/
runtime_reserves.py) against hand computations. The cost model itself is the CLI's; what the
scripts compute is the calibration factor, the naive ops/cycle, curve bins and the reserves.
Stdlib only: python3 -m unittest discover -s tests/characterize -p "test_*.py".
"""
import math
import os
import sys
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "profiles", "characterize"))
sys.path.insert(0, os.path.join(ROOT, "profiles"))

import fit  # noqa: E402
import runtime_reserves  # noqa: E402


class FitAlphaTest(unittest.TestCase):
    def test_one_row_is_solved_exactly(self):
        # fixed + alpha x emulated = measured: (1000 - 200) / 400 = 2.
        rows = [{"fixed": 200.0, "emulated": 400.0, "measured_cycles": 1000.0}]
        self.assertAlmostEqual(fit.fit_alpha(rows), 2.0)

    def test_least_squares_in_log_space(self):
        # No fixed part: alpha x e_i = m_i with ratios 2 and 8 -> the log-space optimum is the
        # geometric mean of the ratios, sqrt(2 x 8) = 4.
        rows = [{"fixed": 0.0, "emulated": 1.0, "measured_cycles": 2.0},
                {"fixed": 0.0, "emulated": 1.0, "measured_cycles": 8.0}]
        self.assertAlmostEqual(fit.fit_alpha(rows), 4.0, places=6)


class FitNaiveTest(unittest.TestCase):
    def test_geometric_mean_of_ops_per_cycle(self):
        # 100 ops in 50 cycles (2) and 100 ops in 200 cycles (0.5): geometric mean 1.
        rows = [{"ops": 100, "measured_cycles": 50.0}, {"ops": 100, "measured_cycles": 200.0}]
        self.assertAlmostEqual(fit.fit_naive(rows), 1.0)


class GoldenMinTest(unittest.TestCase):
    def test_finds_the_minimum_of_a_parabola(self):
        self.assertAlmostEqual(fit.golden_min(lambda x: (x - 3.0) ** 2, 0.0, 10.0), 3.0, places=6)


class CurveTest(unittest.TestCase):
    def test_interpolates_linearly_in_log_x_and_clamps(self):
        points = [[10.0, 0.1], [1000.0, 0.3]]
        self.assertAlmostEqual(fit.curve_eval(points, 100.0), 0.2)  # halfway in log10
        self.assertEqual(fit.curve_eval(points, 1.0), 0.1)
        self.assertEqual(fit.curve_eval(points, 1e6), 0.3)

    def test_bins_group_x_within_a_factor_of_1_45(self):
        # 10 and 14 share a bin (14/10 < 1.45); 20 starts a new one (20/10 >= 1.45).
        rows = [{"macs_per_output": x, "macs": 100, "cycles": c}
                for x, c in ((10.0, 1000), (14.0, 500), (20.0, 250))]
        points = fit.fit_curve(rows)
        self.assertEqual(len(points), 2)
        self.assertAlmostEqual(points[0][0], round(math.sqrt(10.0 * 14.0), 2))
        self.assertAlmostEqual(points[0][1], (0.1 + 0.2) / 2)  # median MACs/cycle of the bin
        self.assertAlmostEqual(points[1][1], 0.4)


class RuntimeReserveTest(unittest.TestCase):
    def test_tflite_micro_reserve_is_measured_minus_model(self):
        # TinyEngine README, CMSIS-NN v2.0.0 on the F746: 743 kB flash, 248 kB SRAM (kB = 1024 B),
        # minus the .tflite (613,840 B) and opcost's peak (161,472 B).
        r = runtime_reserves.RESERVES["cortex-m7-f746"]
        self.assertEqual(r["flash_bytes"], 743 * 1024 - 613840)
        self.assertEqual(r["sram_bytes"], 248 * 1024 - 161472)

    def test_every_shipped_profile_has_a_reserve_and_apply_places_it_before_validation(self):
        for name in os.listdir(os.path.join(ROOT, "profiles")):
            if name.endswith(".json"):
                self.assertIn(name[:-5], runtime_reserves.RESERVES)
        profile = {"name": "cortex-m4-l4r5", "format_version": 1, "sources": {}, "validation": []}
        runtime_reserves.apply(profile)
        self.assertEqual(list(profile)[-2:], ["runtime_reserve", "validation"])
        self.assertEqual(profile["format_version"], 2)
        self.assertEqual(profile["runtime_reserve"]["sram_bytes"]["value"], 92480)


class HeliumProfileTest(unittest.TestCase):
    """profiles/cortex-m55-e7.json from profiles/characterize/helium/data/helium.csv
    (helium/make_profile.py): same bins and per-element costs as fit.py computes, alpha 1."""

    @classmethod
    def setUpClass(cls):
        sys.path.insert(0, os.path.join(ROOT, "profiles", "characterize", "helium"))
        import json
        import make_profile
        cls.mp = make_profile
        cls.rows = make_profile.load_helium_rows(make_profile.HELIUM_CSV)
        cls.raw = fit.fit_core(cls.rows)
        cls.profile = json.load(open(make_profile.PROFILE_JSON))
        cls.side = json.load(open(make_profile.SIDE_JSON))

    def test_rows_cover_every_characterized_category_bit_exact(self):
        cats = {r["category"] for r in self.rows}
        self.assertEqual(cats, set(fit.MAC_CATS) | {"pooling", "activation"})
        self.assertTrue(all(r["bitexact"] == 1 for r in self.rows))

    def test_curve_bins_and_per_element_costs_come_from_the_helium_run(self):
        for cat in fit.MAC_CATS:
            shipped = self.profile["categories"][cat]["throughput"]["points"]
            self.assertEqual([x for x, _ in shipped], [x for x, _ in self.raw["curves"][cat]])
            # alpha = 1: the shipped y is the refined curve of the side file, rounded, not divided.
            self.assertEqual(shipped, [[x, round(y, 5)] for x, y in self.side["raw"]["curves"][cat]])
        for cat in ("pooling", "activation"):
            self.assertEqual(self.profile["categories"][cat]["cycles_per_element"]["value"],
                             round(self.raw["cycles_per_element"][cat], 4))

    def test_uncalibrated_and_says_so(self):
        self.assertEqual(self.side["alpha"], 1.0)
        self.assertFalse(self.side["calibrated"])
        self.assertIn("UNCALIBRATED", self.profile["description"])
        self.assertIn("NOT CALIBRATED", self.profile["sources"]["calibration-cortex-m55-e7"]["citation"])

    def test_generator_reproduces_the_committed_profile(self):
        opcost = os.environ.get("OPCOST_BIN") or os.path.join(ROOT, "build", "src", "cli", "opcost")
        if not os.path.exists(opcost):
            self.skipTest(f"no opcost binary at {opcost}")
        import subprocess
        res = subprocess.run([sys.executable, os.path.join(ROOT, "profiles", "characterize", "helium",
                                                           "make_profile.py"), opcost, "--check"],
                             capture_output=True, text=True)
        self.assertEqual(res.returncode, 0, res.stderr)


if __name__ == "__main__":
    unittest.main()
