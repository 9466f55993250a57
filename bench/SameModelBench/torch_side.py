"""PyTorch side of bench/SameModelBench: the same torchvision resnet18 (random weights, seeded) as the ONNX our engine runs.

    torch_side.py export DIR   writes DIR/resnet18.onnx, DIR/resnet18.pt (the weights), DIR/input.bin (float32 [16,3,224,224])
    torch_side.py time DIR R   times PyTorch eager on those weights and input (2 threads, medians of R runs), prints one JSON
                               line, and writes DIR/torch_grad.bin (the input gradient of class 3 for the first 2 images)

Needs torch and torchvision only (Debian python3-torch, python3-torchvision); onnx is used by torch.onnx.export.
"""
import json
import statistics
import sys
import time

import torch
import torchvision

CLASS = 3
BATCH = 16
STEPS = 32
IG_IMAGES = 2


def model_with(weights=None):
    torch.manual_seed(0)
    model = torchvision.models.resnet18(weights=None)
    if weights is not None:
        model.load_state_dict(torch.load(weights))
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)      # attributions differentiate the input or a layer, never the weights
    return model


def export(out):
    model = model_with()
    torch.save(model.state_dict(), f"{out}/resnet18.pt")
    torch.manual_seed(1)
    x = torch.randn(BATCH, 3, 224, 224)
    x.numpy().astype("float32").tofile(f"{out}/input.bin")
    torch.onnx.export(model, x[:1], f"{out}/resnet18.onnx", input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}}, opset_version=17, do_constant_folding=True)


def median_ms(run, repeats):
    run()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def input_gradient(model, x):
    x = x.clone().requires_grad_(True)
    model(x)[:, CLASS].sum().backward()
    return x.grad


def saliency(model, x):
    return input_gradient(model, x).abs().amax(dim=1)


def grad_cam(model, x):
    captured = {}

    def keep(module, inputs, output):
        # the layer's output becomes a leaf that requires grad: backward runs from the score to it only (weights are frozen)
        captured["a"] = output.detach().requires_grad_(True)
        return captured["a"]

    hook = model.layer4.register_forward_hook(keep)
    try:
        score = model(x)[:, CLASS].sum()
    finally:
        hook.remove()
    a = captured["a"]
    g, = torch.autograd.grad(score, a)
    return torch.relu((g.mean(dim=(2, 3), keepdim=True) * a).sum(dim=1))


def integrated_gradients(model, x):
    # baseline zeros, midpoint rule, path points batched BATCH at a time (as our engine's BatchSize)
    result = []
    for item in x:
        total = torch.zeros_like(item)
        alphas = (torch.arange(STEPS, dtype=torch.float32) + 0.5) / STEPS
        for chunk in alphas.split(BATCH):
            path = chunk[:, None, None, None] * item[None]
            total += input_gradient(model, path).sum(dim=0)
        result.append(item * total / STEPS)
    return torch.stack(result)


def time_all(out, repeats):
    torch.set_num_threads(2)
    model = model_with(f"{out}/resnet18.pt")
    import numpy
    x = torch.from_numpy(numpy.fromfile(f"{out}/input.bin", dtype="float32").reshape(BATCH, 3, 224, 224))
    input_gradient(model, x[:2]).numpy().astype("float32").tofile(f"{out}/torch_grad.bin")
    results = {"torch": torch.__version__, "torchvision": torchvision.__version__, "threads": torch.get_num_threads()}
    for batch in (1, BATCH):
        xb = x[:batch]
        with torch.no_grad():
            results[f"forward_{batch}"] = median_ms(lambda: model(xb), repeats)
        results[f"forward_backward_{batch}"] = median_ms(lambda: input_gradient(model, xb), repeats)
    results["saliency_ms"] = median_ms(lambda: saliency(model, x), repeats)
    results["gradcam_ms"] = median_ms(lambda: grad_cam(model, x), repeats)
    results["ig_ms"] = median_ms(lambda: integrated_gradients(model, x[:IG_IMAGES]), max(1, repeats // 2))
    print(json.dumps(results))


if __name__ == "__main__":
    if sys.argv[1] == "export":
        export(sys.argv[2])
    else:
        time_all(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 5)
