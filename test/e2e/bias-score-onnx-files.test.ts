/**
 * bias-score over user-supplied ONNX models, as a child process: a folder of `.onnx` checkpoints
 * (epoch order from the names), a folder of `.pth` checkpoints with `--graph` (the graph lying in
 * the folder is not a checkpoint), the same numbers both ways and the same as the library gives;
 * a graph that does not bind is exit 2 before any forward pass; an unsafe `.onnx` among good ones
 * is a recorded failure (exit 1); `inspect` lists the tap candidates.
 */
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, loadImages, loadModel } from '@shapetex/core';
import { readProbeSet } from '@shapetex/svoc';
import { estimateDimensions, samplePairs, type ResultRecord } from '@shapetex/bias';
import { bias, makeWorld, parseCsv, readLines, REPO, type World } from './helpers.js';

const FIX = path.join(REPO, 'test/fixtures/onnx');
let w: World;

/** A folder holding the named fixture files (renamed where a pair [from, to] is given). */
async function folder(name: string, files: (string | [string, string])[]): Promise<string> {
  const dir = path.join(w.dir, name);
  await mkdir(dir, { recursive: true });
  for (const f of files) {
    const [from, to] = typeof f === 'string' ? [f, f] : f;
    await copyFile(path.join(FIX, from), path.join(dir, to));
  }
  return dir;
}

const common = () => ['--probe', w.probe, '--norm', 'cifar', '--taps', 'final,logits', '--method', 'both', '--backend', 'wasm'];
const CKPTS = ['cnn_epoch1', 'cnn_epoch2', 'cnn_epoch3'];

beforeAll(async () => {
  w = await makeWorld();
});

describe('bias-score with ONNX models', () => {
  let onnxOut: string;
  let graphOut: string;

  it('scores a folder of .onnx checkpoints in epoch order, at the input size the graphs fix', async () => {
    const dir = await folder('onnx-ckpts', [...CKPTS].reverse().map((c) => `${c}.onnx`));
    onnxOut = path.join(w.dir, 'onnx-out');
    const run = await bias([dir, ...common(), '--out', onnxOut]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/input size 16×16, fixed by the model \(cnn_epoch1\.onnx\)/);
    const csv = parseCsv(await readFile(path.join(onnxOut, 'results.csv'), 'utf8'));
    // 3 checkpoints × 2 taps × 2 methods
    expect(csv.rows).toHaveLength(12);
    expect([...new Set(csv.rows.map((r) => r[1]))]).toEqual(CKPTS.map((c) => `${c}.onnx`));
    expect([...new Set(csv.rows.map((r) => r[0]))]).toEqual(['1', '2', '3']);
    const lines = (await readLines(path.join(onnxOut, 'results.jsonl'))) as ResultRecord[];
    expect(new Set(lines.filter((r) => r.tap === 'final').map((r) => r.D))).toEqual(new Set([16]));
    expect(new Set(lines.filter((r) => r.tap === 'logits').map((r) => r.D))).toEqual(new Set([10]));
  });

  it('gives the numbers the library gives for the same graph, images and pairs', async () => {
    await initBackend('wasm', { log: null });
    const probe = await readProbeSet(w.probe);
    const images = await loadImages(probe.records.map((r) => path.join(probe.root, r.file)), { size: 16, norm: 'cifar' });
    const model = await loadModel(path.join(FIX, 'cnn_epoch2.onnx'));
    const z = await model.features(images, ['final']);
    model.dispose();
    images.dispose();
    const est = estimateDimensions(z.final!, 16, samplePairs(probe, { seed: 0 }), { method: 'per-neuron' });
    const lines = (await readLines(path.join(onnxOut, 'results.jsonl'))) as ResultRecord[];
    const rec = lines.find((r) => r.checkpoint === 'cnn_epoch2.onnx' && r.tap === 'final' && r.method === 'per-neuron')!;
    expect(rec.dims).toEqual(est.dims);
    rec.scores.forEach((s, k) => expect(s).toBeCloseTo(est.scores[k]!, 5));
  });

  it('--graph over .pth checkpoints gives the same numbers as the .onnx exports of the same weights; the graph in the folder is no checkpoint', async () => {
    const dir = await folder('pth-ckpts', [...CKPTS.map((c) => `${c}.pth`), 'cnn.onnx']);
    graphOut = path.join(w.dir, 'graph-out');
    const run = await bias([dir, ...common(), '--graph', path.join(dir, 'cnn.onnx'), '--out', graphOut]);
    expect(run.status, run.stderr).toBe(0);
    const a = (await readLines(path.join(onnxOut, 'results.jsonl'))) as ResultRecord[];
    const b = (await readLines(path.join(graphOut, 'results.jsonl'))) as ResultRecord[];
    expect(b.map((r) => r.checkpoint)).toEqual(a.map((r) => r.checkpoint.replace('.onnx', '.pth')));
    b.forEach((r, i) => {
      expect(r.dims).toEqual(a[i]!.dims);
      r.scores.forEach((s, k) => expect(s).toBeCloseTo(a[i]!.scores[k]!, 5));
    });
    const runJson = JSON.parse(await readFile(path.join(graphOut, 'run.json'), 'utf8')) as { settings?: { graph?: string } };
    expect(JSON.stringify(runJson)).toContain(path.join(dir, 'cnn.onnx'));
  });

  it('--graph with --workers 2: each worker binds the checkpoints, the same numbers', async () => {
    const out = path.join(w.dir, 'graph-workers-out');
    const run = await bias([path.join(w.dir, 'pth-ckpts'), ...common(), '--graph', path.join(w.dir, 'pth-ckpts', 'cnn.onnx'), '--workers', '2', '--out', out]);
    expect(run.status, run.stderr).toBe(0);
    const a = (await readLines(path.join(graphOut, 'results.jsonl'))) as ResultRecord[];
    const b = (await readLines(path.join(out, 'results.jsonl'))) as ResultRecord[];
    expect(b.map((r) => [r.checkpoint, r.tap, r.method, r.dims])).toEqual(a.map((r) => [r.checkpoint, r.tap, r.method, r.dims]));
  });

  it('a graph that lost the names is exit 2 before any forward pass, with the export call that keeps them', async () => {
    const dir = await folder('pth-folded', CKPTS.map((c) => `${c}.pth`));
    const out = path.join(w.dir, 'folded-out');
    const run = await bias([dir, ...common(), '--graph', path.join(FIX, 'cnn_folded.onnx'), '--out', out]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--graph .*cnn_folded\.onnx: .*cnn_epoch1\.pth: its tensors do not bind/);
    expect(run.stderr).toContain('training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False');
    await expect(readFile(path.join(out, 'results.jsonl'), 'utf8')).rejects.toThrow();
  });

  it('an unusable --graph file is exit 2 naming it', async () => {
    const dir = await folder('pth-evil', ['cnn_epoch1.pth']);
    const run = await bias([dir, ...common(), '--graph', path.join(FIX, 'custom_domain.onnx'), '--out', path.join(w.dir, 'evil-out')]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--graph: .*custom_domain\.onnx: node .* of domain "com\.example\.evil"/);
  });

  it('an unsafe .onnx among good ones is a recorded failure (exit 1), the others scored', async () => {
    const dir = await folder('mixed', ['cnn_epoch1.onnx', ['custom_domain.onnx', 'cnn_epoch2.onnx']]);
    const out = path.join(w.dir, 'mixed-out');
    const run = await bias([dir, ...common(), '--out', out]);
    expect(run.status, run.stderr).toBe(1);
    const errors = (await readLines(path.join(out, 'errors.jsonl'))) as { checkpoint: string; stage: string; message: string }[];
    expect(errors.map((e) => [e.checkpoint, e.stage])).toEqual([['cnn_epoch2.onnx', 'load']]);
    expect(errors[0]!.message).toMatch(/operator "Evil" of domain "com\.example\.evil"/);
    const lines = (await readLines(path.join(out, 'results.jsonl'))) as ResultRecord[];
    expect(new Set(lines.map((r) => r.checkpoint))).toEqual(new Set(['cnn_epoch1.onnx']));
  });

  it('inspect lists an .onnx model\'s tap candidates with their shapes and where the shapes come from', async () => {
    const run = await bias(['inspect', path.join(FIX, 'vit.onnx')]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^format {6}onnx$/m);
    expect(run.stdout).toMatch(/^taps {8}tokens \(D = 16\), logits \(D = 10\), final \(D = 16\)$/m);
    expect(run.stdout).toMatch(/^input {7}input \[N \(any batch\), 3, 16, 16\] float32 NCHW$/m);
    expect(run.stdout).toMatch(/shapes from one run on a zero batch of 1 at 16×16/);
    expect(run.stdout).toMatch(/^ {2}output {7}tokens \[1, 17, 16\] tokens: --token cls\|mean$/m);
    expect(run.stdout).toMatch(/^ {2}output {7}logits \[1, 10\] as is$/m);
    expect(run.stdout).toMatch(/^ {2}intermediate .*Shape.* \[\d\] not usable/m);
    const fixed = await bias(['inspect', path.join(FIX, 'cnn_fixed.onnx'), '--json']);
    const info = JSON.parse(fixed.stdout) as { onnx: { input: { batch: number }; candidates: { name: string; shape: number[] }[] } };
    expect(info.onnx.input.batch).toBe(2);
    expect(info.onnx.candidates.find((c) => c.name === 'stage2')!.shape).toEqual([2, 16, 8, 8]);
  });
});
