#!/usr/bin/env python3
"""An evolutionary search over a MobileNetV2-like space under a latency, SRAM and flash budget
on an opcost hardware profile, scored in one process or on a Dask cluster (docs/python.md).

    PYTHONPATH=build/python python3 examples/nas_search.py --seed 1
    PYTHONPATH=build/python python3 examples/nas_search.py --seed 1 --dask          # local cluster
    PYTHONPATH=build/python python3 examples/nas_search.py --scheduler tcp://host:8786

Per block the space chooses the expansion (1, 3, 6) and the depthwise kernel (3, 5); per
network the width multiplier. There is no accuracy predictor here: among the candidates that
fit every budget the search keeps those with the most MACs (capacity as a stand-in for
accuracy). Because time per MAC differs between op types and shapes, the MACs ranking and the
latency ranking disagree; the Kendall tau between them says how much.
"""
import argparse
import math
import random
import sys

import opcost

# MobileNetV2 (Sandler et al. 2018, Table 2) without the expansion: (channels, repeats, stride)
STAGES = [(16, 1, 1), (24, 2, 2), (32, 3, 2), (64, 4, 2), (96, 3, 1), (160, 3, 2), (320, 1, 1)]
BLOCKS = sum(repeats for _, repeats, _ in STAGES)
EXPANSIONS = (1, 3, 6)
KERNELS = (3, 5)
WIDTHS = (0.25, 0.35, 0.5, 0.75)
PLUGIN_NAME = "opcost-nas-profile"


# --- the search space ------------------------------------------------------------------------

def make_divisible(value, divisor=8):
    """Channels rounded to a multiple of 8, never below 90 % of the value (as MobileNetV2)."""
    rounded = max(divisor, int(value + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * value else rounded


def random_candidate(rng):
    """A candidate: {"width": w, "blocks": [[expansion, kernel], ...]}, plain JSON data so it
    travels to Dask workers as is."""
    return {"width": rng.choice(WIDTHS),
            "blocks": [[rng.choice(EXPANSIONS), rng.choice(KERNELS)] for _ in range(BLOCKS)]}


def mutate(candidate, rng, rate=0.15):
    """Re-draws each choice with probability `rate`; at least one changes."""
    child = {"width": candidate["width"], "blocks": [list(b) for b in candidate["blocks"]]}
    forced = rng.randrange(BLOCKS + 1)  # BLOCKS = the width
    if forced == BLOCKS or rng.random() < rate:
        child["width"] = rng.choice([w for w in WIDTHS if w != candidate["width"]])
    for i, block in enumerate(child["blocks"]):
        if i == forced or rng.random() < rate:
            block[0] = rng.choice(EXPANSIONS)
        if i == forced or rng.random() < rate:
            block[1] = rng.choice(KERNELS)
    return child


def candidate_key(candidate):
    return (candidate["width"],) + tuple(tuple(b) for b in candidate["blocks"])


def describe(candidate):
    return f"w{candidate['width']} " + " ".join(f"e{e}k{k}" for e, k in candidate["blocks"])


def candidate_model(candidate, resolution=96, classes=10):
    """The opcost model dict (docs/model-format.md) of a candidate: int8, BatchNorm folded,
    ReLU6 fused, residual adds where stride 1 and channels match."""
    width = candidate["width"]
    channels = make_divisible(32 * width)
    layers = [{"name": "stem", "op": "conv2d", "filters": channels, "kernel": 3, "stride": 2,
               "activation": "relu6"}]
    choices = iter(candidate["blocks"])
    index = 0
    for base, repeats, first_stride in STAGES:
        out = make_divisible(base * width)
        for repeat in range(repeats):
            expansion, kernel = next(choices)
            stride = first_stride if repeat == 0 else 1
            layers += inverted_residual(f"b{index}", layers[-1]["name"], channels, out,
                                        expansion, kernel, stride)
            channels, index = out, index + 1
    last = make_divisible(1280 * max(1.0, width))
    layers += [
        {"name": "head", "op": "conv2d", "inputs": [layers[-1]["name"]], "filters": last,
         "kernel": 1, "activation": "relu6"},
        {"name": "pool", "op": "global_avg_pool", "keep_dims": False},
        {"name": "classifier", "op": "fully_connected", "units": classes},
        {"name": "softmax", "op": "softmax"},
    ]
    return {"format": "opcost-model", "format_version": 1, "name": "nas_candidate",
            "description": describe(candidate), "dtype": "int8",
            "inputs": [{"name": "image", "shape": [1, resolution, resolution, 3]}],
            "layers": layers}


def inverted_residual(name, source, cin, cout, expansion, kernel, stride):
    """Layers of one MobileNetV2 block reading tensor `source`; the last one is the output."""
    layers = []
    if expansion != 1:
        layers.append({"name": f"{name}_expand", "op": "conv2d", "inputs": [source],
                       "filters": cin * expansion, "kernel": 1, "activation": "relu6"})
    layers.append({"name": f"{name}_dw", "op": "depthwise_conv2d",
                   "inputs": [layers[-1]["name"] if layers else source], "kernel": kernel,
                   "stride": stride, "activation": "relu6"})
    layers.append({"name": f"{name}_project", "op": "conv2d", "filters": cout, "kernel": 1})
    if stride == 1 and cin == cout:
        layers.append({"name": f"{name}_add", "op": "add",
                       "inputs": [source, f"{name}_project"]})
    return layers


# --- scoring ---------------------------------------------------------------------------------

def score_batch(candidates, profile, resolution, classes, threads=1):
    """opcost's numbers for each candidate: macs, latency_s, energy_j, peak_activation_bytes
    (scratch included) and weight_bytes (flash)."""
    graphs = [opcost.model_from_dict(candidate_model(c, resolution, classes))
              for c in candidates]
    scores = opcost.estimate_batch(graphs, profile, threads=threads, memory=True)
    for score, graph in zip(scores, graphs):
        score["weight_bytes"] = opcost.memory(graph).weight_bytes
    return scores


class LocalScorer:
    """Scores in this process, on `threads` threads (estimate_batch releases the GIL)."""

    def __init__(self, profile_name, resolution, classes, threads=1):
        self.profile = opcost.load_profile(profile_name)
        self.options = (resolution, classes, threads)

    def __call__(self, candidates):
        return score_batch(candidates, self.profile, *self.options)


def _worker_plugin_class():
    from distributed.diagnostics.plugin import WorkerPlugin

    class ProfilePlugin(WorkerPlugin):
        """Loads the profile once per worker, when the worker joins (or at registration)."""
        name = PLUGIN_NAME

        def __init__(self, profile_name):
            self.profile_name = profile_name
            self.profile = None

        def setup(self, worker):
            import opcost as worker_opcost  # the package must be installed on every worker
            self.profile = worker_opcost.load_profile(self.profile_name)

    return ProfilePlugin


def score_on_worker(candidates, resolution, classes):
    """A Dask task: one batch, with the profile the worker plugin loaded."""
    from distributed import get_worker
    profile = get_worker().plugins[PLUGIN_NAME].profile
    return score_batch(candidates, profile, resolution, classes, threads=1)


class DaskScorer:
    """Scores batches of candidates on the workers of a Dask cluster; results come back in
    the candidates' order, so a search gives the same answer as with LocalScorer."""

    def __init__(self, client, profile_name, resolution, classes, batch_size=16):
        self.client = client
        self.options = {"resolution": resolution, "classes": classes}
        self.batch_size = batch_size
        client.upload_file(__file__)  # this file's functions, importable on every worker
        plugin = _worker_plugin_class()(profile_name)
        register = getattr(client, "register_plugin", None) or client.register_worker_plugin
        register(plugin, name=PLUGIN_NAME)

    def __call__(self, candidates):
        batches = [candidates[i:i + self.batch_size]
                   for i in range(0, len(candidates), self.batch_size)]
        futures = self.client.map(score_on_worker, batches, **self.options)
        return [score for batch in self.client.gather(futures) for score in batch]


# --- the search ------------------------------------------------------------------------------

def violation(score, budgets):
    """How far past its worst budget a candidate is (0 when it fits every one)."""
    ratios = [score["latency_s"] / budgets["latency_s"],
              score["peak_activation_bytes"] / budgets["sram_bytes"],
              score["weight_bytes"] / budgets["flash_bytes"]]
    return max(0.0, max(ratios) - 1.0)


def rank_key(record):
    """Feasible first, most MACs first; infeasible ones by how little they overshoot. The
    candidate itself breaks ties, so the order never depends on arrival order."""
    return (record["violation"] > 0, record["violation"], -record["macs"],
            candidate_key(record["candidate"]))


def search(score, budgets, seed=0, population=24, generations=8, parents=8):
    """Evolution: each generation mutates the best `parents` seen so far. Returns every
    evaluated candidate's record, best first."""
    rng = random.Random(seed)
    seen = {}
    batch = [random_candidate(rng) for _ in range(population)]
    for _ in range(generations):
        batch = [c for c in _unique(batch) if candidate_key(c) not in seen]
        for candidate, result in zip(batch, score(batch)):
            record = dict(result, candidate=candidate, violation=violation(result, budgets))
            seen[candidate_key(candidate)] = record
        best = sorted(seen.values(), key=rank_key)[:parents]
        batch = [mutate(rng.choice(best)["candidate"], rng) for _ in range(population)]
    return sorted(seen.values(), key=rank_key)


def _unique(candidates):
    return list({candidate_key(c): c for c in candidates}.values())


def kendall_tau(xs, ys):
    """Kendall's tau-b (ties in either ranking allowed): +1 same order, -1 reversed."""
    concordant = discordant = ties_x = ties_y = 0
    for i in range(len(xs)):
        for j in range(i + 1, len(xs)):
            dx, dy = xs[i] - xs[j], ys[i] - ys[j]
            if dx == 0 and dy == 0:
                continue
            if dx == 0:
                ties_x += 1
            elif dy == 0:
                ties_y += 1
            elif (dx > 0) == (dy > 0):
                concordant += 1
            else:
                discordant += 1
    pairs_x = concordant + discordant + ties_y  # pairs not tied in x
    pairs_y = concordant + discordant + ties_x
    if pairs_x == 0 or pairs_y == 0:
        return float("nan")
    return (concordant - discordant) / math.sqrt(pairs_x * pairs_y)


# --- output ----------------------------------------------------------------------------------

def report(records, budgets, top):
    feasible = [r for r in records if r["violation"] == 0]
    print(f"{len(records)} candidates evaluated, {len(feasible)} within budget "
          f"(latency {budgets['latency_s'] * 1e3:g} ms, SRAM {budgets['sram_bytes'] / 1024:g} KiB,"
          f" flash {budgets['flash_bytes'] / 1024:g} KiB)")
    print(f"{'#':>2}  {'MMACs':>7}  {'ms':>7}  {'mJ':>6}  {'SRAM KiB':>8}  {'flash KiB':>9}  "
          "candidate")
    for i, r in enumerate(records[:top]):
        mark = "" if r["violation"] == 0 else "  (over budget)"
        print(f"{i:>2}  {r['macs'] / 1e6:7.2f}  {r['latency_s'] * 1e3:7.1f}  "
              f"{r['energy_j'] * 1e3:6.2f}  {r['peak_activation_bytes'] / 1024:8.1f}  "
              f"{r['weight_bytes'] / 1024:9.1f}  {describe(r['candidate'])}{mark}")
    tau = kendall_tau([r["macs"] for r in records], [r["latency_s"] for r in records])
    print(f"Kendall tau between the MACs ranking and the opcost latency ranking: {tau:.3f} "
          f"over {len(records)} candidates")
    if len(feasible) > 1:
        tau_f = kendall_tau([r["macs"] for r in feasible], [r["latency_s"] for r in feasible])
        print(f"  within budget only: {tau_f:.3f} over {len(feasible)}")
    return tau


def plot(records, budgets, path, title=""):
    """MACs vs latency, within-budget candidates highlighted (needs matplotlib)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    for fits, color, label in ((False, "tab:gray", "over budget"), (True, "tab:blue", "fits")):
        chosen = [r for r in records if (r["violation"] == 0) == fits]
        ax.scatter([r["macs"] / 1e6 for r in chosen], [r["latency_s"] * 1e3 for r in chosen],
                   s=12, color=color, label=label)
    ax.axhline(budgets["latency_s"] * 1e3, color="tab:red", linestyle="--", label="latency budget")
    ax.set_xlabel("MMACs")
    ax.set_ylabel("opcost latency (ms)")
    ax.set_title(title, fontsize=10)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


# --- command line ----------------------------------------------------------------------------

def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", default="cortex-m7-f746")
    parser.add_argument("--latency-ms", type=float, default=300.0)
    parser.add_argument("--sram-kib", type=float, default=128.0,
                        help="budget for the peak of live activations plus kernel scratch")
    parser.add_argument("--flash-kib", type=float, default=1024.0, help="budget for weights")
    parser.add_argument("--resolution", type=int, default=128)
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--population", type=int, default=32)
    parser.add_argument("--generations", type=int, default=10)
    parser.add_argument("--top", type=int, default=5, help="candidates to print")
    parser.add_argument("--threads", type=int, default=1, help="threads of the local scorer")
    parser.add_argument("--dask", action="store_true", help="score on a local Dask cluster")
    parser.add_argument("--workers", type=int, default=2, help="workers of the local cluster")
    parser.add_argument("--scheduler", help="score on the Dask cluster at this address")
    parser.add_argument("--batch-size", type=int, default=16, help="candidates per Dask task")
    parser.add_argument("--plot", metavar="FILE", help="MACs vs latency plot (.svg, .png)")
    return parser.parse_args(argv)


def budgets_from(args):
    return {"latency_s": args.latency_ms / 1e3, "sram_bytes": args.sram_kib * 1024,
            "flash_bytes": args.flash_kib * 1024}


def run(args, client=None):
    """The search with the scorer the arguments ask for; returns the records, best first."""
    budgets = budgets_from(args)
    if client is not None:
        scorer = DaskScorer(client, args.profile, args.resolution, args.classes, args.batch_size)
    else:
        scorer = LocalScorer(args.profile, args.resolution, args.classes, args.threads)
    return search(scorer, budgets, args.seed, args.population, args.generations)


def main(argv=None):
    args = parse_args(argv)
    if args.scheduler or args.dask:
        from distributed import Client, LocalCluster
        cluster = None if args.scheduler else LocalCluster(
            n_workers=args.workers, threads_per_worker=1, processes=True,
            dashboard_address=None)
        with Client(args.scheduler or cluster) as client:
            records = run(args, client)
        if cluster is not None:
            cluster.close()
    else:
        records = run(args)
    tau = report(records, budgets_from(args), args.top)
    if args.plot:
        try:
            plot(records, budgets_from(args), args.plot,
                 f"{args.profile}: {len(records)} candidates, Kendall tau {tau:.3f}")
            print(f"plot written to {args.plot}")
        except ImportError:
            print("--plot needs matplotlib (python3-matplotlib)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
