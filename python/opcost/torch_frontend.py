"""PyTorch front door: turn an ``nn.Module`` into an opcost model (docs/python.md).

The module is traced with torch.fx, shapes come from running the example input through
``ShapeProp``, and every node is mapped onto the JSON model format (docs/model-format.md) the
way a deployment converter would lower it: BatchNorm folded into the preceding conv, ReLU and
ReLU6 fused into their producer, Dropout and Identity dropped, NCHW turned into NHWC.
Only shapes and costs are converted, never weight values.
"""

import operator

__all__ = ["to_model_dict", "from_torch"]

# Ops a following ReLU/ReLU6 may be fused into, as TFLite converters do: the op table's
# fused_activation rows (src/core/*_ops.cc).
_FUSES_ACTIVATION = ("conv2d", "depthwise_conv2d", "fully_connected", "add", "mul")
_CONV_OPS = ("conv2d", "depthwise_conv2d")


def to_model_dict(module, example_input, name=None, dtype="int8", declare_shapes=False):
    """Returns the opcost JSON model (a dict) of ``module`` run on ``example_input``.

    ``example_input`` is a tensor (NCHW for images) or a tuple of tensors, one per forward
    argument. ``dtype`` is the model's activation type. ``declare_shapes`` also lists every
    activation's shape under ``tensors``, so loading the dict checks the converted shapes.
    Raises ValueError naming the module path for anything the format cannot express.
    """
    graph_module = _trace(module)
    inputs = example_input if isinstance(example_input, (tuple, list)) else (example_input,)
    _propagate_shapes(module, graph_module, inputs)
    converter = _Converter(graph_module)
    for node in graph_module.graph.nodes:
        converter.convert(node)
    return converter.model_dict(name or type(module).__name__, type(module).__name__, dtype,
                                 declare_shapes)


def from_torch(module, example_input, name=None, **options):
    """Same as ``to_model_dict`` but returns an ``opcost.Graph``."""
    import opcost  # lazily: the package imports this module (opcost.from_torch)
    return opcost.model_from_dict(to_model_dict(module, example_input, name=name, **options))


# --- tracing -------------------------------------------------------------------------------

def _trace(module):
    """symbolic_trace, recording for every node the path of the module whose forward made it
    (torch < 2 has no nn_module_stack), so errors in functions can name where they are."""
    import torch.fx

    class ScopeTracer(torch.fx.Tracer):
        def __init__(self):
            super().__init__()
            self.scopes = []

        def call_module(self, m, forward, args, kwargs):
            self.scopes.append(self.path_of_module(m))
            try:
                return super().call_module(m, forward, args, kwargs)
            finally:
                self.scopes.pop()

        def create_node(self, *args, **kwargs):
            node = super().create_node(*args, **kwargs)
            node.meta["opcost_scope"] = self.scopes[-1] if self.scopes else ""
            return node

    tracer = ScopeTracer()
    try:
        graph = tracer.trace(module)
    except Exception as error:  # fx raises many types (TraceError, TypeError, ...)
        raise ValueError(
            f"cannot trace {type(module).__name__} with torch.fx symbolic tracing: {error} "
            "(data-dependent control flow or non-torch calls in forward() cannot be traced; "
            "make them static or convert the submodules separately)") from error
    return torch.fx.GraphModule(tracer.root, graph, type(module).__name__)


def _propagate_shapes(module, graph_module, inputs):
    """Runs the example through the traced module in eval mode (BatchNorm in training mode
    fails on batch 1), restoring the caller's mode afterwards."""
    import torch
    from torch.fx.passes.shape_prop import ShapeProp

    class NamedShapeProp(ShapeProp):
        def run_node(self, node):
            try:
                return super().run_node(node)
            except Exception as error:  # a wrong example shape fails inside some layer
                # ShapeProp wraps (and prints) the layer's own error
                cause = error.__cause__ or error.__context__ or error
                reason = str(cause).split("\n\nWhile executing")[0]  # fx's node dump
                raise ValueError(f"{_where(node)}: the example input fails here: "
                                 f"{reason}") from cause

    was_training = module.training
    module.eval()
    try:
        with torch.no_grad():
            NamedShapeProp(graph_module).propagate(*inputs)
    finally:
        module.train(was_training)


# --- layout helpers ------------------------------------------------------------------------

def _nhwc(shape):
    """Torch NCHW shape -> model-format NHWC; other ranks keep their order."""
    shape = [int(d) for d in shape]
    if len(shape) == 4:
        return [shape[0], shape[2], shape[3], shape[1]]
    return shape


def _nhwc_axis(dim, rank):
    """The NHWC axis holding torch dimension ``dim`` of a rank-``rank`` tensor."""
    dim = dim % rank
    return (0, 3, 1, 2)[dim] if rank == 4 else dim


def _pair(value):
    """A torch int-or-tuple as the format's compact form: one int when both are equal."""
    h, w = (value, value) if isinstance(value, int) else tuple(value)
    return h if h == w else [h, w]


def _hw(value):
    return (value, value) if isinstance(value, int) else tuple(value)


def _tf_same_pads(size, kernel, stride, dilation):
    """(before, after) that TensorFlow's "same" padding adds on one spatial dim."""
    out = -(-size // stride)
    total = max((out - 1) * stride + (kernel - 1) * dilation + 1 - size, 0)
    return total // 2, total - total // 2


def _numel(shape):
    count = 1
    for d in shape:
        count *= int(d)
    return count


# --- the converter -------------------------------------------------------------------------

class _Converter:
    def __init__(self, graph_module):
        self.modules = dict(graph_module.named_modules())
        self.layers = []
        self.inputs = []
        self.outputs = []
        self.value = {}      # fx node -> name of the model tensor that holds its result
        self.aliases = {}    # model tensor -> fx nodes bound to it (folded/fused/removed ones)
        self.producer = {}   # model tensor -> the layer dict writing it
        self.shapes = {}     # model tensor -> NHWC shape
        self.unsupported = set()  # outputs of `unsupported` layers: their shapes must be declared
        self.names = set()

    # ---- entry points

    def convert(self, node):
        if node.op == "placeholder":
            self._graph_input(node)
        elif node.op == "output":
            outputs = [self.value[n] for n in _flat_nodes(node.args) if _is_tensor(n)]
            self.outputs = list(dict.fromkeys(outputs))  # a tensor returned twice is one output
        elif not _is_tensor(node):
            self._shape_query(node)
        elif node.op == "call_module":
            self._module(node, self.modules[node.target])
        elif node.op in ("call_function", "call_method"):
            self._function(node)
        else:
            raise ValueError(f"{_where(node)}: unsupported graph node {node.op} {node.target}")

    def model_dict(self, name, class_name, dtype, declare_shapes):
        declared = [t for t in self.producer if declare_shapes or t in self.unsupported]
        model = {"format": "opcost-model", "format_version": 1, "name": name,
                 "description": f"Converted from the PyTorch module {class_name} by "
                                "opcost.torch_frontend (shapes and costs only, no weights).",
                 "dtype": dtype, "inputs": self.inputs}
        if declared:
            model["tensors"] = [{"name": t, "shape": self.shapes[t]} for t in declared]
        model["layers"] = self.layers
        model["outputs"] = self.outputs
        return model

    # ---- bookkeeping

    def _bind(self, node, tensor):
        self.value[node] = tensor
        self.aliases.setdefault(tensor, []).append(node)

    def _unique(self, base):
        name, index = base, 1
        while name in self.names:
            name, index = f"{base}_{index}", index + 1
        self.names.add(name)
        return name

    def _emit(self, base, op, inputs, torch_shape, **fields):
        """Appends a layer reading ``inputs`` and returns its output tensor's name."""
        if len(torch_shape) > 4:
            raise ValueError(f"{base}: rank {len(torch_shape)} tensors are not in the format")
        name = self._unique(base)
        layer = {"name": name, "op": op, "inputs": list(inputs), **fields}
        self.layers.append(layer)
        self.producer[name] = layer
        self.shapes[name] = _nhwc(torch_shape)
        return name

    def _emit_for(self, node, op, inputs, **fields):
        tensor = self._emit(_layer_name(node), op, inputs, _shape(node), **fields)
        self._bind(node, tensor)
        return self.producer[tensor]

    def _sole_consumer(self, tensor, node):
        """True when ``node`` is the only reader of ``tensor`` (shape queries do not read)."""
        bound = self.aliases[tensor]
        readers = {u for n in bound for u in n.users if u not in bound}
        readers = {u for u in readers if _is_tensor(u) or u.op == "output"}
        return readers == {node}

    def _input_tensor(self, node):
        """The model tensor of the node's first data input."""
        sources = [a for a in _flat_nodes((node.args, node.kwargs)) if _is_tensor(a)]
        if not sources:
            raise ValueError(f"{_where(node)}: {_what(node)} has no tensor input")
        return self.value[sources[0]], sources[0]

    def _graph_input(self, node):
        if not _is_tensor(node):
            raise ValueError(f"input {node.target}: only tensor inputs are supported")
        name = self._unique(node.target)
        self.inputs.append({"name": name, "shape": _nhwc(_shape(node))})
        self.shapes[name] = _nhwc(_shape(node))
        self._bind(node, name)

    def _shape_query(self, node):
        """x.size(0), x.shape[1] * 2, ...: Python values used by reshapes. No layer; the
        reshape itself takes its shape from ShapeProp."""
        if node.op == "call_module":  # a module returning a tuple (LSTM, ...)
            kind = type(self.modules[node.target]).__name__
            raise ValueError(f"{node.target}: unsupported module {kind} (tuple output)")
        if "tensor_meta" in node.meta:  # a tuple of tensors (split, chunk, ...)
            raise ValueError(f"{_where(node)}: unsupported {_what(node)} (tuple output)")

    # ---- modules

    def _module(self, node, module):
        import torch.nn as nn
        kind = type(module).__name__
        if isinstance(module, (nn.Dropout, nn.Dropout2d, nn.AlphaDropout, nn.Identity)):
            self._remove(node)
        elif isinstance(module, nn.Conv2d):
            self._conv(node, module)
        elif isinstance(module, nn.Linear):
            self._linear(node, module.out_features, module.bias is not None)
        elif isinstance(module, nn.BatchNorm2d):
            self._batch_norm(node)
        elif isinstance(module, nn.ReLU):
            self._activation(node, "relu")
        elif isinstance(module, nn.ReLU6) or (
                isinstance(module, nn.Hardtanh) and (module.min_val, module.max_val) == (0, 6)):
            self._activation(node, "relu6")
        elif isinstance(module, (nn.Sigmoid, nn.Tanh)):
            self._activation(node, kind.lower())
        elif isinstance(module, nn.Hardswish):
            self._activation(node, "hard_swish")
        elif isinstance(module, nn.Hardsigmoid):
            self._activation(node, "hard_sigmoid")
        elif isinstance(module, nn.Softmax):
            self._softmax(node, module.dim)
        elif isinstance(module, (nn.MaxPool2d, nn.AvgPool2d)):
            self._pool(node, "max_pool" if isinstance(module, nn.MaxPool2d) else "avg_pool",
                       module.kernel_size, module.stride, module.padding,
                       getattr(module, "dilation", 1), getattr(module, "return_indices", False))
        elif isinstance(module, nn.AdaptiveAvgPool2d):
            self._adaptive_pool(node, "avg_pool")
        elif isinstance(module, nn.AdaptiveMaxPool2d):
            self._adaptive_pool(node, "max_pool")
        elif isinstance(module, (nn.Flatten, nn.Unflatten)):
            self._reshape(node)
        elif isinstance(module, (nn.ZeroPad2d, nn.ConstantPad2d)):
            self._pad(node, module.padding, getattr(module, "value", 0))
        else:
            raise ValueError(f"{node.target}: unsupported module {kind}")

    def _remove(self, node):
        tensor, _ = self._input_tensor(node)
        self._bind(node, tensor)

    def _conv(self, node, conv):
        if conv.padding_mode != "zeros":
            raise ValueError(f"{node.target}: unsupported padding_mode '{conv.padding_mode}'")
        source, source_node = self._input_tensor(node)
        kernel, stride, dilation = _hw(conv.kernel_size), _hw(conv.stride), _hw(conv.dilation)
        padding, source = self._lower_padding(node, source, _shape(source_node), conv.padding,
                                              kernel, stride, dilation, default="same")
        fields = {}
        if conv.groups == 1:
            op, fields["filters"] = "conv2d", conv.out_channels
        elif conv.groups == conv.in_channels:  # torch requires out % groups == 0
            op = "depthwise_conv2d"
            if conv.out_channels != conv.in_channels:
                fields["depth_multiplier"] = conv.out_channels // conv.in_channels
        else:
            op, fields["filters"], fields["groups"] = "conv2d", conv.out_channels, conv.groups
        fields["kernel"] = _pair(kernel)
        if stride != (1, 1):
            fields["stride"] = _pair(stride)
        if padding != "same":
            fields["padding"] = padding
        if dilation != (1, 1):
            fields["dilation"] = _pair(dilation)
        if conv.bias is None:
            fields["bias"] = False
        self._emit_for(node, op, [source], **fields)

    def _lower_padding(self, node, source, in_shape, torch_padding, kernel, stride, dilation,
                       default):
        """Torch padding -> the format's "same"/"valid" (``default`` when both fit). Explicit
        padding that is not TF's "same" becomes a pad layer before a valid op, as a TFLite
        conversion would (TFLite convs and pools only know SAME and VALID)."""
        if torch_padding in ("same", "valid"):
            return torch_padding, source  # torch's "same" is stride 1 only, where TF's equals it
        size = in_shape[2:]
        same = [p for d in range(2) for p in
                _tf_same_pads(size[d], kernel[d], stride[d], dilation[d])]
        ph, pw = _hw(torch_padding)
        explicit = [ph, ph, pw, pw]
        fits = [name for name, pads in (("same", same), ("valid", [0] * 4)) if explicit == pads]
        if fits:  # both for unpadded 1x1 convs and pools that tile their input
            return (default if default in fits else fits[0]), source
        padded = [in_shape[0], in_shape[1], size[0] + 2 * ph, size[1] + 2 * pw]
        pad = self._emit(f"{_layer_name(node)}.pad", "pad", [source], padded,
                         paddings=[[0, 0], [ph, ph], [pw, pw], [0, 0]])
        return "valid", pad

    def _linear(self, node, units, bias):
        source, source_node = self._input_tensor(node)
        in_shape = _shape(source_node)
        extra = {} if bias else {"bias": False}
        if len(in_shape) <= 2:
            self._emit_for(node, "fully_connected", [source], units=units, **extra)
            return
        # torch applies Linear to the last dim; the format's FC flattens all but the first:
        # rows of the last dim, the FC, and back to torch's output shape.
        features = int(in_shape[-1])
        rows = _numel(in_shape) // features
        base = _layer_name(node)
        flat = self._emit(f"{base}.rows", "reshape", [source], [rows, features],
                          shape=[rows, features])
        fc = self._emit(base, "fully_connected", [flat], [rows, units], units=units, **extra)
        back = self._emit(f"{base}.back", "reshape", [fc], _shape(node), shape=_nhwc(_shape(node)))
        self._bind(node, back)

    def _batch_norm(self, node):
        source, _ = self._input_tensor(node)
        conv = self.producer.get(source)
        if (conv is not None and conv["op"] in _CONV_OPS and "activation" not in conv
                and self._sole_consumer(source, node)):
            conv.pop("bias", None)  # folding gives the conv a bias (the format's default)
            self._bind(node, source)
        else:
            self._emit_for(node, "batch_norm", [source])

    def _activation(self, node, kind):
        source, _ = self._input_tensor(node)
        producer = self.producer.get(source)
        if (kind in ("relu", "relu6") and producer is not None
                and producer["op"] in _FUSES_ACTIVATION and "activation" not in producer
                and self._sole_consumer(source, node)):
            producer["activation"] = kind
            self._bind(node, source)
        else:
            self._emit_for(node, kind, [source])

    def _softmax(self, node, dim):
        rank = len(_shape(node))
        if dim is None or _nhwc_axis(dim, rank) != rank - 1:
            raise ValueError(f"{_where(node)}: softmax over dim {dim} (only over channels, "
                             "the format's last axis)")
        source, _ = self._input_tensor(node)
        self._emit_for(node, "softmax", [source])

    def _pool(self, node, op, kernel, stride, padding, dilation, return_indices):
        if _hw(dilation) != (1, 1) or return_indices:
            raise ValueError(f"{_where(node)}: {op} with dilation or return_indices")
        source, source_node = self._input_tensor(node)
        kernel = _hw(kernel)
        stride = _hw(stride) if stride else kernel  # functional pools default to the kernel
        padding, source = self._lower_padding(node, source, _shape(source_node), padding,
                                              kernel, stride, (1, 1), default="valid")
        fields = {"pool": _pair(kernel)}
        if stride != kernel:
            fields["stride"] = _pair(stride)
        if padding != "valid":
            fields["padding"] = padding
        layer = self._emit_for(node, op, [source], **fields)
        self._check_pool_shape(node, layer, padding, kernel, stride)

    def _check_pool_shape(self, node, layer, padding, kernel, stride):
        """ceil_mode can give torch one more output row than the format computes."""
        in_hw = self.shapes[layer["inputs"][0]][1:3]
        if padding == "same":
            expected = [-(-in_hw[d] // stride[d]) for d in range(2)]
        else:
            expected = [(in_hw[d] - kernel[d]) // stride[d] + 1 for d in range(2)]
        if expected != list(_shape(node)[2:]):
            raise ValueError(f"{_where(node)}: pooling output {list(_shape(node)[2:])} is not "
                             f"expressible (the format gives {expected}; ceil_mode?)")

    def _adaptive_pool(self, node, op):
        source, source_node = self._input_tensor(node)
        in_hw = [int(d) for d in _shape(source_node)[2:]]
        out_hw = [int(d) for d in _shape(node)[2:]]
        if out_hw == [1, 1] and op == "avg_pool":
            self._emit_for(node, "global_avg_pool", [source])
            return
        if any(i % o for i, o in zip(in_hw, out_hw)):
            raise ValueError(f"{_where(node)}: adaptive pooling {in_hw} -> {out_hw} has "
                             "unequal windows")
        pool = [i // o for i, o in zip(in_hw, out_hw)]
        self._emit_for(node, op, [source], pool=_pair(pool))

    def _reshape(self, node):
        """flatten/view/reshape/squeeze...: the output shape comes from ShapeProp. A [N, rest]
        result of a batch-preserving flatten is the format's `flatten`."""
        source, source_node = self._input_tensor(node)
        in_shape, out_shape = list(_shape(source_node)), list(_shape(node))
        producer = self.producer.get(source)
        if (len(out_shape) == 2 and producer is not None and producer["op"] == "global_avg_pool"
                and "keep_dims" not in producer and self._sole_consumer(source, node)):
            # pool + flatten is one MEAN with keep_dims false in a TFLite model
            producer["keep_dims"] = False
            self.shapes[source] = out_shape
            self._bind(node, source)
        elif len(out_shape) == 2 and len(in_shape) > 2 and out_shape[0] == in_shape[0]:
            self._emit_for(node, "flatten", [source])
        elif out_shape == in_shape:
            self._bind(node, source)
        else:
            self._emit_for(node, "reshape", [source], shape=_nhwc(out_shape))

    def _pad(self, node, torch_pads, value):
        if value != 0:
            raise ValueError(f"{_where(node)}: padding with {value} (only zero padding)")
        source, source_node = self._input_tensor(node)
        rank = len(_shape(source_node))
        torch_pads = _hw(torch_pads) * 2 if isinstance(torch_pads, int) else tuple(torch_pads)
        pairs = [[0, 0] for _ in range(rank)]
        # torch lists (before, after) pairs from the last dim backwards
        for i in range(len(torch_pads) // 2):
            pairs[rank - 1 - i] = [int(torch_pads[2 * i]), int(torch_pads[2 * i + 1])]
        if any(p < 0 for pair in pairs for p in pair):
            raise ValueError(f"{_where(node)}: negative padding (cropping)")
        if rank == 4:
            pairs = [pairs[0], pairs[2], pairs[3], pairs[1]]
        self._emit_for(node, "pad", [source], paddings=pairs)

    # ---- functions and methods

    def _function(self, node):
        target = node.target
        name = target if isinstance(target, str) else getattr(target, "__name__", str(target))
        handler = _FUNCTION_HANDLERS.get(name)
        if handler is None or not _is_torch_function(node):
            raise ValueError(f"{_where(node)}: unsupported {_what(node)}")
        handler(self, node)

    def _elementwise(self, node, op):
        tensors = [a for a in node.args[:2] if _is_node(a)]
        alpha = node.kwargs.get("alpha", 1)
        if len(tensors) != 2 or len(node.args) > 2 or alpha != 1:
            raise ValueError(f"{_where(node)}: {_what(node)} needs two tensors "
                             "(constants and alpha are not in the format)")
        self._emit_for(node, op, [self.value[t] for t in tensors])

    def _concat(self, node):
        tensors = node.args[0] if node.args else node.kwargs["tensors"]
        dim = _arg(node, 1, "dim", 0)
        rank = len(_shape(node))
        axis = _nhwc_axis(dim, rank)
        fields = {} if axis == rank - 1 else {"axis": axis}
        self._emit_for(node, "concat", [self.value[t] for t in tensors], **fields)

    def _functional_pool(self, node, op):
        kernel = _arg(node, 1, "kernel_size", None)
        stride = _arg(node, 2, "stride", None)
        padding = _arg(node, 3, "padding", 0)
        dilation = _arg(node, 4, "dilation", 1) if op == "max_pool" else 1
        self._pool(node, op, kernel, stride, padding, dilation, node.kwargs.get("return_indices"))

    def _mean(self, node):
        dims = _arg(node, 1, "dim", None)
        dims = sorted(d % 4 for d in dims) if isinstance(dims, (list, tuple)) else None
        if len(_shape(node.args[0])) != 4 or dims != [2, 3]:
            raise ValueError(f"{_where(node)}: mean over dims {dims} (only over H and W)")
        source, _ = self._input_tensor(node)
        keep = bool(_arg(node, 2, "keepdim", False))
        self._emit_for(node, "global_avg_pool", [source], **({} if keep else {"keep_dims": False}))


def _torch_pad(converter, node):
    if _arg(node, 2, "mode", "constant") != "constant":
        raise ValueError(f"{_where(node)}: only constant padding is supported")
    converter._pad(node, _arg(node, 1, "pad", ()), _arg(node, 3, "value", 0) or 0)


def _hardtanh(converter, node):
    if (_arg(node, 1, "min_val", -1.0), _arg(node, 2, "max_val", 1.0)) != (0, 6):
        raise ValueError(f"{_where(node)}: hardtanh other than relu6")
    converter._activation(node, "relu6")


# Functions (torch.*, F.*, operator.*) and tensor methods, by name.
_FUNCTION_HANDLERS = {
    "add": lambda c, n: c._elementwise(n, "add"),
    "iadd": lambda c, n: c._elementwise(n, "add"),
    "add_": lambda c, n: c._elementwise(n, "add"),
    "mul": lambda c, n: c._elementwise(n, "mul"),
    "imul": lambda c, n: c._elementwise(n, "mul"),
    "mul_": lambda c, n: c._elementwise(n, "mul"),
    "cat": _Converter._concat,
    "concat": _Converter._concat,
    "relu": lambda c, n: c._activation(n, "relu"),
    "relu_": lambda c, n: c._activation(n, "relu"),
    "relu6": lambda c, n: c._activation(n, "relu6"),
    "hardtanh": _hardtanh,
    "sigmoid": lambda c, n: c._activation(n, "sigmoid"),
    "tanh": lambda c, n: c._activation(n, "tanh"),
    "hardswish": lambda c, n: c._activation(n, "hard_swish"),
    "hardsigmoid": lambda c, n: c._activation(n, "hard_sigmoid"),
    "softmax": lambda c, n: c._softmax(n, _arg(n, 1, "dim", None)),
    "flatten": _Converter._reshape,
    "view": _Converter._reshape,
    "reshape": _Converter._reshape,
    "squeeze": _Converter._reshape,
    "unsqueeze": _Converter._reshape,
    "contiguous": _Converter._remove,
    "dropout": _Converter._remove,
    "max_pool2d": lambda c, n: c._functional_pool(n, "max_pool"),
    "avg_pool2d": lambda c, n: c._functional_pool(n, "avg_pool"),
    "adaptive_avg_pool2d": lambda c, n: c._adaptive_pool(n, "avg_pool"),
    "adaptive_max_pool2d": lambda c, n: c._adaptive_pool(n, "max_pool"),
    "mean": _Converter._mean,
    "pad": _torch_pad,
}


# --- fx node helpers -----------------------------------------------------------------------

def _is_node(value):
    import torch.fx
    return isinstance(value, torch.fx.Node)


def _is_tensor(node):
    import torch
    return _is_node(node) and isinstance(node.meta.get("tensor_meta"), _tensor_meta_type()) \
        and issubclass(node.meta.get("type", torch.Tensor), torch.Tensor)


def _tensor_meta_type():
    from torch.fx.passes.shape_prop import TensorMetadata
    return TensorMetadata


def _shape(node):
    return tuple(int(d) for d in node.meta["tensor_meta"].shape)


def _flat_nodes(value):
    """Every fx node inside nested tuples/lists/dicts."""
    if _is_node(value):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        return [n for v in value for n in _flat_nodes(v)]
    return []


def _arg(node, index, key, default):
    if len(node.args) > index:
        return node.args[index]
    return node.kwargs.get(key, default)


def _is_torch_function(node):
    """Methods are fine by name; functions must come from torch or operator (a user's own
    `def add` traced as a leaf is not torch's add)."""
    if node.op == "call_method":
        return True
    module = getattr(node.target, "__module__", None) or ""
    return module.startswith("torch") or module in ("_operator", "operator") or \
        node.target in vars(operator).values()


def _what(node):
    if node.op == "call_method":
        return f"method Tensor.{node.target}"
    target = node.target
    module = getattr(target, "__module__", None) or ""
    name = getattr(target, "__name__", str(target))
    module = "operator" if module == "_operator" else module
    return f"function {module}.{name}" if module else f"function {name}"


def _where(node):
    """The module path for errors: the module itself, or the module whose forward() called
    the function."""
    if node.op == "call_module":
        return node.target
    scope = node.meta.get("opcost_scope", "")
    return f"{scope} ({node.name})" if scope else node.name


def _layer_name(node):
    if node.op == "call_module":
        return node.target
    scope = node.meta.get("opcost_scope", "")
    return f"{scope}.{node.name}" if scope else node.name
