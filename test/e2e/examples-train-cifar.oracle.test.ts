// examples/svoc-pytorch/train_cifar.py checked in PyTorch itself: the label noise it documents,
// the narrowed ResNet-18 keeping torchvision's key layout, and resumption that continues the
// very same run (an interrupted run, resumed, ends bit for bit where an uninterrupted one does).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTorchPython } from '../torch-python.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const script = path.join(root, 'examples/svoc-pytorch/train_cifar.py');
const PYTHON = findTorchPython();

function python(code: string, cwd: string): string {
  const r = spawnSync(PYTHON, ['-c', code], { cwd, encoding: 'utf8', env: { ...process.env, PYTHONPATH: path.dirname(script), PYTHONDONTWRITEBYTECODE: '1' } });
  if (r.status !== 0) throw new Error(`python failed (exit ${r.status}):\n${r.stderr}`);
  return r.stdout;
}

describe('examples/svoc-pytorch/train_cifar.py', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(path.join(tmpdir(), 'shapetex-train-cifar-'));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('replaces exactly round(p·n) labels, each by another class, spread over the 9 others', () => {
    const out = JSON.parse(
      python(
        `
import json, torch, train_cifar as tc
y = torch.arange(10).repeat(1000)
z = tc.noisy_labels(y, 20, torch.Generator().manual_seed(0))
changed = (z != y)
shift = ((z - y) % 10)[changed]
print(json.dumps({"changed": int(changed.sum()), "range": [int(z.min()), int(z.max())],
                  "shifts": torch.bincount(shift, minlength=10).tolist(), "untouched_input": bool((y == torch.arange(10).repeat(1000)).all())}))
`,
        tmp,
      ),
    ) as { changed: number; range: [number, number]; shifts: number[]; untouched_input: boolean };
    expect(out.changed).toBe(2000);
    expect(out.range).toEqual([0, 9]);
    expect(out.shifts[0]).toBe(0);
    // 2000 draws over 9 shifts: each near 222; 5 sigma of a binomial(2000, 1/9) is about 70
    for (const s of out.shifts.slice(1)) expect(Math.abs(s - 2000 / 9)).toBeLessThan(70);
    expect(out.untouched_input).toBe(true);
  });

  it('keeps torchvision resnet18 keys; width k narrows the stages to k, 2k, 4k, 8k', () => {
    const out = JSON.parse(
      python(
        `
import json, torchvision, train_cifar as tc
ref = torchvision.models.resnet18(num_classes=10).state_dict()
std = tc.resnet18(64).state_dict()
k8 = tc.resnet18(8).state_dict()
print(json.dumps({"std_same": list(ref) == list(std) and all(ref[k].shape == std[k].shape for k in ref),
                  "k8_keys": list(k8) == list(ref),
                  "k8_shapes": {k: list(k8[k].shape) for k in ["conv1.weight", "layer2.0.downsample.0.weight", "layer4.1.conv2.weight", "fc.weight"]}}))
`,
        tmp,
      ),
    ) as { std_same: boolean; k8_keys: boolean; k8_shapes: Record<string, number[]> };
    expect(out.std_same).toBe(true);
    expect(out.k8_keys).toBe(true);
    expect(out.k8_shapes).toEqual({
      'conv1.weight': [8, 3, 7, 7],
      'layer2.0.downsample.0.weight': [16, 8, 1, 1],
      'layer4.1.conv2.weight': [64, 64, 3, 3],
      'fc.weight': [10, 64],
    });
  });

  it('a run stopped after epoch 2 and resumed ends identical to an uninterrupted 3-epoch run', () => {
    const args = ['--fake-data', '48', '--width', '4', '--workers', '0', '--batch-size', '16', '--noise', '20', '--seed', '3'];
    const train = (out: string, epochs: number): void => {
      const r = spawnSync(PYTHON, [script, ...args, '--out', path.join(tmp, out), '--epochs', String(epochs)], { encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
      if (r.status !== 0) throw new Error(`train_cifar.py failed: ${r.stderr}`);
    };
    train('straight', 3);
    train('resumed', 2);
    train('resumed', 3);
    const out = JSON.parse(
      python(
        `
import json, torch
name = "IN_resnet18_epoch0003_cifar10_ln20pc_seed3.pth"
a = torch.load("straight/" + name); b = torch.load("resumed/" + name)
print(json.dumps({"same_keys": list(a) == list(b), "max_diff": max(float((a[k].double() - b[k].double()).abs().max()) for k in a),
                  "csv_same": open("straight/errors.csv").read() == open("resumed/errors.csv").read()}))
`,
        tmp,
      ),
    ) as { same_keys: boolean; max_diff: number; csv_same: boolean };
    expect(out.same_keys).toBe(true);
    expect(out.max_diff).toBe(0);
    expect(out.csv_same).toBe(true);
  });

  it('rejects a noise rate outside 0..100 with a usage error naming the option', () => {
    const r = spawnSync(PYTHON, [script, '--noise', '120', '--fake-data', '8'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--noise 120: expected an integer in [0, 100]');
  });
});
