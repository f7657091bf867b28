/**
 * Kernel crops (zoo/graph/conv-taps.ts) against the definition of a padded convolution, counted
 * out tap by tap: for every small axis, kernel, stride and padding, the crop keeps exactly the
 * taps that meet a pixel for some output, and its window reads, output by output and tap by tap,
 * the pixels the whole kernel read there. The networks' numbers at such sizes are PyTorch's
 * (onnx-parity.test.ts, the *_32_small fixtures); this file also checks that those graphs crop.
 */
import { describe, expect, it } from 'vitest';
import { createModel, emitOnnx, initBackend, readStateDict } from '@shapetex/core';
import { cropAxis, cropKernel } from '../../../packages/core/dist/zoo/graph/conv-taps.js';
import { onnx } from '../../../packages/core/dist/onnx/proto.js';
import { fixturePath } from './resnet-fixtures.js';

/** For each output, the pixel each tap reads (null: padding), by the definition. */
function reads(n: number, k: number, s: number, padBegin: number, padEnd: number, first = 0): (number | null)[][] {
  const outputs = Math.floor((n + padBegin + padEnd - k) / s) + 1;
  return Array.from({ length: Math.max(0, outputs) }, (_, o) => Array.from({ length: k }, (_, t) => {
    const i = o * s - padBegin + t;
    return i >= 0 && i < n ? i : null;
  }).slice(first));
}

describe('cropAxis', () => {
  it('keeps exactly the taps that meet a pixel, and every output reads what it read', () => {
    let cropped = 0;
    for (let n = 1; n <= 9; n++) for (let k = 1; k <= 7; k++) for (let s = 1; s <= 3; s++) for (let p = 0; p < k; p++) {
      const whole = reads(n, k, s, p, p);
      const c = cropAxis(n, k, s, p);
      const used = [...Array(k).keys()].filter((t) => whole.some((row) => row[t] !== null));
      const where = `n=${n} k=${k} s=${s} p=${p}`;
      if (whole.length === 0 || used.length === 0 || (used[0] === 0 && used.at(-1) === k - 1)) {
        expect(c, where).toBeNull();
        continue;
      }
      expect(c, where).not.toBeNull();
      cropped++;
      expect([c!.start, c!.start + c!.size - 1], where).toEqual([used[0], used.at(-1)]);
      expect(c!.padBegin >= 0 && c!.padEnd >= 0, where).toBe(true);
      // the cropped window, output by output: the whole kernel's reads at taps start…start+size−1
      const mine = reads(n, c!.size, s, c!.padBegin, c!.padEnd);
      expect(mine, where).toEqual(whole.map((row) => row.slice(c!.start, c!.start + c!.size)));
      // and the taps dropped read only padding
      for (const row of whole) for (let t = 0; t < k; t++) if (t < c!.start || t >= c!.start + c!.size) expect(row[t], where).toBeNull();
    }
    expect(cropped).toBeGreaterThan(100);
  });

  it('leaves 1x1 kernels and maps large enough for every tap alone', () => {
    expect(cropAxis(1, 1, 1, 0)).toBeNull();
    expect(cropAxis(56, 3, 1, 1)).toBeNull();
    expect(cropAxis(2, 3, 1, 1)).toBeNull();
    expect(cropAxis(1, 3, 1, 1)).toEqual({ start: 1, size: 1, padBegin: 0, padEnd: 0 });
    expect(cropAxis(2, 3, 2, 1)).toEqual({ start: 1, size: 2, padBegin: 0, padEnd: 0 });
  });
});

describe('cropKernel', () => {
  it('takes the rows and columns of each filter of an OIHW kernel', () => {
    const w = Float32Array.from({ length: 2 * 3 * 3 }, (_, i) => i);
    const centre = cropKernel(w, 2, 3, 3, { start: 1, size: 1, padBegin: 0, padEnd: 0 }, { start: 1, size: 1, padBegin: 0, padEnd: 0 });
    expect({ ...centre, data: [...centre.data] }).toEqual({ data: [4, 13], kh: 1, kw: 1 });
    const corner = cropKernel(w, 2, 3, 3, { start: 1, size: 2, padBegin: 0, padEnd: 0 }, null);
    expect({ ...corner, data: [...corner.data] }).toEqual({ data: [3, 4, 5, 6, 7, 8, 12, 13, 14, 15, 16, 17], kh: 2, kw: 3 });
  });
});

describe("the zoo's graphs at small sizes", () => {
  it("torchvision's ResNet-18 at 32 px crops its last stage's kernels, and at 64 px none", async () => {
    await initBackend('onnx', { log: null, threads: 1 });
    const model = createModel('resnet18', await readStateDict(fixturePath('resnet18_32_small')));
    const kernels = (size: number) => {
      const m = onnx.ModelProto.decode(emitOnnx(model.network!, { taps: ['final'], imageSize: size }).bytes);
      return new Map(m.graph!.initializer!.filter((t) => t.dims!.length === 4).map((t) => [t.name!, t.dims!.map(Number)]));
    };
    const at32 = kernels(32);
    // layer4's first conv reads a 2x2 map with stride 2 (a 2x2 corner of its 3x3), the rest 1x1 maps (the centre)
    expect(at32.get('layer4.0.conv1.weight.crop_r1c1_2x2')?.slice(2)).toEqual([2, 2]);
    for (const name of ['layer4.0.conv2', 'layer4.1.conv1', 'layer4.1.conv2']) expect(at32.get(`${name}.weight.crop_r1c1_1x1`)?.slice(2), name).toEqual([1, 1]);
    expect([...at32.keys()].filter((k) => k.includes('.crop_'))).toHaveLength(4);
    expect([...kernels(64).keys()].filter((k) => k.includes('.crop_'))).toEqual([]);
    model.dispose();
  });
});
