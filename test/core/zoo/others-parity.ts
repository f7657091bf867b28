/**
 * Shared by the DenseNet / MobileNetV2 / EfficientNet / VGG parity tests: loads a fixture made by
 * test/fixtures/zoo/make_others.py and compares a network's `final` tap with PyTorch's;
 * `describeParity` registers the tests every one of those architectures must pass.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, readStateDict, type ArchitectureSpec, type StateDict } from '@shapetex/core';

export const FIX = path.resolve(__dirname, '../../fixtures/zoo');

export interface Reference {
  arch: string;
  imageSize: number;
  input: tf.Tensor4D;
  final: { shape: number[]; data: Float32Array };
  pooled: { shape: number[]; data: Float32Array };
}

export type RefArray = { shape: number[]; data: Float32Array };

/** The `.ref.json` / `.ref.bin` pair of a fixture (both fixture scripts write this format). */
export function readRefArrays(name: string): { meta: Record<string, unknown>; arrays: Record<string, RefArray> } {
  const meta = JSON.parse(readFileSync(path.join(FIX, `${name}.ref.json`), 'utf8'));
  const buf = readFileSync(path.join(FIX, `${name}.ref.bin`));
  const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const arrays: Record<string, RefArray> = {};
  for (const [key, { shape, offset }] of Object.entries(meta.arrays as Record<string, { shape: number[]; offset: number }>)) {
    const n = shape.reduce((a, b) => a * b, 1);
    arrays[key] = { shape, data: all.subarray(offset, offset + n) };
  }
  return { meta, arrays };
}

export async function loadFixture(name: string): Promise<{ sd: StateDict; ref: Reference }> {
  if (typeof readStateDict !== 'function') {
    throw new Error('@shapetex/core does not export readStateDict yet (checkpoint readers, packages/core/src/io): the torch zip fixtures cannot be read');
  }
  const sd = await readStateDict(path.join(FIX, `${name}.pth`));
  const { meta, arrays } = readRefArrays(name);
  const input = arrays.input!;
  return {
    sd,
    ref: {
      arch: meta.arch as string,
      imageSize: meta.imageSize as number,
      input: tf.tensor4d(input.data, input.shape as [number, number, number, number]),
      final: arrays.final!,
      pooled: arrays.final_pooled!,
    },
  };
}

/** max |got − want| ≤ 1e-4 · max |want| (the parity bound); returns the ratio. */
export function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string): number {
  expect(got.length, `${what}: length`).toBe(want.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    diff = Math.max(diff, Math.abs(got[i]! - want[i]!));
    scale = Math.max(scale, Math.abs(want[i]!));
  }
  expect(scale, `${what}: reference is all zeros`).toBeGreaterThan(0);
  expect(diff / scale, `${what}: max|diff| = ${diff}, max|ref| = ${scale}`).toBeLessThanOrEqual(1e-4);
  return diff / scale;
}

/** Global average pooling of an NHWC map, in float64. */
export function gap(map: Float32Array, shape: readonly number[]): Float64Array {
  const [n, h, w, c] = shape as [number, number, number, number];
  const out = new Float64Array(n * c);
  for (let b = 0; b < n; b++) {
    for (let p = 0; p < h * w; p++) for (let k = 0; k < c; k++) out[b * c + k]! += map[(b * h * w + p) * c + k]!;
  }
  return out.map((v) => v / (h * w));
}

/** Key/shape layouts of full-size torchvision models, as state_dicts without data (for detection). */
export function layouts(file = 'shapes.json.gz'): Record<string, StateDict> {
  const raw = JSON.parse(gunzipSync(readFileSync(path.join(FIX, file))).toString('utf8')) as Record<string, [string, number[]][]>;
  const out: Record<string, StateDict> = {};
  for (const [arch, keys] of Object.entries(raw)) {
    // Detection reads names and shapes only; the data are empty on purpose (vgg16 alone is 138M values).
    out[arch] = new Map(keys.map(([k, shape]) => [k, { dtype: k.endsWith('num_batches_tracked') ? 'int64' : 'float32', shape, data: new Float32Array(0) }]));
  }
  return out;
}

/**
 * Every spec claims exactly the layouts of its own name (`x` or `x_small`) among the full-size
 * torchvision layouts (DenseNets, MobileNetV2/V3, EfficientNet-B0/B1, VGG11-BN/16/16-BN/19,
 * ResNet-18/50).
 */
export function expectClaims(specs: readonly { name: string; match(sd: StateDict): number }[]): void {
  const all = layouts();
  expect(Object.keys(all).length).toBeGreaterThanOrEqual(14);
  for (const [layout, sd] of Object.entries(all)) {
    for (const s of specs) {
      const own = layout.replace(/_small$/, '') === s.name;
      expect(s.match(sd) > 0, `${s.name}.match(${layout})`).toBe(own);
    }
  }
}

/** A copy of a state_dict with one key dropped, one added and one reshaped. */
export function damaged(sd: StateDict, drop: string, reshape: string): StateDict {
  const out = new Map(sd);
  out.delete(drop);
  out.set('extra.weight', { dtype: 'float32', shape: [1], data: new Float32Array(1) });
  const e = sd.get(reshape)!;
  out.set(reshape, { ...e, shape: [e.shape[0]! + 1, ...e.shape.slice(1)] });
  return out;
}

export interface ParityOptions {
  /** One parity test per fixture: `what` titles it; the fixture's weights are built as `arch`. */
  cases: { fixture: string; arch: string; what: string; numClasses: number }[];
  /** Title of the detection test over the full-size torchvision layouts. */
  claims: string;
  /** The fixture the mismatch and memory tests build, and how the mismatch test damages it. */
  subject: { fixture: string; arch: string };
  mismatch: { drop: string; reshape: string; error: RegExp };
}

/**
 * The tests every final-only zoo architecture passes: parity with PyTorch on wasm and cpu, detection,
 * the mismatch error and flat memory. `more` registers the architecture's own tests in the
 * detection-and-errors suite (cpu backend).
 */
export function describeParity(name: string, specs: readonly ArchitectureSpec[], opts: ParityOptions, more?: () => void): void {
  const spec = (arch: string): ArchitectureSpec => specs.find((s) => s.name === arch)!;

  for (const backend of ['wasm', 'cpu'] as const) {
    describe(`${name} parity with torchvision on ${backend}`, () => {
      beforeAll(async () => { await initBackend(backend, { log: null }); });

      for (const { fixture, arch, what, numClasses } of opts.cases) {
        it(what, async () => {
          const { sd, ref } = await loadFixture(fixture);
          expect(ref.arch).toBe(arch);
          const net = spec(arch).build(sd);
          expect(net.taps).toEqual(['final']);
          expect(net.numClasses).toBe(numClasses);
          expect(net.defaultImageSize).toBe(224);
          const before = tf.memory().numTensors;
          const map = tf.tidy(() => net.forward(ref.input, ['final']).final!);
          expect(map.shape).toEqual(ref.final.shape);
          const got = map.dataSync() as Float32Array;
          expectClose(got, ref.final.data, `${arch} final map`);
          expectClose(gap(got, map.shape), ref.pooled.data, `${arch} final pooled`);
          map.dispose();
          expect(tf.memory().numTensors).toBe(before);
          net.dispose();
          ref.input.dispose();
        });
      }
    });
  }

  describe(`${name} detection and errors`, () => {
    beforeAll(async () => { await initBackend('cpu', { log: null }); });

    it(opts.claims, () => {
      expectClaims(specs);
    });

    it('claims each parity fixture by its own name only', async () => {
      for (const { fixture, arch } of opts.cases) {
        const { sd, ref } = await loadFixture(fixture);
        ref.input.dispose();
        expect(specs.filter((s) => s.match(sd) > 0).map((s) => s.name), fixture).toEqual([arch]);
      }
    });

    it('a state_dict that does not fit lists missing, unexpected and misshapen keys', async () => {
      const { fixture, arch } = opts.subject;
      const { sd, ref } = await loadFixture(fixture);
      ref.input.dispose();
      const bad = damaged(sd, opts.mismatch.drop, opts.mismatch.reshape);
      expect(spec(arch).match(bad)).toBe(0);
      expect(() => spec(arch).build(bad)).toThrow(opts.mismatch.error);
    });

    it('memory is flat over 50 build / forward / dispose cycles', async () => {
      const { fixture, arch } = opts.subject;
      const { sd, ref } = await loadFixture(fixture);
      const x = tf.tidy(() => tf.slice(ref.input, [0, 0, 0, 0], [1, 32, 32, 3]));
      ref.input.dispose();
      const before = tf.memory().numTensors;
      for (let i = 0; i < 50; i++) {
        const net = spec(arch).build(sd);
        tf.tidy(() => net.forward(x, ['final']).final!.dataSync());
        net.dispose();
        net.dispose(); // a second dispose is harmless
      }
      expect(tf.memory().numTensors).toBe(before);
      x.dispose();
    });

    more?.();
  });
}
