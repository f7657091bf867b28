// examples/train/train.mjs's freezing and pre-training, as the ablations run them: real
// processes on tiny synthetic sets. The checkpoints are read back byte by byte from
// model.json's manifest, so "frozen" is checked as the issue words it: the frozen tensors,
// kernels, BatchNorm scale/shift AND moving statistics, are bit-identical across epochs and to
// where they started, while the trained ones move.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from './helpers.js';

const TRAIN = path.join(REPO, 'examples/train/train.mjs');
let dir: string;

interface Run { status: number | null; stdout: string; stderr: string }

/** Width 2 on 16 px images of a 27-image set (3 values per factor): a run takes a second or two. */
function train(out: string, extra: string[] = [], set = 'set3', perFactor = '3'): Run {
  const args = [
    TRAIN, '--synth', path.join(dir, set), '--per-factor', perFactor, '--out', path.join(dir, out),
    '--image-size', '16', '--width', '2', '--batch-size', '8', '--seed', '5', '--backend', 'wasm', ...extra,
  ];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Tensor { shape: number[]; bytes: Buffer }

/** The checkpoint's tensors by name, each its raw float32 bytes, cut from weights.bin by the manifest. */
function tensors(run: string, epoch: number): Map<string, Tensor> {
  const ckpt = path.join(dir, run, 'checkpoints', `epoch_${String(epoch).padStart(4, '0')}`);
  const json = JSON.parse(readFileSync(path.join(ckpt, 'model.json'), 'utf8'));
  const bin = readFileSync(path.join(ckpt, 'weights.bin'));
  const out = new Map<string, Tensor>();
  let at = 0;
  for (const w of json.weightsManifest[0].weights as { name: string; shape: number[]; dtype: string }[]) {
    expect(w.dtype).toBe('float32');
    const n = 4 * w.shape.reduce((a, b) => a * b, 1);
    out.set(w.name, { shape: w.shape, bytes: bin.subarray(at, at + n) });
    at += n;
  }
  expect(at).toBe(bin.length);
  return out;
}

// The network's parts as the README names them: stage 1 = conv1 + stage1 blocks, stage 2 =
// conv2 + stage2, stage 3 = conv3 + final, then the dense classifier.
const PARTS: Record<string, string[]> = {
  stage1: ['conv1_', 'stage1_'], stage2: ['conv2_', 'stage2_'], stage3: ['conv3_', 'final_'], classifier: ['classifier/'],
};
const names = (t: Map<string, Tensor>, part: string): string[] => [...t.keys()].filter((n) => PARTS[part]!.some((p) => n.startsWith(p)));
const floats = (t: Tensor): number[] => [...new Float32Array(t.bytes.buffer.slice(t.bytes.byteOffset, t.bytes.byteOffset + t.bytes.length))];

/** Every tensor of `parts` is bit-identical in a and b. */
function expectSame(a: Map<string, Tensor>, b: Map<string, Tensor>, parts: string[]): void {
  for (const part of parts) {
    const ns = names(a, part);
    // each block: a kernel, and BatchNorm's gamma, beta, moving mean and variance
    expect(ns.length, part).toBe(part === 'classifier' ? 2 : 10);
    for (const n of ns) expect(a.get(n)!.bytes.equals(b.get(n)!.bytes), n).toBe(true);
  }
}

/** Every tensor of `parts`, moving statistics included, differs between a and b. */
function expectChanged(a: Map<string, Tensor>, b: Map<string, Tensor>, parts: string[]): void {
  for (const part of parts) {
    for (const n of names(a, part)) expect(a.get(n)!.bytes.equals(b.get(n)!.bytes), n).toBe(false);
  }
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'shapetex-train-freeze-'));
  // The source of the pre-training runs: 2 epochs on the shape labels.
  const base = train('base', ['--label-factor', 'shape', '--epochs', '2']);
  expect(base.status, base.stderr).toBe(0);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('examples/train/train.mjs --freeze and --pretrained', () => {
  it('--freeze first:1 keeps stage 1 (BatchNorm statistics too) as the pre-trained source gave it, and trains the rest', () => {
    const r = train('first1', ['--label-factor', 'texture', '--epochs', '3', '--freeze', 'first:1',
      '--pretrained', path.join(dir, 'base/checkpoints/epoch_0002')]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/freeze first:1: frozen stage 1 \(conv1, stage1\)/);
    expect(r.stdout).toMatch(/training stage 2, stage 3, classifier/);
    expect(r.stdout).toMatch(/pretrained: 30 tensors of 12 layers .*base\/checkpoints\/epoch_0002\/model\.json/);
    const source = tensors('base', 2);
    const [e1, e2, e3] = [1, 2, 3].map((e) => tensors('first1', e)) as [Map<string, Tensor>, Map<string, Tensor>, Map<string, Tensor>];
    for (const e of [e1, e2, e3]) expectSame(source, e, ['stage1']);
    // the source's stage-1 statistics are those of trained BatchNorm, not the 0/1 it starts from
    expect(floats(source.get('conv1_bn/moving_mean')!).some((v) => v !== 0)).toBe(true);
    expectChanged(e1, e3, ['stage2', 'stage3', 'classifier']);
    expectChanged(source, e1, ['stage2', 'stage3']);
    // a rerun with more epochs continues frozen: the checkpoint it resumes from is not the source
    const more = train('first1', ['--label-factor', 'texture', '--epochs', '4', '--freeze', 'first:1',
      '--pretrained', path.join(dir, 'base/checkpoints/epoch_0002')]);
    expect(more.status, more.stderr).toBe(0);
    expect(more.stdout).toMatch(/resuming after epoch 3/);
    expectSame(source, tensors('first1', 4), ['stage1']);
  });

  it('--freeze last:1 keeps stage 3 and the classifier at their initial values, and trains stages 1 and 2', () => {
    const r = train('last1', ['--label-factor', 'shape', '--epochs', '3', '--freeze', 'last:1']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/frozen stage 3 \(conv3, final\), classifier/);
    const [e1, e2, e3] = [1, 2, 3].map((e) => tensors('last1', e)) as [Map<string, Tensor>, Map<string, Tensor>, Map<string, Tensor>];
    expectSame(e1, e2, ['stage3', 'classifier']);
    expectSame(e1, e3, ['stage3', 'classifier']);
    expectChanged(e1, e3, ['stage1', 'stage2']);
    // Known starting values: BatchNorm begins at gamma 1, beta 0, moving mean 0, variance 1;
    // a frozen one must still hold them after three epochs.
    for (const b of ['conv3_bn', 'final_bn']) {
      expect(new Set(floats(e3.get(`${b}/gamma`)!))).toEqual(new Set([1]));
      expect(new Set(floats(e3.get(`${b}/beta`)!))).toEqual(new Set([0]));
      expect(new Set(floats(e3.get(`${b}/moving_mean`)!))).toEqual(new Set([0]));
      expect(new Set(floats(e3.get(`${b}/moving_variance`)!))).toEqual(new Set([1]));
    }
    // while a trained one has moved off them
    expect(floats(e3.get('conv1_bn/moving_mean')!).some((v) => v !== 0)).toBe(true);
  });

  it('--pretrained with --freeze first:3 gives the source network with a fresh classifier for the new classes', () => {
    // another synthetic set, 4 values per factor: 4 classes where the source had 3
    const r = train('ft', ['--label-factor', 'color', '--epochs', '1', '--freeze', 'first:3',
      '--pretrained', path.join(dir, 'base/checkpoints/epoch_0002/model.json')], 'set4', '4');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/classifier initialised afresh \(seed 5\) for 4 classes \(the checkpoint's had 3\)/);
    const source = tensors('base', 2), e1 = tensors('ft', 1);
    expectSame(source, e1, ['stage1', 'stage2', 'stage3']);
    // width 2: the last stage has 4·2 channels
    expect(source.get('classifier/kernel')!.shape).toEqual([8, 3]);
    expect(e1.get('classifier/kernel')!.shape).toEqual([8, 4]);
    expect(e1.get('classifier/bias')!.shape).toEqual([4]);
    const options = JSON.parse(readFileSync(path.join(dir, 'ft/train.json'), 'utf8')).options;
    expect(options.freeze).toEqual({ from: 'first', n: 3 });
    expect(options.pretrained).toBe(path.join(dir, 'base/checkpoints/epoch_0002/model.json'));
    // a rerun in the same folder with another freezing is another setup: refused
    const other = train('ft', ['--label-factor', 'color', '--epochs', '2', '--freeze', 'first:2',
      '--pretrained', path.join(dir, 'base/checkpoints/epoch_0002')], 'set4', '4');
    expect(other.status).toBe(2);
    expect(other.stderr).toMatch(/other options/);
  });

  it('reads --freeze as the README says: first:1..3 freeze the first stages, last:0..3 the last ones and the classifier', async () => {
    const { parseFreeze, frozenParts } = await import('../../examples/train/freeze.mjs');
    expect(parseFreeze(undefined)).toBeUndefined();
    expect(frozenParts(parseFreeze('first:1'))).toEqual({ stages: [1], classifier: false });
    expect(frozenParts(parseFreeze('first:3'))).toEqual({ stages: [1, 2, 3], classifier: false });
    expect(frozenParts(parseFreeze('last:0'))).toEqual({ stages: [], classifier: true });
    expect(frozenParts(parseFreeze('last:2'))).toEqual({ stages: [2, 3], classifier: true });
    for (const v of ['first:0', 'first:4', 'last:4', 'last:-1', 'middle:1', 'first:x', 'first', '']) {
      expect(() => parseFreeze(v), v).toThrow(`--freeze ${v}: expected first:N (N in 1..3`);
    }
  });

  it('refuses a bad --freeze value and a checkpoint of another width, with exit 2 and what is wrong', () => {
    const bad = train('bad', ['--epochs', '1', '--freeze', 'first:4']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--freeze first:4: expected first:N (N in 1..3: freeze stages 1..N) or last:N (N in 0..3');
    const file = path.join(dir, 'base/checkpoints/epoch_0001/model.json');
    const wide = train('wide', ['--epochs', '1', '--width', '3', '--pretrained', path.dirname(file)]);
    expect(wide.status).toBe(2);
    expect(wide.stderr).toContain(`--pretrained ${file}: layer conv1_conv`);
    expect(wide.stderr).toContain('shape [3, 3, 3, 2] there but [3, 3, 3, 3] here');
    const missing = train('missing', ['--epochs', '1', '--pretrained', path.join(dir, 'nowhere')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/--pretrained .*nowhere.*does not exist/);
  });
});
