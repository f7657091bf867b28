#!/usr/bin/env python3
"""Train a torchvision ResNet-18 on CIFAR-10 with symmetric label noise and keep every epoch.

The setting of the epoch-wise double-descent runs the thesis measures (Nakkiran et al. 2020):
Adam, a fixed learning rate, a fraction of the training labels replaced once, before training,
by a class drawn uniformly among the 9 other classes; the test labels stay clean.

Writes to --out, per epoch e = 1..epochs:
  IN_resnet18_epoch{e:04d}_cifar10_ln{noise}pc_seed{seed}.pth   model.state_dict()
  errors.csv   epoch,train_error,test_error   (fractions; train_error on the noisy labels,
               counted during the epoch's pass; the format `bias-score --errors` reads)
and resume.state (model + optimizer + RNG states after the last finished epoch), so that a
rerun with the same options continues where it stopped. resume.state is deliberately not named
like a checkpoint (.pth/.pt/.ckpt...), so bias-score's discovery passes over it.

The model is torchvision's resnet18 (7x7 stride-2 stem and max-pool, as bias-score's `resnet18`
expects) with num_classes=10; --width k narrows it to stage widths k, 2k, 4k, 8k (64 = the
standard network). CIFAR-10 comes from torchvision (--data, --download); --fake-data N uses N
random images in CIFAR's shape instead, for smoke tests without a download.

  python3 train_cifar.py --data ~/data/cifar10 --download --out runs/ln20 --epochs 1000 --noise 20
"""
import argparse
import csv
import os
import sys
import time

import torch
import torch.nn as nn
import torchvision
import torchvision.transforms as T
from torchvision.models.resnet import BasicBlock

# Must match `bias-score --norm cifar` (SPEC section 3).
CIFAR_MEAN = (0.4914, 0.4822, 0.4465)
CIFAR_STD = (0.2023, 0.1994, 0.2010)
NUM_CLASSES = 10


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", default="./data/cifar10", help="CIFAR-10 root (torchvision layout)")
    p.add_argument("--download", action="store_true", help="download CIFAR-10 into --data if missing")
    p.add_argument("--fake-data", type=int, default=0, metavar="N",
                   help="train on N random images (and N//4 test images) in CIFAR's shape; no download")
    p.add_argument("--out", default="./runs/resnet18_cifar10", help="checkpoint and errors.csv folder")
    p.add_argument("--epochs", type=int, default=1000)
    p.add_argument("--noise", type=int, default=20, help="label noise in percent of the training set")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--width", type=int, default=64, help="stage widths k, 2k, 4k, 8k; 64 = standard ResNet-18")
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=1e-4, help="Adam learning rate")
    p.add_argument("--no-augment", action="store_true", help="no random crop and flip")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    a = p.parse_args(argv)
    for name, lo, hi in (("epochs", 1, None), ("noise", 0, 100), ("width", 1, None), ("batch_size", 1, None)):
        v = getattr(a, name)
        if v < lo or (hi is not None and v > hi):
            p.error(f"--{name.replace('_', '-')} {v}: expected an integer in [{lo}, {hi if hi is not None else 'inf'}]")
    if a.fake_data < 0:
        p.error(f"--fake-data {a.fake_data}: expected a count >= 0")
    return a


def resnet18(width, num_classes=NUM_CLASSES):
    """torchvision's resnet18, with every stage narrowed to width·2^i channels when width != 64."""
    model = torchvision.models.resnet18(num_classes=num_classes)
    if width == 64:
        return model
    # BasicBlock accepts any number of planes; only ResNet's constructor pins the stem and stage
    # widths to 64·2^i, so those parts are rebuilt with torchvision's own layer builder.
    model.inplanes = width
    model.conv1 = nn.Conv2d(3, width, kernel_size=7, stride=2, padding=3, bias=False)
    model.bn1 = nn.BatchNorm2d(width)
    model.layer1 = model._make_layer(BasicBlock, width, 2)
    model.layer2 = model._make_layer(BasicBlock, 2 * width, 2, stride=2)
    model.layer3 = model._make_layer(BasicBlock, 4 * width, 2, stride=2)
    model.layer4 = model._make_layer(BasicBlock, 8 * width, 2, stride=2)
    model.fc = nn.Linear(8 * width, num_classes)
    for m in model.modules():  # torchvision's initialisation, for the rebuilt parts
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)
    return model


def noisy_labels(labels, percent, generator):
    """Replaces round(percent% · n) labels, chosen without replacement, by one of the 9 other classes."""
    labels = labels.clone()
    n = labels.numel()
    k = round(n * percent / 100)
    idx = torch.randperm(n, generator=generator)[:k]
    shift = torch.randint(1, NUM_CLASSES, (k,), generator=generator)
    labels[idx] = (labels[idx] + shift) % NUM_CLASSES
    return labels


class LabelledTensors(torch.utils.data.Dataset):
    """Images as uint8 NCHW tensors with (possibly noisy) labels, transformed on access."""

    def __init__(self, images, labels, transform):
        self.images, self.labels, self.transform = images, labels, transform

    def __len__(self):
        return self.labels.numel()

    def __getitem__(self, i):
        return self.transform(self.images[i]), int(self.labels[i])


def load_cifar(args, generator):
    if args.fake_data:
        n_test = max(1, args.fake_data // 4)
        images = torch.randint(0, 256, (args.fake_data + n_test, 3, 32, 32), dtype=torch.uint8, generator=generator)
        labels = torch.randint(0, NUM_CLASSES, (args.fake_data + n_test,), generator=generator)
        return (images[:args.fake_data], labels[:args.fake_data]), (images[args.fake_data:], labels[args.fake_data:])
    out = []
    for train in (True, False):
        try:
            ds = torchvision.datasets.CIFAR10(args.data, train=train, download=args.download)
        except RuntimeError as e:
            sys.exit(f"CIFAR-10 not found in {args.data} ({e}); pass --download, or --fake-data N for a smoke test")
        out.append((torch.from_numpy(ds.data).permute(0, 3, 1, 2).contiguous(), torch.tensor(ds.targets)))
    return out[0], out[1]


def checkpoint_name(args, epoch):
    return f"IN_resnet18_epoch{epoch:04d}_cifar10_ln{args.noise}pc_seed{args.seed}.pth"


def run_epoch(model, loader, device, optimizer=None):
    """One pass; trains when an optimizer is given. Returns the fraction misclassified."""
    model.train(optimizer is not None)
    wrong, seen = 0, 0
    loss_fn = nn.CrossEntropyLoss()
    with torch.set_grad_enabled(optimizer is not None):
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            logits = model(x)
            if optimizer is not None:
                optimizer.zero_grad(set_to_none=True)
                loss_fn(logits, y).backward()
                optimizer.step()
            wrong += (logits.argmax(1) != y).sum().item()
            seen += y.numel()
    return wrong / seen


def main(argv=None):
    args = parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    torch.manual_seed(args.seed)
    data_gen = torch.Generator().manual_seed(args.seed)
    (train_x, train_y), (test_x, test_y) = load_cifar(args, data_gen)
    train_y = noisy_labels(train_y, args.noise, torch.Generator().manual_seed(args.seed + 1))

    to_input = [T.ConvertImageDtype(torch.float32), T.Normalize(CIFAR_MEAN, CIFAR_STD)]
    augment = [] if args.no_augment else [T.RandomCrop(32, padding=4), T.RandomHorizontalFlip()]
    train_set = LabelledTensors(train_x, train_y, T.Compose(augment + to_input))
    test_set = LabelledTensors(test_x, test_y, T.Compose(to_input))
    loader_gen = torch.Generator().manual_seed(args.seed + 2)
    train_loader = torch.utils.data.DataLoader(train_set, batch_size=args.batch_size, shuffle=True,
                                               num_workers=args.workers, generator=loader_gen)
    test_loader = torch.utils.data.DataLoader(test_set, batch_size=512, num_workers=args.workers)

    model = resnet18(args.width).to(args.device)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    errors_csv = os.path.join(args.out, "errors.csv")
    resume = os.path.join(args.out, "resume.state")
    start = 1
    rows = []
    if os.path.exists(resume):
        state = torch.load(resume, map_location=args.device)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        torch.set_rng_state(state["torch_rng"])
        loader_gen.set_state(state["loader_rng"])
        start = state["epoch"] + 1
        with open(errors_csv, newline="") as f:
            rows = [r for r in csv.DictReader(f) if int(r["epoch"]) < start]
        print(f"resuming after epoch {state['epoch']} from {resume}")

    # errors.csv is rewritten whole each epoch (temporary name, then rename): a run killed
    # mid-write leaves the previous complete file.
    def write_errors():
        tmp = errors_csv + ".tmp"
        with open(tmp, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=["epoch", "train_error", "test_error"], lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
        os.replace(tmp, errors_csv)

    print(f"resnet18 width {args.width} on {args.device}: {len(train_set)} train ({args.noise}% noisy labels), "
          f"{len(test_set)} test, epochs {start}..{args.epochs}, Adam lr {args.lr}", flush=True)
    for epoch in range(start, args.epochs + 1):
        t0 = time.time()
        train_error = run_epoch(model, train_loader, args.device, optimizer)
        test_error = run_epoch(model, test_loader, args.device)
        ckpt = os.path.join(args.out, checkpoint_name(args, epoch))
        torch.save(model.state_dict(), ckpt + ".tmp")
        os.replace(ckpt + ".tmp", ckpt)
        rows.append({"epoch": epoch, "train_error": f"{train_error:.6f}", "test_error": f"{test_error:.6f}"})
        write_errors()
        torch.save({"epoch": epoch, "model": model.state_dict(), "optimizer": optimizer.state_dict(),
                    "torch_rng": torch.get_rng_state(), "loader_rng": loader_gen.get_state()}, resume + ".tmp")
        os.replace(resume + ".tmp", resume)
        print(f"epoch {epoch}/{args.epochs}: train error {100 * train_error:.2f}%, "
              f"test error {100 * test_error:.2f}% ({time.time() - t0:.1f} s)", flush=True)


if __name__ == "__main__":
    main()
