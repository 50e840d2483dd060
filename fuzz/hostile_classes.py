#!/usr/bin/python3
"""Measures how the opcost CLI answers each class of hostile or careless input (issue 11).

    /usr/bin/python3 fuzz/hostile_classes.py build/src/cli/opcost [--quick] [--tries N]
        [--seed S] [--timeout SECONDS] [--classes a,b,...] [--show N]

For every class it generates many variants (random with a fixed seed) in a temporary
directory, runs the relevant commands under a timeout and an address-space limit (4 GiB), and
classifies each try:

  accepted  exit 0 and the class's check of the result passed (legal input, or a value that
            is in range)
  clear     exit 1 (or 2 where a usage error is the right answer) with exactly one stderr line
            `opcost: ...error: ...` that names the file at fault (`vectors`: that file's case
            line on stdout)
  budget    a clear error that says a budget stopped the work (input, decode, activation)
  unclear   a refusal without one line naming the file
  wrong     a result that is not what the class requires: exit 0 for input that must be
            refused, inf/NaN printed, an input file changed or a temporary file left behind
  crash     killed by a signal;  hang  the timeout;  exit 3  an internal error

It prints the Markdown table of docs/reliability.md and, below it, reproducers for every try
that was not accepted, clear or budget. Exit status 1 if any try crashed, hung or exited 3
(the CTest runs it with --quick), else 0. Stdlib only.
"""
import argparse
import collections
import hashlib
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, HERE)
import make_corpus as mc  # noqa: E402
import tflite_writer as tw  # noqa: E402

ROOT = mc.ROOT
MEMORY_LIMIT = 4 << 30
KWS = os.path.join(ROOT, "models", "mlperf_kws_ds_cnn.json")
PROFILE = os.path.join(ROOT, "profiles", "cortex-m7-f746.json")
BUDGET_WORDS = ("budget", "larger than")
NON_FINITE = ("inf", "nan", "null")

# A try: the command line, the file that a refusal must name, what is acceptable, and an
# optional check of the outcome (returns a problem or None).
Try = collections.namedtuple("Try", "args blame expect check env where")


def make_try(args, blame, expect="error", check=None, env=None, where="stderr"):
    """expect: "error" (must be refused), "ok" (must succeed), "either", "usage" (exit 1 or 2)."""
    return Try([str(a) for a in args], blame, expect, check, env or {}, where)


class Workspace:
    """One temporary directory per try, so tries never see each other's files."""

    def __init__(self, base):
        self.base, self.count = base, 0

    def new(self):
        self.count += 1
        d = os.path.join(self.base, "t%05d" % self.count)
        os.makedirs(d)
        return d


def write(directory, name, data):
    path = os.path.join(directory, name)
    mc.write(path, data)
    return path


# ---- outcome checks ----

def no_non_finite(result):
    if result.returncode != 0:
        return None
    words = result.stdout.lower().replace(",", " ").replace(":", " ").split()
    for bad in NON_FINITE:
        if any(w.strip('"[]{}') == bad for w in words):
            return "printed %s" % bad
    return None


def json_output_problem(r, t):
    """A JSON result must be strict JSON (no NaN or Infinity tokens)."""
    if r.returncode != 0 or "json" not in t.args or t.args[t.args.index("json") - 1] != "--format":
        return None

    def reject(token):
        raise ValueError("non-JSON token " + token)

    try:
        json.loads(r.stdout, parse_constant=reject)
    except ValueError as e:
        return "stdout is not strict JSON (%s)" % str(e)[:80]
    return None


def snapshot(directory):
    state = {}
    for name in sorted(os.listdir(directory)):
        path = os.path.join(directory, name)
        if os.path.isfile(path) and not os.path.islink(path):
            with open(path, "rb") as f:
                state[name] = hashlib.sha256(f.read()).hexdigest()
    return state


def files_kept(directory, output_name, output_must_be_json):
    """Inputs unchanged, no temporary file left, and a success really wrote the output."""
    before = snapshot(directory)

    def check(result):
        after = snapshot(directory)
        for name, digest in before.items():
            if name != output_name and after.get(name) != digest:
                return "input %s changed" % name
        extra = set(after) - set(before) - {output_name}
        if extra:
            return "left %s behind" % ", ".join(sorted(extra))
        if result.returncode == 0 and output_name is not None:
            if output_name not in after:
                return "exit 0 but %s not written" % output_name
            if output_must_be_json:
                try:
                    json.loads(mc.read(os.path.join(directory, output_name)))
                except ValueError:
                    return "exit 0 but %s is not JSON" % output_name
        if result.returncode != 0 and output_name in before and after.get(output_name) != \
                before[output_name]:
            return "failed but changed %s" % output_name
        return None

    return check


# ---- the classes ----

def nested_text(rng, depth):
    style = rng.choice(["array", "object", "mixed"])
    if style == "array":
        return mc.nested(depth)
    if style == "object":
        return mc.deep_object(depth)
    return '{"a": [' * (depth // 2) + "1" + "]}" * (depth // 2)


def deep_nesting(rng, ws):
    d = ws.new()
    depth = rng.choice([65, 100, 1000, 10000, 100000, 1000000])
    deep = nested_text(rng, depth)
    kind = rng.choice(["model", "profile", "run_input", "vectors"])
    if kind == "model":
        text = rng.choice([deep, '{"format": %s}' % deep,
                           mc.read(KWS).replace('"layers"', '"layers_x": %s, "layers"' % deep, 1)])
        f = write(d, "model.json", text)
        cmd = rng.choice([["metrics", f], ["memory", f, "--optimize-order"],
                          ["estimate", f, "--profile", PROFILE]])
        return make_try(cmd, f)
    if kind == "profile":
        f = write(d, "profile.json", rng.choice([deep, '{"name": %s}' % deep]))
        return make_try(["estimate", KWS, "--profile", f], f)
    if kind == "run_input":
        m = mc.random_run_model(rng)
        model = write(d, "model.json", m.text())
        f = write(d, "input.json", rng.choice([deep, '{"x": %s}' % deep]))
        return make_try(["run", model, "--input", f], f)
    f = write(d, "case.json", rng.choice([deep, '{"case": "c", "kind": "add", "config": %s}' % deep]))
    return make_try(["vectors", d], f, where="stdout")


def tflite_amplification(rng, ws):
    d = ws.new()
    kind = rng.choice(["shape", "inputs", "buffer", "name"])
    if kind == "shape":
        data = tw.shared_shape_model(rng.randint(100, 3000), rng.randint(1000, 60000))
    elif kind == "inputs":
        data = tw.shared_inputs_model(rng.randint(100, 4000), rng.randint(100, 8000))
    elif kind == "buffer":
        data = tw.shared_buffer_model(rng.randint(50, 1500), rng.choice([1024, 4096, 16384]), 16)
    else:
        data = tw.shared_name_model(rng.randint(100, 2000), rng.randint(1000, 200000))
    f = write(d, "shared_%s.tflite" % kind, data)
    cmd = rng.choice([["metrics", f], ["import", f, "--allow-unsupported"],
                      ["memory", f, "--optimize-order"],
                      ["estimate", f, "--profile", PROFILE, "--allow-fallback"]])
    return make_try(cmd, f, expect="either")


def alloc_before_validation(rng, ws):
    d = ws.new()
    kind = rng.choice(["vectors", "run_weights", "run_activations", "run_input"])
    if kind == "vectors":
        f = write(d, "huge.json", mc.huge_vector_case(rng))
        return make_try(["vectors", d], f, where="stdout")
    m = mc.random_run_model(rng)
    if kind == "run_weights":
        # A constant whose shape claims far more values than its data holds.
        t = rng.choice([t for t in m.doc["tensors"] if "data" in t])
        t["shape"] = [rng.choice([65536, 1 << 31, 1 << 40])] + t["shape"][1:]
        model = write(d, "model.json", json.dumps(m.doc))
        inputs = write(d, "input.json", mc.run_inputs(m, rng))
        return make_try(["run", model, "--input", inputs], model)
    if kind == "run_activations":
        big = mc.RunModel(rng, "big", [1, rng.choice([4096, 16384, 65536]), 4096, 64])
        big.conv(rng.choice([64, 1024]), 1, 1)
        model = write(d, "model.json", big.text())
        inputs = write(d, "input.json", "[1, 2, 3]")
        return make_try(["run", model, "--input", inputs], inputs)
    model = write(d, "model.json", m.text())
    n = rng.choice([10 ** 5, 10 ** 6, 3 * 10 ** 6])
    inputs = write(d, "input.json", "[" + ",".join(["1"] * n) + "]")
    return make_try(["run", model, "--input", inputs], inputs)


def profile_inf_nan(rng, ws):
    d = ws.new()
    base = mc.read(rng.choice(mc.shipped_profiles()))
    text, _ = mc.replace_number_leaf(base, rng, mc.EDGE_REALS)
    f = write(d, "profile.json", text)
    fmt = rng.choice(["table", "json", "csv"])
    cmd = rng.choice([["estimate", KWS, "--profile", f, "--format", fmt],
                      ["memory", KWS, "--profile", f, "--format", "json"]])
    return make_try(cmd, f, expect="either", check=no_non_finite)


def fit_inputs(d, rng):
    base = write(d, "base.json", mc.read(PROFILE))
    rows = ["name,op,input,filters,kernel,stride,cycles"]
    for i in range(rng.randint(3, 6)):
        rows.append("c%d,conv2d,1x%dx%dx8,%d,3x3,1,%d" % (i, 8 * (i + 1), 8 * (i + 1),
                                                         8 * (i + 1), 100000 * (i + 1)))
    csv = write(d, "m.csv", "\n".join(rows) + "\n")
    return base, csv


def link_to(d, rng, target):
    """Another spelling of `target`: a symlink, a hard link, ./x or sub/../x."""
    how = rng.choice(["same", "symlink", "hardlink", "dot", "dotdot"])
    name = os.path.basename(target)
    if how == "symlink":
        os.symlink(target, os.path.join(d, "link_" + name))
        return os.path.join(d, "link_" + name)
    if how == "hardlink":
        os.link(target, os.path.join(d, "hard_" + name))
        return os.path.join(d, "hard_" + name)
    if how == "dot":
        return os.path.join(d, ".", name)
    if how == "dotdot":
        os.makedirs(os.path.join(d, "sub"), exist_ok=True)
        return os.path.join(d, "sub", "..", name)
    return target


def files_lost_or_false(rng, ws):
    d = ws.new()
    kind = rng.choice(["import_onto_input", "fit_onto_input", "failed_write", "good_write"])
    tflite = write(d, "k.tflite", tw.conv_model())
    if kind == "import_onto_input":
        out = link_to(d, rng, tflite)
        return make_try(["import", tflite, "-o", out], out,
                        check=files_kept(d, None, False))
    if kind == "fit_onto_input":
        base, csv = fit_inputs(d, rng)
        out = link_to(d, rng, rng.choice([base, csv]))
        return make_try(["fit", csv, "--base", base, "-o", out], out,
                        check=files_kept(d, None, False))
    if kind == "failed_write":
        os.makedirs(os.path.join(d, "adir"))
        out = rng.choice(["/dev/full", os.path.join(d, "missing", "k.json"),
                          os.path.join(d, "adir"), os.path.join(d, "adir", "")])
        command = rng.choice(["import", "fit"])
        if command == "fit":
            base, csv = fit_inputs(d, rng)
            return make_try(["fit", csv, "--base", base, "-o", out], out.rstrip("/"),
                            check=files_kept(d, None, False))
        return make_try(["import", tflite, "-o", out], out.rstrip("/"),
                        check=files_kept(d, None, False))
    old = rng.random() < 0.5
    if old:
        write(d, "out.json", "old contents")
    if rng.random() < 0.5:
        return make_try(["import", tflite, "-o", os.path.join(d, "out.json")], None, "ok",
                        check=files_kept(d, "out.json", True))
    base, csv = fit_inputs(d, rng)
    return make_try(["fit", csv, "--base", base, "-o", os.path.join(d, "out.json")], None, "ok",
                    check=files_kept(d, "out.json", True))


def unbounded_reads(rng, ws):
    d = ws.new()
    source = rng.choice(["/dev/zero", "/dev/urandom", "bigfile"])
    # None: the default budget of 1 GiB, read whole (a second or more each, so kept rare).
    # Budgets above every other input of the command (models, profiles), so the hostile file
    # is the one that hits it.
    budget = rng.choices([200000, 10 ** 6, 10 ** 7, None], weights=[3, 3, 3, 1])[0]
    if source == "bigfile":
        budget = budget or 200000
        size = budget + rng.randint(1, 4096)
        source = write(d, "big.json", b"[" + b"0," * (size // 2) + b"0]")
    env = {"OPCOST_MAX_INPUT_BYTES": str(budget)} if budget else {}
    model = write(d, "model.json", mc.random_run_model(rng).text())
    kind = rng.choice(["metrics", "import", "profile", "run_input", "vectors", "fit", "validate"])
    if kind == "metrics":
        return make_try(["metrics", source], source, env=env)
    if kind == "import":
        return make_try(["import", source], source, env=env)
    if kind == "profile":
        return make_try(["estimate", KWS, "--profile", source], source, env=env)
    if kind == "run_input":
        return make_try(["run", model, "--input", source], source, env=env)
    if kind == "vectors":
        vdir = os.path.join(d, "v")
        os.makedirs(vdir)
        os.symlink(source, os.path.join(vdir, "zero.json"))
        return make_try(["vectors", vdir], os.path.join(vdir, "zero.json"), env=env,
                        where="stdout")
    if kind == "fit":
        return make_try(["fit", source, "--base", PROFILE, "-o", os.path.join(d, "o.json")],
                        source, env=env)
    return make_try(["validate", source], source, env=env)


def superlinear_legal(rng, ws):
    d = ws.new()
    kind = rng.choice(["chain", "branchy", "concat_fan_in", "run"])
    if kind == "chain":
        f = write(d, "chain.json", mc.chain_model(rng.choice([1000, 10000, 50000])))
        cmd = rng.choice([["metrics", f], ["memory", f, "--optimize-order", "--plan"],
                          ["estimate", f, "--profile", PROFILE]])
        return make_try(cmd, None, "ok")
    if kind == "branchy":
        f = write(d, "branchy.json", mc.branchy_model(rng.randint(2, 64), rng.randint(1, 8)))
        return make_try(["memory", f, "--optimize-order", "--plan"], None, "ok")
    if kind == "concat_fan_in":
        f = write(d, "fanin.json", mc.branchy_model(rng.randint(100, 2000), 1))
        return make_try(rng.choice([["memory", f, "--optimize-order", "--plan"], ["metrics", f]]),
                        None, "ok")
    m = mc.RunModel(rng, "wide", [1, rng.choice([32, 64, 96]), rng.choice([32, 64, 96]), 8])
    for _ in range(rng.randint(1, 4)):
        m.conv(rng.choice([8, 16, 32]), 3, 1)
    f = write(d, "model.json", m.text())
    return make_try(["run", f, "--input", write(d, "in.json", mc.run_inputs(m, rng))], None, "ok")


def ambiguity(rng, ws):
    d = ws.new()
    kind = rng.choice(["dup_model", "dup_profile", "dup_input", "dup_vectors", "dup_csv",
                       "wrap_model", "wrap_input", "wrap_vectors"])
    m = mc.random_run_model(rng)
    if kind in ("dup_model", "wrap_model"):
        base = mc.read(rng.choice(mc.shipped_models()))
        text = (mc.duplicate_first_key(base, rng) if kind == "dup_model" else
                mc.replace_number_leaf(base, rng, mc.EDGE_INTEGERS[:7])[0])
        f = write(d, "model.json", text)
        return make_try(rng.choice([["metrics", f], ["memory", f]]), f)
    if kind == "dup_profile":
        f = write(d, "profile.json", mc.duplicate_first_key(mc.read(PROFILE), rng))
        return make_try(["estimate", KWS, "--profile", f], f)
    if kind in ("dup_input", "wrap_input"):
        model = write(d, "model.json", m.text())
        values = json.loads(mc.run_inputs(m, rng))
        if kind == "dup_input":
            text = '{"x": %s, "x": %s}' % (json.dumps(values), json.dumps(values[::-1]))
        else:
            values[rng.randrange(len(values))] = "@@W@@"
            text = json.dumps(values).replace('"@@W@@"', rng.choice(mc.EDGE_INTEGERS[:7] +
                                                                     ["128", "-129", "255"]))
        f = write(d, "input.json", text)
        return make_try(["run", model, "--input", f], f)
    if kind in ("dup_vectors", "wrap_vectors"):
        files = mc.small_vector_files()
        base = mc.read(rng.choice(files))
        text = (mc.duplicate_first_key(base, rng) if kind == "dup_vectors" else
                mc.replace_number_leaf(base, rng, mc.EDGE_INTEGERS[:7])[0])
        f = write(d, "case.json", text)
        return make_try(["vectors", d], f, where="stdout")
    base, csv = fit_inputs(d, rng)
    lines = mc.read(csv).splitlines()
    column = rng.randrange(len(lines[0].split(",")))
    fields = [line.split(",") for line in lines]
    text = "\n".join(",".join(f + [f[column]]) for f in fields) + "\n"
    csv = write(d, "dup.csv", text)
    return make_try(["fit", csv, "--base", base, "-o", os.path.join(d, "o.json")], csv)


def user_mistakes(rng, ws):
    d = ws.new()
    kind = rng.choice(["fit_non_utf8", "run_input_dir", "metrics_dir", "profile_dir",
                       "vectors_file", "vectors_empty_dir", "import_json", "empty_model",
                       "tflite_as_json", "run_input_is_model", "csv_bom", "missing_file"])
    model = write(d, "model.json", mc.random_run_model(rng).text())
    if kind == "fit_non_utf8":
        base, csv = fit_inputs(d, rng)
        raw = mc.read(csv, "rb").replace(b"c1,", bytes([b"c1,"[0], rng.randint(0x80, 0xff)]) +
                                         b"1,", 1)
        csv = write(d, "m8.csv", raw)
        fmt = rng.choice(["table", "json"])
        return make_try(["fit", csv, "--base", base, "-o", os.path.join(d, "o.json"),
                         "--format", fmt], csv, "either")
    if kind == "run_input_dir":
        return make_try(["run", model, "--input", d], d)
    if kind == "metrics_dir":
        return make_try([rng.choice(["metrics", "memory", "import"]), d], d)
    if kind == "profile_dir":
        return make_try(["estimate", KWS, "--profile", d + "/"], d)
    if kind == "vectors_file":
        return make_try(["vectors", model], model)
    if kind == "vectors_empty_dir":
        empty = os.path.join(d, "empty")
        os.makedirs(empty)
        return make_try(["vectors", empty], empty)
    if kind == "import_json":
        return make_try(["import", model], model)
    if kind == "empty_model":
        f = write(d, rng.choice(["empty.json", "empty.tflite"]), b"")
        return make_try(["metrics", f], f)
    if kind == "tflite_as_json":
        f = write(d, "model.json", tw.conv_model())
        return make_try(["metrics", f], f, "either")
    if kind == "run_input_is_model":
        return make_try(["run", model, "--input", model], model)
    if kind == "csv_bom":
        base, csv = fit_inputs(d, rng)
        csv = write(d, "bom.csv", b"\xef\xbb\xbf" + mc.read(csv, "rb").replace(b"\n", b"\r\n"))
        return make_try(["fit", csv, "--base", base, "-o", os.path.join(d, "o.json")], csv,
                        "either")
    missing = os.path.join(d, "no_such.json")
    return make_try([rng.choice(["metrics", "memory"]), missing], missing)


CLASSES = [
    ("deep nesting", "deep_nesting", deep_nesting),
    (".tflite amplification (shared tables)", "tflite_amplification", tflite_amplification),
    ("allocation before validation (vectors, run)", "alloc_before_validation",
     alloc_before_validation),
    ("inf/NaN/1e308 in profiles", "profile_inf_nan", profile_inf_nan),
    ("lost or falsely reported files (-o an input, failed writes)", "files_lost_or_false",
     files_lost_or_false),
    ("unbounded reads (/dev/zero, over-budget files)", "unbounded_reads", unbounded_reads),
    ("super-linear work on legal input", "superlinear_legal", superlinear_legal),
    ("ambiguity (duplicate keys and CSV columns, int wrap)", "ambiguity", ambiguity),
    ("internal errors for user mistakes", "user_mistakes", user_mistakes),
]


# ---- running and classifying ----

def limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run(opcost, t, timeout):
    env = dict(os.environ)
    env.pop("OPCOST_MAX_INPUT_BYTES", None)
    env.update(t.env)
    start = time.monotonic()
    try:
        r = subprocess.run([opcost] + t.args, capture_output=True, timeout=timeout, env=env,
                           preexec_fn=limit_memory, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return None, timeout
    r.stdout = r.stdout.decode("utf-8", "replace")
    r.stderr = r.stderr.decode("utf-8", "replace")
    return r, time.monotonic() - start


def names_file(text, blame):
    return blame is None or blame in text or os.path.basename(blame.rstrip("/")) in text


def refusal_is_clear(r, t):
    """(outcome, reason) of a non-zero exit that is not a crash."""
    if t.where == "stdout":
        failed = [line for line in r.stdout.splitlines() if " fail " in line]
        ok = r.returncode == 1 and len(failed) == 1 and names_file(failed[0], t.blame)
        text = failed[0] if failed else r.stdout
    else:
        lines = r.stderr.splitlines()
        allowed = ["opcost: error: "]
        if t.expect in ("usage", "either") or r.returncode == 2:
            allowed.append("opcost: usage error: ")
        ok = (len(lines) == 1 and any(lines[0].startswith(a) for a in allowed) and
              (names_file(lines[0], t.blame) or lines[0].startswith("opcost: usage error: ")))
        ok = ok and r.returncode in (1, 2)
        text = r.stderr
    if not ok:
        return "unclear", "exit %d: %s" % (r.returncode, text.strip()[:300])
    if any(w in text for w in BUDGET_WORDS):
        return "budget", None
    return "clear", None


def classify(r, t, timeout):
    if r is None:
        return "hang", "no answer in %.0f s" % timeout
    if r.returncode < 0:
        return "crash", "signal %d: %s" % (-r.returncode, r.stderr.strip()[-300:])
    if r.returncode == 3:
        return "exit3", r.stderr.strip()[:300]
    problem = t.check(r) if t.check else None
    problem = problem or json_output_problem(r, t)
    if problem:
        return "wrong", problem
    if r.returncode == 0:
        if t.expect == "error":
            return "wrong", "exit 0 for input that must be refused"
        return "accepted", None
    if t.expect == "ok":
        return "wrong", "refused legal input: %s" % r.stderr.strip()[:300]
    return refusal_is_clear(r, t)


COLUMNS = ["accepted", "clear", "budget", "unclear", "wrong", "crash", "hang", "exit3"]


def measure(opcost, name, make, tries, seed, timeout, base, show):
    rng = random.Random("%d/%s" % (seed, name))
    ws = Workspace(os.path.join(base, name))
    counts = collections.Counter()
    slowest, slowest_args = 0.0, []
    notes = []
    for _ in range(tries):
        t = make(rng, ws)
        r, elapsed = run(opcost, t, timeout)
        outcome, reason = classify(r, t, timeout)
        counts[outcome] += 1
        if elapsed > slowest:
            slowest, slowest_args = elapsed, t.args
        if outcome not in ("accepted", "clear", "budget") and len(notes) < show:
            env = " ".join("%s=%s" % kv for kv in t.env.items())
            notes.append("%s: `%s%s %s`: %s" % (outcome, env + " " if env else "", "opcost",
                                                 " ".join(t.args), reason))
    if slowest > 0:
        sys.stderr.write("%s: slowest %.2f s: opcost %s\n" % (name, slowest,
                                                             " ".join(slowest_args)))
    return counts, slowest, notes


def table_row(title, tries, counts, slowest):
    refused = tries - counts["accepted"]
    rate = "—" if refused == 0 else "%.0f %%" % (100.0 * (counts["clear"] + counts["budget"]) /
                                                 refused)
    cells = [title, str(tries)] + [str(counts[c]) for c in COLUMNS] + [rate, "%.2f" % slowest]
    return "| " + " | ".join(cells) + " |"


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("opcost")
    p.add_argument("--quick", action="store_true", help="6 tries per class, 20 s timeout")
    p.add_argument("--tries", type=int, default=100)
    p.add_argument("--seed", type=int, default=11)
    p.add_argument("--timeout", type=float, default=60.0)
    p.add_argument("--classes", default="")
    p.add_argument("--show", type=int, default=5, help="reproducers listed per class")
    p.add_argument("--keep", default="", help="generate into this directory and keep it, so "
                   "the listed reproducers can be rerun")
    a = p.parse_args(argv[1:])
    tries, timeout = (6, 20.0) if a.quick else (a.tries, a.timeout)
    wanted = set(filter(None, a.classes.split(",")))
    opcost = os.path.abspath(a.opcost)
    base = os.path.abspath(a.keep) if a.keep else tempfile.mkdtemp(prefix="opcost_hostile_")
    os.makedirs(base, exist_ok=True)
    header = ["class", "tries"] + ["crashes (signal)" if c == "crash" else
                                   "hangs (timeout)" if c == "hang" else
                                   "exit 3" if c == "exit3" else c for c in COLUMNS]
    lines = ["| " + " | ".join(header + ["clear-error rate", "slowest s"]) + " |",
             "|" + "---|" * (len(header) + 2)]
    notes, failed = [], False
    try:
        for title, name, make in CLASSES:
            if wanted and name not in wanted:
                continue
            counts, slowest, class_notes = measure(opcost, name, make, tries, a.seed, timeout,
                                                   base, a.show)
            lines.append(table_row(title, tries, counts, slowest))
            notes += ["- %s: %s" % (name, n) for n in class_notes]
            failed = failed or counts["crash"] + counts["hang"] + counts["exit3"] > 0
            sys.stderr.write("%s: %s\n" % (name, dict(counts)))
    finally:
        if not a.keep:
            shutil.rmtree(base, ignore_errors=True)
    print("\n".join(lines))
    if notes:
        print("\nTries that were not accepted, clear or a budget hit (first %d per class):\n"
              % a.show)
        print("\n".join(notes))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
