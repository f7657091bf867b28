"""PyTorch side of the ResNet-18 tap-extraction benchmark (bench/resnet.mjs drives it).

torchvision's resnet18 (random weights, eval mode, no grad) up to layer4, global-average-pooled
(what shapetex extracts as the `final` tap), at each size with each candidate batch size, with the
given number of threads. Prints one JSON object; the best batch per size is what gets compared.

  /usr/bin/python3 bench/torch_resnet.py --sizes 32,224,513 --batches 16/64/256,1/4/16,1/2/4 --threads 1
"""
import argparse
import json
import time

import torch
import torchvision


def measure(body, size, batch, seconds, device):
    x = torch.randn(batch, 3, size, size, device=device)
    with torch.no_grad():
        body(x).mean((2, 3)).cpu()  # warm-up
        n, t0 = 0, time.perf_counter()
        while True:
            body(x).mean((2, 3)).cpu()
            n += batch
            dt = time.perf_counter() - t0
            if dt >= seconds and n >= 2 * batch:
                break
    return {"size": size, "batch": batch, "images": n, "seconds": dt, "images_per_s": n / dt}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="32,224,513")
    ap.add_argument("--batches", default="16/64/256,1/4/16,1/2/4", help="candidate batches per size, '/'-separated, one group per size")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seconds", type=float, default=3.0, help="minimum timed duration per (size, batch)")
    ap.add_argument("--device", default="cpu")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    groups = [[int(b) for b in g.split("/")] for g in args.batches.split(",")]
    if len(groups) != len(sizes):
        raise SystemExit(f"--batches has {len(groups)} groups for {len(sizes)} sizes")
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    net = torchvision.models.resnet18().eval().to(args.device)
    body = torch.nn.Sequential(*list(net.children())[:-2])  # up to layer4
    tried = [measure(body, size, b, args.seconds, args.device) for size, bs in zip(sizes, groups) for b in bs]
    best = []
    for size in sizes:
        rows = [r for r in tried if r["size"] == size]
        best.append(max(rows, key=lambda r: r["images_per_s"]))
    print(json.dumps({"torch": torch.__version__, "threads": args.threads, "device": args.device, "tried": tried, "best": best}))


if __name__ == "__main__":
    main()
