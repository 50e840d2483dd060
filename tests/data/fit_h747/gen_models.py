#!/usr/bin/env python3
"""Writes the opcost model JSONs of the STM32H747 model-zoo rows (fit demonstration).

Architectures: MobileNet v1 (Howard et al. 2017, Table 1; Keras width rule int(c * alpha)),
MobileNet v2 (Sandler et al. 2018, Table 2; Keras make_divisible(c * alpha, 8), last conv 1280
unless alpha > 1), CIFAR ResNet v1 (He et al. 2016 section 4.2: 6n+2 layers, 16/32/64 filters,
1x1 projection shortcuts as in the Keras CIFAR-10 ResNet example). BatchNorm folded, int8.
Classifier: global average pool, fully connected, softmax. Run: python3 gen_models.py
"""
import json


def make_divisible(v, d=8):
    n = max(d, int(v + d / 2) // d * d)
    if n < 0.9 * v:
        n += d
    return n


def model(name, desc, shape, layers):
    return {"format": "opcost-model", "format_version": 1, "name": name, "description": desc,
            "dtype": "int8", "inputs": [{"name": "input", "shape": shape}], "layers": layers}


def head(layers, classes):
    layers.append({"name": "pool", "op": "global_avg_pool", "keep_dims": False})
    layers.append({"name": "fc", "op": "fully_connected", "units": classes})
    layers.append({"name": "prob", "op": "softmax"})


def mobilenet_v1(alpha, res, channels, classes):
    L = [{"name": "conv1", "op": "conv2d", "filters": int(32 * alpha), "kernel": 3, "stride": 2,
          "activation": "relu6"}]
    spec = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2)] + [(512, 1)] * 5 + \
           [(1024, 2), (1024, 1)]
    for i, (c, s) in enumerate(spec):
        L.append({"name": f"dw{i + 1}", "op": "depthwise_conv2d", "kernel": 3, "stride": s,
                  "activation": "relu6"})
        L.append({"name": f"pw{i + 1}", "op": "conv2d", "filters": int(c * alpha), "kernel": 1,
                  "activation": "relu6"})
    head(L, classes)
    return L, [1, res, res, channels]


def mobilenet_v2(alpha, res, classes):
    L = [{"name": "conv1", "op": "conv2d", "filters": make_divisible(32 * alpha), "kernel": 3,
          "stride": 2, "activation": "relu6"}]
    cin = make_divisible(32 * alpha)
    prev = "conv1"
    b = 0
    for t, c, n, s in [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
                       (6, 160, 3, 2), (6, 320, 1, 1)]:
        cout = make_divisible(c * alpha)
        for i in range(n):
            stride = s if i == 0 else 1
            first = True
            if t != 1:
                L.append({"name": f"b{b}_expand", "op": "conv2d", "inputs": [prev],
                          "filters": cin * t, "kernel": 1, "activation": "relu6"})
                first = False
            dw = {"name": f"b{b}_dw", "op": "depthwise_conv2d", "kernel": 3, "stride": stride,
                  "activation": "relu6"}
            if first:
                dw["inputs"] = [prev]
            L.append(dw)
            L.append({"name": f"b{b}_project", "op": "conv2d", "filters": cout, "kernel": 1})
            out = f"b{b}_project"
            if stride == 1 and cin == cout:
                L.append({"name": f"b{b}_add", "op": "add", "inputs": [prev, out]})
                out = f"b{b}_add"
            prev, cin = out, cout
            b += 1
    last = make_divisible(1280 * alpha) if alpha > 1.0 else 1280
    L.append({"name": "conv_last", "op": "conv2d", "inputs": [prev], "filters": last,
              "kernel": 1, "activation": "relu6"})
    head(L, classes)
    return L, [1, res, res, 3]


def resnet_cifar(n, classes):
    L = [{"name": "conv1", "op": "conv2d", "filters": 16, "kernel": 3, "activation": "relu"}]
    prev, cin = "conv1", 16
    for stage, f in enumerate([16, 32, 64]):
        for i in range(n):
            stride = 2 if stage > 0 and i == 0 else 1
            p = f"s{stage + 1}b{i + 1}"
            L.append({"name": p + "_conv1", "op": "conv2d", "inputs": [prev], "filters": f,
                      "kernel": 3, "stride": stride, "activation": "relu"})
            L.append({"name": p + "_conv2", "op": "conv2d", "filters": f, "kernel": 3})
            short = prev
            if stride != 1 or cin != f:
                L.append({"name": p + "_short", "op": "conv2d", "inputs": [prev], "filters": f,
                          "kernel": 1, "stride": stride})
                short = p + "_short"
            L.append({"name": p + "_add", "op": "add", "inputs": [short, p + "_conv2"],
                      "activation": "relu"})
            prev, cin = p + "_add", f
    L.append({"name": "pool", "op": "global_avg_pool", "keep_dims": False, "inputs": [prev]})
    L.append({"name": "fc", "op": "fully_connected", "units": classes})
    L.append({"name": "prob", "op": "softmax"})
    return L, [1, 32, 32, 3]


ROW = "../shared/measured/st_modelzoo_stm32h747_m7.csv row "
nets = [
    ("st_mbv1_025_224_flowers", "MobileNet v1 0.25 fft (flowers)", mobilenet_v1(0.25, 224, 3, 5)),
    ("st_mbv1_050_224_flowers", "MobileNet v1 0.5 fft (flowers)", mobilenet_v1(0.5, 224, 3, 5)),
    ("st_mbv1_025_96_flowers", "MobileNet v1 0.25 fft (flowers) 96x96x3",
     mobilenet_v1(0.25, 96, 3, 5)),
    ("st_mbv1_025_96_gray", "MobileNet v1 0.25 tfs grayscale (flowers) 96x96x1",
     mobilenet_v1(0.25, 96, 1, 5)),
    ("st_mbv1_025_224_imagenet", "MobileNet v1 0.25 (ImageNet, 1000 cls)",
     mobilenet_v1(0.25, 224, 3, 1000)),
    ("st_mbv1_050_224_imagenet", "MobileNet v1 0.5 (ImageNet)", mobilenet_v1(0.5, 224, 3, 1000)),
    ("st_mbv1_100_224_imagenet", "MobileNet v1 1.0 (ImageNet)", mobilenet_v1(1.0, 224, 3, 1000)),
    ("st_mbv2_035_128_flowers", "MobileNet v2 0.35 fft (flowers) 128x128x3",
     mobilenet_v2(0.35, 128, 5)),
    ("st_mbv2_035_224_flowers", "MobileNet v2 0.35 fft (flowers) 224x224x3",
     mobilenet_v2(0.35, 224, 5)),
    ("st_mbv2_035_128_imagenet", "MobileNet v2 0.35 (ImageNet) 128x128x3",
     mobilenet_v2(0.35, 128, 1000)),
    ("st_mbv2_035_224_imagenet", "MobileNet v2 0.35 (ImageNet) 224x224x3",
     mobilenet_v2(0.35, 224, 1000)),
    ("st_mbv2_100_224_imagenet", "MobileNet v2 1.0 (ImageNet)", mobilenet_v2(1.0, 224, 1000)),
    ("st_mbv2_140_224_imagenet", "MobileNet v2 1.4 (ImageNet)", mobilenet_v2(1.4, 224, 1000)),
    ("st_resnet8_cifar10", "ResNet v1 8 tfs (CIFAR-10)", resnet_cifar(1, 10)),
    ("st_resnet32_cifar100", "ResNet v1 32 tfs (CIFAR-100)", resnet_cifar(5, 100)),
]
for name, row, (layers, shape) in nets:
    desc = ("Reconstructed for the fit demonstration from the published architecture (see "
            "gen_models.py); measured on STM32H747 in " + ROW + '"' + row + '". Written by '
            "tests/data/fit_h747/gen_models.py.")
    with open(name + ".json", "w") as f:
        json.dump(model(name, desc, shape, layers), f, indent=1)
        f.write("\n")
