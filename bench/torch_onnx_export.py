"""Reference side of the engine benchmark (bench/engine.mjs): torchvision networks with random
weights (seeded, BatchNorm statistics randomised so folding matters), their state_dict saved as
a .pth for shapetex to load, and the same network up to shapetex's `final` tap exported with
torch.onnx.export (eval mode, constant folding: the graph a PyTorch user would export), so
ONNX Runtime can run both graphs side by side. With --time, PyTorch's own speed on one thread.

  /usr/bin/python3 bench/torch_onnx_export.py --out DIR --nets resnet18@32,resnet18@224 [--time --seconds 3 --batches 1/4]

`final`: ResNet's layer4 averaged over H and W; ViT's class token after the encoder LayerNorm;
ConvNeXt's classifier LayerNorm of the pooled stage 4. Prints one JSON object.
"""
import argparse
import json
import os
import time

import torch
import torchvision


class Final(torch.nn.Module):
    def __init__(self, arch, m):
        super().__init__()
        self.arch, self.m = arch, m

    def forward(self, x):
        m = self.m
        if self.arch.startswith("resnet"):
            x = m.maxpool(m.relu(m.bn1(m.conv1(x))))
            x = m.layer4(m.layer3(m.layer2(m.layer1(x))))
            return x.mean(dim=(2, 3))
        if self.arch.startswith("vit"):
            t = m._process_input(x)
            t = torch.cat([m.class_token.expand(x.shape[0], -1, -1), t], dim=1)
            return m.encoder(t)[:, 0]
        return m.classifier[0](m.avgpool(m.features(x))).flatten(1)


def randomised(arch):
    torch.manual_seed(0)
    m = getattr(torchvision.models, arch)().eval()
    g = torch.Generator().manual_seed(1)
    for mod in m.modules():
        if isinstance(mod, torch.nn.BatchNorm2d):
            mod.running_mean.normal_(0, 0.2, generator=g)
            mod.running_var.uniform_(0.5, 1.5, generator=g)
            mod.weight.data.uniform_(0.5, 1.5, generator=g)
            mod.bias.data.normal_(0, 0.2, generator=g)
    return m


def measure(body, size, batch, seconds):
    x = torch.randn(batch, 3, size, size)
    with torch.no_grad():
        body(x)
        n, t0 = 0, time.perf_counter()
        while True:
            body(x)
            n += batch
            dt = time.perf_counter() - t0
            if dt >= seconds and n >= 2 * batch:
                break
    return {"batch": batch, "images_per_s": n / dt}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--nets", default="resnet18@32,resnet18@224")
    ap.add_argument("--time", action="store_true")
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--batches", default="1/4")
    args = ap.parse_args()
    torch.set_num_threads(1)
    os.makedirs(args.out, exist_ok=True)
    out = {"torch": torch.__version__, "nets": {}}
    for spec in args.nets.split(","):
        arch, size = spec.split("@")
        size = int(size)
        m = randomised(arch)
        pth = os.path.join(args.out, f"{arch}.pth")
        if not os.path.exists(pth):
            torch.save(m.state_dict(), pth)
        onnx_file = os.path.join(args.out, f"{arch}_{size}.torch.onnx")
        body = Final(arch, m).eval()
        if not os.path.exists(onnx_file):
            torch.onnx.export(body, torch.randn(1, 3, size, size), onnx_file, input_names=["image"], output_names=["final"],
                              dynamic_axes={"image": {0: "n"}, "final": {0: "n"}}, opset_version=13, do_constant_folding=True)
        r = {"pth": pth, "onnx": onnx_file}
        if args.time:
            tried = [measure(body, size, int(b), args.seconds) for b in args.batches.split("/")]
            r["torch"] = max(tried, key=lambda t: t["images_per_s"])
        out["nets"][spec] = r
    print(json.dumps(out))


if __name__ == "__main__":
    main()
