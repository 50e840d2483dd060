"""examples/nas_search.py: the search gives the same records in one process and on a Dask
LocalCluster of two worker processes; its Kendall tau and candidate models are right."""
import importlib.util
import math
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

try:
    import opcost  # noqa: F401  (the example needs the binding)
except ImportError as error:
    pytest.skip(f"the opcost binding is not importable ({error}); build it and set "
                "OPCOST_PYTHON_DIR=build/python", allow_module_level=True)


def load_example():
    spec = importlib.util.spec_from_file_location("nas_search", REPO / "examples" / "nas_search.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["nas_search"] = module
    spec.loader.exec_module(module)
    return module


nas = load_example()
SMALL = ["--seed", "3", "--population", "12", "--generations", "4"]


def test_kendall_tau_by_hand():
    assert nas.kendall_tau([1, 2, 3, 4], [10, 20, 30, 40]) == 1.0
    assert nas.kendall_tau([1, 2, 3, 4], [4, 3, 2, 1]) == -1.0
    # pairs: (1,2)+ (1,3)+ (2,3)- -> (2 - 1) / 3
    assert nas.kendall_tau([1, 2, 3], [1, 3, 2]) == pytest.approx(1 / 3)
    # tau-b with a tie in x: C=2, D=0, ties_x=1 -> 2 / sqrt(2 * 3)
    assert nas.kendall_tau([1, 1, 2], [1, 2, 3]) == pytest.approx(2 / math.sqrt(6))
    assert math.isnan(nas.kendall_tau([1, 1], [2, 3]))


def test_candidate_model_is_mobilenet_v2_035_at_expansion_6():
    """Width 0.35 with the paper's choices (t=1 first, then 6, kernel 3) is the bundled model
    but for the classifier: same layers up to the head."""
    candidate = {"width": 0.35, "blocks": [[1, 3]] + [[6, 3]] * (nas.BLOCKS - 1)}
    ours = opcost.metrics(opcost.model_from_dict(nas.candidate_model(candidate, 128, 1000)))
    bundled = opcost.metrics(opcost.load_model(str(REPO / "models" / "mobilenet_v2_035_128.json")))
    assert ours.to_dict()["totals"]["macs"] == bundled.to_dict()["totals"]["macs"]


def test_search_is_deterministic_and_respects_budgets():
    args = nas.parse_args(SMALL)
    first, second = nas.run(args), nas.run(args)
    assert first == second
    budgets = nas.budgets_from(args)
    for record in first:
        fits = (record["latency_s"] <= budgets["latency_s"]
                and record["peak_activation_bytes"] <= budgets["sram_bytes"]
                and record["weight_bytes"] <= budgets["flash_bytes"])
        assert fits == (record["violation"] == 0)
    assert first[0]["violation"] == 0  # the default budgets are reachable


def test_dask_local_cluster_gives_the_same_results():
    distributed = pytest.importorskip("distributed")
    args = nas.parse_args(SMALL + ["--batch-size", "5"])
    local = nas.run(args)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            on_cluster = nas.run(args, client)
            workers = client.run(lambda dask_worker: "opcost-nas-profile" in dask_worker.plugins)
    assert on_cluster == local
    assert len(workers) == 2 and all(workers.values())


def test_main_prints_the_report_and_plot(tmp_path, capsys):
    plot = tmp_path / "macs_vs_latency.svg"
    options = SMALL + (["--plot", str(plot)] if importlib.util.find_spec("matplotlib") else [])
    assert nas.main(options) == 0
    out = capsys.readouterr().out
    assert "Kendall tau between the MACs ranking and the opcost latency ranking" in out
    if "--plot" in options:
        assert plot.read_text().lstrip().startswith("<?xml")
