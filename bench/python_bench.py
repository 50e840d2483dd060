#!/usr/bin/env python3
"""Candidates per second from Python (issue 12): 40-layer MobileNetV2-like candidates.

Run from the build tree:  PYTHONPATH=build/python /usr/bin/python3 bench/python_bench.py
Prints one Markdown row per way of scoring; docs/performance.md records the numbers. The
floor row is a bare Python loop over the same candidates (what any per-candidate Python work
costs), measured in the same run.
"""
import argparse
import random
import time

import opcost

# (expansion t, output channels c, repeats n, first stride s) at width 0.35, 96x96 input.
STAGES = [(1, 8, 1, 1), (6, 8, 2, 2), (6, 16, 3, 2), (6, 24, 3, 2), (6, 32, 2, 1), (6, 56, 1, 2)]
EXPANSIONS = (3, 6)
KERNELS = (3, 5)
INPUT = [1, 96, 96, 3]


def blocks():
    """Yields (index, input channels, output channels, stride) of every inverted-residual block."""
    index, channels = 0, 16
    for _, c, n, s in STAGES:
        for r in range(n):
            yield index, channels, c, s if r == 0 else 1
            index, channels = index + 1, c


NUM_BLOCKS = len(list(blocks()))


def random_choices(rng):
    return [(rng.choice(EXPANSIONS), rng.choice(KERNELS)) for _ in range(NUM_BLOCKS)]


def model_dict(choices, name="candidate"):
    """The JSON model format of one candidate (residual adds where shapes allow)."""
    layers = [{"name": "stem", "op": "conv2d", "filters": 16, "kernel": 3, "stride": 2,
               "activation": "relu6"}]
    prev = "stem"
    for (i, cin, cout, stride), (t, k) in zip(blocks(), choices):
        layers += [
            {"name": f"b{i}_expand", "op": "conv2d", "inputs": [prev], "filters": cin * t,
             "kernel": 1, "activation": "relu6"},
            {"name": f"b{i}_dw", "op": "depthwise_conv2d", "kernel": k, "stride": stride,
             "activation": "relu6"},
            {"name": f"b{i}_project", "op": "conv2d", "filters": cout, "kernel": 1}]
        out = f"b{i}_project"
        if stride == 1 and cin == cout:
            layers.append({"name": f"b{i}_add", "op": "add", "inputs": [prev, out]})
            out = f"b{i}_add"
        prev = out
    layers += [{"name": "head", "op": "conv2d", "inputs": [prev], "filters": 1280, "kernel": 1,
                "activation": "relu6"},
               {"name": "pool", "op": "global_avg_pool", "keep_dims": False},
               {"name": "fc", "op": "fully_connected", "units": 10}]
    return {"format": "opcost-model", "format_version": 1, "name": name, "dtype": "int8",
            "inputs": [{"name": "input", "shape": INPUT}], "layers": layers}


def build_graph(choices, name="candidate"):
    """The same candidate through opcost.GraphBuilder (no JSON text)."""
    b = opcost.GraphBuilder(name)
    x = b.conv2d("stem", b.input("input", INPUT), 16, kernel=3, stride=2, activation="relu6")
    for (i, cin, cout, stride), (t, k) in zip(blocks(), choices):
        y = b.conv2d(f"b{i}_expand", x, cin * t, activation="relu6")
        y = b.depthwise_conv2d(f"b{i}_dw", y, kernel=k, stride=stride, activation="relu6")
        y = b.conv2d(f"b{i}_project", y, cout)
        x = b.add(f"b{i}_add", x, y) if stride == 1 and cin == cout else y
    x = b.conv2d("head", x, 1280, activation="relu6")
    x = b.global_avg_pool("pool", x, keep_dims=False)
    b.fully_connected("fc", x, 10)
    return b.build()


def layer_table():
    """Every layer the space can produce, as opcost.Layer, keyed by (block, t, k)."""
    graph = opcost.model_from_dict(model_dict([(6, 3)] * NUM_BLOCKS))
    del graph  # checks the space builds; the table below is shape-exact by construction
    size, table = 48, {}
    stem = opcost.layer("conv2d", INPUT, filters=16, kernel=3, stride=2, activation="relu6")
    for i, cin, cout, stride in blocks():
        for t in EXPANSIONS:
            for k in KERNELS:
                out = (size + stride - 1) // stride
                parts = [opcost.layer("conv2d", [1, size, size, cin], name=f"b{i}_expand",
                                      filters=cin * t, kernel=1, activation="relu6"),
                         opcost.layer("depthwise_conv2d", [1, size, size, cin * t],
                                      name=f"b{i}_dw", kernel=k, stride=stride,
                                      activation="relu6"),
                         opcost.layer("conv2d", [1, out, out, cin * t], name=f"b{i}_project",
                                      filters=cout, kernel=1)]
                table[(i, t, k)] = parts
        size = (size + stride - 1) // stride
    tail = [opcost.layer("conv2d", [1, size, size, 56], name="head", filters=1280, kernel=1,
                         activation="relu6"),
            opcost.layer("global_avg_pool", [1, size, size, 1280], name="pool", keep_dims=False),
            opcost.layer("fully_connected", [1, 1280], name="fc", units=10)]
    return stem, table, tail


def rate(label, count, seconds, layers):
    print(f"| {label} | {count} | {seconds:.3f} s | {count / seconds:,.0f} | {layers} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=20000)
    parser.add_argument("--profile", default="stm32f746-cmsis-nn")
    args = parser.parse_args()
    rng = random.Random(1)
    profile = opcost.load_profile(args.profile)
    choices = [random_choices(rng) for _ in range(args.candidates)]
    n_graph = min(args.candidates, 4000)
    layers = len(model_dict(choices[0])["layers"])
    print("| way | candidates | time | candidates/s | layers |")
    print("|---|---|---|---|---|")

    start = time.perf_counter()
    for c in choices:
        [x for x in c]
    rate("floor: a bare Python loop over the choices", len(choices),
         time.perf_counter() - start, "")

    stem, table, tail = layer_table()
    start = time.perf_counter()
    candidates = [[stem] + [l for i, (t, k) in enumerate(c) for l in table[(i, t, k)]] + tail
                  for c in choices]
    scores = opcost.estimate_batch(candidates, profile)
    rate("Layer table: assemble lists + estimate_batch (latency, energy)", len(choices),
         time.perf_counter() - start, len(candidates[0]))
    start = time.perf_counter()
    opcost.estimate_batch(candidates, profile, threads=2)
    rate("Layer table: estimate_batch only, threads=2", len(choices),
         time.perf_counter() - start, len(candidates[0]))

    start = time.perf_counter()
    graphs = [opcost.model_from_dict(model_dict(c)) for c in choices[:n_graph]]
    build = time.perf_counter() - start
    rate("Graph: model_from_dict (build only)", n_graph, build, layers)
    start = time.perf_counter()
    by_graph = opcost.estimate_batch(graphs, profile)
    rate("Graph: estimate_batch (latency, energy)", n_graph, time.perf_counter() - start, layers)
    start = time.perf_counter()
    opcost.estimate_batch(graphs, profile, memory=True)
    rate("Graph: estimate_batch with peak SRAM", n_graph, time.perf_counter() - start, layers)
    # As a NAS loop runs: build a batch, score it, let it go. Small batches stay in the caches
    # (batches of 500 measured ~25 % slower, 4,000 graphs alive at once slower still).
    for size in (64, 500):
        start = time.perf_counter()
        for first in range(0, n_graph, size):
            [build_graph(c) for c in choices[first:first + size]]
        rate(f"GraphBuilder (build only, batches of {size})", n_graph,
             time.perf_counter() - start, layers)
        start = time.perf_counter()
        for first in range(0, n_graph, size):
            batch = [build_graph(c) for c in choices[first:first + size]]
            opcost.estimate_batch(batch, profile, memory=True)
        rate(f"GraphBuilder + estimate_batch with peak SRAM (batches of {size})", n_graph,
             time.perf_counter() - start, layers)
    built = [build_graph(c) for c in choices[:3]]
    assert [g.to_json() for g in built[:3]] == [g.to_json() for g in graphs[:3]]
    start = time.perf_counter()
    for c in choices[:n_graph]:
        opcost.estimate(opcost.model_from_dict(model_dict(c)), profile)
    rate("Graph: one estimate() per candidate incl. build", n_graph,
         time.perf_counter() - start, layers)
    # The table path leaves out the residual adds: its latency is the graph's minus theirs.
    diff = max(abs(a["latency_s"] - b["latency_s"]) / b["latency_s"]
               for a, b in zip(scores[:n_graph], by_graph))
    print(f"\nlargest latency difference table vs graph: {diff:.2%} (the adds)")


if __name__ == "__main__":
    main()
