"""Writes .tflite flatbuffers by hand (stdlib only: Debian has no Python flatbuffers module).

Field slots follow the public TFLite schema (slot n of a table = field n). The buffer is built
back to front like the official builder: a child is written before its parents, so any number
of parents may point at one child. That is exactly what hostile files do to amplify what a
reader copies (shared shape vectors, input lists, names and buffers).

    w = Writer()
    shape = w.vector("i32", [1, 8, 8, 3])
    tensor = w.table([(0, "off", shape), (1, "u8", INT8), (3, "off", w.string("x"))])
    data = w.finish(model_table)          # bytes, with the "TFL3" identifier
"""
import struct

INT8, INT32, FLOAT32 = 9, 2, 0
# Builtin operator codes and builtin_options union types used here.
OP_ADD, OP_CONV_2D, OP_DEPTHWISE_CONV_2D, OP_FULLY_CONNECTED = 0, 3, 4, 9
OP_RESHAPE, OP_SOFTMAX, OP_AVERAGE_POOL_2D = 22, 25, 1
OPT_CONV2D, OPT_DEPTHWISE, OPT_POOL2D, OPT_FC, OPT_SOFTMAX, OPT_ADD = 1, 2, 5, 8, 9, 11

_SCALAR = {"u8": "<B", "i8": "<b", "u16": "<H", "i32": "<i", "u32": "<I", "i64": "<q",
           "f32": "<f", "off": "<I"}


class Writer:
    """Collects chunks from the end of the file towards its start."""

    def __init__(self):
        self._chunks = []  # in reverse file order
        self._size = 0  # bytes written so far, counted from the end of the file

    def _put(self, data, align):
        """Places `data` below everything written so far; returns its start, from the end."""
        pad = (-(self._size + len(data))) % align
        if pad:
            self._chunks.append(b"\0" * pad)
        self._chunks.append(bytes(data))
        self._size += pad + len(data)
        return self._size

    def vector(self, kind, values):
        """A vector of scalars; returns its position (from the end)."""
        fmt = _SCALAR[kind]
        size = struct.calcsize(fmt)
        body = b"".join(struct.pack(fmt, v) for v in values)
        self._put(body, max(size, 4))
        return self._put(struct.pack("<I", len(values)), 4)

    def bytes_vector(self, data):
        """A [ubyte] vector, its data 16-byte aligned as converters write buffers."""
        self._put(data, 16)
        return self._put(struct.pack("<I", len(data)), 4)

    def string(self, text):
        data = text.encode("utf-8", "surrogateescape") if isinstance(text, str) else text
        self._put(data + b"\0", 4)
        return self._put(struct.pack("<I", len(data)), 4)

    def offsets(self, positions):
        """A vector of offsets to tables, strings or vectors written before."""
        count = len(positions)
        start = self._size + (-(self._size + 4 + 4 * count)) % 4 + 4 + 4 * count
        body = struct.pack("<I", count)
        for i, target in enumerate(positions):
            field = start - 4 - 4 * i
            body += struct.pack("<I", field - target)
        return self._put(body, 4)

    def table(self, fields):
        """fields: (slot, kind, value) with kind a scalar type or "off" (a position)."""
        # Larger fields first so every field is naturally aligned inside the table.
        ordered = sorted(fields, key=lambda f: -struct.calcsize(_SCALAR[f[1]]))
        layout, offset = [], 4
        for slot, kind, value in ordered:
            size = struct.calcsize(_SCALAR[kind])
            offset += (-offset) % size
            layout.append((slot, kind, value, offset))
            offset += size
        table_size = offset + (-offset) % 4
        slots = 1 + max((f[0] for f in fields), default=-1)
        offsets_by_slot = [0] * slots
        for slot, _, _, off in layout:
            offsets_by_slot[slot] = off
        vtable = struct.pack("<HH", 4 + 2 * slots, table_size)
        vtable += b"".join(struct.pack("<H", o) for o in offsets_by_slot)
        vtable_pos = self._put(vtable, 2)
        align = 8 if any(struct.calcsize(_SCALAR[f[1]]) == 8 for f in fields) else 4
        start = self._size + (-(self._size + table_size)) % align + table_size
        body = bytearray(table_size)
        struct.pack_into("<i", body, 0, vtable_pos - start)
        for _, kind, value, off in layout:
            if kind == "off":
                value = (start - off) - value
            struct.pack_into(_SCALAR[kind], body, off, value)
        return self._put(body, align)

    def finish(self, root, identifier=b"TFL3"):
        self._put(b"", 8)
        total = self._size + 8
        header = struct.pack("<I", total - root) + identifier
        return header + b"".join(reversed(self._chunks))


# ---- TFLite tables ----

def tensor(w, shape_pos, name_pos, dtype=INT8, buffer=0, quant=None):
    fields = [(0, "off", shape_pos), (1, "i8", dtype), (2, "u32", buffer), (3, "off", name_pos)]
    if quant is not None:
        fields.append((4, "off", quant))
    return w.table(fields)


def quantization(w, scales, zero_points, axis=0):
    return w.table([(2, "off", w.vector("f32", scales)), (3, "off", w.vector("i64", zero_points)),
                    (6, "i32", axis)])


def operator(w, opcode_index, inputs_pos, outputs_pos, options_type=0, options=None):
    fields = [(0, "u32", opcode_index), (1, "off", inputs_pos), (2, "off", outputs_pos)]
    if options_type:
        fields += [(3, "u8", options_type), (4, "off", options)]
    return w.table(fields)


def opcode(w, builtin):
    return w.table([(0, "i8", min(builtin, 127)), (2, "i32", 1), (3, "i32", builtin)])


def buffer(w, data=None):
    return w.table([] if data is None else [(0, "off", w.bytes_vector(data))])


def model(w, codes, tensors, ops, inputs, outputs, buffers, description="opcost fuzz corpus"):
    subgraph = w.table([(0, "off", w.offsets(tensors)), (1, "off", w.vector("i32", inputs)),
                        (2, "off", w.vector("i32", outputs)), (3, "off", w.offsets(ops))])
    desc = w.string(description)
    return w.table([(0, "u32", 3), (1, "off", w.offsets(codes)), (2, "off", w.offsets([subgraph])),
                    (3, "off", desc), (4, "off", w.offsets(buffers))])


def conv_model(height=8, channels=3, filters=4):
    """A valid int8 model: conv 3x3 (same) -> fully connected -> softmax."""
    w = Writer()
    buffers = [buffer(w), buffer(w, bytes(range(filters * 9 * channels))),
               buffer(w, b"\x01\0\0\0" * filters), buffer(w, bytes(10 * height * height * filters))]
    q = quantization(w, [0.05], [-128])
    wq = quantization(w, [0.01] * filters, [0] * filters)
    fq = quantization(w, [0.02], [0])
    sq = quantization(w, [1.0 / 256], [-128])
    t = [
        tensor(w, w.vector("i32", [1, height, height, channels]), w.string("input"), quant=q),
        tensor(w, w.vector("i32", [filters, 3, 3, channels]), w.string("conv/w"), buffer=1,
               quant=wq),
        tensor(w, w.vector("i32", [filters]), w.string("conv/b"), dtype=INT32, buffer=2),
        tensor(w, w.vector("i32", [1, height, height, filters]), w.string("conv"), quant=q),
        tensor(w, w.vector("i32", [10, height * height * filters]), w.string("fc/w"), buffer=3,
               quant=fq),
        tensor(w, w.vector("i32", [1, 10]), w.string("fc"), quant=q),
        tensor(w, w.vector("i32", [1, 10]), w.string("prob"), quant=sq),
    ]
    conv_opts = w.table([(0, "i8", 0), (1, "i32", 1), (2, "i32", 1), (3, "i8", 1)])
    fc_opts = w.table([])
    sm_opts = w.table([(0, "f32", 1.0)])
    ops = [operator(w, 0, w.vector("i32", [0, 1, 2]), w.vector("i32", [3]), OPT_CONV2D, conv_opts),
           operator(w, 1, w.vector("i32", [3, 4]), w.vector("i32", [5]), OPT_FC, fc_opts),
           operator(w, 2, w.vector("i32", [5]), w.vector("i32", [6]), OPT_SOFTMAX, sm_opts)]
    codes = [opcode(w, OP_CONV_2D), opcode(w, OP_FULLY_CONNECTED), opcode(w, OP_SOFTMAX)]
    return w.finish(model(w, codes, t, ops, [0], [6], buffers))


def shared_shape_model(tensors=2000, dims=50000):
    """Every tensor points at one long shape vector: small file, huge decode."""
    w = Writer()
    shape = w.vector("i32", [1] * dims)
    names = [w.string("t%d" % i) for i in range(tensors)]
    t = [tensor(w, shape, names[i]) for i in range(tensors)]
    return w.finish(model(w, [opcode(w, OP_ADD)], t, [], [0], [0], [buffer(w)]))


def shared_inputs_model(operators=3000, inputs=5000):
    """Every operator reads one long input list."""
    w = Writer()
    shape = w.vector("i32", [1, 4])
    t = [tensor(w, shape, w.string("x")), tensor(w, shape, w.string("y"))]
    ins, outs = w.vector("i32", [0] * inputs), w.vector("i32", [1])
    opts = w.table([])
    ops = [operator(w, 0, ins, outs, OPT_ADD, opts) for _ in range(operators)]
    return w.finish(model(w, [opcode(w, OP_ADD)], t, ops, [0], [1], [buffer(w)]))


def shared_buffer_model(ops=1000, features=4096, units=16):
    """Many fully connected ops whose weight tensors all read one constant buffer."""
    w = Writer()
    buffers = [buffer(w), buffer(w, bytes(units * features))]
    x = tensor(w, w.vector("i32", [1, features]), w.string("x"), quant=quantization(w, [0.1], [0]))
    wq = quantization(w, [0.01], [0])
    shape = w.vector("i32", [units, features])
    t, op_tables = [x], []
    opts = w.table([])
    for i in range(ops):
        t.append(tensor(w, shape, w.string("w%d" % i), buffer=1, quant=wq))
        t.append(tensor(w, w.vector("i32", [1, units]), w.string("y%d" % i)))
        op_tables.append(operator(w, 0, w.vector("i32", [0, 2 * i + 1, -1]),
                                  w.vector("i32", [2 * i + 2]), OPT_FC, opts))
    outputs = list(range(2, 2 * ops + 1, 2))
    return w.finish(model(w, [opcode(w, OP_FULLY_CONNECTED)], t, op_tables, [0], outputs, buffers))


def shared_name_model(tensors=1000, name_bytes=100000):
    """One long name string shared by many tensors."""
    w = Writer()
    name = w.string("n" * name_bytes)
    shape = w.vector("i32", [1, 4])
    t = [tensor(w, shape, name) for _ in range(tensors)]
    return w.finish(model(w, [opcode(w, OP_ADD)], t, [], [0], [0], [buffer(w)]))


def huge_dims_model(dims):
    """A conv whose input has the given dims (huge, zero or negative)."""
    w = Writer()
    t = [tensor(w, w.vector("i32", dims), w.string("input")),
         tensor(w, w.vector("i32", [4, 3, 3, dims[-1] if dims else 1]), w.string("w")),
         tensor(w, w.vector("i32", [1, 1, 1, 4]), w.string("out"))]
    opts = w.table([(0, "i8", 0), (1, "i32", 1), (2, "i32", 1)])
    ops = [operator(w, 0, w.vector("i32", [0, 1, -1]), w.vector("i32", [2]), OPT_CONV2D, opts)]
    return w.finish(model(w, [opcode(w, OP_CONV_2D)], t, ops, [0], [2], [buffer(w)]))
