"""PyTorch side of the transformer / ConvNeXt tap-extraction benchmark (bench/transformers.mjs).

torchvision's vit_b_16 and convnext_tiny (random weights, eval mode, no grad) up to the `final`
representation shapetex extracts: the class token after the encoder's LayerNorm (ViT), the
classifier LayerNorm of the globally pooled stage 4 (ConvNeXt); at 224 px, each candidate batch
size, the given thread count. Prints one JSON object.

  /usr/bin/python3 bench/torch_transformers.py --archs vit_b_16,convnext_tiny --batches 1/4 --threads 1 --seconds 3
"""
import argparse
import json
import time

import torch
import torchvision


def vit_final(m):
    def run(x):
        t = m._process_input(x)
        t = torch.cat([m.class_token.expand(x.shape[0], -1, -1), t], dim=1)
        return m.encoder(t)[:, 0]
    return run


def convnext_final(m):
    return lambda x: m.classifier[0](m.avgpool(m.features(x))).flatten(1)


def measure(body, size, batch, seconds):
    x = torch.randn(batch, 3, size, size)
    with torch.no_grad():
        body(x).cpu()  # warm-up
        n, t0 = 0, time.perf_counter()
        while True:
            body(x).cpu()
            n += batch
            dt = time.perf_counter() - t0
            if dt >= seconds and n >= 2 * batch:
                break
    return {"batch": batch, "images": n, "seconds": dt, "images_per_s": n / dt}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--archs", default="vit_b_16,convnext_tiny")
    ap.add_argument("--batches", default="1/4")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--size", type=int, default=224)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    out = {"torch": torch.__version__, "threads": args.threads, "size": args.size, "archs": {}}
    for arch in args.archs.split(","):
        m = getattr(torchvision.models, arch)().eval()
        body = vit_final(m) if arch.startswith("vit") else convnext_final(m)
        tried = [measure(body, args.size, int(b), args.seconds) for b in args.batches.split("/")]
        out["archs"][arch] = {"tried": tried, "best": max(tried, key=lambda r: r["images_per_s"])}
        del m
    print(json.dumps(out))


if __name__ == "__main__":
    main()
