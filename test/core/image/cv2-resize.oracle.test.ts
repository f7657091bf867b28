// `resize: 'cv2-linear'` against real OpenCV (Debian's python3-opencv): cv2.resize with
// INTER_LINEAR on float32 data in [0, 1], shrinking, enlarging, odd and mixed sizes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createRng, resizeBilinear, resizeLinearCv2 } from '@shapetex/core';
import { findTorchPython } from '../../torch-python.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const SCRIPT = path.resolve(here, '../../fixtures/reference/cv2_resize.py');
const PYTHON = findTorchPython(['cv2', 'numpy']);
const tmp = mkdtempSync(path.join(tmpdir(), 'shapetex-cv2-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function opencv(src: Float32Array, w: number, h: number, c: number, sizes: [number, number][]): Float32Array[] {
  const file = path.join(tmp, `src-${w}x${h}x${c}.f32`);
  writeFileSync(file, new Uint8Array(src.buffer));
  const r = spawnSync(PYTHON, [SCRIPT, file, String(w), String(h), String(c), ...sizes.flat().map(String)], { maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`cv2_resize.py failed: ${r.stderr.toString()}`);
  const all = new Float32Array(r.stdout.buffer.slice(r.stdout.byteOffset, r.stdout.byteOffset + r.stdout.byteLength));
  const out: Float32Array[] = [];
  let o = 0;
  for (const [ow, oh] of sizes) { out.push(all.subarray(o, o + ow * oh * c)); o += ow * oh * c; }
  expect(o).toBe(all.length);
  return out;
}

function worst(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('resizeLinearCv2 equals cv2.resize(INTER_LINEAR) on float32 [0, 1] data', () => {
  const cases: { w: number; h: number; c: number; sizes: [number, number][] }[] = [
    // 3-channel, as probe images: shrink by non-integer and integer factors (2× is the scale
    // OpenCV turns into INTER_AREA), enlarge, the reference's 513, one axis up and one down.
    { w: 37, h: 23, c: 3, sizes: [[16, 16], [13, 7], [18, 11], [50, 50], [513, 513], [74, 46], [5, 40], [37, 23], [1, 1]] },
    { w: 500, h: 375, c: 3, sizes: [[513, 513], [224, 224], [33, 31], [250, 188], [97, 400]] },
    { w: 7, h: 5, c: 1, sizes: [[3, 2], [15, 11], [8, 9], [2, 13]] },
  ];
  for (const { w, h, c, sizes } of cases) {
    it(`${w}x${h}x${c} -> ${sizes.map((s) => s.join('x')).join(', ')}`, () => {
      const rng = createRng(w * 1000 + h);
      const src = Float32Array.from({ length: w * h * c }, () => rng.next());
      const want = opencv(src, w, h, c, sizes);
      sizes.forEach(([ow, oh], i) => {
        const got = resizeLinearCv2(src, w, h, c, ow, oh);
        expect(worst(got, want[i]!), `${ow}x${oh}`).toBeLessThan(1e-5);
      });
    });
  }

  it('differs from the PIL filter when shrinking (the check can fail)', () => {
    const rng = createRng(5);
    const src = Float32Array.from({ length: 37 * 23 * 3 }, () => rng.next());
    const [want] = opencv(src, 37, 23, 3, [[16, 16]]);
    expect(worst(resizeBilinear(src, 37, 23, 3, 16, 16), want!)).toBeGreaterThan(1e-2);
  });
});
