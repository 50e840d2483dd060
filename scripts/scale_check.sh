#!/usr/bin/env bash
# Issue 11, "Complexity": every command on legal but large inputs in bounded, near-linear time.
# Generates in a temporary directory a 100,000-layer int8 relu chain (JSON and .tflite), a
# 20,000-way fan-in (20,000 relus of one input, all concatenated) and a 500-row fit table, times
# each command on them and prints a Markdown table (docs/performance.md, "Large models").
#
#   scripts/scale_check.sh [path/to/opcost]     # default: build/src/cli/opcost
#
# Needs bash and /usr/bin/python3 (standard library only); GNU time (/usr/bin/time) adds CPU
# seconds and peak memory. Times are of the whole process: loading, analysis and printing.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
opcost="${1:-$here/build/src/cli/opcost}"
if [[ ! -x "$opcost" ]]; then
  echo "scale_check: no opcost executable at '$opcost' (build it or pass its path)" >&2
  exit 2
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

/usr/bin/python3 - "$work" <<'PY'
"""Writes the large inputs: chain100k.json/.tflite, chain100k_input.json, fanin20k.json,
fit500.csv."""
import json
import struct
import sys

work = sys.argv[1]
CHAIN = 100_000
FANIN = 20_000
QUANT = {"scale": [0.05], "zero_point": [-128]}


def write(name, text):
    with open(f"{work}/{name}", "w", encoding="utf-8") as f:
        f.write(text)


def chain_json():
    # Short form: each relu reads the previous layer's output. Every activation is declared
    # with one int8 quantization so that `opcost run` can execute the chain.
    layers = [{"name": f"r{i}", "op": "relu"} for i in range(CHAIN)]
    tensors = [{"name": "x", "dtype": "int8", "quantization": QUANT}]
    tensors += [{"name": f"r{i}", "dtype": "int8", "quantization": QUANT} for i in range(CHAIN)]
    return {"format": "opcost-model", "format_version": 1, "name": "chain100k", "dtype": "int8",
            "inputs": [{"name": "x", "shape": [1, 16]}], "tensors": tensors, "layers": layers}


def fanin_json():
    layers = [{"name": f"b{i}", "op": "relu", "inputs": ["x"]} for i in range(FANIN)]
    layers.append({"name": "cat", "op": "concat", "axis": -1,
                   "inputs": [f"b{i}" for i in range(FANIN)]})
    return {"format": "opcost-model", "format_version": 1, "name": "fanin20k", "dtype": "int8",
            "inputs": [{"name": "x", "shape": [1, 16]}], "layers": layers, "outputs": ["cat"]}


class FlatBuffer:
    """A minimal flatbuffer writer: every object is written after the one that refers to it,
    so offsets point forward as the format requires; scalars are aligned to their size."""

    def __init__(self):
        self.buf = bytearray()

    def align(self, n):
        while len(self.buf) % n:
            self.buf.append(0)

    def put(self, fmt, *values):
        self.align(struct.calcsize(fmt))
        pos = len(self.buf)
        self.buf += struct.pack(fmt, *values)
        return pos

    def patch_offset(self, at, target):
        struct.pack_into("<I", self.buf, at, target - at)

    def string(self, text):
        data = text.encode()
        pos = self.put("<I", len(data))
        self.buf += data + b"\0"
        return pos

    def vector(self, fmt, values):
        # The elements follow the length directly, each aligned to its size.
        while (len(self.buf) + 4) % max(4, struct.calcsize(fmt)):
            self.buf.append(0)
        pos = self.put("<I", len(values))
        self.buf += struct.pack(f"<{len(values)}{fmt[1]}", *values)
        return pos

    def table(self, fields):
        """fields: list (by field id) of None, ("<i", value), ("<b", value) or ("off", writer),
        where writer() writes the child and returns its position."""
        inline, size = [], 4
        for fid, f in enumerate(fields):
            if f is None:
                continue
            width = 4 if f[0] == "off" else struct.calcsize(f[0])
            size = (size + width - 1) // width * width
            inline.append((fid, f, size))
            size += width
        vt = [0] * len(fields)
        for fid, _, at in inline:
            vt[fid] = at
        self.align(2)
        vt_pos = len(self.buf)
        self.buf += struct.pack(f"<{2 + len(vt)}H", 4 + 2 * len(vt), size, *vt)
        self.align(4)
        start = len(self.buf)
        self.buf += b"\0" * size
        struct.pack_into("<i", self.buf, start, start - vt_pos)
        children = []
        for _, f, at in inline:
            if f[0] == "off":
                children.append((start + at, f[1]))
            else:
                struct.pack_into(f[0], self.buf, start + at, f[1])
        for at, writer in children:
            self.align(4)
            self.patch_offset(at, writer())
        return start

    def table_vector(self, writers):
        pos = self.put("<I", len(writers))
        slots = [self.put("<I", 0) for _ in writers]
        for at, writer in zip(slots, writers):
            self.patch_offset(at, writer())
        return pos


def chain_tflite():
    """The chain as a TFLite flatbuffer: tensor 0 the input, tensor i+1 the output of relu i."""
    fb = FlatBuffer()
    fb.buf += b"\0\0\0\0TFL3"
    relu = 19
    quant = lambda: fb.table([None, None, ("off", lambda: fb.vector("<f", [0.05])),
                              ("off", lambda: fb.vector("<q", [-128]))])
    tensor = lambda i: lambda: fb.table([
        ("off", lambda: fb.vector("<i", [1, 16])), ("<b", 9), ("<I", 0),
        ("off", lambda: fb.string("x" if i == 0 else f"r{i - 1}")), ("off", quant)])
    op = lambda i: lambda: fb.table([
        ("<I", 0), ("off", lambda: fb.vector("<i", [i])),
        ("off", lambda: fb.vector("<i", [i + 1]))])
    subgraph = lambda: fb.table([
        ("off", lambda: fb.table_vector([tensor(i) for i in range(CHAIN + 1)])),
        ("off", lambda: fb.vector("<i", [0])), ("off", lambda: fb.vector("<i", [CHAIN])),
        ("off", lambda: fb.table_vector([op(i) for i in range(CHAIN)])),
        ("off", lambda: fb.string("main"))])
    opcode = lambda: fb.table([("<b", relu), None, ("<i", 1), ("<i", relu)])
    model = fb.table([
        ("<I", 3), ("off", lambda: fb.table_vector([opcode])),
        ("off", lambda: fb.table_vector([subgraph])), ("off", lambda: fb.string("chain100k")),
        ("off", lambda: fb.table_vector([lambda: fb.table([])]))])
    struct.pack_into("<I", fb.buf, 0, model)
    return bytes(fb.buf)


def fit_csv():
    # 500 single-layer rows (conv2d and fully_connected) with times from a smooth made-up rule.
    lines = ["name,op,input,filters,kernel,units,cycles"]
    for i in range(500):
        if i % 2 == 0:
            cin = 1 + (i * 7) % 64
            lines.append(f"c{i},conv2d,1x16x16x{cin},{8 + i % 24},3x3,,"
                         f"{3000 + 900 * cin * (1 + (i % 5) / 10)}")
        else:
            units = 8 + (i * 13) % 200
            lines.append(f"f{i},fully_connected,1x{16 + i % 300},,,{units},"
                         f"{500 + 1.3 * units * (16 + i % 300)}")
    return "\n".join(lines) + "\n"


write("chain100k.json", json.dumps(chain_json()))
write("chain100k_input.json", json.dumps([i % 200 - 100 for i in range(16)]))
with open(f"{work}/chain100k.tflite", "wb") as f:
    f.write(chain_tflite())
write("fanin20k.json", json.dumps(fanin_json()))
write("fit500.csv", fit_csv())
# Whole-network rows: the chain measured twice (the overheads alone are 0.46 s on the F746).
write("fit_chain.csv", "name,model,latency_s\na,chain100k.json,0.9\nb,chain100k.json,1.1\n")
PY

profile="$here/profiles/cortex-m7-f746.json"
# name|command: every row runs with stdout to a file, whose size is reported.
checks=(
  "metrics, chain 100k|metrics $work/chain100k.json --format json"
  "estimate, chain 100k|estimate $work/chain100k.json --profile $profile --format json"
  "memory, chain 100k|memory $work/chain100k.json --format json"
  "memory --plan, chain 100k|memory $work/chain100k.json --plan --format json"
  "memory --optimize-order --plan, chain 100k|memory $work/chain100k.json --optimize-order --plan"
  "memory --profile, chain 100k (table)|memory $work/chain100k.json --profile $profile"
  "import, chain 100k .tflite|import $work/chain100k.tflite -o $work/imported.json"
  "metrics, chain 100k .tflite|metrics $work/chain100k.tflite --format csv"
  "run, chain 100k int8|run $work/chain100k.json --input $work/chain100k_input.json"
  "memory, fan-in 20k (table)|memory $work/fanin20k.json"
  "memory, fan-in 20k (json)|memory $work/fanin20k.json --format json"
  "memory, fan-in 20k (csv)|memory $work/fanin20k.json --format csv"
  "memory --plan, fan-in 20k|memory $work/fanin20k.json --plan --format json"
  "memory --optimize-order, fan-in 20k|memory $work/fanin20k.json --optimize-order"
  "fit, 500 layer rows (with leave-one-out)|fit $work/fit500.csv --base $profile -o $work/fit.json"
  "fit, 2 rows of the 100k chain (with leave-one-out)|fit $work/fit_chain.csv --base $profile -o $work/fit2.json"
)

echo "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the start; $("$opcost" --version 2>/dev/null || basename "$opcost")"
echo
echo "| command | exit | wall s | CPU s | peak RSS MB | stdout bytes |"
echo "|---|---|---|---|---|---|"
for check in "${checks[@]}"; do
  name="${check%%|*}"
  read -r -a argv <<<"${check#*|}"  # paths without spaces: the temp dir and the repository
  start=$(date +%s%N)
  set +e
  # GNU time if present (CPU seconds, peak RSS), else wall time only.
  if [[ -x /usr/bin/time ]]; then
    /usr/bin/time -f '%U %S %M' -o "$work/time" "$opcost" "${argv[@]}" >"$work/out" 2>"$work/err"
  else
    "$opcost" "${argv[@]}" >"$work/out" 2>"$work/err"
    echo "? ? ?" >"$work/time"
  fi
  code=$?
  set -e
  end=$(date +%s%N)
  ms=$(((end - start) / 1000000))
  read -r user sys rss_kb < <(tail -1 "$work/time")
  cpu=$(/usr/bin/python3 -c "import sys; print(f'{float(sys.argv[1]) + float(sys.argv[2]):.2f}')" \
          "$user" "$sys" 2>/dev/null || echo "?")
  rss=$( [[ "$rss_kb" =~ ^[0-9]+$ ]] && echo $((rss_kb / 1024)) || echo "?")
  printf '| %s | %d | %d.%02d | %s | %s | %s |\n' "$name" "$code" $((ms / 1000)) \
    $((ms % 1000 / 10)) "$cpu" "$rss" "$(stat -c %s "$work/out")"
  if [[ $code -ne 0 ]]; then sed 's/^/  stderr: /' "$work/err" | head -3 >&2; fi
done
