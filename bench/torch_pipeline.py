"""The straightforward PyTorch pipeline the end-to-end benchmark compares bias-score against.

It does what the reference implementation does, per checkpoint: load the weights, then for
every pair decode both images from disk (PIL), resize to a square image (bilinear), normalise
(ImageNet), forward both through the network up to layer4, global-average-pool, and finally
estimate the per-neuron dimensionality (Pearson correlation per unit, mean over units, softmax
with the residual's 1). Nothing is cached between checkpoints. Pairs come from the benchmark
(the same pairs bias-score draws), so the two sides do the same measurement.

  /usr/bin/python3 bench/torch_pipeline.py --pairs pairs.json --checkpoints a.pth,b.pth --threads 1
Prints one JSON object: seconds per checkpoint and the fractions found.
"""
import argparse
import json
import math
import time

import numpy as np
import torch
import torchvision
from PIL import Image

MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)


def load_image(path, size):
    img = Image.open(path).convert("RGB").resize((size, size), Image.BILINEAR)
    x = (np.asarray(img, dtype=np.float32) / 255.0 - MEAN) / STD
    return torch.from_numpy(x.transpose(2, 0, 1).copy())


def per_neuron(za, zb):
    """Mean over units of the Pearson correlation of za[:, i] and zb[:, i] (0 where constant)."""
    za = za - za.mean(0)
    zb = zb - zb.mean(0)
    num = (za * zb).sum(0)
    den = np.sqrt((za * za).sum(0) * (zb * zb).sum(0))
    rho = np.where(den > 0, num / np.where(den > 0, den, 1), 0.0)
    return float(rho.mean())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", required=True)
    ap.add_argument("--checkpoints", required=True)
    ap.add_argument("--image-size", type=int, default=224)
    ap.add_argument("--batch", type=int, default=32, help="pairs per forward (2x images)")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    spec = json.load(open(args.pairs))
    files, a, b, factor, names = spec["files"], spec["a"], spec["b"], spec["factor"], spec["factors"]
    K = len(names)
    runs = []
    for ckpt in args.checkpoints.split(","):
        t0 = time.perf_counter()
        sd = torch.load(ckpt, map_location="cpu")
        net = torchvision.models.resnet18(num_classes=sd["fc.weight"].shape[0])
        net.load_state_dict(sd)
        net.eval()
        body = torch.nn.Sequential(*list(net.children())[:-2])
        za = np.zeros((len(a), 512), dtype=np.float64)
        zb = np.zeros((len(a), 512), dtype=np.float64)
        decode_s = 0.0
        with torch.no_grad():
            for s in range(0, len(a), args.batch):
                e = min(s + args.batch, len(a))
                td = time.perf_counter()
                xa = torch.stack([load_image(files[i], args.image_size) for i in a[s:e]])
                xb = torch.stack([load_image(files[i], args.image_size) for i in b[s:e]])
                decode_s += time.perf_counter() - td
                za[s:e] = body(xa).mean((2, 3)).numpy()
                zb[s:e] = body(xb).mean((2, 3)).numpy()
        factor_arr = np.asarray(factor)
        scores = [per_neuron(za[factor_arr == k], zb[factor_arr == k]) for k in range(K)]
        ex = [math.exp(s) for s in scores + [1.0]]
        fractions = [v / sum(ex) for v in ex]
        seconds = time.perf_counter() - t0
        runs.append({"checkpoint": ckpt, "seconds": seconds, "decode_seconds": decode_s,
                     "forwards": 2 * len(a), "scores": scores, "fractions": fractions})
    per = sum(r["seconds"] for r in runs) / len(runs)
    print(json.dumps({"torch": torch.__version__, "threads": args.threads, "pairs": len(a), "images": len(files),
                      "perCheckpointSeconds": per, "runs": runs}))


if __name__ == "__main__":
    main()
