import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, prepareImages } from '@shapetex/core';
import { readProbeSet, synthesizeProbeSet, type ProbeSet } from '@shapetex/svoc';
import {
  discoverCheckpoints, estimateDimensions, samplePairs, scoreCheckpoints,
  type CheckpointResult, type ModelLoader, type ScoringModel,
} from '@shapetex/bias';

const SIZE = 16;
let dir: string;
let probe: ProbeSet;

beforeAll(async () => {
  await initBackend('cpu', { log: null });
  dir = await mkdtemp(path.join(os.tmpdir(), 'shapetex-score-'));
  await synthesizeProbeSet({ out: path.join(dir, 'probe'), factors: ['shape', 'texture'], perFactor: 4, size: SIZE, seed: 3 });
  probe = await readProbeSet(path.join(dir, 'probe'));
  for (const f of ['a_epoch1.pth', 'a_epoch2.pth', 'a_epoch3.pth', 'broken_epoch2.pth']) await writeFile(path.join(dir, f), 'x');
});

/**
 * A stand-in model whose features are a known function of the pixels: per image, tap `final`
 * holds the 3 channel means scaled by the checkpoint's epoch plus the mean of the squared
 * pixels, and tap `early` the channel means of the top half. Counts the images it forwards.
 */
function fakeLoader(log: { loads: string[]; rows: number; disposed: number }): ModelLoader {
  return async (file) => {
    if (file.includes('broken')) throw new Error(`${file}: not a checkpoint`);
    const epoch = Number(/epoch(\d+)/.exec(file)![1]);
    log.loads.push(path.basename(file));
    const model: ScoringModel = {
      arch: 'fake', taps: ['early', 'final'],
      async features(x, taps = ['final']) {
        log.rows += x.shape[0];
        const out: Record<string, Float32Array> = {};
        const [n, h, w] = x.shape;
        const px = await x.data();
        for (const t of taps) {
          const D = t === 'final' ? 4 : 3;
          const z = new Float32Array(n * D);
          for (let i = 0; i < n; i++) {
            const rows = t === 'final' ? h : h / 2;
            let sq = 0;
            for (let r = 0; r < rows; r++) for (let c = 0; c < w; c++) for (let ch = 0; ch < 3; ch++) {
              const v = px[((i * h + r) * w + c) * 3 + ch]!;
              z[i * D + ch]! += (t === 'final' ? epoch : 1) * v / (rows * w);
              sq += v * v;
            }
            if (t === 'final') z[i * D + 3] = sq / (rows * w * 3);
          }
          out[t] = z;
        }
        return out;
      },
      dispose() { log.disposed++; },
    };
    return model;
  };
}

/** The expected `final` features of one epoch, computed here from prepareImages directly. */
async function expectedFinal(epoch: number): Promise<Float32Array> {
  const files = probe.records.map((r) => path.join(probe.root, r.file));
  const px = await prepareImages(files, { size: SIZE, norm: 'imagenet' });
  const N = files.length;
  const per = SIZE * SIZE * 3;
  const z = new Float32Array(N * 4);
  for (let i = 0; i < N; i++) {
    let sq = 0;
    for (let j = 0; j < per; j++) {
      const v = px[i * per + j]!;
      z[i * 4 + (j % 3)]! += epoch * v / (SIZE * SIZE);
      sq += v * v;
    }
    z[i * 4 + 3] = sq / per;
  }
  return z;
}

async function collect(it: AsyncIterable<CheckpointResult>): Promise<CheckpointResult[]> {
  const out: CheckpointResult[] = [];
  for await (const r of it) out.push(r);
  return out;
}

describe('scoreCheckpoints', () => {
  it('scores each checkpoint on the same pairs, one forward per unique image, failures recorded and passed', async () => {
    const log = { loads: [] as string[], rows: 0, disposed: 0 };
    const results = await collect(scoreCheckpoints({
      checkpoints: dir, probe, imageSize: SIZE, taps: ['final'], methods: ['per-neuron', 'pooled'], seed: 5, batch: 5,
      loadModel: fakeLoader(log), readEpochEntry: async () => null,
    }));
    expect(results.map((r) => [r.checkpoint, r.epoch, r.error?.stage ?? 'ok'])).toEqual([
      ['a_epoch1.pth', 1, 'ok'], ['a_epoch2.pth', 2, 'ok'], ['broken_epoch2.pth', 2, 'load'], ['a_epoch3.pth', 3, 'ok'],
    ]);
    expect(results[2]!.error!.message).toMatch(/broken_epoch2\.pth: not a checkpoint/);
    expect(results[2]!.records).toEqual([]);
    // 16 images × 3 good checkpoints, every model disposed
    expect(log.rows).toBe(16 * 3);
    expect(log.disposed).toBe(3);
    const pairs = samplePairs(probe, { seed: 5 });
    for (const r of results.filter((x) => !x.error)) {
      expect(r.records.map((x) => [x.tap, x.method])).toEqual([['final', 'per-neuron'], ['final', 'pooled']]);
      const z = await expectedFinal(r.epoch!);
      for (const rec of r.records) {
        const est = estimateDimensions(z, 4, pairs, { method: rec.method });
        expect(rec.D).toBe(4);
        expect(rec.factors).toEqual(['shape', 'texture']);
        expect(rec.pairs).toEqual(pairs.counts);
        expect(rec.dims).toEqual(est.dims);
        for (let k = 0; k < 3; k++) expect(rec.fractions[k]).toBeCloseTo(est.fractions[k]!, 5);
        expect(rec.ci).toBeUndefined();
      }
    }
    // per-neuron correlations do not change with a positive per-unit scale: epochs 1 and 3 agree
    expect(results[0]!.records[0]!.scores[0]).toBeCloseTo(results[3]!.records[0]!.scores[0]!, 5);
  });

  it('decodes the probe images once per run: they can vanish after the first checkpoint', async () => {
    const copy = path.join(dir, 'probe-copy');
    await synthesizeProbeSet({ out: copy, factors: ['shape', 'texture'], perFactor: 3, size: SIZE, seed: 1 });
    const set = await readProbeSet(copy);
    const { checkpoints } = await discoverCheckpoints(dir, { patterns: ['a_*.pth'] });
    const log = { loads: [] as string[], rows: 0, disposed: 0 };
    const seen: CheckpointResult[] = [];
    for await (const r of scoreCheckpoints({ checkpoints, probe: set, imageSize: SIZE, loadModel: fakeLoader(log), batch: 4 })) {
      seen.push(r);
      if (seen.length === 1) await rm(copy, { recursive: true });
    }
    expect(seen.map((r) => r.error?.message ?? 'ok')).toEqual(['ok', 'ok', 'ok']);
  });

  it('gives the same numbers from the disk cache, any batch size, taps all, shards and skips', async () => {
    const { checkpoints } = await discoverCheckpoints(dir, { patterns: ['a_*.pth'] });
    const run = async (extra: object) => collect(scoreCheckpoints({
      checkpoints, probe, imageSize: SIZE, taps: 'all', loadModel: fakeLoader({ loads: [], rows: 0, disposed: 0 }), ...extra,
    }));
    const memory = await run({ batch: 16 });
    const disk = await run({ batch: 3, memoryLimitBytes: 0, cacheDir: dir });
    expect(memory[0]!.records.map((r) => r.tap)).toEqual(['early', 'final']);
    expect(disk.map((r) => r.records)).toEqual(memory.map((r) => r.records));
    const shard1 = await run({ shard: { index: 1, count: 2 } });
    expect(shard1.map((r) => r.checkpoint)).toEqual(['a_epoch2.pth']);
    const skipped = await run({ skip: (e: { epoch: number | null }) => e.epoch !== 3 });
    expect(skipped.map((r) => [r.checkpoint, r.index, r.total])).toEqual([['a_epoch3.pth', 0, 1]]);
  });

  it('records an unknown tap as a failure naming the taps the model has; bootstrap adds intervals', async () => {
    const { checkpoints } = await discoverCheckpoints(dir, { patterns: ['a_epoch1.pth'] });
    const [bad] = await collect(scoreCheckpoints({ checkpoints, probe, imageSize: SIZE, taps: ['stage9'], loadModel: fakeLoader({ loads: [], rows: 0, disposed: 0 }) }));
    expect(bad!.error!.message).toMatch(/no tap 'stage9'; its taps are early, final/);
    const [boot] = await collect(scoreCheckpoints({ checkpoints, probe, imageSize: SIZE, bootstrap: 50, loadModel: fakeLoader({ loads: [], rows: 0, disposed: 0 }) }));
    const r = boot!.records[0]!;
    expect(r.ci!.low).toHaveLength(2);
    for (let k = 0; k < 2; k++) expect(r.ci!.low[k]!).toBeLessThanOrEqual(r.ci!.high[k]!);
  });

  it('rejects bad options with the option named', async () => {
    const go = (o: object) => collect(scoreCheckpoints({ checkpoints: [], probe, ...o }));
    await expect(go({ imageSize: 0 })).rejects.toThrow(/imageSize must be an integer/);
    await expect(go({ methods: ['mean'] })).rejects.toThrow(/method must be per-neuron or pooled/);
    await expect(go({ norm: 'bogus' })).rejects.toThrow(/normalisation 'bogus'/);
  });
});

