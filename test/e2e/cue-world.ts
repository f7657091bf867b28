/**
 * A miniature cue-conflict world whose decisions are known by construction.
 *
 * Stimuli: the published layout (one folder per shape category, `{shape}{n}-{texture}{m}.png`),
 * each image a solid colour from PALETTE. Checkpoints: TF.js layers models (1x1 conv A_e,
 * global average pooling, a 1000-class dense head) whose logits are
 * z_k = −|rgb − colour(k)|² + |rgb|², colour(k) = PALETTE[π_e(category of k)] for the ImageNet
 * classes of the 16-category map and a large negative logit elsewhere. The dense weights undo
 * the conv (d_k = A_e^{−T}·2·colour(k)), so an image painted PALETTE[p] is decided, at epoch e,
 * as the category c with π_e(c) = p: every count and bias follows without running the model.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { IMAGENET16 } from '@shapetex/bias';

export const CATEGORIES = ['airplane', 'bicycle', 'cat', 'clock', 'knife'] as const;
export type Category = (typeof CATEGORIES)[number];
export const PALETTE: [number, number, number][] = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [0, 1, 1]];

export interface Stimulus { shape: Category; si: number; texture: Category; ti: number; paint: number }

/** 12 images, two of them same-category; the paints are arbitrary. */
export const STIMULI: Stimulus[] = [
  { shape: 'airplane', si: 1, texture: 'bicycle', ti: 2, paint: 0 },
  { shape: 'airplane', si: 2, texture: 'cat', ti: 1, paint: 2 },
  { shape: 'airplane', si: 3, texture: 'airplane', ti: 1, paint: 0 },
  { shape: 'bicycle', si: 1, texture: 'knife', ti: 3, paint: 4 },
  { shape: 'bicycle', si: 2, texture: 'clock', ti: 1, paint: 1 },
  { shape: 'cat', si: 1, texture: 'airplane', ti: 2, paint: 0 },
  { shape: 'cat', si: 4, texture: 'clock', ti: 2, paint: 3 },
  { shape: 'clock', si: 1, texture: 'cat', ti: 3, paint: 2 },
  { shape: 'clock', si: 2, texture: 'knife', ti: 1, paint: 3 },
  { shape: 'knife', si: 6, texture: 'clock', ti: 3, paint: 4 },
  { shape: 'knife', si: 2, texture: 'bicycle', ti: 1, paint: 1 },
  { shape: 'knife', si: 3, texture: 'knife', ti: 4, paint: 2 },
];

export const fileOf = (s: Stimulus): string => `${s.shape}/${s.shape}${s.si}-${s.texture}${s.ti}.png`;

/** π_e: category index → palette index, one permutation per epoch. */
export const PERMUTATIONS: Record<number, number[]> = {
  1: [0, 1, 2, 3, 4],
  2: [1, 0, 2, 3, 4],
  3: [2, 3, 4, 0, 1],
  4: [0, 1, 3, 2, 4],
  5: [4, 3, 2, 1, 0],
};

/** The category decided for `s` at `epoch`, by construction. */
export function decided(s: Stimulus, epoch: number): Category {
  return CATEGORIES[PERMUTATIONS[epoch]!.indexOf(s.paint)]!;
}

/** Counts and bias from the construction alone (the scorer's formulas, on known decisions). */
export function expectedCue(epoch: number): { shape: number; texture: number; other: number; images: number; same: number; bias: number | null } {
  let shape = 0, texture = 0, other = 0, same = 0;
  for (const s of STIMULI) {
    if (s.shape === s.texture) { same++; continue; }
    const d = decided(s, epoch);
    if (d === s.shape) shape++;
    else if (d === s.texture) texture++;
    else other++;
  }
  return { shape, texture, other, images: shape + texture + other, same, bias: shape + texture > 0 ? shape / (shape + texture) : null };
}

export async function writeStimuli(dir: string): Promise<void> {
  for (const s of STIMULI) {
    const file = path.join(dir, fileOf(s));
    await mkdir(path.dirname(file), { recursive: true });
    const [r, g, b] = PALETTE[s.paint]!.map((v) => Math.round(v * 255));
    await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: r!, g: g!, b: b! } } }).png().toFile(file);
  }
}

function inverse3(m: number[][]): number[][] {
  const [[a, b, c], [d, e, f], [g, h, i]] = m as [[number, number, number], [number, number, number], [number, number, number]];
  const det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
  return [
    [(e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det],
    [(f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det],
    [(d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det],
  ];
}

/** The epoch's model as a Sequential: conv A_e (1x1, linear), global average pooling, dense 1000. */
export function constructedModel(epoch: number): tfl.Sequential {
  const t = 0.15 * epoch;
  const A = [[1, t, 0], [0, 1, t * t], [t, 0, 1]]; // out × in, invertible for these t
  const Ainv = inverse3(A);
  const m = tfl.sequential({ layers: [
    tfl.layers.conv2d({ inputShape: [null, null, 3], filters: 3, kernelSize: 1, name: 'conv' }),
    tfl.layers.globalAveragePooling2d({ name: 'gap' }),
    tfl.layers.dense({ units: 1000, name: 'head' }),
  ] });
  // conv kernel [1, 1, in, out]: y_o = Σ_i A[o][i]·x_i
  const conv = new Float32Array(9);
  for (let i = 0; i < 3; i++) for (let o = 0; o < 3; o++) conv[i * 3 + o] = A[o]![i]!;
  const W = new Float32Array(3 * 1000);
  const bias = new Float32Array(1000).fill(-1e4);
  CATEGORIES.forEach((c, ci) => {
    const col = PALETTE[PERMUTATIONS[epoch]![ci]!]!;
    // d = A^{-T}·2·col, so d·(A·rgb) = 2·col·rgb
    const d = [0, 1, 2].map((j) => 2 * (Ainv[0]![j]! * col[0] + Ainv[1]![j]! * col[1] + Ainv[2]![j]! * col[2]));
    for (const k of IMAGENET16[c]!) {
      for (let j = 0; j < 3; j++) W[j * 1000 + k] = d[j]!;
      bias[k] = -(col[0] ** 2 + col[1] ** 2 + col[2] ** 2);
    }
  });
  m.setWeights([tf.tensor4d(conv, [1, 1, 3, 3]), tf.zeros([3]), tf.tensor2d(W, [3, 1000]), tf.tensor1d(bias)]);
  return m;
}

export async function saveLayers(model: tfl.LayersModel, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await model.save(tf.io.withSaveHandler(async (a) => {
    await writeFile(path.join(dir, 'group1-shard1of1.bin'), new Uint8Array(a.weightData as ArrayBuffer));
    await writeFile(path.join(dir, 'model.json'), JSON.stringify({
      format: 'layers-model', generatedBy: 'cue-world', modelTopology: a.modelTopology,
      weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: a.weightSpecs }],
    }));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
}
