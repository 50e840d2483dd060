#!/usr/bin/env python3
"""Renders `opcost report` of every .tflite under a directory in headless Chromium and checks it.

For each model: `opcost report M --profile P -o M.html` and `--format json`; then Chromium
(1) takes a screenshot, whose PNG must show content in every horizontal band and colour (the
charts) in several, and (2) dumps the DOM, whose summary numbers (id + data-value attributes,
docs/report.md) must equal the JSON report's and whose layer table must have one row per layer.

Run by CTest (tests/report/browser_test.cmake). Without Chromium it fails, saying to run
scripts/install-deps.sh, unless OPCOST_SKIP_BROWSER_TESTS=1 (then it exits 77: skipped).
Standard library only; PIL is used for the PNG when importable.
"""

import argparse
import concurrent.futures
import html.parser
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

SKIP = 77
WINDOW = (1200, 2400)
BANDS = 8


def find_chromium(explicit):
    for candidate in (explicit, os.environ.get("OPCOST_CHROMIUM"), "/usr/bin/chromium"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("chromium") or shutil.which("chromium-browser")


def chromium_command(chromium, profile_dir, *args):
    command = [chromium, "--headless", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
               "--disable-extensions", "--disable-dev-shm-usage",
               # The page must need no network: every host name fails to resolve.
               "--host-resolver-rules=MAP * ~NOTFOUND",
               "--user-data-dir=" + profile_dir]
    if os.geteuid() == 0:
        command.append("--no-sandbox")  # Chromium refuses to run as root with its sandbox
    return command + list(args)


def run(command, timeout=90):
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            timeout=timeout)
    return result.returncode, result.stdout, result.stderr.decode("utf-8", "replace")


# --- PNG ------------------------------------------------------------------------------------

def decode_png(path):
    """(width, height, rows of RGB tuples): PIL when present, else a plain zlib decoder."""
    try:
        from PIL import Image  # Debian: python3-pil
        with Image.open(path) as image:
            rgb = image.convert("RGB")
            w, h = rgb.size
            data = list(rgb.getdata())
            return w, h, [data[y * w:(y + 1) * w] for y in range(h)]
    except ImportError:
        return decode_png_plain(path)


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def decode_png_plain(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(path + " is not a PNG")
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, color, _, _, interlace = header
    if depth != 8 or color not in (2, 6) or interlace:
        raise ValueError("unsupported PNG (depth %d, colour type %d)" % (depth, color))
    channels = 3 if color == 2 else 4
    stride = width * channels
    raw = zlib.decompress(idat)
    previous = bytearray(stride)
    rows = []
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            up_left = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + ((left + up) >> 1)) & 0xFF
            elif kind == 4:
                line[i] = (line[i] + paeth(left, up, up_left)) & 0xFF
        rows.append([tuple(line[x * channels:x * channels + 3]) for x in range(width)])
        previous = line
    return width, height, rows


def check_screenshot(path):
    """Problems with the screenshot: blank bands, or no colour anywhere (charts missing)."""
    width, height, rows = decode_png(path)
    problems, coloured_bands = [], 0
    band_height = height // BANDS
    for band in range(BANDS):
        ink = colour = 0
        for row in rows[band * band_height:(band + 1) * band_height:2]:
            for r, g, b in row[::2]:
                if min(r, g, b) < 235:
                    ink += 1
                if max(r, g, b) - min(r, g, b) > 60:
                    colour += 1
        samples = (band_height // 2) * (width // 2)
        if ink < samples * 0.002:
            problems.append("band %d of %d is blank (%d inked samples)" % (band + 1, BANDS, ink))
        if colour > samples * 0.001:
            coloured_bands += 1
    if coloured_bands < 3:
        problems.append("only %d bands show colour: the charts did not render" % coloured_bands)
    return problems


# --- DOM ------------------------------------------------------------------------------------

class DomFacts(html.parser.HTMLParser):
    """The id'd elements' data-value and text, the layer table's names, scripts seen."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.values, self.texts = {}, {}
        self.layer_rows, self.layer_names = 0, []
        self.scripts = 0
        self.references = []  # attributes that would load something
        self.open_ids = []  # (id, tag) whose text is being collected
        self.in_name_cell = False
        self.name = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script":
            self.scripts += 1
        for name, value in attrs:
            if name in ("src", "href", "srcset", "data", "action", "poster") or (
                    value and "url(" in value):
                self.references.append("<%s %s=%r>" % (tag, name, value))
        if tag == "tr" and "data-layer" in a:
            self.layer_rows += 1
        if tag == "td" and a.get("class") == "name" and self.layer_rows > len(self.layer_names):
            self.in_name_cell, self.name = True, ""
        if "id" in a and "data-value" in a:
            self.values[a["id"]] = a["data-value"]
            self.texts[a["id"]] = ""
            self.open_ids.append((a["id"], tag))

    def handle_endtag(self, tag):
        if self.open_ids and self.open_ids[-1][1] == tag:
            self.open_ids.pop()
        if tag == "td" and self.in_name_cell:
            self.layer_names.append(self.name)
            self.in_name_cell = False

    def handle_data(self, data):
        for element_id, _ in self.open_ids:
            self.texts[element_id] += data
        if self.in_name_cell:
            self.name += data


def check_dom(dom, report):
    facts = DomFacts()
    facts.feed(dom)
    s = report["summary"]
    validation = [v for v in report["trust"]["validation"] if v["kind"] == "leave_one_out"]
    validation = validation or report["trust"]["validation"]
    expected = {
        "latency-s": s["latency_s"],
        "energy-j": s["energy_j"],
        "macs": s["macs"],
        "layer-count": len(report["layers"]),
        "flash-used-bytes": s["flash"]["used_bytes"],
        "flash-weight-bytes": s["flash"]["weight_bytes"],
        "flash-reserve-bytes": s["flash"]["runtime_reserve_bytes"],
        "sram-used-bytes": s["sram"]["used_bytes"],
        "sram-peak-activation-bytes": s["sram"]["peak_activation_bytes"],
        "sram-reserve-bytes": s["sram"]["runtime_reserve_bytes"],
        "sram-margin-bytes": s["sram"]["margin_bytes"],
        "flash-margin-bytes": s["flash"]["margin_bytes"],
        "fit-verdict": "fits" if s["fits"] else "does-not-fit",
        "power-measured": "true" if report["trust"]["power_measured"] else "false",
        "memory-peak-bytes": report["memory"]["peak_bytes"],
        "arena-bytes": report["arena"]["arena_bytes"],
    }
    if validation:
        expected["validation-error-pct"] = validation[0]["latency_error_pct"]
    problems = []
    for element_id, want in expected.items():
        if element_id not in facts.values:
            problems.append("no element #%s with a data-value" % element_id)
            continue
        got = facts.values[element_id]
        same = (got == want) if isinstance(want, str) else (float(got) == float(want))
        if not same:
            problems.append("#%s: data-value %r, JSON %r" % (element_id, got, want))
        if not facts.texts[element_id].strip():
            problems.append("#%s shows no text" % element_id)
    if facts.scripts:
        problems.append("the DOM has %d <script> elements" % facts.scripts)
    if facts.references:
        problems.append("the page refers to other resources: " + ", ".join(facts.references[:5]))
    if facts.layer_rows != len(report["layers"]):
        problems.append("layer table: %d rows for %d layers" % (facts.layer_rows,
                                                                len(report["layers"])))
    names = [layer["name"] for layer in report["layers"]]
    if facts.layer_names != names:
        problems.append("layer table names differ from the JSON's")
    return problems


# --- per model ------------------------------------------------------------------------------

HOSTILE_NAME = ('<script>document.title="pwned"</script><img src=x onerror=alert(1)> & "q" '
                "'s' </td></tr></table><!--")


def check_hostile_names(source_model, args, chromium, workdir):
    """A model and its last layer named with markup: the page shows the name, runs nothing."""
    with open(source_model, encoding="utf-8") as f:
        model = json.load(f)
    model["name"] = HOSTILE_NAME
    model["layers"][-1]["name"] = HOSTILE_NAME  # the last layer: no other layer names it
    path = os.path.join(workdir, "hostile.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(model, f)
    page = os.path.join(workdir, "hostile.html")
    code, _, err = run([args.opcost, "report", path, "--profile", args.profile, "-o", page])
    if code != 0:
        return ["opcost report of the hostile model exited %d: %s" % (code, err.strip())]
    code, dom, err = run(chromium_command(chromium, page + ".chrome", "--dump-dom",
                                          "file://" + os.path.abspath(page)))
    if code != 0:
        return ["chromium --dump-dom failed (%d): %s" % (code, err.strip()[-500:])]
    facts = DomFacts()
    facts.feed(dom.decode("utf-8"))
    problems = []
    if facts.scripts or "<img" in dom.decode("utf-8"):
        problems.append("a model-supplied name became markup")
    if not facts.layer_names or facts.layer_names[-1] != HOSTILE_NAME:
        problems.append("the last layer's name is not shown as text")
    if facts.layer_rows != len(model["layers"]):
        problems.append("the name broke the layer table")
    return problems


def check_model(model, args, chromium, workdir):
    stem = os.path.join(workdir, os.path.basename(model).replace(".tflite", ""))
    page, document = stem + ".html", stem + ".json"
    base = [args.opcost, "report", model, "--profile", args.profile]
    for command in (base + ["-o", page], base + ["--format", "json", "-o", document]):
        code, _, err = run(command)
        if code != 0:
            return ["%s exited %d: %s" % (" ".join(command), code, err.strip())]
    with open(document, encoding="utf-8") as f:
        report = json.load(f)
    url = "file://" + os.path.abspath(page)
    png = stem + ".png"
    code, _, err = run(chromium_command(chromium, stem + ".chrome-shot",
                                        "--screenshot=" + png,
                                        "--window-size=%d,%d" % WINDOW, url))
    if code != 0 or not os.path.exists(png):
        return ["chromium --screenshot failed (%d): %s" % (code, err.strip()[-500:])]
    problems = check_screenshot(png)
    code, dom, err = run(chromium_command(chromium, stem + ".chrome-dom", "--dump-dom", url))
    if code != 0 or not dom:
        return problems + ["chromium --dump-dom failed (%d): %s" % (code, err.strip()[-500:])]
    return problems + check_dom(dom.decode("utf-8"), report)


def report_result(label, problems):
    """Prints one check's outcome; 1 if it failed."""
    print(("FAIL " if problems else "ok   ") + label)
    for p in problems:
        print("     " + p)
    return 1 if problems else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--opcost", required=True, help="the built opcost executable")
    parser.add_argument("--models", required=True, help="directory searched for .tflite files")
    parser.add_argument("--profile", default="cortex-m7-f746")
    parser.add_argument("--chromium", help="the browser (default: $OPCOST_CHROMIUM, chromium)")
    parser.add_argument("--keep", help="write the pages, JSON and screenshots here")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--hostile-model",
                        help="a JSON model to rename with markup and render as well")
    args = parser.parse_args()

    if os.environ.get("OPCOST_SKIP_BROWSER_TESTS") == "1":
        print("skipped: OPCOST_SKIP_BROWSER_TESTS=1")
        return SKIP
    chromium = find_chromium(args.chromium)
    if chromium is None:
        print("error: Chromium not found (looked for $OPCOST_CHROMIUM, /usr/bin/chromium and "
              "chromium on PATH). Install it with scripts/install-deps.sh (Debian package "
              "'chromium'), or set OPCOST_SKIP_BROWSER_TESTS=1 to skip the browser tests.")
        return 1
    models = sorted(os.path.join(root, name)
                    for root, _, files in os.walk(args.models)
                    for name in files if name.endswith(".tflite"))
    if not models:
        print("error: no .tflite model under " + args.models)
        return 1

    workdir = args.keep or tempfile.mkdtemp(prefix="opcost-report-browser-")
    os.makedirs(workdir, exist_ok=True)
    failed = 0
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            results = pool.map(lambda m: (m, check_model(m, args, chromium, workdir)), models)
            for model, problems in results:
                failed += report_result(os.path.relpath(model, args.models), problems)
        if args.hostile_model:
            failed += report_result("hostile names", check_hostile_names(
                args.hostile_model, args, chromium, workdir))
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print("%d check(s) failed, %d models" % (failed, len(models)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
