#!/usr/bin/env python3
"""Exports the test model zoo of MLNet.CnnDiagnostics (issues 12 and 13).

Every model is a small torchvision architecture (or a small hand-written CNN) with seeded random weights,
exported to ONNX at opsets 11 and 17, plus float64 reference data computed by PyTorch autograd:
the input, the logits, and the input gradient of sum_batch logit[3].  Only the MNIST CNN is trained
(briefly, on the repository's MNIST test digits).  Nothing is downloaded.

Run from the repository root (about 40 s on 2 idle CPU cores, ~2 min of CPU time):

    /usr/bin/python3 tests/zoo/export_zoo.py

Needs torch (1.13), torchvision (0.14), onnx (1.12) and numpy.  onnxruntime is NOT needed and never imported:
the ONNX files are checked with onnx.checker and onnx.shape_inference only; their agreement with the
references is checked on the C# side (ONNX Runtime).
"""
import argparse
import copy
import gzip
import io
import importlib.util
import json
import os
import re
import sys
import time
import warnings
import zlib
from collections import defaultdict

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
import onnx
from onnx import helper, shape_inference

from torchvision.models.resnet import ResNet, BasicBlock
from torchvision.models.mobilenetv2 import MobileNetV2
from torchvision.models.mobilenetv3 import MobileNetV3, _mobilenet_v3_conf
from torchvision.models.efficientnet import EfficientNet, _efficientnet_conf
from torchvision.models.squeezenet import SqueezeNet, Fire
from torchvision.models.shufflenetv2 import ShuffleNetV2
from torchvision.models.densenet import DenseNet
from torchvision.models.googlenet import GoogLeNet, Inception, BasicConv2d
from torchvision.models.regnet import RegNet, BlockParams
from torchvision.models.convnext import ConvNeXt, CNBlockConfig, CNBlock
from torchvision.ops.misc import Conv2dNormActivation

OPSETS = [11, 17]
NUM_CLASSES = 10
TARGET_CLASS = 3
REF_BATCH = 2
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))


def seed_of(name):
    return zlib.crc32(name.encode()) & 0x7FFFFFFF


# ----------------------------------------------------------------------------------------------------------------
# Shrunk torchvision architectures (torchvision 0.14 has no width argument for these: built from its classes).
# ----------------------------------------------------------------------------------------------------------------

class SmallResNet(ResNet):
    """torchvision ResNet(BasicBlock, [1,1,1,1]) with widths 16/32/64/128 instead of 64/128/256/512."""

    def __init__(self, widths=(16, 32, 64, 128), layers=(1, 1, 1, 1), num_classes=NUM_CLASSES):
        nn.Module.__init__(self)
        self._norm_layer = nn.BatchNorm2d
        self.inplanes = widths[0]
        self.dilation = 1
        self.groups = 1
        self.base_width = 64
        self.conv1 = nn.Conv2d(3, self.inplanes, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(self.inplanes)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(BasicBlock, widths[0], layers[0])
        self.layer2 = self._make_layer(BasicBlock, widths[1], layers[1], stride=2)
        self.layer3 = self._make_layer(BasicBlock, widths[2], layers[2], stride=2)
        self.layer4 = self._make_layer(BasicBlock, widths[3], layers[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(widths[3] * BasicBlock.expansion, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")


class SmallSqueezeNet(SqueezeNet):
    """torchvision SqueezeNet 1_1 with every width divided by `div` (head: Dropout, 1x1 Conv, ReLU, global pool)."""

    def __init__(self, num_classes=NUM_CLASSES, div=2):
        nn.Module.__init__(self)
        self.num_classes = num_classes
        d = lambda c: c // div  # noqa: E731
        self.features = nn.Sequential(
            nn.Conv2d(3, d(64), kernel_size=3, stride=2),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True),
            Fire(d(64), d(16), d(64), d(64)),
            Fire(d(128), d(16), d(64), d(64)),
            nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True),
            Fire(d(128), d(32), d(128), d(128)),
            Fire(d(256), d(32), d(128), d(128)),
            nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True),
            Fire(d(256), d(48), d(192), d(192)),
            Fire(d(384), d(48), d(192), d(192)),
            Fire(d(384), d(64), d(256), d(256)),
            Fire(d(512), d(64), d(256), d(256)),
        )
        final_conv = nn.Conv2d(d(512), num_classes, kernel_size=1)
        self.classifier = nn.Sequential(nn.Dropout(p=0.5), final_conv, nn.ReLU(inplace=True), nn.AdaptiveAvgPool2d((1, 1)))
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                if m is final_conv:
                    nn.init.normal_(m.weight, mean=0.0, std=0.01)
                else:
                    nn.init.kaiming_uniform_(m.weight)
                if m.bias is not None:
                    nn.init.constant_(m.bias, 0)


class SmallGoogLeNet(GoogLeNet):
    """torchvision GoogLeNet (aux_logits=False, init_weights=True) with every width divided by `div`."""

    def __init__(self, num_classes=NUM_CLASSES, div=8):
        nn.Module.__init__(self)
        d = lambda c: c // div  # noqa: E731
        self.aux_logits = False
        self.transform_input = False
        self.conv1 = BasicConv2d(3, d(64), kernel_size=7, stride=2, padding=3)
        self.maxpool1 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.conv2 = BasicConv2d(d(64), d(64), kernel_size=1)
        self.conv3 = BasicConv2d(d(64), d(192), kernel_size=3, padding=1)
        self.maxpool2 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        inc = lambda *c: Inception(*[d(x) for x in c])  # noqa: E731
        self.inception3a = inc(192, 64, 96, 128, 16, 32, 32)
        self.inception3b = inc(256, 128, 128, 192, 32, 96, 64)
        self.maxpool3 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.inception4a = inc(480, 192, 96, 208, 16, 48, 64)
        self.inception4b = inc(512, 160, 112, 224, 24, 64, 64)
        self.inception4c = inc(512, 128, 128, 256, 24, 64, 64)
        self.inception4d = inc(512, 112, 144, 288, 32, 64, 64)
        self.inception4e = inc(528, 256, 160, 320, 32, 128, 128)
        self.maxpool4 = nn.MaxPool2d(2, stride=2, ceil_mode=True)
        self.inception5a = inc(832, 256, 160, 320, 32, 128, 128)
        self.inception5b = inc(832, 384, 192, 384, 48, 128, 128)
        self.aux1 = None
        self.aux2 = None
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.dropout = nn.Dropout(p=0.2)
        self.fc = nn.Linear(d(1024), num_classes)
        for m in self.modules():  # init_weights=True
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                torch.nn.init.trunc_normal_(m.weight, mean=0.0, std=0.01, a=-2, b=2)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)


# ----------------------------------------------------------------------------------------------------------------
# Small hand-written CNNs.
# ----------------------------------------------------------------------------------------------------------------

class KerasStyleNhwcCnn(nn.Module):
    """Input [N,H,W,3] then Transpose to NCHW, as tf2onnx exports of Keras models look: Conv/ReLU/MaxPool twice,
    Transpose back to NHWC, Reshape to [-1, k] (Keras Flatten), Dense layers as MatMul + Add."""

    def __init__(self, hw=32):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.flat = (hw // 4) * (hw // 4) * 32
        self.w1 = nn.Parameter(torch.randn(self.flat, 64) * (2.0 / self.flat) ** 0.5)
        self.b1 = nn.Parameter(torch.randn(64) * 0.1)
        self.w2 = nn.Parameter(torch.randn(64, NUM_CLASSES) * (1.0 / 64) ** 0.5)
        self.b2 = nn.Parameter(torch.randn(NUM_CLASSES) * 0.1)

    def forward(self, x):
        x = x.permute(0, 3, 1, 2)
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.permute(0, 2, 3, 1).reshape(-1, self.flat)
        x = F.relu(torch.matmul(x, self.w1) + self.b1)
        return torch.matmul(x, self.w2) + self.b2


class SoftmaxCnn(nn.Module):
    """Conv/ReLU/AvgPool, strided Conv/ReLU, Flatten, Linear, then Softmax: the output is probabilities."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1, stride=2)
        self.fc = nn.Linear(32 * 8 * 8, NUM_CLASSES)
        with torch.no_grad():  # logits of a few units, so the Softmax is neither flat nor saturated
            self.fc.weight.mul_(6.0)

    def forward(self, x):
        x = F.avg_pool2d(F.relu(self.conv1(x)), 2)
        x = F.relu(self.conv2(x))
        return torch.softmax(self.fc(torch.flatten(x, 1)), dim=1)


class MnistCnn(nn.Module):
    """Grayscale 28x28: (Conv3x3, ReLU, MaxPool2) x2, Flatten, Gemm, ReLU, Gemm."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc1 = nn.Linear(32 * 7 * 7, 64)
        self.fc2 = nn.Linear(64, NUM_CLASSES)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        return self.fc2(F.relu(self.fc1(x)))


# ----------------------------------------------------------------------------------------------------------------
# Builders: name -> (model, per-item input shape, layout, notes)
# ----------------------------------------------------------------------------------------------------------------

def build_resnet():
    return SmallResNet(), (3, 64, 64), "nchw", ["torchvision ResNet(BasicBlock,[1,1,1,1]), widths 16/32/64/128"]


def build_mobilenet_v2():
    m = MobileNetV2(num_classes=NUM_CLASSES, width_mult=0.25)
    # width_mult never shrinks the 1280-wide last conv; replace it (and the classifier) with a 256-wide one.
    last_in = m.features[-1][0].in_channels
    m.features[-1] = Conv2dNormActivation(last_in, 256, kernel_size=1, norm_layer=nn.BatchNorm2d, activation_layer=nn.ReLU6)
    m.last_channel = 256
    m.classifier[1] = nn.Linear(256, NUM_CLASSES)
    return m, (3, 64, 64), "nchw", ["torchvision MobileNetV2 width_mult=0.25, last conv 256 wide", "ReLU6 -> Clip"]


def build_mobilenet_v3_small():
    setting, last_channel = _mobilenet_v3_conf("mobilenet_v3_small", width_mult=0.25)
    m = MobileNetV3(setting, last_channel, num_classes=NUM_CLASSES)
    return m, (3, 64, 64), "nchw", ["torchvision MobileNetV3-small width_mult=0.25",
                                    "HardSwish, HardSigmoid, squeeze-excitation"]


def build_efficientnet():
    setting, last_channel = _efficientnet_conf("efficientnet_b0", width_mult=0.25, depth_mult=0.5)
    m = EfficientNet(setting, dropout=0.2, stochastic_depth_prob=0.2, num_classes=NUM_CLASSES, last_channel=last_channel)
    return m, (3, 64, 64), "nchw", ["torchvision EfficientNet-B0 config, width_mult=0.25 depth_mult=0.5",
                                    "SiLU (Sigmoid*x), squeeze-excitation"]


def build_squeezenet():
    return SmallSqueezeNet(), (3, 64, 64), "nchw", ["torchvision SqueezeNet 1_1, widths halved",
                                                    "head without Gemm: Conv -> ReLU -> GlobalAveragePool -> Flatten"]


def build_shufflenet():
    m = ShuffleNetV2([2, 2, 2], [16, 32, 64, 128, 256], num_classes=NUM_CLASSES)
    return m, (3, 64, 64), "nchw", ["torchvision ShuffleNetV2, repeats [2,2,2], channels [16,32,64,128,256]",
                                    "channel split (chunk) and channel shuffle (Reshape/Transpose); global pool is ReduceMean"]


def build_densenet():
    m = DenseNet(growth_rate=8, block_config=(2, 2, 2, 2), num_init_features=16, bn_size=2, num_classes=NUM_CLASSES)
    return m, (3, 64, 64), "nchw", ["torchvision DenseNet growth_rate=8 block_config=(2,2,2,2)",
                                    "pre-activation BatchNormalization after Concat (not folded into Conv)"]


def build_googlenet():
    return SmallGoogLeNet(div=8), (3, 64, 64), "nchw", ["torchvision GoogLeNet aux_logits=False init_weights=True, all widths / 8",
                                                        "MaxPool ceil_mode=1"]


def build_regnet():
    bp = BlockParams(depths=[1, 1, 2, 1], widths=[16, 32, 64, 128], group_widths=[8, 8, 8, 8],
                     bottleneck_multipliers=[1.0] * 4, strides=[2] * 4, se_ratio=0.25)
    m = RegNet(bp, num_classes=NUM_CLASSES, stem_width=16)
    return m, (3, 64, 64), "nchw", ["torchvision RegNet (Y-style: SE), depths [1,1,2,1], widths [16,32,64,128], group width 8",
                                    "grouped Conv"]


def build_convnext():
    setting = [CNBlockConfig(16, 32, 1), CNBlockConfig(32, 48, 1), CNBlockConfig(48, 64, 2), CNBlockConfig(64, None, 1)]
    m = ConvNeXt(setting, stochastic_depth_prob=0.1, layer_scale=0.5, num_classes=NUM_CLASSES)
    return m, (3, 64, 64), "nchw", ["torchvision ConvNeXt, CNBlockConfig channels 16/32/48/64, depths [1,1,2,1]",
                                    "LayerNorm2d (Permute, LayerNorm, Permute), GELU (exact, Erf), layer scale (Mul)",
                                    "Linear on 4-D tensors -> MatMul + Add"]


def build_keras_nhwc():
    return KerasStyleNhwcCnn(32), (32, 32, 3), "nhwc", ["channels-last input [N,H,W,3] then Transpose to NCHW (tf2onnx/Keras style)",
                                                         "Transpose back to NHWC, Reshape [-1,k], Dense as MatMul + Add"]


def build_softmax_cnn():
    return SoftmaxCnn(), (3, 32, 32), "nchw", ["ends in Softmax: output 'logits' holds probabilities", "AveragePool, strided Conv, no global pool"]


BUILDERS = [
    ("resnet", build_resnet),
    ("mobilenet_v2", build_mobilenet_v2),
    ("mobilenet_v3_small", build_mobilenet_v3_small),
    ("efficientnet_b0", build_efficientnet),
    ("squeezenet1_1", build_squeezenet),
    ("shufflenet_v2", build_shufflenet),
    ("densenet", build_densenet),
    ("googlenet", build_googlenet),
    ("regnet", build_regnet),
    ("convnext", build_convnext),
    ("keras_nhwc_cnn", build_keras_nhwc),
    ("softmax_cnn", build_softmax_cnn),
]


def randomize_and_calibrate_norms(model, item_shape, seed):
    """Random weights with default init leave BatchNorm at mean 0 / var 1 and gamma 1 / beta 0, so deep nets shrink
    (or blow up) the signal and BN is trivial. Randomise the norm affine parameters, then estimate BN running
    statistics on seeded uniform [-1,1] inputs (the reference input distribution): activations stay O(1) and
    BatchNormalization nodes carry non-trivial statistics. ConvNeXt's layer scale is randomised as well."""
    g = torch.Generator().manual_seed(seed)
    bns = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.modules.batchnorm._BatchNorm, nn.LayerNorm)) and m.weight is not None:
                m.weight.uniform_(0.5, 1.5, generator=g)
                m.bias.normal_(0.0, 0.1, generator=g)
            if isinstance(m, CNBlock):
                m.layer_scale.uniform_(0.2, 0.8, generator=g)
        if not bns:
            return
        for m in bns:
            m.reset_running_stats()
            m.momentum = None  # cumulative average
        model.eval()
        for m in bns:
            m.train()
        for _ in range(4):
            model(torch.rand((16,) + tuple(item_shape), generator=g) * 2 - 1)
        for m in bns:
            m.momentum = 0.1
    model.eval()


# ----------------------------------------------------------------------------------------------------------------
# MNIST
# ----------------------------------------------------------------------------------------------------------------

def load_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic = int.from_bytes(data[0:4], "big")
    ndim = magic & 0xFF
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def mnist_normalise(images_u8):
    return ((images_u8.astype(np.float32) / 255.0 - 0.5) / 0.5)[:, None, :, :]


def train_mnist(mnist_dir, epochs, log):
    images = load_idx(os.path.join(mnist_dir, "t10k-images-idx3-ubyte.gz"))
    labels = load_idx(os.path.join(mnist_dir, "t10k-labels-idx1-ubyte.gz")).astype(np.int64)
    x = torch.from_numpy(mnist_normalise(images))
    y = torch.from_numpy(labels)
    xtr, ytr, xte, yte = x[:8000], y[:8000], x[8000:], y[8000:]
    torch.manual_seed(seed_of("mnist_cnn"))
    model = MnistCnn()
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs * ((8000 + 63) // 64))
    g = torch.Generator().manual_seed(seed_of("mnist_cnn/shuffle"))
    t0 = time.time()
    curve = []
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(8000, generator=g)
        total = 0.0
        for i in range(0, 8000, 64):
            idx = perm[i:i + 64]
            opt.zero_grad()
            loss = F.cross_entropy(model(xtr[idx]), ytr[idx])
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        model.eval()
        with torch.no_grad():
            acc = (model(xte).argmax(1) == yte).float().mean().item()
        curve.append(round(acc, 4))
        log(f"  mnist epoch {epoch + 1}/{epochs}: train loss {total / 8000:.4f}, held-out accuracy {acc * 100:.2f}% ({time.time() - t0:.1f}s)")
    with torch.no_grad():
        train_acc = (model(xtr).argmax(1) == ytr).float().mean().item()
    info = {"train_digits": "first 8000 of t10k", "heldout_digits": "last 2000 of t10k (indices 8000-9999)",
            "epochs": epochs, "optimizer": "Adam lr 2e-3 cosine, batch 64",
            "train_accuracy": round(train_acc, 4), "heldout_accuracy": round(acc, 4),
            "heldout_accuracy_per_epoch": curve}  # no timings: the manifest is byte-identical across runs
    # Two held-out digits as an extra, realistic reference input.
    digits = x[8000:8002].clone()
    return model, info, digits, labels[8000:8002].tolist()


# ----------------------------------------------------------------------------------------------------------------
# Export, references, ONNX analysis
# ----------------------------------------------------------------------------------------------------------------

def export_onnx(model, item_shape, path, opset):
    example = torch.zeros((REF_BATCH,) + tuple(item_shape))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, example, path, opset_version=opset, do_constant_folding=True,
                          input_names=["input"], output_names=["logits"],
                          dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}},
                          training=torch.onnx.TrainingMode.EVAL)


def reference(model, x32):
    """Float64 logits and d(sum_batch logit[TARGET_CLASS])/d input, from the float32 input x32 (exactly representable)."""
    m64 = copy.deepcopy(model).double().eval()
    x = x32.double().requires_grad_(True)
    out = m64(x)
    out[:, TARGET_CLASS].sum().backward()
    logits64, grad64 = out.detach().numpy(), x.grad.numpy()
    # float32 PyTorch vs float64: tells the C# tests what tolerance float32 arithmetic needs.
    m32 = copy.deepcopy(model).eval()
    xf = x32.clone().requires_grad_(True)
    o32 = m32(xf)
    o32[:, TARGET_CLASS].sum().backward()
    diff = {"logits_max_abs": float(np.abs(o32.detach().numpy() - logits64).max()),
            "grad3_max_abs": float(np.abs(xf.grad.numpy() - grad64).max()),
            "logits_max_abs_value": float(np.abs(logits64).max()),
            "grad3_max_abs_value": float(np.abs(grad64).max())}
    return logits64, grad64, diff


def save_refs(stem, x32, logits64, grad64):
    files = {}
    for key, arr, dt in (("input", x32.numpy(), "<f4"), ("logits", logits64, "<f8"), ("grad3", grad64, "<f8")):
        fn = f"{stem}.{key}.npy"
        np.save(os.path.join(MODELS_DIR, fn), np.ascontiguousarray(arr.astype(dt)))
        files[key] = "models/" + fn
    return files


def all_nodes(graph):
    for n in graph.node:
        yield n
        for a in n.attribute:
            if a.type == onnx.AttributeProto.GRAPH:
                yield from all_nodes(a.g)
            elif a.type == onnx.AttributeProto.GRAPHS:
                for sg in a.graphs:
                    yield from all_nodes(sg)


def attr_repr(a):
    v = helper.get_attribute_value(a)
    if isinstance(v, bytes):
        v = v.decode(errors="replace")
    if isinstance(v, onnx.TensorProto):
        return f"{a.name}=<tensor>"
    if isinstance(v, (list, tuple)):
        v = [x.decode(errors="replace") if isinstance(x, bytes) else (round(x, 6) if isinstance(x, float) else x) for x in v]
        return f"{a.name}={list(v)}"
    if isinstance(v, float):
        v = round(v, 6)
    return f"{a.name}={v}"


def analyse_onnx(path):
    m = onnx.load(path)
    onnx.checker.check_model(m)
    ops, domains, variants = set(), set(), defaultdict(set)
    for n in all_nodes(m.graph):
        ops.add(n.op_type)
        if n.domain not in ("", "ai.onnx"):
            domains.add(n.domain)
        if n.op_type != "Constant":
            for a in n.attribute:
                variants[n.op_type].add(attr_repr(a))
        variants[n.op_type].add(f"#inputs={len(n.input)}")
    # Data path: nodes fed (transitively) by the graph input, not through Shape/Size (whose outputs are integer
    # shape data that carries no gradient). Ops only off the data path just compute Reshape/Slice parameters.
    data, data_ops = {m.graph.input[0].name}, set()
    for n in m.graph.node:  # ONNX nodes are topologically sorted
        if n.op_type not in ("Shape", "Size") and any(i in data for i in n.input):
            data_ops.add(n.op_type)
            data.update(n.output)
    inp = m.graph.input[0].type.tensor_type.shape.dim
    in_shape = [d.dim_param if d.dim_param else d.dim_value for d in inp]
    out = m.graph.output[0].type.tensor_type.shape.dim
    out_shape = [d.dim_param if d.dim_param else d.dim_value for d in out]
    last_op = m.graph.node[-1].op_type
    opset = max(o.version for o in m.opset_import if o.domain in ("", "ai.onnx"))
    return sorted(ops), sorted(data_ops), sorted(domains), variants, in_shape, out_shape, last_op, opset


def spatial_before_head(model, item_shape, layout):
    """Spatial size of the map that reaches the global pool (GlobalAveragePool, or ReduceMean over H,W), or, for
    nets without one, the map that is flattened. Read from a static-batch export (with a dynamic batch, ONNX shape
    inference cannot follow ShuffleNet's computed Reshape shapes)."""
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, torch.zeros((REF_BATCH,) + tuple(item_shape)), buf, opset_version=17,
                          do_constant_folding=True, training=torch.onnx.TrainingMode.EVAL)
    m = shape_inference.infer_shapes(onnx.load_from_string(buf.getvalue()))
    shapes = {vi.name: [d.dim_value for d in vi.type.tensor_type.shape.dim]
              for vi in list(m.graph.value_info) + list(m.graph.input)}
    pool, flat = None, None
    for n in m.graph.node:
        dims = shapes.get(n.input[0]) if n.input else None
        if not dims or len(dims) != 4:
            continue
        axes = [list(a.ints) for a in n.attribute if a.name == "axes"]
        if n.op_type == "GlobalAveragePool" or (n.op_type == "ReduceMean" and axes and sorted(axes[0]) in ([2, 3], [-2, -1])):
            pool = dims[2:]
        elif n.op_type in ("Flatten", "Reshape"):
            flat = dims[1:3] if layout == "nhwc" else dims[2:]
    return ({"global_pool_input_hw": pool} if pool else {"flatten_input_hw": flat})


def rule_coverage():
    """Snapshot of the C# gradient engine's op coverage on this branch (informational, parsed from the source)."""
    rules_dir = os.path.join(REPO, "src", "MLNet.CnnDiagnostics", "Gradients", "Rules")
    builder = os.path.join(REPO, "src", "MLNet.CnnDiagnostics", "Gradients", "BackwardGraphBuilder.cs")
    cover = {}
    if os.path.isdir(rules_dir):
        for fn in sorted(os.listdir(rules_dir)):
            if fn.endswith(".cs"):
                src = open(os.path.join(rules_dir, fn), encoding="utf-8").read()
                for mt in re.finditer(r"OpTypes\s*=>\s*\[([^\]]*)\]", src):
                    for op in re.findall(r'"(\w+)"', mt.group(1)):
                        cover[op] = "rule (" + fn[:-3] + ")"
    if os.path.isfile(builder):
        src = open(builder, encoding="utf-8").read()
        mt = re.search(r"PiecewiseConstant\s*=\s*\[(.*?)\];", src, re.S)
        if mt:
            for op in re.findall(r'"(\w+)"', mt.group(1)):
                cover.setdefault(op, "no gradient (piecewise constant)")
    return cover


# ----------------------------------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mnist-dir", default=os.path.join(REPO, "data", "mnist"))
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()

    t_start = time.time()
    torch.set_num_threads(args.threads)
    global MODELS_DIR
    MODELS_DIR = os.path.join(HERE, "models")
    os.makedirs(MODELS_DIR, exist_ok=True)
    for fn in os.listdir(MODELS_DIR):  # regenerate from scratch: no stale files
        if fn.endswith((".onnx", ".npy")):
            os.remove(os.path.join(MODELS_DIR, fn))
    log = lambda s: print(s, flush=True)  # noqa: E731
    log(f"torch {torch.__version__}, torchvision {torchvision.__version__}, onnx {onnx.__version__}, numpy {np.__version__}")
    ort = importlib.util.find_spec("onnxruntime") is not None
    log(f"onnxruntime {'is installed but' if ort else 'is not installed and'} not needed: never imported here")

    entries, census, variants_all, summaries = [], defaultdict(lambda: defaultdict(list)), defaultdict(lambda: defaultdict(set)), []

    def process(name, model, item_shape, layout, notes, extra=None, extra_refs=None):
        t0 = time.time()
        model.eval()
        params = sum(p.numel() for p in model.parameters())
        g = torch.Generator().manual_seed(seed_of(name + "/input"))
        x32 = torch.rand((REF_BATCH,) + tuple(item_shape), generator=g) * 2 - 1
        logits64, grad64, diff = reference(model, x32)
        refs = save_refs(name, x32, logits64, grad64)
        grad_norms = [float(np.linalg.norm(grad64[i])) for i in range(REF_BATCH)]
        if not all(gn > 0 for gn in grad_norms) or not np.all(np.isfinite(logits64)):
            log(f"  WARNING {name}: degenerate reference (grad norms {grad_norms})")
        ref_info = {"input_seed": seed_of(name + "/input"), "input_distribution": "uniform [-1,1) float32",
                    "batch": REF_BATCH, "target_class": TARGET_CLASS, "grad3_l2_per_item": grad_norms,
                    "float32_pytorch_vs_float64": diff}
        spatial = spatial_before_head(model, item_shape, layout)
        for opset in OPSETS:
            fn = f"{name}_op{opset}.onnx"
            path = os.path.join(MODELS_DIR, fn)
            entry = {"name": name, "opset": opset, "file": "models/" + fn, "layout": layout,
                     "input_name": "input", "output_name": "logits", "num_classes": NUM_CLASSES,
                     "parameters": params, "references": refs, "reference": ref_info}
            if extra_refs:
                entry["extra_references"] = extra_refs
            if extra:
                entry.update(extra)
            try:
                export_onnx(model, item_shape, path, opset)
                ops, data_ops, domains, variants, in_shape, out_shape, last_op, real_opset = analyse_onnx(path)
            except Exception as e:  # record why and go on
                if os.path.exists(path):
                    os.remove(path)
                msg = f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
                entry.update({"status": "failed", "error": msg, "file": None, "notes": notes})
                entries.append(entry)
                log(f"  {name} opset {opset}: EXPORT FAILED: {msg}")
                continue
            auto = []
            if last_op == "Softmax":
                auto.append("ends in Softmax")
            if not ({"Gemm", "MatMul"} & set(ops)):
                auto.append("no Gemm/MatMul in the graph")
            entry.update({"status": "ok", "input_shape": in_shape, "output_shape": out_shape, "opset_imported": real_opset,
                          "ops": ops, "data_path_ops": data_ops, "non_default_domains": domains, "spatial_before_head": spatial,
                          "file_size": os.path.getsize(path), "notes": notes + [a for a in auto if a not in notes]})
            entries.append(entry)
            for op in ops:
                census[op][opset].append(name if op in data_ops else name + " (off data path)")
            for op, vs in variants.items():
                variants_all[op][opset] |= vs
        ok = [e for e in entries if e["name"] == name and e["status"] == "ok"]
        sizes = ",".join(f"op{e['opset']}={e['file_size'] / 1024:.0f}KB" for e in ok)
        log(f"  {name}: {params} params, {sizes}, {spatial}, "
            f"|logits|max {diff['logits_max_abs_value']:.3g}, |grad3|max {diff['grad3_max_abs_value']:.3g}, "
            f"f32 err logits {diff['logits_max_abs']:.2g} grad {diff['grad3_max_abs']:.2g} ({time.time() - t0:.1f}s)")

    log("exporting architectures:")
    for name, build in BUILDERS:
        torch.manual_seed(seed_of(name))
        model, item_shape, layout, notes = build()
        randomize_and_calibrate_norms(model, item_shape, seed_of(name + "/norms"))
        process(name, model, item_shape, layout, notes)

    log(f"training mnist_cnn ({args.epochs} epochs on the first 8000 test digits):")
    model, info, digits, digit_labels = train_mnist(args.mnist_dir, args.epochs, log)
    logits64, grad64, diff = reference(model, digits)
    extra_refs = {"digits": save_refs("mnist_cnn.digits", digits, logits64, grad64),
                  "digits_note": f"held-out t10k digits 8000 and 8001 (labels {digit_labels}), normalised (p/255-0.5)/0.5",
                  "digits_float32_pytorch_vs_float64": diff}
    process("mnist_cnn", model, (1, 28, 28), "nchw",
            ["grayscale MNIST CNN, trained", "input normalised as (pixel/255 - 0.5)/0.5", "head: Flatten -> Gemm -> ReLU -> Gemm"],
            extra={"training": info}, extra_refs=extra_refs)

    # ---- manifest
    total = sum(os.path.getsize(os.path.join(MODELS_DIR, f)) for f in os.listdir(MODELS_DIR))
    onnx_total = sum(e.get("file_size", 0) for e in entries)
    manifest = {
        "generator": "tests/zoo/export_zoo.py",
        "versions": {"torch": torch.__version__, "torchvision": torchvision.__version__, "onnx": onnx.__version__,
                     "numpy": np.__version__},
        "opsets": OPSETS,
        "reference_format": {
            "files": "NumPy .npy v1.0, C order, little-endian; input '<f4' (float32), logits and grad3 '<f8' (float64)",
            "input": "seeded uniform [-1,1) float32, batch 2; the float64 references are computed from exactly these values",
            "logits": "float64 model output [2, 10] (PyTorch autograd, model.double())",
            "grad3": f"float64 d(sum over batch of output[:, {TARGET_CLASS}]) / d input, same shape as input (saliency before abs)",
            "target_class": TARGET_CLASS,
            "opset_independent": True,
        },
        "total_bytes": {"models_dir": total, "onnx": onnx_total},
        "models": entries,
    }
    with open(os.path.join(HERE, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")

    # ---- op census
    cover = rule_coverage()
    lines = ["# ONNX op census of the test zoo", "",
             "Generated by `tests/zoo/export_zoo.py` (do not edit). For every ONNX op type: the zoo models whose",
             "exported graph contains it, per opset. This is the set of ops the C# gradient engine must handle",
             "(differentiate, or recognise as shape computation) to explain every zoo model.", "",
             "A model listed as `name (off data path)` uses the op only on values not computed from the input: integer",
             "shape values (Shape -> Gather -> Unsqueeze -> Concat -> Reshape target, Slice bounds, ...), constants and",
             "weights (Identity of an initializer). These carry no gradient. Every other listing is on the data path",
             "(fed by the input through anything but Shape/Size): the op needs a backward rule.", "",
             "The last column is a snapshot of `src/MLNet.CnnDiagnostics/Gradients` on the branch at generation",
             "time: the backward rule registered for the op, if any.", "",
             "| op | opset 11 | opset 17 | C# engine (snapshot) |", "|---|---|---|---|"]
    def cell(op, k):
        return ", ".join(census[op][k]) if census[op][k] else "—"
    for op in sorted(census):
        lines.append(f"| {op} | {cell(op, 11)} | {cell(op, 17)} | {cover.get(op, '**none**')} |")
    u11 = sorted(op for op in census if census[op][11])
    u17 = sorted(op for op in census if census[op][17])
    d11 = sorted(op for op in census if any(not x.endswith("(off data path)") for x in census[op][11]))
    d17 = sorted(op for op in census if any(not x.endswith("(off data path)") for x in census[op][17]))
    missing = [op for op in sorted(set(d11) | set(d17)) if op not in cover]
    lines += ["", f"**Union at opset 11 ({len(u11)}):** " + ", ".join(u11), "",
              f"**Union at opset 17 ({len(u17)}):** " + ", ".join(u17), "",
              f"**On the data path at opset 11 ({len(d11)}):** " + ", ".join(d11), "",
              f"**On the data path at opset 17 ({len(d17)}):** " + ", ".join(d17), "",
              "**Only ever off the data path:** " + (", ".join(sorted((set(u11) | set(u17)) - set(d11) - set(d17))) or "—"), "",
              "**Only at opset 11:** " + (", ".join(sorted(set(u11) - set(u17))) or "—"), "",
              "**Only at opset 17:** " + (", ".join(sorted(set(u17) - set(u11))) or "—"), "",
              "**On the data path without a C# backward rule today:** " + (", ".join(missing) or "—"), "",
              "## Attribute and input-count variants", "",
              "Every attribute value (and number of inputs) seen per op, over all models (Constant values omitted).", "",
              "| op | opset 11 | opset 17 |", "|---|---|---|"]
    for op in sorted(variants_all):
        c = lambda k: "<br>".join(sorted(variants_all[op][k])) or "—"  # noqa: E731
        lines.append(f"| {op} | {c(11)} | {c(17)} |")
    failed = [e for e in entries if e["status"] != "ok"]
    lines += ["", "## Export failures", ""]
    lines += [f"- {e['name']} opset {e['opset']}: {e['error']}" for e in failed] or ["None."]
    with open(os.path.join(HERE, "ops.md"), "w") as f:
        f.write("\n".join(lines) + "\n")

    log("\nop census (op: opset 11 models | opset 17 models):")
    for op in sorted(census):
        log(f"  {op:22s} 11: {', '.join(census[op][11]) or '-'}  |  17: {', '.join(census[op][17]) or '-'}")
    log(f"\nunion opset 11 ({len(u11)}): {' '.join(u11)}")
    log(f"union opset 17 ({len(u17)}): {' '.join(u17)}")
    log(f"data path opset 11 ({len(d11)}): {' '.join(d11)}")
    log(f"data path opset 17 ({len(d17)}): {' '.join(d17)}")
    log(f"on the data path without a C# backward rule today: {' '.join(missing) or '-'}")
    log(f"\n{'model':20s} {'opset':>5s} {'size':>9s}  input shape")
    for e in entries:
        if e["status"] == "ok":
            log(f"{e['name']:20s} {e['opset']:5d} {e['file_size']:9d}  {e['input_shape']}")
        else:
            log(f"{e['name']:20s} {e['opset']:5d}    FAILED  {e['error']}")
    log(f"\nmnist_cnn held-out accuracy: {info['heldout_accuracy'] * 100:.2f}%")
    log(f"total: {onnx_total / 1e6:.2f} MB of ONNX, {total / 1e6:.2f} MB in models/; {time.time() - t_start:.0f}s")
    big = [e for e in entries if e.get("file_size", 0) > 1.5 * 1024 * 1024]
    if big or total > 25e6:
        log(f"WARNING: size budget exceeded: {[e['file'] for e in big]}, total {total}")


if __name__ == "__main__":
    main()
