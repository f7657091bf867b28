/**
 * Seeded fuzzing of real checkpoints across the four formats: PyTorch zip, PyTorch legacy,
 * safetensors and TF.js model folders. Byte flips, random overwrites, extreme integers,
 * truncation and insertion, aimed half the time at where the structure lives (the pickle, the
 * zip directory, the safetensors header); for TF.js also structural edits of model.json (a
 * field replaced by null, a negative number, a traversal path, a malformed percent-encoding…)
 * and shards cut or grown. Every case must end in a typed error (CheckpointError,
 * TfjsModelError) or a well-formed result, within PER_CASE_MS, and a result may not hold more
 * memory than the documented budget.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { CheckpointError, createRng, readCheckpoint, readTfjsArtifacts, TfjsModelError, tfjsWeightValues, type Rng } from '@shapetex/core';
import { FIX } from './expect.js';

/** A hang, not a slow case: typical cases take well under a millisecond on a loaded 2-core machine. */
export const PER_CASE_MS = 5000;

export type Family = 'zip' | 'legacy' | 'safetensors' | 'tfjs';

const SOURCES: Record<Exclude<Family, 'tfjs'>, string[]> = {
  zip: ['dtypes.pth', 'views.pth', 'extras.pth', 'extras_protocol4.pth', 'malicious.pth'],
  legacy: ['dtypes_legacy.pth', 'views_legacy.pth', 'extras_legacy.pth', 'malicious_legacy.pth'],
  safetensors: ['dtypes.safetensors', 'bare_prefixed.safetensors'],
};

/** Where the structure is: the pickle (first bytes of legacy files, data.pkl in zips), the zip directory, the safetensors header. */
function hotRanges(bytes: Uint8Array): [number, number][] {
  const ranges: [number, number][] = [[0, Math.min(bytes.length, 600)]];
  const pkl = Buffer.from(bytes).indexOf('data.pkl');
  if (pkl >= 0) ranges.push([pkl, Math.min(bytes.length, pkl + 700)]);
  ranges.push([Math.max(0, bytes.length - 700), bytes.length]);
  return ranges;
}

const EXTREMES = [0, 1, 0x7f, 0x80, 0xff, 0x7fffffff, 0xffffffff, 0x80000000];

export function mutateBytes(rng: Rng, src: Uint8Array): Uint8Array {
  const hot = hotRanges(src);
  let out = src.slice();
  const pos = (): number => {
    let p = rng.int(Math.max(1, src.length));
    if (rng.next() < 0.6) {
      const [a, b] = hot[rng.int(hot.length)]!;
      p = a + rng.int(Math.max(1, b - a));
    }
    return Math.min(p, out.length);
  };
  const rounds = 1 + rng.int(4);
  for (let r = 0; r < rounds; r++) {
    switch (rng.int(6)) {
      case 0: { // flip bits
        const p = pos();
        if (p < out.length) out[p]! ^= 1 << rng.int(8);
        break;
      }
      case 1: { // random bytes over a short run
        const p = pos();
        const n = 1 + rng.int(8);
        for (let i = p; i < Math.min(out.length, p + n); i++) out[i] = rng.int(256);
        break;
      }
      case 2: { // an extreme 32-bit integer, as a length or count would be read
        const p = pos();
        if (p + 4 <= out.length) new DataView(out.buffer, out.byteOffset).setUint32(p, EXTREMES[rng.int(EXTREMES.length)]!, true);
        break;
      }
      case 3: // truncate
        out = out.slice(0, pos());
        break;
      case 4: { // insert bytes
        const p = pos();
        const ins = Uint8Array.from({ length: 1 + rng.int(6) }, () => rng.int(256));
        const next = new Uint8Array(out.length + ins.length);
        next.set(out.subarray(0, p));
        next.set(ins, p);
        next.set(out.subarray(p), p + ins.length);
        out = next;
        break;
      }
      default: { // delete bytes
        const p = pos();
        const n = Math.min(1 + rng.int(6), out.length - p);
        const next = new Uint8Array(out.length - n);
        next.set(out.subarray(0, p));
        next.set(out.subarray(p + n), p);
        out = next;
      }
    }
  }
  return out;
}

const JSON_REPLACEMENTS: unknown[] = [null, -1, 0, 1e300, 2 ** 53, 'x', '', '../w.bin', '/etc/passwd', 'w%E0%A4%A.bin', '..weights.bin', [], {}, [[[[[1]]]]], true, [-3, 2], ['a'], { dtype: 'uint8' }];

/** Replaces (or deletes) one randomly chosen value inside a JSON tree. */
function mutateJson(rng: Rng, root: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(root)) as unknown;
  const slots: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach((x, i) => { slots.push({ parent: v, key: i }); walk(x); });
    else if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) { slots.push({ parent: v as Record<string, unknown>, key: k }); walk(x); }
  };
  walk(copy);
  const rounds = 1 + rng.int(3);
  for (let r = 0; r < rounds && slots.length > 0; r++) {
    const { parent, key } = slots[rng.int(slots.length)]!;
    if (rng.next() < 0.15 && !Array.isArray(parent)) delete (parent as Record<string, unknown>)[key as string];
    else (parent as Record<string | number, unknown>)[key] = JSON_REPLACEMENTS[rng.int(JSON_REPLACEMENTS.length)];
  }
  return copy;
}

/** A small TF.js layers model folder's files: model.json (two weight groups, one quantized) and its shards. */
function tfjsSeed(): { json: unknown; shards: Record<string, Uint8Array> } {
  const k = new Float32Array(24).map((_, i) => Math.sin(i));
  const q = Uint8Array.from({ length: 10 }, (_, i) => 20 * i);
  const json = {
    format: 'layers-model', generatedBy: 'fuzz',
    modelTopology: { class_name: 'Sequential', config: { name: 's', layers: [] } },
    weightsManifest: [
      { paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'], weights: [{ name: 'conv/kernel', shape: [2, 2, 2, 3], dtype: 'float32' }] },
      { paths: ['..group2.bin'], weights: [{ name: 'dense/kernel', shape: [5, 2], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.1, min: -1 } }] },
    ],
  };
  const bytes = new Uint8Array(k.buffer);
  return { json, shards: { 'group1-shard1of2.bin': bytes.slice(0, 50), 'group1-shard2of2.bin': bytes.slice(50), '..group2.bin': q } };
}

export interface FuzzTally { errors: number; valid: number; slowest: number }

/** Runs `count` seeded cases of `family`, writing TF.js folders under `tmp`; asserts per case, returns the tally. */
export async function fuzzFamily(family: Family, count: number, seed: number, tmp: string): Promise<FuzzTally> {
  const rng = createRng(seed);
  const tally: FuzzTally = { errors: 0, valid: 0, slowest: 0 };
  const sources = family === 'tfjs' ? [] : SOURCES[family].map((n) => new Uint8Array(readFileSync(path.join(FIX, n))));
  const tfjs = tfjsSeed();
  for (let c = 0; c < count; c++) {
    const t0 = performance.now();
    const what = family === 'tfjs' ? 'tfjs' : SOURCES[family][c % sources.length]!;
    let outcome: 'error' | 'valid';
    try {
      outcome = family === 'tfjs' ? await tfjsCase(rng, tfjs, path.join(tmp, `case${c % 8}`)) : await checkpointCase(rng, sources[c % sources.length]!);
    } catch (err) {
      throw new Error(`${family} case ${c} (${what}, seed ${seed}): ${(err as Error).stack}`);
    }
    tally[outcome === 'error' ? 'errors' : 'valid']++;
    const ms = performance.now() - t0;
    tally.slowest = Math.max(tally.slowest, ms);
    if (ms > PER_CASE_MS) throw new Error(`${family} case ${c} (${what}, seed ${seed}) took ${ms.toFixed(0)} ms`);
  }
  return tally;
}

/** One mutated checkpoint: a CheckpointError (not the reader's safety net) or a result within the budget. */
async function checkpointCase(rng: Rng, source: Uint8Array): Promise<'error' | 'valid'> {
  const input = mutateBytes(rng, source);
  let ck;
  try {
    ck = await readCheckpoint(input);
  } catch (err) {
    if (!(err instanceof CheckpointError) || /internal reader error/.test(err.message)) throw err;
    return 'error';
  }
  // The memory actually held by the result, counted independently of the reader's own tally:
  // every distinct buffer behind a tensor that is not the input itself.
  const buffers = new Set<ArrayBufferLike>();
  for (const [name, t] of ck.stateDict) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (t.data.length !== n) throw new Error(`${name} has ${t.data.length} values for shape [${t.shape}]`);
    if (t.data.buffer !== input.buffer) buffers.add(t.data.buffer);
  }
  const held = [...buffers].reduce((a, b) => a + b.byteLength, 0);
  expect(held).toBeLessThanOrEqual(ck.memory.limit);
  expect(ck.memory.used).toBeLessThanOrEqual(ck.memory.limit);
  return 'valid';
}

/** One mutated TF.js folder: a TfjsModelError or artifacts no larger than the shards on disk. */
async function tfjsCase(rng: Rng, seed: ReturnType<typeof tfjsSeed>, dir: string): Promise<'error' | 'valid'> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const text = JSON.stringify(seed.json);
  const choice = rng.int(4);
  const jsonBytes = choice === 0 ? mutateBytes(rng, new TextEncoder().encode(text)) : new TextEncoder().encode(choice <= 2 ? JSON.stringify(mutateJson(rng, seed.json)) : text);
  writeFileSync(path.join(dir, 'model.json'), jsonBytes);
  let onDisk = 0;
  for (const [name, bytes] of Object.entries(seed.shards)) {
    const b = choice === 3 || rng.next() < 0.1 ? mutateBytes(rng, bytes) : bytes;
    writeFileSync(path.join(dir, name), b);
    onDisk += b.length;
  }
  try {
    const { artifacts } = await readTfjsArtifacts(path.join(dir, 'model.json'));
    const data = artifacts.weightData as ArrayBuffer | undefined;
    expect(data?.byteLength ?? 0).toBeLessThanOrEqual(onDisk);
    for (const w of tfjsWeightValues(artifacts, path.join(dir, 'model.json'))) {
      if (w.data !== null) expect(w.data.length).toBe(w.shape.reduce((a, b) => a * b, 1));
    }
    return 'valid';
  } catch (err) {
    if (!(err instanceof TfjsModelError)) throw err;
    return 'error';
  }
}
