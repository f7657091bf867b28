import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthesizeProbeSet, type Manifest } from '@shapetex/svoc';
import { chroma, decode, hue, iou, mask } from './pixels.js';

const dirs: string[] = [];
afterAll(async () => { for (const d of dirs) await rm(d, { recursive: true, force: true }); });
const tempDir = async (): Promise<string> => {
  const d = await mkdtemp(path.join(tmpdir(), 'svoc-synth-'));
  dirs.push(d);
  return d;
};

// The documented renderer constants (README "Synthetic sets"): silhouettes drawn at half-extent
// R = 0.65·size/2 without jitter, foreground brightness 0.5 + 0.5·tone (0.75 without texture),
// saturation 0.9, background grey 0.25.
const EXTENT = 0.65;
const FG_CHROMA_FLAT = 0.75 * 0.9 * 255;

// Closed-form unit areas of the documented silhouette geometry (README table).
const UNIT_AREA: Record<string, number> = {
  circle: Math.PI,
  square: 1.7 * 1.7,
  triangle: (3 * Math.sqrt(3)) / 4,
  star: 5 * 1 * 0.45 * Math.sin(Math.PI / 5),
  cross: 2 * (0.6 * 1.9) - 0.6 * 0.6,
  ring: Math.PI * (1 - 0.55 ** 2),
  hexagon: (3 * Math.sqrt(3)) / 2,
  diamond: (1.5 * 2) / 2,
  arrow: 0.5 * 1.6 * 0.9 + 0.6 * 1.05,
  tee: 1.7 * 0.45 + 0.5 * 1.35,
};

// Hue of each colour name, as documented (30° steps from red).
const HUE: Record<string, number> = {
  red: 0, orange: 30, yellow: 60, lime: 90, green: 120, spring: 150,
  cyan: 180, azure: 210, blue: 240, violet: 270, magenta: 300, rose: 330,
};

describe('shape factor: the silhouette is drawn with its documented area and centre', () => {
  let dir: string;
  let m: Manifest;
  beforeAll(async () => {
    dir = await tempDir();
    m = await synthesizeProbeSet({ out: dir, factors: ['shape', 'color'], perFactor: 12, size: 128, format: 'png', jitter: false, seed: 1 });
  });

  it('writes all 12 silhouettes × 12 hues', () => {
    expect(m.records).toHaveLength(144);
    expect(new Set(m.records.map((r) => r.factors.shape)).size).toBe(12);
    expect(new Set(m.records.map((r) => r.factors.color)).size).toBe(12);
  });

  it('coverage summed from the lossless pixels equals the closed-form area within 2%', async () => {
    const R = (EXTENT * 128) / 2;
    const checked = new Set<string>();
    for (const r of m.records.filter((r) => r.factors.color === 'red' || r.factors.color === 'azure')) {
      const shape = String(r.factors.shape);
      if (!(shape in UNIT_AREA)) continue;
      const c = chroma(await decode(path.join(dir, r.file)));
      // Without texture the foreground chroma is constant, so chroma/FG_CHROMA is the coverage.
      let area = 0, mx = 0, my = 0;
      c.forEach((v, i) => {
        const w = v / FG_CHROMA_FLAT;
        area += w;
        mx += w * ((i % 128) + 0.5);
        my += w * (Math.floor(i / 128) + 0.5);
      });
      const expected = UNIT_AREA[shape]! * R * R;
      // 2×2 samples per pixel: an edge can land up to ¼ px off, ≈ 1–2 % of these areas.
      expect(Math.abs(area / expected - 1), `${shape}: ${area} vs ${expected}`).toBeLessThan(0.02);
      if (['circle', 'square', 'ring', 'cross', 'hexagon', 'diamond', 'star'].includes(shape)) {
        expect(Math.abs(mx / area - 64), `${shape} centre x`).toBeLessThan(0.5);
        expect(Math.abs(my / area - 64), `${shape} centre y`).toBeLessThan(0.5);
      }
      checked.add(shape);
    }
    expect(checked.size).toBe(Object.keys(UNIT_AREA).length);
  });

  it('the silhouettes really differ: every two shapes of one colour overlap with IoU < 0.9', async () => {
    const masks = await Promise.all(m.records.filter((r) => r.factors.color === 'green')
      .map(async (r) => [String(r.factors.shape), mask(await decode(path.join(dir, r.file)), 60)] as const));
    expect(masks).toHaveLength(12);
    for (let a = 0; a < masks.length; a++) {
      for (let b = a + 1; b < masks.length; b++) {
        expect(iou(masks[a]![1], masks[b]![1]), `${masks[a]![0]} vs ${masks[b]![0]}`).toBeLessThan(0.9);
      }
    }
  });
});

describe('color factor: the foreground hue is the colour value', () => {
  it('every image\'s mean foreground hue is within 6° of its colour (JPEG, with texture)', async () => {
    const dir = await tempDir();
    const m = await synthesizeProbeSet({ out: dir, factors: ['color', 'texture'], perFactor: 8, size: 48, seed: 2 });
    const names = new Set(m.records.map((r) => String(r.factors.color)));
    expect(names.size).toBe(8);
    for (const r of m.records) {
      const img = await decode(path.join(dir, r.file));
      let sx = 0, sy = 0, n = 0;
      for (let i = 0; i < img.width * img.height; i++) {
        const [R, G, B] = [img.rgb[3 * i]!, img.rgb[3 * i + 1]!, img.rgb[3 * i + 2]!];
        if (Math.max(R, G, B) - Math.min(R, G, B) < 60) continue;
        const h = (hue(R, G, B) * Math.PI) / 180;
        sx += Math.cos(h); sy += Math.sin(h); n++;
      }
      // No shape factor: the foreground fills the image, so nearly every pixel is coloured.
      expect(n).toBeGreaterThan(0.9 * img.width * img.height);
      const mean = ((Math.atan2(sy, sx) * 180) / Math.PI + 360) % 360;
      const want = HUE[String(r.factors.color)]!;
      const diff = Math.abs(((mean - want + 540) % 360) - 180);
      expect(diff, `${r.file}: hue ${mean} vs ${want}`).toBeLessThan(6);
    }
  });
});

describe('texture factor: the patterns are what they are named', () => {
  let dir: string;
  let m: Manifest;
  const grey = async (file: string): Promise<{ g: Float64Array; n: number }> => {
    const img = await decode(path.join(dir, file));
    return { g: Float64Array.from({ length: img.width * img.height }, (_, i) => img.rgb[3 * i]!), n: img.width };
  };
  beforeAll(async () => {
    dir = await tempDir();
    m = await synthesizeProbeSet({ out: dir, factors: ['texture'], perFactor: 12, size: 96, format: 'png', jitter: false, seed: 0 });
  });

  /** |DFT| peak (k ≥ 1) of a profile. */
  const peak = (xs: number[]): number => {
    let best = 0, arg = 0;
    for (let k = 1; k < xs.length / 2; k++) {
      let re = 0, im = 0;
      xs.forEach((x, i) => { re += x * Math.cos((2 * Math.PI * k * i) / xs.length); im -= x * Math.sin((2 * Math.PI * k * i) / xs.length); });
      if (Math.hypot(re, im) > best) { best = Math.hypot(re, im); arg = k; }
    }
    return arg;
  };

  it('stripes0 is constant along rows and repeats 6 times down the image; stripes90 the transpose', async () => {
    const file = (name: string) => m.records.find((r) => r.factors.texture === name)!.file;
    for (const [name, alongRows] of [['stripes0', true], ['stripes90', false]] as const) {
      const { g, n } = await grey(file(name));
      const at = (i: number, j: number) => (alongRows ? g[i * n + j]! : g[j * n + i]!);
      const lineMeans: number[] = [];
      let within = 0;
      for (let i = 0; i < n; i++) {
        let s = 0, s2 = 0;
        for (let j = 0; j < n; j++) { s += at(i, j); s2 += at(i, j) ** 2; }
        lineMeans.push(s / n);
        within += s2 / n - (s / n) ** 2;
      }
      const mu = lineMeans.reduce((a, b) => a + b) / n;
      const across = lineMeans.reduce((a, b) => a + (b - mu) ** 2, 0) / n;
      expect(within / n, name).toBeLessThan(0.5);
      expect(across, name).toBeGreaterThan(500);
      expect(peak(lineMeans), name).toBe(6);
    }
  });

  it('the 12 patterns are distinct images (mean |difference| > 15 grey levels for every two)', async () => {
    const imgs = await Promise.all(m.records.map(async (r) => [String(r.factors.texture), (await grey(r.file)).g] as const));
    expect(imgs).toHaveLength(12);
    for (let a = 0; a < imgs.length; a++) {
      for (let b = a + 1; b < imgs.length; b++) {
        let d = 0;
        imgs[a]![1].forEach((v, i) => { d += Math.abs(v - imgs[b]![1][i]!); });
        expect(d / imgs[a]![1].length, `${imgs[a]![0]} vs ${imgs[b]![0]}`).toBeGreaterThan(15);
      }
    }
  });
});

describe('factors together', () => {
  const settings = { factors: ['shape', 'texture', 'color'], perFactor: 3, size: 64, seed: 5 } as const;
  const key = (r: Manifest['records'][number]) => [r.factors.shape, r.factors.texture, r.factors.color];
  const readMasks = async (dir: string, m: Manifest, threshold = 57) => {
    const masks = new Map<string, Uint8Array>();
    for (const r of m.records) masks.set(r.file, mask(await decode(path.join(dir, r.file)), threshold));
    return masks;
  };

  it('without jitter: another shape changes the mask, another texture does not', async () => {
    const dir = await tempDir();
    const m = await synthesizeProbeSet({ ...settings, factors: [...settings.factors], out: dir, jitter: false, format: 'png' });
    expect(m.records).toHaveLength(27);
    // Lossless, and a threshold under the least chroma of a quarter-covered pixel (0.25·0.5·0.9·255 ≈ 29):
    // the mask is exactly the set of pixels the silhouette touches.
    const masks = await readMasks(dir, m, 20);
    let differentShape = 0, sameShape = 0;
    for (const a of m.records) {
      for (const b of m.records) {
        if (a.file >= b.file) continue;
        const [sa, ta, ca] = key(a), [sb, tb, cb] = key(b);
        const overlap = iou(masks.get(a.file)!, masks.get(b.file)!);
        if (ta === tb && ca === cb && sa !== sb) {
          expect(overlap, `${a.file} vs ${b.file}`).toBeLessThan(0.9);
          differentShape++;
        }
        if (sa === sb && ca === cb && ta !== tb) {
          expect(overlap, `${a.file} vs ${b.file}`).toBe(1);
          sameShape++;
        }
      }
    }
    expect(differentShape).toBe(27);
    expect(sameShape).toBe(27);
  });

  it('with jitter: each silhouette moves and scales within the documented bounds, never twice the same', async () => {
    const still = await tempDir(), moved = await tempDir();
    const m0 = await synthesizeProbeSet({ ...settings, factors: [...settings.factors], out: still, jitter: false });
    const m1 = await synthesizeProbeSet({ ...settings, factors: [...settings.factors], out: moved });
    expect(m1.records.map((r) => r.file)).toEqual(m0.records.map((r) => r.file));
    const masks0 = await readMasks(still, m0), masks1 = await readMasks(moved, m1);
    const centres: number[] = [];
    for (const r of m1.records) {
      const a0 = masks0.get(r.file)!.reduce((s, v) => s + v, 0);
      const mk = masks1.get(r.file)!;
      let a1 = 0, cx = 0, cy = 0;
      mk.forEach((v, i) => { if (v) { a1++; cx += (i % 64) + 0.5; cy += Math.floor(i / 64) + 0.5; } });
      // Scale jitter ±10 % → area × [0.81, 1.21], plus a little for edge pixels.
      expect(a1 / a0, r.file).toBeGreaterThan(0.81 * 0.95);
      expect(a1 / a0, r.file).toBeLessThan(1.21 * 1.05);
      // circle, square, triangle have their centroid at the silhouette's centre: shift ±6 % of 64 px.
      expect(Math.abs(cx / a1 - 32), r.file).toBeLessThan(0.06 * 64 + 1);
      expect(Math.abs(cy / a1 - 32), r.file).toBeLessThan(0.06 * 64 + 1);
      centres.push(cx / a1);
    }
    const mean = centres.reduce((a, b) => a + b) / centres.length;
    expect(Math.sqrt(centres.reduce((a, b) => a + (b - mean) ** 2, 0) / centres.length)).toBeGreaterThan(0.5);
    for (const a of m1.records) {
      for (const b of m1.records) {
        if (a.file < b.file && a.factors.shape === b.factors.shape) {
          expect(iou(masks1.get(a.file)!, masks1.get(b.file)!), `${a.file} vs ${b.file}`).toBeLessThan(1);
        }
      }
    }
  });
});
