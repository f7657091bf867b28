"""Your own architecture, scored by shapetex through ONNX (docs/architectures.md).

A network the zoo does not know (a small CNN with a squeeze-and-excitation gate), a few
checkpoints of a "training run" (seeded random weights stand in for real epochs; use your own
torch.save'd state_dicts instead), and its graph exported ONCE with the names kept, so that
`bias-score --graph arch.onnx` can bind every checkpoint's tensors to the graph by name.

    python3 export_graph.py --out work
    # → work/arch.onnx, work/checkpoints/epoch_{1,2,3}.pth

Needs PyTorch (any version since 1.13). Seeded: rerunning writes identical checkpoints.
"""
import argparse
import os

import torch
import torch.nn as nn


class SEBlock(nn.Module):
    """conv-BN-ReLU, then a squeeze-and-excitation gate on the channels."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(cout)
        self.squeeze = nn.Linear(cout, cout // 4)
        self.excite = nn.Linear(cout // 4, cout)

    def forward(self, x):
        x = torch.relu(self.bn(self.conv(x)))
        gate = torch.sigmoid(self.excite(torch.relu(self.squeeze(x.mean((2, 3))))))
        return x * gate[:, :, None, None]


class GatedNet(nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        self.block1 = SEBlock(3, 16, 1)
        self.block2 = SEBlock(16, 32, 2)
        self.block3 = SEBlock(32, 64, 2)
        self.fc = nn.Linear(64, classes)

    def forward(self, x):
        x = self.block1(x)
        x = self.block2(x)
        stage3 = self.block3(x)
        return stage3, self.fc(stage3.mean((2, 3)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', required=True)
    ap.add_argument('--size', type=int, default=32, help='input side the graph takes')
    args = ap.parse_args()
    os.makedirs(os.path.join(args.out, 'checkpoints'), exist_ok=True)
    for epoch in (1, 2, 3):
        torch.manual_seed(epoch)
        model = GatedNet()
        with torch.no_grad():  # BatchNorm statistics as after some training
            for m in model.modules():
                if isinstance(m, nn.BatchNorm2d):
                    m.running_mean.normal_(0, 0.1)
                    m.running_var.uniform_(0.5, 1.5)
        torch.save(model.state_dict(), os.path.join(args.out, 'checkpoints', f'epoch_{epoch}.pth'))

    # The graph, once: any checkpoint's weights will do, bias-score replaces them by name.
    model.eval()
    x = torch.zeros(1, 3, args.size, args.size)
    torch.onnx.export(model, x, os.path.join(args.out, 'arch.onnx'),
                      training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False,
                      input_names=['input'], output_names=['stage3', 'logits'],
                      dynamic_axes={'input': {0: 'N'}, 'stage3': {0: 'N'}, 'logits': {0: 'N'}})
    print(f"wrote {args.out}/arch.onnx and {args.out}/checkpoints/epoch_{{1,2,3}}.pth")


if __name__ == '__main__':
    main()
