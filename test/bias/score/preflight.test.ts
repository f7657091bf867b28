import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@shapetex/core';
import { readProbeSet, synthesizeProbeSet, type ProbeSet } from '@shapetex/svoc';
import { scoreCheckpoints, type CheckpointEntry, type ModelLoader, type ScoringModel } from '@shapetex/bias';
import { DEFAULT_IMAGE_SIZE, preflight, resolveImageSize } from '../../../packages/bias/dist/score/preflight.js';

let dir: string;
let probe: ProbeSet;
const entry = (name: string): CheckpointEntry => ({ path: path.join(dir, name), checkpoint: name, epoch: 1, epochSource: 'after-epoch' });

/** A model of fixed taps and (optionally) a fixed input size; its features are the channel means. */
function model(taps: string[], inputSize?: number, layerTaps?: string[]): ScoringModel {
  return {
    arch: 'fake', taps, ...(inputSize !== undefined ? { inputSize } : {}), ...(layerTaps ? { layerTaps } : {}),
    async features(x, want = ['final']) {
      const [n, h, w] = x.shape;
      const px = await x.data();
      const z = new Float32Array(n * 3);
      for (let i = 0; i < n * h * w * 3; i++) z[Math.floor(i / (h * w * 3)) * 3 + (i % 3)]! += px[i]! / (h * w);
      return Object.fromEntries(want.map((t) => [t, z]));
    },
    dispose() {},
  };
}

beforeAll(async () => {
  await initBackend('cpu', { log: null });
  dir = await mkdtemp(path.join(os.tmpdir(), 'shapetex-preflight-'));
  await synthesizeProbeSet({ out: path.join(dir, 'probe'), factors: ['shape', 'texture'], perFactor: 3, size: 16, seed: 1 });
  probe = await readProbeSet(path.join(dir, 'probe'));
  await writeFile(path.join(dir, 'errors.csv'), 'epoch,error\n1,0.5\n2,0.4\n');
  await writeFile(path.join(dir, 'bad.csv'), 'epoch,acc\n1,x\n');
});

describe('preflight', () => {
  const base = () => ({ checkpoints: dir, found: [entry('m_epoch1.pth')], probe, taps: ['final'] as string[], seed: 0, log: () => {} });

  it('passes good inputs, parsing the errors CSV and taking the size from the model when it fixes one', async () => {
    const loads: string[] = [];
    const load: ModelLoader = async (f) => { loads.push(path.basename(f)); return model(['stage1', 'final'], 32); };
    const r = await preflight({ ...base(), errors: path.join(dir, 'errors.csv'), load });
    expect(r.imageSize).toBe(32);
    expect(r.errorCurve).toMatchObject({ epochs: [1, 2], errors: [50, 40] });
    expect(loads).toEqual(['m_epoch1.pth']);
    const free = await preflight({ ...base(), load: async () => model(['final']) });
    expect(free.imageSize).toBe(DEFAULT_IMAGE_SIZE);
    expect((await preflight({ ...base(), imageSize: 64, load: async () => model(['final']) })).imageSize).toBe(64);
  });

  it('is a UsageError naming the option for each problem, cheapest first', async () => {
    const never: ModelLoader = async () => { throw new Error('must not load'); };
    await expect(preflight({ ...base(), errors: path.join(dir, 'bad.csv'), found: [], load: never }))
      .rejects.toMatchObject({ name: 'UsageError', message: expect.stringMatching(/^--errors: error curve .*bad\.csv: line 2, column 'acc'/) });
    await expect(preflight({ ...base(), found: [], load: never }))
      .rejects.toMatchObject({ name: 'UsageError', message: expect.stringContaining(`no checkpoint found in ${dir}: searched for **/*.{pth,pt,tar,ckpt,bin,safetensors} and **/model.json`) });
    await expect(preflight({ ...base(), taps: ['final', 'stage9', 'x'], load: async () => model(['stage1', 'final'], undefined, ['conv1']) }))
      .rejects.toMatchObject({ name: 'UsageError', message: "--taps: 'stage9', 'x' are not taps of m_epoch1.pth (fake); its taps are stage1, final (or one of its layer names: conv1), or give --taps all" });
    await expect(preflight({ ...base(), imageSize: 224, load: async () => model(['final'], 32) }))
      .rejects.toMatchObject({ name: 'UsageError', message: expect.stringMatching(/^--image-size 224 conflicts with m_epoch1\.pth: this fake model takes only 32×32 images/) });
    // a layer name is a valid tap
    expect((await preflight({ ...base(), taps: ['conv1'], load: async () => model(['final'], undefined, ['conv1']) })).imageSize).toBe(224);
  });

  it('leaves taps and size to the run when the first checkpoint does not load, and says so', async () => {
    const lines: string[] = [];
    const r = await preflight({ ...base(), taps: ['bogus'], imageSize: 48, log: (l) => lines.push(l), load: async () => { throw new Error('truncated zip'); } });
    expect(r.imageSize).toBe(48);
    expect(lines).toEqual([expect.stringMatching(/the first checkpoint, m_epoch1\.pth, does not load \(truncated zip\)/)]);
  });

  it('resolveImageSize: explicit, fixed, default', () => {
    expect(resolveImageSize(undefined, undefined, undefined)).toBe(224);
    expect(resolveImageSize(model(['final'], 20), entry('a.pth'), 20)).toBe(20);
  });
});

describe('scoreCheckpoints with a model of fixed input size', () => {
  it('records a clear failure when the probe was prepared at another size', async () => {
    const found = [entry('m_epoch1.pth')];
    const out = [];
    for await (const r of scoreCheckpoints({ checkpoints: found, probe, imageSize: 16, loadModel: async () => model(['final'], 32) })) out.push(r);
    expect(out).toHaveLength(1);
    expect(out[0]!.error).toMatchObject({ stage: 'features', message: 'fake model takes only 32×32 images; the probe set was prepared at 16×16 (imageSize)' });
    const ok = [];
    for await (const r of scoreCheckpoints({ checkpoints: found, probe, imageSize: 32, loadModel: async () => model(['final'], 32) })) ok.push(r);
    expect(ok[0]!.error).toBeUndefined();
    expect(ok[0]!.records.map((r) => [r.tap, r.D])).toEqual([['final', 3]]);
  });
});
