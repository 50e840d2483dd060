"""The Python package against the CLI (the same library, an independent path to every number)
and against hand-checked figures. Run by CTest (python.pytest) with PYTHONPATH=<build>/python
and OPCOST_CLI=<build>/src/cli/opcost."""
import concurrent.futures
import json
import math
import os
import subprocess

import pytest

import opcost

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KWS = os.path.join(ROOT, "models", "mlperf_kws_ds_cnn.json")
RESNET = os.path.join(ROOT, "models", "mlperf_ic_resnet8.json")
TFLITE_TOOLS = os.path.join(ROOT, "models", "tflite_tools_example.json")
VWW_TFLITE = os.path.join(ROOT, "validation", "models", "mcunet-vww1.tflite")
M7 = "stm32f746-cmsis-nn"


def cli_json(*args):
    cli = os.environ.get("OPCOST_CLI")
    if not cli:
        pytest.skip("OPCOST_CLI is not set (CTest sets it)")
    out = subprocess.run([cli, *args, "--format", "json"], check=True, capture_output=True,
                         text=True).stdout
    return json.loads(out)


def test_metrics_equal_the_cli_for_json_and_tflite():
    for path in (KWS, VWW_TFLITE):
        mine = opcost.metrics(path).to_dict()
        theirs = cli_json("metrics", path)
        assert mine["totals"] == {k: theirs["totals"][k] for k in mine["totals"]}
        for a, b in zip(mine["layers"], theirs["layers"]):
            assert a == {k: b[k] for k in a}
    assert opcost.metrics(KWS).totals.macs == 2656768  # docs/cli.md example


def test_estimate_equals_the_cli_layer_by_layer():
    mine = opcost.estimate(opcost.load_model(RESNET), M7)
    theirs = cli_json("estimate", RESNET, "--profile", M7)
    assert len(mine.layers) == len(theirs["layers"])
    for a, b in zip(mine.records(), theirs["layers"]):
        for key in ("name", "op", "macs", "flags", "weights_region"):
            assert a[key] == b[key]
        for key in ("cycles", "memory_cycles", "latency_s", "energy_j", "naive_latency_s"):
            assert a[key] == pytest.approx(b[key], rel=1e-12)
    assert mine.totals.latency_s == pytest.approx(theirs["totals"]["latency_s"], rel=1e-12)
    shares = [c["time_share"] for c in mine.by_category]
    assert sum(shares) == pytest.approx(1.0)


def test_memory_matches_the_published_tflite_tools_peak():
    # tflite-tools' example: published peak 26,944 B (docs/cli.md, "opcost memory").
    m = opcost.memory(TFLITE_TOOLS, optimize_order=True, plan=True)
    assert m.peak_activation_bytes == 26944
    assert m.optimized_peak_activation_bytes == 26944 and m.optimal
    assert m.arena_bytes == 26944
    theirs = cli_json("memory", KWS, "--profile", M7)
    mine = opcost.memory(KWS, M7)
    assert mine.peak_activation_bytes == theirs["peak_activation_bytes"]
    assert mine.fit.to_dict() == theirs["fit"]
    assert [s["live_tensors"] for s in mine.records()] == [s["live_tensors"] for s in theirs["steps"]]


def test_with_device_matches_the_cli_device_options():
    device = opcost.load_profile(M7).with_device(flash_bytes=300 * 1024, sram_bytes=64 * 1024,
                                                 reserve_flash_bytes=0, reserve_sram_bytes=4096)
    theirs = cli_json("memory", KWS, "--profile", M7, "--flash", "300K", "--sram", "64K",
                      "--reserve-flash", "0", "--reserve-sram", "4096")
    mine = opcost.memory(KWS, device)
    assert mine.fit.to_dict() == theirs["fit"]
    # Hand sums: SRAM used = peak activations with scratch + the reserve; flash = the weights.
    assert mine.fit.sram_capacity_bytes == 65536 and mine.fit.runtime_sram_bytes == 4096
    assert mine.fit.flash_used_bytes == mine.weight_bytes
    assert device.describe()["runtime_reserve"] == {"flash_bytes": 0, "sram_bytes": 4096}
    assert opcost.load_profile(M7).describe()["sram_bytes"] == 320 * 1024  # the original kept
    with pytest.raises(ValueError, match="sram_bytes must be between 1 and 2\\*\\*50"):
        device.with_device(sram_bytes=0)


def test_memory_order_search_budgets_report_the_stop_reason():
    # The 9-node NAS cell: 83 ops, one segment of 81 (docs/memory.md, "Execution-order search").
    cell = os.path.join(ROOT, "models", "nas_cell_9node.json")
    full = opcost.memory(cell, optimize_order=True)
    assert full.optimal and full.stop_reason == "none"
    assert full.optimized_peak_activation_bytes == cli_json("memory", cell, "--optimize-order")[
        "optimized_peak_activation_bytes"]
    cut = opcost.memory(cell, optimize_order=True, max_states=10)
    assert not cut.optimal and cut.stop_reason == "state_budget" and cut.states_visited == 10
    theirs = cli_json("memory", cell, "--optimize-order", "--max-states", "10")
    assert (theirs["optimal"], theirs["stop_reason"]) == (False, "state_budget")
    # A microsecond is spent before the search starts: it stops at its first clock check.
    timed = opcost.memory(cell, optimize_order=True, max_seconds=1e-6)
    assert not timed.optimal and timed.stop_reason == "time_budget"
    for bad in (-1.0, float("nan"), 1e6):
        with pytest.raises(opcost.Error, match="max_seconds must be in"):
            opcost.memory(cell, optimize_order=True, max_seconds=bad)


def test_profiles_by_name_alias_and_path():
    names = opcost.list_profiles()
    assert "cortex-m7-f746" in names and M7 in names
    by_alias = opcost.load_profile(M7)
    by_path = opcost.load_profile(os.path.join(ROOT, "profiles", "cortex-m7-f746.json"))
    assert by_alias.name == by_path.name and by_alias.clock_hz == 216e6
    assert by_alias.describe()["validation"]
    # Its one absolute row is its calibration network (profiles/characterize/calibration.csv).
    absolute = [v for v in by_alias.describe()["validation"] if v["kind"] == "absolute"]
    assert [(v["rows"], v["in_sample_rows"]) for v in absolute] == [(1, 1)]
    with pytest.raises(opcost.Error, match="did you mean 'stm32f746-cmsis-nn'") as e:
        opcost.load_profile("stm32f746-cmsisnn")
    assert e.value.code == "io"
    # Weights copied to SRAM: no flash reads, so fewer memory cycles.
    flash = opcost.estimate(RESNET, by_alias).totals.memory_cycles
    sram = opcost.estimate(RESNET, opcost.load_profile(M7, weights="sram")).totals.memory_cycles
    assert sram < flash
    with pytest.raises(opcost.Error, match="region"):
        opcost.load_profile(M7, weights="no_such_region")


def test_bad_input_raises_with_the_place():
    with pytest.raises(opcost.Error, match="/layers/0/op: unknown op \"warp\""):
        opcost.model_from_dict({"format": "opcost-model", "format_version": 1, "name": "x",
                                "inputs": [{"name": "i", "shape": [1, 8, 8, 3]}],
                                "layers": [{"name": "a", "op": "warp"}]})
    with pytest.raises(opcost.Error, match="not JSON compliant"):
        opcost.layer("conv2d", [1, 8, 8, 3], filters=float("nan"), kernel=3)
    with pytest.raises(opcost.Error, match="kernel/0"):
        opcost.layer("conv2d", [1, 8, 8, 3], filters=4, kernel=[-3, 3])
    with pytest.raises(opcost.Error, match="must be a positive integer"):
        opcost.layer("fully_connected", [1, 8], units=-1)
    with pytest.raises(opcost.Error, match="cannot open"):
        opcost.load_model("/no/such/model.json")
    with pytest.raises(TypeError):
        opcost.metrics(42)
    b = opcost.GraphBuilder("g")
    x = b.input("x", [1, 8, 8, 3])
    with pytest.raises(opcost.Error, match="unknown activation"):
        b.conv2d("c", x, 4, activation="swish")
    with pytest.raises(ValueError):  # opcost.Error is a ValueError
        b.conv2d("d", x, 4, kernel=[9, 9], padding="valid")


def test_builder_equals_the_json_form():
    b = opcost.GraphBuilder("tiny_cnn")
    x = b.input("image", [1, 32, 32, 3])
    x = b.conv2d("conv1", x, 16, kernel=[3, 3], activation="relu")
    x = b.max_pool("pool1", x, pool=[2, 2])
    x = b.fully_connected("fc", x, 10)
    b.unary("prob", "softmax", x)
    built = b.build()
    from_dict = opcost.model_from_dict({
        "format": "opcost-model", "format_version": 1, "name": "tiny_cnn", "dtype": "int8",
        "inputs": [{"name": "image", "shape": [1, 32, 32, 3]}],
        "layers": [{"name": "conv1", "op": "conv2d", "filters": 16, "kernel": [3, 3],
                    "padding": "same", "activation": "relu"},
                   {"name": "pool1", "op": "max_pool", "pool": [2, 2]},
                   {"name": "fc", "op": "fully_connected", "units": 10},
                   {"name": "prob", "op": "softmax"}]})
    assert opcost.metrics(built).to_dict() == opcost.metrics(from_dict).to_dict()
    # 32x32x16 outputs x 27 MACs + 16x16x16 x 10 (hand count)
    assert opcost.metrics(built).totals.macs == 32 * 32 * 16 * 27 + 16 * 16 * 16 * 10


def conv_space():
    return [opcost.layer("conv2d", [1, 16, 16, 8], name=f"c{k}", filters=16, kernel=k)
            for k in (1, 3, 5)] + [opcost.layer("fully_connected", [1, 64], units=10)]


def test_batch_equals_the_loop_of_single_calls():
    profile = opcost.load_profile(M7)
    c1, c3, c5, fc = conv_space()
    candidates = [[c1, c3, fc], [c5, fc], opcost.load_model(KWS), [c3] * 7]
    batch = opcost.estimate_batch(candidates, profile)
    for got, cand in zip(batch, candidates):
        single = opcost.estimate(cand, profile).totals
        assert got["latency_s"] == pytest.approx(single.latency_s, rel=1e-12)
        assert got["energy_j"] == pytest.approx(single.energy_j, rel=1e-12)
        assert got["macs"] == single.macs
    graphs = [opcost.load_model(p) for p in (KWS, RESNET, TFLITE_TOOLS)] * 10
    with_memory = opcost.estimate_batch(graphs, profile, threads=2, memory=True)
    for got, g in zip(with_memory, graphs):
        assert got["peak_activation_bytes"] == opcost.memory(g, profile).peak_activation_bytes
    assert opcost.estimate_batch(graphs, profile, threads=3) == opcost.estimate_batch(graphs,
                                                                                       profile)
    with pytest.raises(opcost.Error, match="memory=True needs a Graph"):
        opcost.estimate_batch([[c1]], profile, memory=True)
    with pytest.raises(opcost.Error, match="candidate #1: every element must be an opcost.Layer"):
        opcost.estimate_batch([[c1], [c1, "x"]], profile)
    with pytest.raises(opcost.Error, match="threads must be"):
        opcost.estimate_batch([[c1]], profile, threads=0)


def test_concurrent_batches_on_one_profile_agree():
    profile = opcost.load_profile(M7)
    graphs = [opcost.load_model(p) for p in (KWS, RESNET)] * 50
    expected = opcost.estimate_batch(graphs, profile, memory=True)
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(
            lambda t: opcost.estimate_batch(graphs, profile, threads=t, memory=True),
            [1, 2, 3, 4] * 4))
    assert all(r == expected for r in results)


def test_replace_layer_equals_a_fresh_estimate():
    profile = opcost.load_profile(M7)
    c1, c3, c5, fc = conv_space()
    inc = opcost.IncrementalEstimate(profile, [c1, c3, fc])
    inc.replace(1, c5)
    fresh = opcost.estimate([c1, c5, fc], profile)
    assert inc.totals["latency_s"] == pytest.approx(fresh.totals.latency_s, rel=1e-12)
    assert [r["name"] for r in inc.to_dict()["layers"]] == ["c1", "c5", "fully_connected"]
    with pytest.raises(opcost.Error, match="cannot replace layer #3"):
        inc.replace(3, c1)


def test_fit_one_scale_reproduces_a_scaled_profile():
    # Measurements made by the profile itself at 1.25x its latency: the one-constant fit must
    # recover that and predict a held-out network within a fraction of a percent.
    base = opcost.load_profile(M7)
    models = [KWS, RESNET, TFLITE_TOOLS]
    rows = [{"name": os.path.basename(m), "model": m,
             "latency_s": 1.25 * opcost.estimate(m, base).totals.latency_s} for m in models]
    fitted, summary = opcost.fit(rows, base, scale_only=True, name="m7-slower")
    assert fitted.name == "m7-slower"
    assert summary.loo_mean_abs_error < 0.05
    for m, row in zip(models, rows):
        assert opcost.estimate(m, fitted).totals.latency_s == pytest.approx(row["latency_s"],
                                                                           rel=0.05)
    with pytest.raises(opcost.Error, match="fit row 0"):
        opcost.fit([{"name": "a"}], base)


def test_records_are_what_pandas_takes():
    rows = opcost.estimate(KWS, M7).records()
    assert all(isinstance(r, dict) and not isinstance(r, opcost.Result) for r in rows)
    assert len({tuple(r) for r in rows}) == 1  # one set of columns
    pandas = pytest.importorskip("pandas")
    frame = pandas.DataFrame(rows)
    assert math.isclose(frame["latency_s"].sum(), opcost.estimate(KWS, M7).totals.latency_s)
