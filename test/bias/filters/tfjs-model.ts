/**
 * A hand-built TF.js layers-model folder (model.json + two weight shards) with the known
 * kernels in TF.js's [kh, kw, I, O] layout, for the tests of the TF.js path.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { knownWeight, KNOWN } from './oracle.js';

export interface TfjsWeight { name: string; shape: number[]; data: Float32Array }

/** The known kernels as a [3, 3, 3, 6] HWIO kernel: value at [y, x, c, o] = knownWeight(o, c, y, x). */
export function knownHwio(): Float32Array {
  const out = new Float32Array(KNOWN.kh * KNOWN.kw * 3 * KNOWN.out);
  for (let y = 0; y < KNOWN.kh; y++) for (let x = 0; x < KNOWN.kw; x++) for (let c = 0; c < 3; c++) {
    for (let o = 0; o < KNOWN.out; o++) out[((y * KNOWN.kw + x) * 3 + c) * KNOWN.out + o] = knownWeight(o, c, y, x);
  }
  return out;
}

/**
 * Writes `dir/model.json` listing `weights` in order, their bytes split over two shards at an
 * odd byte boundary (a weight may straddle shards, as tfjs's converter writes them).
 */
export async function writeTfjsModel(dir: string, weights: TfjsWeight[]): Promise<string> {
  await mkdir(dir, { recursive: true });
  const bytes = Buffer.concat(weights.map((w) => Buffer.from(w.data.buffer, w.data.byteOffset, w.data.byteLength)));
  const cut = Math.floor(bytes.byteLength / 2) + 1;
  await writeFile(path.join(dir, 'group1-shard1of2.bin'), bytes.subarray(0, cut));
  await writeFile(path.join(dir, 'group1-shard2of2.bin'), bytes.subarray(cut));
  const json = {
    format: 'layers-model',
    modelTopology: { class_name: 'Sequential', config: { name: 'hand_built', layers: [] } },
    weightsManifest: [{ paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'], weights: weights.map((w) => ({ name: w.name, shape: w.shape, dtype: 'float32' })) }],
  };
  const file = path.join(dir, 'model.json');
  await writeFile(file, JSON.stringify(json));
  return file;
}

/** A 1-input-channel conv, the known RGB conv, then a later 3-input conv: only the middle one is "first". */
export function knownTfjsWeights(): TfjsWeight[] {
  return [
    { name: 'pre/kernel', shape: [3, 3, 1, 4], data: new Float32Array(36).fill(1) },
    { name: 'conv1/kernel', shape: [3, 3, 3, 6], data: knownHwio() },
    { name: 'conv1/bias', shape: [6], data: new Float32Array(6) },
    { name: 'head/kernel', shape: [1, 1, 3, 5], data: new Float32Array(15).map((_, i) => i - 7) },
  ];
}
