"""The PyTorch front door (python/opcost/torch_frontend.py): converted dicts of two bundled
networks written as nn.Modules must cost what the bundled JSON models cost; small cases against
hand-computed MACs; errors name the module path."""
import importlib.util
import json
from collections import OrderedDict
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
nn = torch.nn

REPO = Path(__file__).resolve().parents[2]

try:
    import opcost
    from opcost import torch_frontend
    NO_BINDING = ""
except ImportError as error:  # not built: the dict tests still run on the source file
    opcost = None
    NO_BINDING = (f"the opcost binding is not importable ({error}); build it and set "
                  "OPCOST_PYTHON_DIR=build/python")
    _spec = importlib.util.spec_from_file_location(
        "torch_frontend", REPO / "python" / "opcost" / "torch_frontend.py")
    torch_frontend = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(torch_frontend)

to_model_dict = torch_frontend.to_model_dict
needs_binding = pytest.mark.skipif(opcost is None, reason=NO_BINDING)


def totals(model):
    """MACs and params of a model dict or bundled model path, through the binding."""
    graph = opcost.model_from_dict(model) if isinstance(model, dict) else opcost.load_model(
        str(model))
    result = opcost.metrics(graph).to_dict()
    return result["totals"]["macs"], result["totals"]["params"]


def layers_by_op(model, op):
    return [layer for layer in model["layers"] if layer["op"] == op]


# --- MobileNetV2 as torchvision writes it ----------------------------------------------------

def make_divisible(value, divisor=8):
    """torchvision's channel rounding: nearest multiple, never below 90 % of the value."""
    rounded = max(divisor, int(value + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * value else rounded


def conv_bn_relu6(cin, cout, kernel=3, stride=1, groups=1):
    return nn.Sequential(
        nn.Conv2d(cin, cout, kernel, stride, (kernel - 1) // 2, groups=groups, bias=False),
        nn.BatchNorm2d(cout), nn.ReLU6(inplace=True))


class InvertedResidual(nn.Module):
    def __init__(self, cin, cout, stride, expansion):
        super().__init__()
        hidden = round(cin * expansion)
        self.residual = stride == 1 and cin == cout
        layers = [] if expansion == 1 else [conv_bn_relu6(cin, hidden, 1)]
        layers += [conv_bn_relu6(hidden, hidden, 3, stride, groups=hidden),
                   nn.Conv2d(hidden, cout, 1, bias=False), nn.BatchNorm2d(cout)]
        self.conv = nn.Sequential(*layers)

    def forward(self, x):
        return x + self.conv(x) if self.residual else self.conv(x)


class MobileNetV2(nn.Module):
    # (expansion, channels, repeats, first stride): Sandler et al. 2018, Table 2
    SETTINGS = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
                (6, 160, 3, 2), (6, 320, 1, 1)]

    def __init__(self, width=1.0, classes=1000):
        super().__init__()
        channels = make_divisible(32 * width)
        last = make_divisible(1280 * max(1.0, width))
        features = [conv_bn_relu6(3, channels, stride=2)]
        for expansion, base, repeats, stride in self.SETTINGS:
            out = make_divisible(base * width)
            for i in range(repeats):
                features.append(InvertedResidual(channels, out, stride if i == 0 else 1,
                                                 expansion))
                channels = out
        features.append(conv_bn_relu6(channels, last, 1))
        self.features = nn.Sequential(*features)
        self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(last, classes))

    def forward(self, x):
        x = nn.functional.adaptive_avg_pool2d(self.features(x), (1, 1))
        return self.classifier(torch.flatten(x, 1))


# --- MLPerf Tiny's image-classification ResNet-8 --------------------------------------------

class ResidualStack(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Conv2d(cin, cout, 1, stride) if stride != 1 else nn.Identity()

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return torch.relu(y + self.shortcut(x))


class ResNet8(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU())
        self.stacks = nn.Sequential(ResidualStack(16, 16, 1), ResidualStack(16, 32, 2),
                                    ResidualStack(32, 64, 2))
        self.pool = nn.AvgPool2d(8)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = self.pool(self.stacks(self.stem(x)))
        return torch.softmax(self.fc(x.view(x.size(0), -1)), dim=1)


# --- whole networks against the bundled models ----------------------------------------------

def test_mobilenet_v2_structure():
    model = to_model_dict(MobileNetV2(width=0.35), torch.zeros(1, 3, 128, 128))
    assert model["inputs"] == [{"name": "x", "shape": [1, 128, 128, 3]}]
    assert len(layers_by_op(model, "depthwise_conv2d")) == 17
    assert len(layers_by_op(model, "conv2d")) == 1 + 16 + 17 + 1  # stem, expands, projects, last
    assert len(layers_by_op(model, "add")) == 10
    assert not layers_by_op(model, "batch_norm") and not layers_by_op(model, "relu6")
    depthwise = layers_by_op(model, "depthwise_conv2d")
    assert all(layer.get("activation") == "relu6" for layer in depthwise)
    # the projections stay linear; folded BatchNorm gave every conv a bias (the default)
    by_name = {layer["name"]: layer for layer in model["layers"]}
    assert "activation" not in by_name["features.1.conv.1"]
    assert all("bias" not in layer for layer in model["layers"])
    # torch pads stride-2 3x3 convs by 1 on each side; on even inputs TF "same" pads 0 and 1,
    # so a TFLite conversion has explicit PADs: 5 stride-2 layers
    assert len(layers_by_op(model, "pad")) == 5
    assert layers_by_op(model, "global_avg_pool")[0]["keep_dims"] is False


@needs_binding
def test_mobilenet_v2_035_matches_bundled_model():
    model = to_model_dict(MobileNetV2(width=0.35), torch.zeros(1, 3, 128, 128))
    assert totals(model) == totals(REPO / "models" / "mobilenet_v2_035_128.json")


@needs_binding
def test_resnet8_matches_bundled_model():
    model = to_model_dict(ResNet8(), torch.zeros(1, 3, 32, 32), declare_shapes=True)
    assert totals(model) == totals(REPO / "models" / "mlperf_ic_resnet8.json")
    adds = layers_by_op(model, "add")
    assert len(adds) == 3 and all(add["activation"] == "relu" for add in adds)
    assert [layer["op"] for layer in model["layers"][-4:]] == [
        "avg_pool", "flatten", "fully_connected", "softmax"]


@needs_binding
def test_from_torch_returns_a_graph():
    graph = torch_frontend.from_torch(ResNet8(), torch.zeros(1, 3, 32, 32), name="r8")
    assert opcost.metrics(graph).to_dict()["totals"]["macs"] == 12501632


# --- small cases, MACs by hand ----------------------------------------------------------------

def convert_one(module, input_shape, **options):
    options.setdefault("declare_shapes", True)
    return to_model_dict(nn.Sequential(module), torch.zeros(*input_shape), **options)


SMALL_CASES = [
    # (module, NCHW input, expected ops, MACs by hand)
    (nn.Conv2d(3, 8, 3, padding=1), (1, 3, 16, 16), ["conv2d"], 16 * 16 * 8 * 3 * 3 * 3),
    # depthwise with multiplier 2, stride 2 on an odd size: torch's pad 1 is TF "same"
    (nn.Conv2d(8, 16, 3, 2, 1, groups=8), (1, 8, 15, 15), ["depthwise_conv2d"], 8 * 8 * 16 * 9),
    (nn.Conv2d(8, 16, 3, groups=2), (1, 8, 10, 10), ["conv2d"], 8 * 8 * 16 * 4 * 9),
    (nn.Conv2d(4, 4, 3, dilation=2, padding="same"), (1, 4, 9, 9), ["conv2d"], 81 * 4 * 4 * 9),
    # stride 2 on an even size: explicit pad, then a valid conv; MACs as on the padded input
    (nn.Conv2d(4, 6, 3, 2, 1), (1, 4, 8, 8), ["pad", "conv2d"], 4 * 4 * 6 * 4 * 9),
    (nn.Conv2d(4, 6, 5, 1, 1), (1, 4, 8, 8), ["pad", "conv2d"], 6 * 6 * 6 * 4 * 25),
    # Linear on [N, T, F] applies to F: rows, FC, back
    (nn.Linear(12, 7), (1, 5, 12), ["reshape", "fully_connected", "reshape"], 5 * 12 * 7),
    (nn.Linear(12, 7, bias=False), (2, 12), ["fully_connected"], 2 * 12 * 7),
    (nn.MaxPool2d(3, 2, 1), (1, 4, 16, 16), ["pad", "max_pool"], 0),
]


@pytest.mark.parametrize("module, shape, ops, macs", SMALL_CASES,
                         ids=[f"{type(c[0]).__name__}-{i}" for i, c in enumerate(SMALL_CASES)])
def test_small_case_ops(module, shape, ops, macs):
    model = convert_one(module, shape)
    assert [layer["op"] for layer in model["layers"]] == ops


@needs_binding
@pytest.mark.parametrize("module, shape, ops, macs", SMALL_CASES,
                         ids=[f"{type(c[0]).__name__}-{i}" for i, c in enumerate(SMALL_CASES)])
def test_small_case_macs(module, shape, ops, macs):
    # declare_shapes makes the loader check every converted NHWC shape against its own
    model = convert_one(module, shape)
    assert totals(model)[0] == macs


def test_depthwise_fields():
    model = convert_one(nn.Conv2d(8, 16, 3, 2, 1, groups=8, bias=False), (1, 8, 15, 15))
    assert model["layers"][0] == {"name": "0", "op": "depthwise_conv2d", "inputs": ["input"],
                                  "depth_multiplier": 2, "kernel": 3, "stride": 2, "bias": False}
    assert model["tensors"] == [{"name": "0", "shape": [1, 8, 8, 16]}]


class TwoBranches(nn.Module):
    """relu with two readers of its producer, BatchNorm after an add, cat over channels."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(4, 4, 1)
        self.relu = nn.ReLU()
        self.norm = nn.BatchNorm2d(8)

    def forward(self, x):
        y = self.conv(x)
        joined = torch.cat([self.relu(y), y + x], dim=1)
        return self.norm(joined)


def test_fusion_only_for_the_sole_consumer():
    model = to_model_dict(TwoBranches(), torch.zeros(1, 4, 6, 6), declare_shapes=True)
    ops = {layer["name"]: layer for layer in model["layers"]}
    assert "activation" not in ops["conv"]  # y is also read by the add
    assert ops["relu"]["op"] == "relu"
    assert ops["cat"]["op"] == "concat" and "axis" not in ops["cat"]  # dim 1 = NHWC channels
    assert ops["norm"]["op"] == "batch_norm"  # nothing to fold into
    assert model["outputs"] == ["norm"]


def test_cat_over_height_maps_to_nhwc_axis_1():
    class CatHeight(nn.Module):
        def forward(self, a, b):
            return torch.cat((a, b), 2)

    model = to_model_dict(CatHeight(), (torch.zeros(1, 3, 4, 5), torch.zeros(1, 3, 2, 5)))
    assert model["layers"][0]["axis"] == 1
    assert [i["shape"] for i in model["inputs"]] == [[1, 4, 5, 3], [1, 2, 5, 3]]


def test_hard_activations_map_to_their_ops():
    # MobileNetV3's activations: hard_swish and hard_sigmoid (activation category).
    for module, op in ((nn.Hardswish(), "hard_swish"), (nn.Hardsigmoid(), "hard_sigmoid")):
        model = convert_one(module, (1, 3, 4, 4), declare_shapes=False)
        assert model["layers"][0]["op"] == op
        assert "tensors" not in model


def test_dtype_option():
    assert convert_one(nn.ReLU(), (1, 2), dtype="float32")["dtype"] == "float32"
    assert convert_one(nn.ReLU(), (1, 2))["dtype"] == "int8"


def test_dict_is_json():
    model = to_model_dict(ResNet8(), torch.zeros(1, 3, 32, 32))
    assert json.loads(json.dumps(model)) == model


# --- errors ----------------------------------------------------------------------------------

def test_unsupported_module_names_its_path():
    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Sequential(nn.Conv2d(8, 8, 1), nn.Mish())

        def forward(self, x):
            return self.conv(x)

    features = nn.Sequential(nn.Identity(), nn.Identity(), nn.Identity(), Block())
    model = nn.Sequential(OrderedDict(features=features))
    with pytest.raises(ValueError, match=r"^features\.3\.conv\.1: unsupported module Mish"):
        to_model_dict(model, torch.zeros(1, 8, 4, 4))


def test_unsupported_function_names_its_module():
    class Scale(nn.Module):
        def forward(self, x):
            return x * 2.0

    model = nn.Sequential()
    model.head = nn.Sequential(nn.ReLU(), Scale())
    with pytest.raises(ValueError, match=r"^head\.1 \(mul\): function operator\.mul"):
        to_model_dict(model, torch.zeros(1, 4))


def test_unknown_function_is_an_error():
    class Gelu(nn.Module):
        def forward(self, x):
            return nn.functional.gelu(x)

    with pytest.raises(ValueError, match=r"^gelu: unsupported function torch\S*\.gelu$"):
        to_model_dict(Gelu(), torch.zeros(1, 4))


def test_untraceable_module_is_a_clear_error():
    class Branchy(nn.Module):
        def forward(self, x):
            return x if x.sum() > 0 else -x

    with pytest.raises(ValueError, match="cannot trace Branchy with torch.fx"):
        to_model_dict(Branchy(), torch.zeros(1, 4))


def test_wrong_example_input_names_the_failing_module():
    model = nn.Sequential(OrderedDict(stem=nn.Conv2d(3, 8, 3), head=nn.Flatten()))
    with pytest.raises(ValueError, match=r"^stem: the example input fails here: .*channels"):
        to_model_dict(model, torch.zeros(1, 4, 8, 8))


def test_module_with_tuple_output_is_refused():
    model = nn.Sequential(nn.Flatten(2), nn.LSTM(16, 4))
    with pytest.raises(ValueError, match=r"^1: unsupported module LSTM"):
        to_model_dict(model, torch.zeros(1, 3, 4, 4))


def test_softmax_over_space_is_refused():
    with pytest.raises(ValueError, match="softmax over dim 2"):
        convert_one(nn.Softmax(dim=2), (1, 3, 4, 4))


def test_ceil_mode_pool_that_changes_the_shape_is_refused():
    with pytest.raises(ValueError, match="ceil_mode"):
        convert_one(nn.MaxPool2d(2, ceil_mode=True), (1, 1, 5, 5))


def test_training_mode_is_restored():
    net = ResNet8().train()
    to_model_dict(net, torch.zeros(1, 3, 32, 32))
    assert net.training


class GatedProduct(nn.Module):
    def forward(self, x, y):
        return torch.relu(x * y)


def test_relu_after_mul_is_fused_like_after_add():
    # TFLite's MUL carries a fused activation as ADD does (op table: fused_activation).
    model = to_model_dict(GatedProduct(), (torch.zeros(1, 4, 4, 3), torch.zeros(1, 4, 4, 3)),
                          declare_shapes=True)
    assert [layer["op"] for layer in model["layers"]] == ["mul"]
    assert model["layers"][0]["activation"] == "relu"
