"""Reference graph of the AdaIN engine benchmark (bench/stylize-onnx.mjs): pytorch-AdaIN's
stylization (encoder on content and style, AdaIN, decoder; the official net.py layouts at full
width, random weights, as bench/torch_adain.py builds them) exported with torch.onnx.export, so
ONNX Runtime can run it beside shapetex's own AdaIN graphs.

  /usr/bin/python3 bench/torch_adain_onnx.py --size 512 --out DIR
  /usr/bin/python3 bench/torch_adain_onnx.py --weights-only --out DIR   (vgg.pth, decoder.pth for svoc build)
"""
import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_adain import adain, decoder, encoder, init  # noqa: E402


class Stylize(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.enc, self.dec = init(encoder()), init(decoder())

    def forward(self, content, style):
        return self.dec(adain(self.enc(content), self.enc(style)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--size', type=int, default=512)
    ap.add_argument('--out', required=True)
    ap.add_argument('--weights-only', action='store_true', help='write the random weights as .pth (official key layout) and stop')
    args = ap.parse_args()
    torch.manual_seed(0)
    os.makedirs(args.out, exist_ok=True)
    if args.weights_only:
        net = Stylize()
        files = {'vgg': os.path.join(args.out, 'vgg.pth'), 'decoder': os.path.join(args.out, 'decoder.pth')}
        torch.save(net.enc.state_dict(), files['vgg'])
        torch.save(net.dec.state_dict(), files['decoder'])
        print(json.dumps({'torch': torch.__version__, **files}))
        return
    f = os.path.join(args.out, f'adain_{args.size}.torch.onnx')
    if not os.path.exists(f):
        x = torch.rand(1, 3, args.size, args.size)
        torch.onnx.export(Stylize().eval(), (x, x), f, input_names=['content', 'style'], output_names=['image'], opset_version=13)
    print(json.dumps({'torch': torch.__version__, 'onnx': f, 'size': args.size}))


if __name__ == '__main__':
    main()
