"""Makes the ONNX test models of tests/onnx/ (run with Debian's /usr/bin/python3, which has
python3-torch and python3-onnx):  /usr/bin/python3 tests/data/onnx/make_models.py

Float models come from torch.onnx.export (opset 13, eval mode, so the exporter folds
BatchNorm into the convs); the QDQ twins are made from them with onnx.helper (Debian has no
onnxruntime quantizer): weights become int8 per-channel initializers behind
DequantizeLinear, biases int32, and every activation gets a QuantizeLinear/DequantizeLinear
pair with a fixed scale (a stand-in for calibration: costs depend on types and shapes only).
The networks match the bundled JSON models layer by layer (models/*.json). Small models
exercise the importer's other paths (QOperator, BatchNorm folding, external data, dynamic
batch) and broken files its errors. Weights are random with a fixed seed."""
import os
import sys

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

nn = torch.nn
HERE = os.path.dirname(os.path.abspath(__file__))
OPSET = 13
torch.manual_seed(0)
RNG = np.random.default_rng(0)


# --- the networks -------------------------------------------------------------------------

def make_divisible(value, divisor=8):
    rounded = max(divisor, int(value + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * value else rounded


def conv_bn(cin, cout, kernel, stride=1, groups=1, padding=None, act="relu6"):
    padding = (kernel - 1) // 2 if padding is None else padding
    layers = [nn.Conv2d(cin, cout, kernel, stride, padding, groups=groups, bias=False),
              nn.BatchNorm2d(cout)]
    if act == "relu6":
        layers.append(nn.ReLU6())
    elif act == "relu":
        layers.append(nn.ReLU())
    return nn.Sequential(*layers)


class InvertedResidual(nn.Module):
    def __init__(self, cin, cout, stride, expansion):
        super().__init__()
        hidden = round(cin * expansion)
        self.residual = stride == 1 and cin == cout
        layers = [] if expansion == 1 else [conv_bn(cin, hidden, 1)]
        layers += [conv_bn(hidden, hidden, 3, stride, groups=hidden),
                   conv_bn(hidden, cout, 1, act=None)]
        self.conv = nn.Sequential(*layers)

    def forward(self, x):
        return x + self.conv(x) if self.residual else self.conv(x)


class MobileNetV2(nn.Module):
    """models/mobilenet_v2_035_128.json: width 0.35, 128x128, global mean, FC 1000, softmax."""
    SETTINGS = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
                (6, 160, 3, 2), (6, 320, 1, 1)]

    def __init__(self, width=0.35, classes=1000):
        super().__init__()
        channels = make_divisible(32 * width)
        features = [conv_bn(3, channels, 3, 2)]
        for expansion, base, repeats, stride in self.SETTINGS:
            out = make_divisible(base * width)
            for i in range(repeats):
                features.append(InvertedResidual(channels, out, stride if i == 0 else 1,
                                                 expansion))
                channels = out
        features.append(conv_bn(channels, 1280, 1))
        self.features = nn.Sequential(*features)
        self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(1280, classes))

    def forward(self, x):
        x = self.features(x).mean([2, 3])  # ReduceMean over H, W: global_avg_pool
        return torch.softmax(self.classifier(x), dim=1)


class ResidualStack(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = conv_bn(cin, cout, 3, stride, act="relu")
        self.conv2 = conv_bn(cout, cout, 3, act=None)
        self.shortcut = nn.Conv2d(cin, cout, 1, stride) if stride != 1 else nn.Identity()

    def forward(self, x):
        return torch.relu(self.conv2(self.conv1(x)) + self.shortcut(x))


class ResNet8(nn.Module):
    """models/mlperf_ic_resnet8.json."""

    def __init__(self):
        super().__init__()
        self.stem = conv_bn(3, 16, 3, act="relu")
        self.stacks = nn.Sequential(ResidualStack(16, 16, 1), ResidualStack(16, 32, 2),
                                    ResidualStack(32, 64, 2))
        self.pool = nn.AvgPool2d(8)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = torch.flatten(self.pool(self.stacks(self.stem(x))), 1)
        return torch.softmax(self.fc(x), dim=1)


class DsCnn(nn.Module):
    """models/mlperf_kws_ds_cnn.json. The first conv's TF SAME padding (4/5 rows, 1/1 columns)
    is written as symmetric padding (5, 1): the same 25x5 output, so the same costs."""

    def __init__(self):
        super().__init__()
        layers = [conv_bn(1, 64, (10, 4), 2, padding=(5, 1), act="relu")]
        for _ in range(4):
            layers += [conv_bn(64, 64, 3, groups=64, act="relu"), conv_bn(64, 64, 1, act="relu")]
        self.features = nn.Sequential(*layers)
        self.pool = nn.AvgPool2d((25, 5))
        self.fc = nn.Linear(64, 12)

    def forward(self, x):
        x = torch.flatten(self.pool(self.features(x)), 1)
        return torch.softmax(self.fc(x), dim=1)


# models/nas_cell.json: node j sums one edge from every earlier node, in this order.
NAS_EDGES = {2: ["dw", "c3"], 3: ["c3", "c1", "dw"], 4: ["c1", "dw", "c3", "c1"],
             5: ["dw", "c3", "c1", "dw", "c3"], 6: ["c3", "c1", "dw", "c3", "c1", "dw"]}


def nas_edge(kind):
    conv = {"c1": nn.Conv2d(32, 32, 1), "c3": nn.Conv2d(32, 32, 3, padding=1),
            "dw": nn.Conv2d(32, 32, 3, padding=1, groups=32)}[kind]
    return nn.Sequential(conv, nn.ReLU())


class NasCell(nn.Module):
    def __init__(self):
        super().__init__()
        self.n1 = nas_edge("c1")
        self.edges = nn.ModuleDict({str(j): nn.ModuleList(nas_edge(k) for k in kinds)
                                    for j, kinds in NAS_EDGES.items()})

    def forward(self, x):
        nodes = [x, self.n1(x)]
        for j in range(2, 7):
            edges = self.edges[str(j)]
            acc = edges[0](nodes[0])
            for i in range(1, j):
                acc = acc + edges[i](nodes[i])
            nodes.append(acc)
        return nodes[6]


def randomize_bn(module):
    """Non-trivial BatchNorm statistics, so folding changes the weights."""
    for m in module.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 2.0)
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.2, 0.2)
    return module.eval()


def export(module, shape, name, dynamic_batch=False, zero_weights=False):
    path = os.path.join(HERE, name)
    if zero_weights:  # periodic weights: a 5 MB float file that git compresses to little
        for k, p in enumerate(module.parameters()):
            pattern = (torch.arange(p.numel()) % 13 - 6).float().reshape(p.shape)
            p.data = pattern * 0.01 * (1 + 0.001 * k)  # distinct, or torch dedupes them
    kwargs = {}
    if dynamic_batch:
        kwargs["dynamic_axes"] = {"input": {0: "batch"}, "output": {0: "batch"}}
    torch.onnx.export(module.eval() if zero_weights else randomize_bn(module), torch.zeros(*shape), path, opset_version=OPSET,
                      input_names=["input"], output_names=["output"], do_constant_folding=True,
                      **kwargs)
    model = onnx.shape_inference.infer_shapes(onnx.load(path))
    onnx.checker.check_model(model)
    onnx.save(model, path)
    return model


# --- QDQ from a float model ---------------------------------------------------------------

ACT_SCALE = 0.05  # one fixed activation scale: a stand-in for calibration


def to_qdq(model, name):
    g = model.graph
    inits = {t.name: t for t in g.initializer}
    for node in g.node:  # torch shares equal initializers through Identity nodes
        if node.op_type == "Identity" and node.input[0] in inits:
            inits[node.output[0]] = inits[node.input[0]]
    consumers = {}
    for node in g.node:
        for i in node.input:
            consumers.setdefault(i, []).append(node)
    new_inits = [t for t in g.initializer]
    nodes = []
    scale = helper.make_tensor("act_scale", TensorProto.FLOAT, [], [ACT_SCALE])
    zero = helper.make_tensor("act_zero", TensorProto.INT8, [], [0])
    new_inits += [scale, zero]
    renamed = {}  # float value -> the DQ output that replaces it for consumers

    def qdq(value, dq=None):
        q, dq = value + "_q", dq or value + "_dq"
        nodes.append(helper.make_node("QuantizeLinear", [value, "act_scale", "act_zero"], [q]))
        nodes.append(helper.make_node("DequantizeLinear", [q, "act_scale", "act_zero"], [dq]))
        renamed[value] = dq

    # The graph input becomes int8, dequantized once.
    x = g.input[0]
    in_q = x.name + "_int8"
    nodes.append(helper.make_node("DequantizeLinear", [in_q, "act_scale", "act_zero"],
                                  [x.name + "_dq"]))
    renamed[x.name] = x.name + "_dq"
    in_shape = [d.dim_param or d.dim_value for d in x.type.tensor_type.shape.dim]

    def quantize_weights(node):
        """Conv W / Gemm B -> int8 per output channel; bias -> int32 at in x w scale."""
        w_name = node.input[1]
        w = numpy_helper.to_array(inits[w_name])
        axis = 0 if node.op_type == "Conv" or _trans_b(node) else 1
        reduce_axes = tuple(a for a in range(w.ndim) if a != axis)
        w_scale = np.maximum(np.abs(w).max(axis=reduce_axes), 1e-8) / 127.0
        shape = [1] * w.ndim
        shape[axis] = -1
        wq = np.clip(np.round(w / w_scale.reshape(shape)), -127, 127).astype(np.int8)
        prefix = w_name + "_q"
        new_inits.extend([numpy_helper.from_array(wq, prefix),
                          numpy_helper.from_array(w_scale.astype(np.float32), prefix + "_scale"),
                          numpy_helper.from_array(np.zeros(len(w_scale), np.int8), prefix + "_zero")])
        nodes.append(helper.make_node("DequantizeLinear", [prefix, prefix + "_scale", prefix + "_zero"],
                                      [prefix + "_dq"], axis=axis))
        inputs = [renamed.get(node.input[0], node.input[0]), prefix + "_dq"]
        if len(node.input) > 2 and node.input[2]:
            b = numpy_helper.to_array(inits[node.input[2]])
            b_scale = (ACT_SCALE * w_scale).astype(np.float32)
            bq = np.round(b / b_scale).astype(np.int32)
            bp = node.input[2] + "_q"
            new_inits.extend([numpy_helper.from_array(bq, bp),
                              numpy_helper.from_array(b_scale, bp + "_scale"),
                              numpy_helper.from_array(np.zeros(len(b_scale), np.int32), bp + "_zero")])
            nodes.append(helper.make_node("DequantizeLinear", [bp, bp + "_scale", bp + "_zero"],
                                          [bp + "_dq"], axis=0))
            inputs.append(bp + "_dq")
        return inputs

    graph_outputs = {o.name for o in g.output}
    for node in g.node:
        if node.op_type in ("Conv", "Gemm"):
            inputs = quantize_weights(node)
        else:
            inputs = [renamed.get(i, i) for i in node.input]
        # A graph output keeps its name: the op writes a float copy, the last DQ the output.
        outs = [o + "_float" if o in graph_outputs else o for o in node.output]
        nodes.append(helper.make_node(node.op_type, inputs, outs, name=node.name,
                                      **{a.name: helper.get_attribute_value(a)
                                         for a in node.attribute}))
        if node.op_type == "Constant":
            continue  # parameters (shapes, axes), not activations
        for out, written in zip(node.output, outs):
            users = consumers.get(out, [])
            # As onnxruntime's QDQ: no pair between an op and the ReLU/Clip fused into it.
            if len(users) == 1 and users[0].op_type in ("Relu", "Clip") and out not in graph_outputs:
                continue
            qdq(written, out if out in graph_outputs else None)
            renamed[out] = renamed.pop(written)
    outputs = list(g.output)
    used = {i for n in nodes for i in n.input}
    inits_out = [t for t in new_inits if t.name in used]
    graph = helper.make_graph(nodes, g.name + "_qdq",
                              [helper.make_tensor_value_info(in_q, TensorProto.INT8, in_shape)],
                              outputs, inits_out)
    qmodel = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                               producer_name="opcost make_models.py (QDQ)")
    qmodel.ir_version = model.ir_version
    qmodel = onnx.shape_inference.infer_shapes(qmodel)
    onnx.checker.check_model(qmodel)
    onnx.save(qmodel, os.path.join(HERE, name))


def _trans_b(node):
    return any(a.name == "transB" and a.i == 1 for a in node.attribute)


# --- small models built with onnx.helper --------------------------------------------------

def save(graph, name, opset=OPSET, check=True):
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                              producer_name="opcost make_models.py")
    model.ir_version = 8
    if check:
        model = onnx.shape_inference.infer_shapes(model)
        onnx.checker.check_model(model)
    onnx.save(model, os.path.join(HERE, name))


def weights(name, shape, dtype=np.float32):
    return numpy_helper.from_array(RNG.uniform(-1, 1, shape).astype(dtype), name)


def vi(name, dtype, shape):
    return helper.make_tensor_value_info(name, dtype, shape)


def make_batchnorm_model():
    """Conv (no bias) -> BatchNormalization -> Relu: folded; a BN after Add is not."""
    c = 8
    inits = [weights("w", [c, 3, 3, 3]), weights("gamma", [c]), weights("beta", [c]),
             weights("mean", [c]),
             numpy_helper.from_array(RNG.uniform(0.5, 2, [c]).astype(np.float32), "var"),
             weights("gamma2", [c]), weights("beta2", [c]), weights("mean2", [c]),
             numpy_helper.from_array(RNG.uniform(0.5, 2, [c]).astype(np.float32), "var2")]
    nodes = [helper.make_node("Conv", ["x", "w"], ["conv"], name="conv", pads=[1, 1, 1, 1]),
             helper.make_node("BatchNormalization", ["conv", "gamma", "beta", "mean", "var"],
                              ["bn"], name="bn", epsilon=1e-3),
             helper.make_node("Relu", ["bn"], ["relu"], name="relu"),
             helper.make_node("Add", ["relu", "relu"], ["sum"], name="sum"),
             helper.make_node("BatchNormalization", ["sum", "gamma2", "beta2", "mean2", "var2"],
                              ["y"], name="bn2")]
    save(helper.make_graph(nodes, "bn", [vi("x", TensorProto.FLOAT, [1, 3, 8, 8])],
                           [vi("y", TensorProto.FLOAT, [1, c, 8, 8])], inits), "batchnorm.onnx")


def make_hard_activation_model():
    """MobileNetV3's activations: Conv -> HardSwish -> HardSigmoid (torch's alpha 1/6)."""
    nodes = [helper.make_node("Conv", ["x", "w"], ["conv"], name="conv", pads=[1, 1, 1, 1]),
             helper.make_node("HardSwish", ["conv"], ["hs"], name="hs"),
             helper.make_node("HardSigmoid", ["hs"], ["y"], name="hsig", alpha=1 / 6, beta=0.5)]
    save(helper.make_graph(nodes, "hard", [vi("x", TensorProto.FLOAT, [1, 3, 8, 8])],
                           [vi("y", TensorProto.FLOAT, [1, 4, 8, 8])], [weights("w", [4, 3, 3, 3])]),
         "hard_activations.onnx", opset=14)


def make_qoperator_model():
    """QLinearConv -> QLinearConv (depthwise) -> QLinearAdd (com.microsoft) -> ConvInteger,
    and Flatten -> QLinearMatMul / MatMulInteger."""
    f, u8, i8, i32 = TensorProto.FLOAT, TensorProto.UINT8, TensorProto.INT8, TensorProto.INT32

    def scalar(name, dtype, value):
        return helper.make_tensor(name, dtype, [], [value])

    inits = [scalar("s", f, 0.02), scalar("z", u8, 128), scalar("ws", f, 0.01),
             scalar("wz", i8, 0),
             numpy_helper.from_array(RNG.integers(-127, 127, [16, 3, 3, 3]).astype(np.int8), "w1"),
             numpy_helper.from_array(RNG.integers(-1000, 1000, [16]).astype(np.int32), "b1"),
             numpy_helper.from_array(RNG.integers(-127, 127, [16, 1, 3, 3]).astype(np.int8), "w2"),
             numpy_helper.from_array(RNG.integers(-127, 127, [8, 16, 1, 1]).astype(np.int8), "w3"),
             numpy_helper.from_array(RNG.integers(-127, 127, [16 * 8 * 8, 10]).astype(np.int8),
                                     "fc"),
             numpy_helper.from_array(RNG.integers(0, 255, [16 * 8 * 8, 4]).astype(np.uint8),
                                     "fc2"),
             scalar("fz", u8, 0)]
    nodes = [
        helper.make_node("QLinearConv", ["x", "s", "z", "w1", "ws", "wz", "s", "z", "b1"], ["c1"],
                         name="qconv", pads=[1, 1, 1, 1]),
        helper.make_node("QLinearConv", ["c1", "s", "z", "w2", "ws", "wz", "s", "z"], ["c2"],
                         name="qdw", group=16, pads=[1, 1, 1, 1]),
        helper.make_node("QLinearAdd", ["c1", "s", "z", "c2", "s", "z", "s", "z"], ["sum"],
                         name="qadd", domain="com.microsoft"),
        helper.make_node("ConvInteger", ["sum", "w3", "z", "wz"], ["c3"], name="convint"),
        helper.make_node("Flatten", ["sum"], ["flat"], name="flatten"),
        helper.make_node("QLinearMatMul", ["flat", "s", "z", "fc", "ws", "wz", "s", "z"], ["y"],
                         name="qfc"),
        helper.make_node("MatMulInteger", ["flat", "fc2", "z", "fz"], ["y2"], name="matint"),
    ]
    graph = helper.make_graph(nodes, "qop", [vi("x", u8, [1, 3, 8, 8])],
                              [vi("y", u8, [1, 10]), vi("y2", i32, [1, 4]),
                               vi("c3", i32, [1, 8, 8, 8])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET),
                                                    helper.make_opsetid("com.microsoft", 1)],
                              producer_name="opcost make_models.py")
    model.ir_version = 8
    onnx.save(model, os.path.join(HERE, "qoperator.onnx"))


def make_external_data_model():
    """A conv whose weights live in weights.bin next to the model (onnx's external data)."""
    inits = [weights("w", [16, 3, 3, 3]), weights("b", [16])]
    nodes = [helper.make_node("Conv", ["x", "w", "b"], ["y"], name="conv", pads=[1, 1, 1, 1])]
    graph = helper.make_graph(nodes, "ext", [vi("x", TensorProto.FLOAT, [1, 3, 8, 8])],
                              [vi("y", TensorProto.FLOAT, [1, 16, 8, 8])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 8
    onnx.save(model, os.path.join(HERE, "external_data.onnx"), save_as_external_data=True,
              all_tensors_to_one_file=True, location="external_data.bin", size_threshold=0)
    # The same with a location escaping the model's directory.
    for t in model.graph.initializer:
        for e in t.external_data:
            if e.key == "location":
                e.value = "../external_data.bin"
    onnx.save(model, os.path.join(HERE, "bad", "external_escape.onnx"))


def make_bad_models():
    """Valid protobuf, invalid models: each pins one importer error (tests/onnx)."""
    f = TensorProto.FLOAT
    x = vi("x", f, [1, 3, 8, 8])
    w = weights("w", [4, 3, 3, 3])
    bad = os.path.join(HERE, "bad")

    def raw(name, nodes, inputs=None, outputs=None, inits=None, value_info=None):
        graph = helper.make_graph(nodes, name, inputs or [x], outputs or [vi("y", f, None)],
                                  inits or [], value_info=value_info or [])
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
        model.ir_version = 8
        onnx.save(model, os.path.join(bad, name + ".onnx"))

    raw("cycle", [helper.make_node("Relu", ["b"], ["a"], name="r1"),
                  helper.make_node("Relu", ["a"], ["b"], name="r2"),
                  helper.make_node("Add", ["x", "b"], ["y"], name="add")])
    raw("missing_initializer", [helper.make_node("Conv", ["x", "w_missing"], ["y"], name="conv")])
    raw("unsupported_op", [helper.make_node("Resize", ["x", "", "scales"], ["y"], name="up")],
        inits=[helper.make_tensor("scales", f, [4], [1, 1, 2, 2])],
        outputs=[vi("y", f, [1, 3, 16, 16])])
    raw("dynamic_dim", [helper.make_node("Relu", ["x"], ["y"], name="relu")],
        inputs=[vi("x", f, [1, 3, "height", 8])])
    raw("overflow_shape", [helper.make_node("Relu", ["x"], ["y"], name="relu")],
        inputs=[vi("x", f, [1, 2**40, 2**30, 8])])
    big = TensorProto(name="w", data_type=f, dims=[2**31, 2**31, 4, 4])
    raw("overflow_initializer", [helper.make_node("Conv", ["x", "w"], ["y"], name="conv")],
        inits=[big])
    raw("subgraph", [helper.make_node(
        "If", ["cond"], ["y"], name="branch",
        then_branch=helper.make_graph([helper.make_node("Identity", ["x"], ["t"])], "then", [],
                                      [vi("t", f, [1, 3, 8, 8])]),
        else_branch=helper.make_graph([helper.make_node("Identity", ["x"], ["e"])], "else", [],
                                      [vi("e", f, [1, 3, 8, 8])]))],
        inits=[helper.make_tensor("cond", TensorProto.BOOL, [], [True])])
    raw("shape_mismatch", [helper.make_node("Conv", ["x", "w"], ["y"], name="conv")],
        inits=[w], outputs=[vi("y", f, [1, 4, 8, 8])])  # valid conv gives 6x6
    raw("wrong_data_size", [helper.make_node("Conv", ["x", "w"], ["y"], name="conv")],
        inits=[TensorProto(name="w", data_type=f, dims=[4, 3, 3, 3],
                           raw_data=np.zeros(10, np.float32).tobytes())])


def main():
    os.makedirs(os.path.join(HERE, "bad"), exist_ok=True)
    nets = [(MobileNetV2(), (1, 3, 128, 128), "mobilenet_v2_035_128"),
            (ResNet8(), (1, 3, 32, 32), "mlperf_ic_resnet8"),
            (DsCnn(), (1, 1, 49, 10), "mlperf_kws_ds_cnn"),
            (NasCell(), (1, 32, 16, 16), "nas_cell")]
    for module, shape, name in nets:
        model = export(module, shape, name + ".onnx", dynamic_batch=name == "mlperf_ic_resnet8",
                       zero_weights=name.startswith("mobilenet"))
        to_qdq(model, name + "_qdq.onnx")
    make_batchnorm_model()
    make_hard_activation_model()
    make_qoperator_model()
    make_external_data_model()
    make_bad_models()
    print("wrote", sorted(os.listdir(HERE)), file=sys.stderr)


if __name__ == "__main__":
    main()
