"""PyTorch side of the AdaIN stylization benchmark (bench/stylize.mjs drives it).

The official pytorch-AdaIN net.py layouts at full width (encoder to relu4_1: 64, 128, 256, 512
channels; the decoder back to RGB), random He-scaled weights, eval mode, no grad, NCHW float32,
batch 1, as the official test.py runs them. Two timings per round, like the JS side:

  stylize  encoder on content and style, AdaIN, decoder, output read back
  builder  per content one encoder pass and T decoder passes against T style features encoded
           once, each output clamped to [0, 1], converted to 8 bits and JPEG-encoded (PIL,
           quality 95), as a builder would write it; seconds per output image

Each timing is the best of --repeats after one warm-up. With --rounds R the two timings are
repeated R times and every round is printed, so bench/stylize.mjs can alternate rounds with its
own by calling this once per round. Prints one JSON object on its last line.

  /usr/bin/python3 bench/torch_adain.py --size 512 --threads 1 --repeats 2
"""
import argparse
import io
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
from PIL import Image

# pytorch-AdaIN's adain and padding, shared with the parity fixtures
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'adain'))
from adain_ref import adain, pad  # noqa: E402


def encoder():
    def block(i, o):
        return [pad(), nn.Conv2d(i, o, (3, 3)), nn.ReLU()]

    def pool():
        return nn.MaxPool2d((2, 2), (2, 2), (0, 0), ceil_mode=True)

    return nn.Sequential(
        nn.Conv2d(3, 3, (1, 1)),
        *block(3, 64), *block(64, 64), pool(),
        *block(64, 128), *block(128, 128), pool(),
        *block(128, 256), *block(256, 256), *block(256, 256), *block(256, 256), pool(),
        *block(256, 512),
    )


def decoder():
    def block(i, o, relu=True):
        return [pad(), nn.Conv2d(i, o, (3, 3))] + ([nn.ReLU()] if relu else [])

    def up():
        return nn.Upsample(scale_factor=2, mode='nearest')

    return nn.Sequential(
        *block(512, 256), up(),
        *block(256, 256), *block(256, 256), *block(256, 256), *block(256, 128), up(),
        *block(128, 128), *block(128, 64), up(),
        *block(64, 64), *block(64, 3, relu=False),
    )


def init(net):
    with torch.no_grad():
        for m in net:
            if isinstance(m, nn.Conv2d):
                fan_in = m.in_channels * m.kernel_size[0] * m.kernel_size[1]
                m.weight.normal_(0.0, (2.0 / fan_in) ** 0.5)
                m.bias.normal_(0.0, 0.01)
    return net.eval()


def jpeg(out):
    a = (out[0].clamp(0, 1).permute(1, 2, 0).numpy() * 255).round().astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(a).save(buf, format='JPEG', quality=95)
    return buf.getvalue()


def best_of(repeats, body):
    best = float('inf')
    for _ in range(repeats):
        t0 = time.perf_counter()
        body()
        best = min(best, time.perf_counter() - t0)
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--size', type=int, default=512)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--repeats', type=int, default=2)
    ap.add_argument('--rounds', type=int, default=1)
    ap.add_argument('--textures', type=int, default=5)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    enc, dec = init(encoder()), init(decoder())
    content = torch.rand(1, 3, args.size, args.size)
    style = torch.rand(1, 3, args.size, args.size)
    T = args.textures
    rounds = []
    with torch.no_grad():
        def stylize():
            return dec(adain(enc(content), enc(style))).numpy()

        sf = enc(style)

        def builder():
            cf = enc(content)
            for _ in range(T):
                jpeg(dec(adain(cf, sf)))

        stylize()  # warm-up
        builder()
        for _ in range(args.rounds):
            rounds.append({
                'stylizeSecondsPerImage': best_of(args.repeats, stylize),
                'builderSecondsPerImage': best_of(args.repeats, builder) / T,
            })
    print(json.dumps({'torch': torch.__version__, 'threads': args.threads, 'size': args.size, 'repeats': args.repeats, 'texturesPerContent': T, 'rounds': rounds}))


if __name__ == '__main__':
    main()
