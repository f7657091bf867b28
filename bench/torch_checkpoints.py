"""Writes a few torchvision resnet18 checkpoints (random weights, random BatchNorm statistics so
no BN is an identity) for the end-to-end benchmark, one bare state_dict per file named
resnet18_epoch{E:04d}.pth. Seeded by epoch: rerunning writes the same files.

  /usr/bin/python3 bench/torch_checkpoints.py --out DIR --count 3
"""
import argparse
import json
import os

import torch
import torchvision


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--count", type=int, default=3)
    ap.add_argument("--num-classes", type=int, default=1000)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for epoch in range(1, args.count + 1):
        path = os.path.join(args.out, f"resnet18_epoch{epoch:04d}.pth")
        if os.path.exists(path):
            continue
        torch.manual_seed(epoch)
        net = torchvision.models.resnet18(num_classes=args.num_classes)
        with torch.no_grad():
            for m in net.modules():
                if isinstance(m, torch.nn.BatchNorm2d):
                    m.weight.uniform_(0.5, 1.5)
                    m.bias.normal_(0, 0.2)
                    m.running_mean.normal_(0, 0.2)
                    m.running_var.uniform_(0.5, 1.5)
        tmp = path + ".tmp"
        torch.save(net.state_dict(), tmp)
        os.replace(tmp, path)
    print(json.dumps({"out": args.out, "count": args.count}))


if __name__ == "__main__":
    main()
