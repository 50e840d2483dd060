#!/usr/bin/python3
"""Builds the fuzzers' seed corpus of hostile inputs (stdlib only), so no binary is committed.

    /usr/bin/python3 fuzz/make_corpus.py OUT_DIR

writes OUT_DIR/{tflite,json,run,vectors,profile}/: valid files the fuzzers mutate from, and one
or more files of each hostile class of issue 11: shared flatbuffer tables (many tensors or
operators pointing at one shape vector, input list, name or buffer), deep nesting, huge dims,
numbers that overflow int64, duplicate keys, NaN/inf/1e308 profile values, truncated files.
The generators are also used by fuzz/hostile_classes.py.
"""
import json
import os
import random
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tflite_writer as tw  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Integers at and past the edges of the types readers store them in.
EDGE_INTEGERS = ["2147483648", "4294967297", "9223372036854775807", "9223372036854775808",
                 "18446744073709551615", "18446744073709551616", "-9223372036854775809",
                 "1e400", "-1", "0", "1.5", "1e19"]
# Reals that would make a cost infinite, NaN or denormal (NaN and Infinity are not JSON).
EDGE_REALS = ["1e308", "1e309", "-1e308", "4.9e-324", "-0.0", "0", "NaN", "Infinity",
              "-Infinity", "1e-320", "1e300", "-1"]


# ---- JSON text helpers ----

def nested(depth, open_="[", close="]"):
    return open_ * depth + close * depth


def deep_object(depth):
    return '{"a": ' * depth + "1" + "}" * depth


def replace_number_leaf(text, rng, values):
    """Replaces one numeric leaf of a JSON document by a raw token from `values`."""
    doc = json.loads(text)
    paths = []

    def walk(node, path):
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, path + [k])
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, path + [i])
        elif isinstance(node, (int, float)) and not isinstance(node, bool):
            paths.append(path)

    walk(doc, [])
    if not paths:
        return text, "/"
    path = rng.choice(paths)
    marker = "@@OPCOST_LEAF@@"
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = marker
    token = rng.choice(values)
    where = "/" + "/".join(str(p) for p in path)
    return json.dumps(doc).replace('"%s"' % marker, token), where


def duplicate_first_key(text, rng):
    """Repeats one key of some object with a different value (JSON that readers disagree on)."""
    doc = json.loads(text)
    objects = []

    def walk(node):
        if isinstance(node, dict):
            if node:
                objects.append(node)
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(doc)
    target = rng.choice(objects)
    key = rng.choice(list(target.keys()))
    marker = "@@OPCOST_DUP@@"
    target[marker] = 0
    dup = '"%s": %s' % (key, json.dumps(target[key]) if rng.random() < 0.5 else "1")
    return json.dumps(doc).replace('"%s": 0' % marker, dup)


def truncate(data, rng):
    return data[: rng.randrange(0, max(1, len(data)))]


# ---- int8 models that `opcost run` can execute ----

class RunModel:
    """A JSON model with weight data and quantization, built layer by layer."""

    def __init__(self, rng, name, shape):
        self.rng = rng
        self.doc = {"format": "opcost-model", "format_version": 1, "name": name,
                    "inputs": [{"name": "x", "shape": shape}], "tensors": [], "layers": []}
        self.tensor("x", None, self.quant())
        self.current, self.shape = "x", list(shape)

    def quant(self, scale=None, zero_point=None):
        return {"scale": [scale or round(self.rng.uniform(0.01, 0.2), 4)],
                "zero_point": [self.rng.randint(-128, 127) if zero_point is None else zero_point]}

    def tensor(self, name, shape, quant, data=None, dtype="int8"):
        t = {"name": name, "dtype": dtype}
        if shape is not None:
            t["shape"] = shape
            t["constant"] = True
        if quant is not None:
            t["quantization"] = quant
        if data is not None:
            t["data"] = data
        self.doc["tensors"].append(t)

    def weights(self, name, shape, channels):
        n = 1
        for d in shape:
            n *= d
        # Per output channel: axis 0 for conv and fc weights, 3 for depthwise [1, kh, kw, c].
        axis = 3 if channels > 1 and shape[0] == 1 else 0
        q = {"scale": [round(self.rng.uniform(0.001, 0.05), 5) for _ in range(channels)],
             "zero_point": [0] * channels, "axis": axis}
        self.tensor(name, shape, q, [self.rng.randint(-127, 127) for _ in range(n)])

    def layer(self, layer, out_shape, extra_inputs=(), quant=None):
        name = "l%d" % len(self.doc["layers"])
        layer.update({"name": name, "inputs": [self.current] + list(extra_inputs)})
        self.doc["layers"].append(layer)
        self.tensor(name, None, quant or self.quant())
        self.current, self.shape = name, out_shape

    def conv(self, filters, kernel, stride, depthwise=False):
        n, h, w, c = self.shape
        oh, ow = -(-h // stride), -(-w // stride)
        base = "l%d" % len(self.doc["layers"])
        if depthwise:
            self.weights(base + "/w", [1, kernel, kernel, c], c)
            filters = c
        else:
            self.weights(base + "/w", [filters, kernel, kernel, c], filters)
        self.tensor(base + "/b", [filters], None,
                    [self.rng.randint(-1000, 1000) for _ in range(filters)], "int32")
        layer = {"op": "depthwise_conv2d" if depthwise else "conv2d", "kernel": kernel,
                 "stride": stride, "activation": self.rng.choice(["none", "relu", "relu6"])}
        if not depthwise:
            layer["filters"] = filters
        self.layer(layer, [n, oh, ow, filters], [base + "/w", base + "/b"])

    def pool(self, op):
        n, h, w, c = self.shape
        p = 2 if h >= 2 and w >= 2 else 1
        q = self.doc["tensors"][-1]["quantization"] if self.doc["tensors"] else None
        self.layer({"op": op, "pool": p}, [n, h // p, w // p, c], quant=q)

    def fully_connected(self, units):
        features = 1
        for d in self.shape[1:]:
            features *= d
        base = "l%d" % len(self.doc["layers"])
        self.weights(base + "/w", [units, features], 1)
        self.layer({"op": "fully_connected", "units": units}, [self.shape[0], units], [base + "/w"])

    def add(self, other):
        self.layer({"op": "add"}, self.shape, [other])

    def softmax(self):
        self.layer({"op": "softmax"}, self.shape, quant={"scale": [1.0 / 256],
                                                          "zero_point": [-128]})

    def text(self):
        return json.dumps(self.doc)


def random_run_model(rng, name="run"):
    h = rng.randint(1, 10)
    m = RunModel(rng, name, [1, h, rng.randint(1, 10), rng.randint(1, 6)])
    for _ in range(rng.randint(1, 5)):
        choice = rng.choice(["conv", "dw", "max", "avg", "add"])
        if choice == "conv":
            m.conv(rng.randint(1, 6), rng.choice([1, 3]), rng.choice([1, 2]))
        elif choice == "dw":
            m.conv(0, rng.choice([1, 3]), rng.choice([1, 2]), depthwise=True)
        elif choice == "add":
            m.add(m.current)
        else:
            m.pool("max_pool" if choice == "max" else "avg_pool")
    m.fully_connected(rng.randint(1, 10))
    if rng.random() < 0.5:
        m.softmax()
    return m


def run_inputs(model, rng):
    """A valid --input file for a RunModel: one int8 value per input element."""
    n = 1
    for d in model.doc["inputs"][0]["shape"]:
        n *= d
    return json.dumps([rng.randint(-128, 127) for _ in range(n)])


# ---- hostile JSON models ----

def chain_model(layers, width=8):
    doc = {"format": "opcost-model", "format_version": 1, "name": "chain",
           "inputs": [{"name": "x", "shape": [1, width]}],
           "layers": [{"op": "relu"} for _ in range(layers)]}
    return json.dumps(doc)


def branchy_model(branches, depth, channels=4):
    """Many parallel branches joined by one concat: the order search's hard case."""
    layers = []
    tails = []
    for b in range(branches):
        prev = "x"
        for d in range(depth):
            name = "b%d_%d" % (b, d)
            layers.append({"name": name, "op": "conv2d", "inputs": [prev],
                           "filters": channels * (1 + (b + d) % 3), "kernel": 1})
            prev = name
        tails.append(prev)
    layers.append({"name": "cat", "op": "concat", "inputs": tails})
    doc = {"format": "opcost-model", "format_version": 1, "name": "branchy",
           "inputs": [{"name": "x", "shape": [1, 8, 8, channels]}], "layers": layers}
    return json.dumps(doc)


def huge_dims_json(rng):
    dims = [1, rng.choice([2147483647, 1 << 40, 1 << 62]), rng.choice([1, 65536, 1 << 31]), 3]
    doc = {"format": "opcost-model", "format_version": 1, "name": "huge",
           "inputs": [{"name": "x", "shape": dims}],
           "layers": [{"op": "conv2d", "filters": rng.choice([16, 1 << 30]), "kernel": 3}]}
    return json.dumps(doc)


def read(path, mode="r"):
    with open(path, mode) as f:
        return f.read()


def write(path, data):
    with open(path, "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)


def shipped_models():
    d = os.path.join(ROOT, "models")
    return [os.path.join(d, f) for f in sorted(os.listdir(d)) if f.endswith(".json")]


def shipped_profiles():
    d = os.path.join(ROOT, "profiles")
    return [os.path.join(d, f) for f in sorted(os.listdir(d)) if f.endswith(".json")]


def vector_dir():
    shared = os.environ.get("OPCOST_SHARED_DIR", os.path.join(ROOT, "tests", "data", "shared"))
    return os.path.join(shared, "testvectors", "cmsis-nn-s8")


def small_vector_files(limit=120000):
    d = vector_dir()
    if not os.path.isdir(d):
        return []
    files = [os.path.join(d, f) for f in sorted(os.listdir(d)) if f.endswith(".json")]
    return [f for f in files if os.path.getsize(f) <= limit]


def huge_vector_case(rng):
    """A few hundred bytes whose config claims far more elements than its arrays hold."""
    big = rng.choice([32768, 2147483647, 4294967297])
    return json.dumps({"case": "huge", "kind": rng.choice(["softmax", "add"]),
                       "config": {"NUM_ROWS": big, "ROW_SIZE": big, "INPUT_MULT": 1077952640,
                                  "INPUT_LEFT_SHIFT": 19, "DIFF_MIN": -3968},
                       "arrays": {"input": {"type": "int8_t", "data": [1, 2]},
                                  "output_ref": {"type": "int8_t", "data": [1, 2]}}})


# ---- the corpus ----

def tflite_seeds(rng):
    valid = tw.conv_model()
    seeds = {"conv.tflite": valid, "conv_big.tflite": tw.conv_model(16, 3, 8),
             "shared_shape.tflite": tw.shared_shape_model(2000, 50000),
             "shared_shape_small.tflite": tw.shared_shape_model(300, 2000),
             "shared_inputs.tflite": tw.shared_inputs_model(3000, 5000),
             "shared_inputs_small.tflite": tw.shared_inputs_model(300, 300),
             "shared_buffer.tflite": tw.shared_buffer_model(1000, 4096, 16),
             "shared_buffer_small.tflite": tw.shared_buffer_model(20, 64, 4),
             "shared_name.tflite": tw.shared_name_model(1000, 100000),
             "shared_name_small.tflite": tw.shared_name_model(100, 2000)}
    for i, dims in enumerate([[1, 2147483647, 2147483647, 3], [1, 0, 8, 3], [1, -5, 8, 3],
                              [2147483647] * 4, [1, 65536, 65536, 1024]]):
        seeds["huge_dims_%d.tflite" % i] = tw.huge_dims_model(dims)
    for i in range(8):
        seeds["truncated_%d.tflite" % i] = truncate(valid, rng)
    return seeds


def json_seeds(rng):
    base = read(os.path.join(ROOT, "models", "mlperf_kws_ds_cnn.json"))
    seeds = {"deep_65.json": '{"format": %s}' % nested(65),
             "deep_100000.json": '{"format": %s}' % nested(100000),
             "deep_objects.json": deep_object(5000),
             "chain_2000.json": chain_model(2000), "branchy_8x4.json": branchy_model(8, 4),
             "branchy_20x2.json": branchy_model(20, 2)}
    for i in range(6):
        seeds["huge_dims_%d.json" % i] = huge_dims_json(rng)
        seeds["edge_int_%d.json" % i] = replace_number_leaf(base, rng, EDGE_INTEGERS)[0]
        seeds["dup_key_%d.json" % i] = duplicate_first_key(base, rng)
        seeds["truncated_%d.json" % i] = truncate(base, rng)
    return seeds


def run_seeds(rng):
    seeds = {}
    for i in range(24):
        seeds["run_%d.json" % i] = random_run_model(rng, "run%d" % i).text()
    big = RunModel(rng, "big", [1, 4096, 4096, 64])
    big.conv(64, 3, 1)
    seeds["over_budget.json"] = big.text()
    seeds["dup_key.json"] = duplicate_first_key(seeds["run_0.json"], rng)
    seeds["edge_int.json"] = replace_number_leaf(seeds["run_1.json"], rng, EDGE_INTEGERS)[0]
    return seeds


def vectors_seeds(rng):
    seeds = {os.path.basename(f): read(f) for f in small_vector_files()}
    originals = list(seeds.values())
    for i in range(6):
        seeds["huge_%d.json" % i] = huge_vector_case(rng)
        if originals:
            text = rng.choice(originals)
            seeds["edge_int_%d.json" % i] = replace_number_leaf(text, rng, EDGE_INTEGERS)[0]
            seeds["dup_key_%d.json" % i] = duplicate_first_key(text, rng)
    seeds["deep.json"] = '{"case": %s}' % nested(10000)
    return seeds


def profile_seeds(rng):
    profiles = [read(p) for p in shipped_profiles()]
    seeds = {"deep.json": '{"name": %s}' % nested(100000)}
    for i in range(12):
        text = rng.choice(profiles)
        seeds["edge_real_%d.json" % i] = replace_number_leaf(text, rng, EDGE_REALS)[0]
        seeds["dup_key_%d.json" % i] = duplicate_first_key(text, rng)
    seeds["truncated.json"] = truncate(profiles[0], rng)
    return seeds


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: make_corpus.py OUT_DIR\n")
        return 2
    rng = random.Random(11)  # issue 11: the corpus is the same on every machine
    for kind, make in [("tflite", tflite_seeds), ("json", json_seeds), ("run", run_seeds),
                       ("vectors", vectors_seeds), ("profile", profile_seeds)]:
        out = os.path.join(argv[1], kind)
        os.makedirs(out, exist_ok=True)
        for name, data in make(rng).items():
            write(os.path.join(out, name), data)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
