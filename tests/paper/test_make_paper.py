"""Unit test of docs/paper/make_paper.py's own arithmetic (normalizations, shares, spreads,
verdicts) against hand computations. The cost numbers themselves come from opcost and are
tested there; this only checks that the script divides them as docs/paper.md says."""
import importlib.util
import os
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SPEC = importlib.util.spec_from_file_location(
    "make_paper", os.path.join(ROOT, "docs/paper/make_paper.py"))
make_paper = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(make_paper)


def layer(name, category, ops, cycles, energy_j, latency_s):
    return {"name": name, "category": category, "ops": ops, "cycles": cycles,
            "energy_j": energy_j, "latency_s": latency_s}


def category(name, ops, cycles):
    return {"category": name, "ops": ops, "cycles": cycles}


class RatioTest(unittest.TestCase):
    def test_normalizations(self):
        self.assertEqual(make_paper.normalize_to_max([2.0, 4.0, 1.0]), [0.5, 1.0, 0.25])
        self.assertEqual(make_paper.normalize_to_min([2.0, 4.0, 1.0]), [2.0, 4.0, 1.0])
        self.assertEqual(make_paper.normalize_to_min([4.0, 5.0]), [1.0, 1.25])

    def test_spread_is_max_over_min_minus_one(self):
        self.assertAlmostEqual(make_paper.spread([16168.0, 19912.0, 18043.0]),
                               19912.0 / 16168.0 - 1.0)
        self.assertEqual(make_paper.spread([3.0, 3.0]), 0.0)

    def test_verdict_tolerance_and_direction(self):
        self.assertEqual(make_paper.verdict(6.0, 5.0), "agree")          # +20 %
        self.assertEqual(make_paper.verdict(0.232, 0.30), "agree")       # -22.7 %
        self.assertEqual(make_paper.verdict(-0.065, -0.30), "disagree: ours 4.6x smaller")
        self.assertEqual(make_paper.verdict(0.396, 0.30), "disagree: ours 1.3x larger")

    def test_comparison_verdict(self):
        self.assertEqual(make_paper.comparison_verdict([1, 2], [1, 2]), "agree")
        self.assertEqual(make_paper.comparison_verdict([], [1, 2]), "disagree: never")
        self.assertEqual(make_paper.comparison_verdict([16, 32], [16, 32, 64]),
                         "partly: only at 16, 32 MACs per output")


class FigureNumbersTest(unittest.TestCase):
    def test_fig1_throughput_by_hand(self):
        # conv: 600 ops in 1000 cycles = 0.6 ops/cycle; pool: 10 ops in 100 cycles = 0.1;
        # a zero-op layer is left out. Power 0.33 W everywhere (energy = 0.33 * latency).
        result = {
            "layers": [layer("conv", "conv", 600, 1000.0, 0.33e-3, 1e-3),
                       layer("pool", "pooling", 10, 100.0, 0.33e-4, 1e-4),
                       layer("flat", "other", 0, 1000.0, 0.33e-3, 1e-3)],
            "by_category": [category("conv", 600, 1000.0), category("conv_1x1", 0, 0.0),
                            category("pooling", 10, 100.0)],
            "totals": {"ops": 610}}
        numbers = make_paper.fig1_numbers(result)
        self.assertEqual([l["name"] for l in numbers["layers"]], ["conv", "pool"])
        self.assertAlmostEqual(numbers["throughput"][0], 0.6)
        self.assertAlmostEqual(numbers["norm_throughput"][1], 0.1 / 0.6)
        # energy per op: conv 0.33e-3 / 600 = 5.5e-7, pool 0.33e-4 / 10 = 3.3e-6 (the largest)
        self.assertAlmostEqual(numbers["norm_energy_per_op"][0], 5.5e-7 / 3.3e-6)
        self.assertAlmostEqual(numbers["norm_energy_per_op"][1], 1.0)
        for power in numbers["norm_power"]:
            self.assertAlmostEqual(power, 1.0)
        self.assertEqual([c["category"] for c in numbers["categories"]], ["conv", "pooling"])
        self.assertAlmostEqual(numbers["norm_category_throughput"][1], 0.1 / 0.6)

    def test_variant_numbers_by_hand(self):
        def totals(ops, energy_j, naive_energy_j):
            return {"totals": {"ops": ops, "energy_j": energy_j, "naive_energy_j": naive_energy_j}}
        numbers = make_paper.variant_numbers([totals(100, 2.0, 2.5), totals(104, 2.6, 2.6)])
        self.assertAlmostEqual(numbers["norm_ops"][0], 1.0)
        self.assertAlmostEqual(numbers["norm_ops"][1], 1.04)
        self.assertAlmostEqual(numbers["norm_energy"][1], 1.3)
        self.assertAlmostEqual(numbers["norm_naive"][0], 1.25)          # over the smallest energy
        self.assertAlmostEqual(numbers["energy_spread"], 0.3)
        self.assertAlmostEqual(numbers["ops_spread"], 0.04)
        self.assertAlmostEqual(numbers["energy_per_op_spread"], (2.6 / 104) / (2.0 / 100) - 1)


if __name__ == "__main__":
    unittest.main()
