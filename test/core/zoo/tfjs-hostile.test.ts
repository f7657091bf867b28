/**
 * TF.js model folders from the adversarial probe: weight shards that are FIFOs, symlinks out of
 * the folder or to /dev/zero, malformed manifests. Each must be a TfjsModelError naming the
 * model, quickly; a legitimate shard whose name starts with dots must load.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readTfjsArtifacts, TfjsModelError } from '@shapetex/core';

const tmp = mkdtempSync(path.join(tmpdir(), 'shapetex-tfjs-hostile-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const TOPOLOGY = { class_name: 'Sequential', config: { name: 's', layers: [] } };
const WEIGHTS = [{ name: 'dense/kernel', shape: [2, 3], dtype: 'float32' }, { name: 'dense/bias', shape: [3], dtype: 'float32' }];
const VALUES = Float32Array.from([1, 2, 3, 4, 5, 6, 0.5, -0.5, 2]);

let n = 0;
/** A model folder: model.json listing `paths` with `weights`; `files` written into it. */
function folder(paths: unknown[], weights: unknown = WEIGHTS, files: Record<string, Uint8Array> = {}): { dir: string; file: string } {
  const dir = path.join(tmp, `m${n++}`);
  mkdirSync(dir, { recursive: true });
  for (const [name, bytes] of Object.entries(files)) writeFileSync(path.join(dir, name), bytes);
  const file = path.join(dir, 'model.json');
  writeFileSync(file, JSON.stringify({ format: 'layers-model', modelTopology: TOPOLOGY, weightsManifest: [{ paths, weights }] }));
  return { dir, file };
}

/** Rejects within `ms` with a TfjsModelError naming the model.json and matching `msg`. */
async function refused(file: string, msg: RegExp, ms = 2000): Promise<void> {
  const t0 = performance.now();
  const err = await Promise.race([
    readTfjsArtifacts(file).then(() => new Error('loaded'), (e: unknown) => e),
    new Promise((r) => setTimeout(() => r(new Error(`still reading after ${ms} ms (hang)`)), ms)),
  ]);
  expect(err).toBeInstanceOf(TfjsModelError);
  expect((err as Error).message).toContain(file);
  expect((err as Error).message).toMatch(msg);
  expect(performance.now() - t0).toBeLessThan(ms);
}

const shard = new Uint8Array(VALUES.buffer);

describe('TF.js weight shards', () => {
  it('a FIFO as a shard is refused at once, not waited on', async () => {
    const { dir, file } = folder(['group1-shard1of1.bin']);
    execFileSync('mkfifo', [path.join(dir, 'group1-shard1of1.bin')]);
    await refused(file, /not a regular file \(a FIFO\)/);
  });

  it('a model.json that is a FIFO is refused too', async () => {
    const dir = path.join(tmp, 'fifo-json');
    mkdirSync(dir);
    execFileSync('mkfifo', [path.join(dir, 'model.json')]);
    await refused(path.join(dir, 'model.json'), /cannot read model\.json .*not a regular file \(a FIFO\)/);
  });

  it('a symlinked shard pointing out of the model folder is refused', async () => {
    const outside = path.join(tmp, 'outside.bin');
    writeFileSync(outside, shard);
    const { dir, file } = folder(['group1-shard1of1.bin']);
    symlinkSync(outside, path.join(dir, 'group1-shard1of1.bin'));
    await refused(file, /resolves \(through a symlink\) to .*outside\.bin, outside the model folder/);
  });

  it('a symlink to /dev/zero is refused, nothing read', async () => {
    const { dir, file } = folder(['group1-shard1of1.bin']);
    symlinkSync('/dev/zero', path.join(dir, 'group1-shard1of1.bin'));
    await refused(file, /outside the model folder/);
  });

  it('a symlinked folder of the model that leads outside is refused; a symlink inside the folder is fine', async () => {
    const other = path.join(tmp, 'elsewhere');
    mkdirSync(other);
    writeFileSync(path.join(other, 'w.bin'), shard);
    const { dir, file } = folder(['sub/w.bin']);
    symlinkSync(other, path.join(dir, 'sub'));
    await refused(file, /outside the model folder/);
    const ok = folder(['link.bin'], WEIGHTS, { 'real.bin': shard });
    symlinkSync(path.join(ok.dir, 'real.bin'), path.join(ok.dir, 'link.bin'));
    const { artifacts } = await readTfjsArtifacts(ok.file);
    expect(Array.from(new Float32Array(artifacts.weightData as ArrayBuffer))).toEqual(Array.from(VALUES));
  });

  it('.. and absolute paths still leave the folder; a shard named ..weights.bin is allowed', async () => {
    await refused(folder(['../x.bin']).file, /leaves the model folder/);
    await refused(folder(['a/../../x.bin']).file, /leaves the model folder/);
    await refused(folder(['/etc/passwd']).file, /leaves the model folder/);
    await refused(folder(['file:///etc/passwd']).file, /must be relative to the model folder/);
    const { file } = folder(['..weights.bin'], WEIGHTS, { '..weights.bin': shard });
    const { artifacts } = await readTfjsArtifacts(file);
    expect(Array.from(new Float32Array(artifacts.weightData as ArrayBuffer))).toEqual(Array.from(VALUES));
  });

  it('reads no more of a shard than the manifest declares', async () => {
    const big = new Uint8Array(4 * 1024 * 1024);
    big.set(shard);
    const { file } = folder(['w.bin'], WEIGHTS, { 'w.bin': big });
    const { artifacts } = await readTfjsArtifacts(file);
    expect((artifacts.weightData as ArrayBuffer).byteLength).toBe(36);
    expect(Array.from(new Float32Array(artifacts.weightData as ArrayBuffer))).toEqual(Array.from(VALUES));
  });
});

describe('malformed manifests are TfjsModelError, never a TypeError or URIError', () => {
  const cases: [string, unknown[], unknown, RegExp][] = [
    ['bad percent-encoding', ['w%E0%A4%A.bin'], WEIGHTS, /malformed percent-encoding/],
    ['a weight without shape', ['w.bin'], [{ name: 'k', dtype: 'float32' }], /weight 0 \("k"\) needs a "shape" array/],
    ['a negative dimension', ['w.bin'], [{ name: 'k', shape: [2, -1], dtype: 'float32' }], /needs a "shape" array of non-negative integers/],
    ['a weight without a name', ['w.bin'], [{ shape: [1], dtype: 'float32' }], /weight 0 needs a "name" string/],
    ['an unknown dtype', ['w.bin'], [{ name: 'k', shape: [1], dtype: 'float128' }], /dtype "float128"; expected one of/],
    ['a null weight', ['w.bin'], [null], /weight 0 needs a "name" string/],
    ['a path that is a number', [7], WEIGHTS, /path 0 is 7, expected a file name/],
    ['a quantization without dtype', ['w.bin'], [{ name: 'k', shape: [1], dtype: 'float32', quantization: { scale: 1 } }], /quantization without a dtype/],
    ['weights not an array', ['w.bin'], { k: 1 }, /needs "paths" and "weights" arrays/],
  ];
  for (const [what, paths, weights, msg] of cases) {
    it(what, async () => {
      await refused(folder(paths, weights, { 'w.bin': shard }).file, msg);
    });
  }

  it('model.json that is not an object, and manifest groups that are not objects', async () => {
    const dir = path.join(tmp, 'null-json');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'model.json'), 'null');
    await refused(path.join(dir, 'model.json'), /model\.json is not a JSON object/);
    writeFileSync(path.join(dir, 'model.json'), JSON.stringify({ modelTopology: TOPOLOGY, weightsManifest: [null] }));
    await refused(path.join(dir, 'model.json'), /group 0 needs "paths" and "weights" arrays/);
  });
});
