import path from 'node:path';
import sharp from 'sharp';
import { createRng, VERSION, writeFileAtomic, type Rng } from '@shapetex/core';
import { SVOC_DEFAULTS } from '../defaults.js';
import type { Manifest, ProbeRecord } from '../types.js';
import { formatProbeFileName } from '../probe/names.js';
import { writeManifest } from '../probe/manifest.js';
import { SILHOUETTES } from './shapes.js';
import { createPatterns } from './textures.js';
import { spreadHues, HUES } from './colors.js';
import { NO_JITTER, renderProbeImage, type Pose, type RenderSpec } from './render.js';

/** The kinds of factor the generator can vary. `colour` is accepted as a name for `color`. */
export type SynthFactorKind = 'shape' | 'texture' | 'color';

/** Per-image jitter amplitudes; every draw is uniform on ±amplitude. */
export interface SynthJitter {
  /** Centre shift, as a fraction of the image side (default 0.06). */
  shift: number;
  /** Relative scale change (default 0.1: scale in [0.9, 1.1]). */
  scale: number;
  /** Rotation in degrees (default 15). */
  rotate: number;
  /** Translate the pattern by a uniform random phase (default true). */
  phase: boolean;
}

export const DEFAULT_JITTER: SynthJitter = { shift: 0.06, scale: 0.1, rotate: 15, phase: true };

export interface SynthesizeOptions {
  /** Output folder (created). */
  out: string;
  /** Factor names, each `shape`, `texture`, `color` (or `colour`), in the set's order. Default all three. */
  factors?: string[];
  /** Values per factor; every factor gets this many (2..12). Default 8. */
  perFactor?: number;
  /** Image side in pixels (8..4096). Default 64. */
  size?: number;
  /** Seed of every random draw (jitter, noise pattern, subset). Default 0. */
  seed?: number;
  /** Write only this many combinations, drawn without replacement with the seed. Default: all. */
  subset?: number;
  /** Image format. Default `jpg`. */
  format?: 'jpg' | 'png';
  /** JPEG quality (1..100). Default 90. */
  quality?: number;
  /** `false` for none; `true` or partial amplitudes for jitter. Default `true` (DEFAULT_JITTER). */
  jitter?: boolean | Partial<SynthJitter>;
  /** Images rendered and encoded at once. Default 4. */
  concurrency?: number;
  /** Called after each image is written. */
  onProgress?: (done: number, total: number) => void;
}

const KINDS: Record<string, SynthFactorKind> = { shape: 'shape', texture: 'texture', color: 'color', colour: 'color' };
/** Most values each kind can take: catalogue sizes. */
export const SYNTH_MAX_VALUES: Record<SynthFactorKind, number> = {
  shape: SILHOUETTES.length, texture: createPatterns(createRng(0)).length, color: HUES.length,
};

function check(ok: boolean, option: string, expected: string, got: unknown): void {
  if (!ok) throw new RangeError(`synthesizeProbeSet: ${option}: expected ${expected}, got ${JSON.stringify(got)}`);
}
const isInt = (v: unknown, lo: number, hi: number): boolean => Number.isInteger(v) && (v as number) >= lo && (v as number) <= hi;

interface Factor {
  name: string;
  kind: SynthFactorKind;
  values: string[];
}

/**
 * Writes a synthetic probe set (docs/formats.md) to `out` and returns its manifest (also written as
 * `out/manifest.json`). Each factor takes `perFactor` values: the first n silhouettes, the first
 * n patterns, or n hues spread round the colour circle. Every combination of values is one
 * image (or a seeded `subset` of them), rendered by `renderProbeImage` with a seeded pose
 * jitter so no two images share exact pixels by accident.
 *
 * Records: `factors[name]` = the value's name; `classId`/`className` = the 1-based index and
 * name of the first factor's value; `textureId`/`textureName` = the texture value's (1 /
 * `plain` without a texture factor); `contentId` = the other factors' value names joined by
 * `-` (`plain` if none). Files are named `{textureId}_{classId}_{contentId}.{jpg|png}` in the
 * reference naming, so the folder also reads as an SVOC-style set without its manifest.
 */
export async function synthesizeProbeSet(options: SynthesizeOptions): Promise<Manifest> {
  const o = resolveOptions(options);
  const { perFactor, size, format, quality } = o;
  // Fixed draw order from one seed: noise lattice, then one pose per combination of the full
  // grid (drawn even for combinations a subset leaves out, so a subset's images equal the
  // full set's), then the subset.
  const master = createRng(o.seed);
  const patterns = createPatterns(master.fork());
  const poseRng = master.fork();
  const subsetRng = master.fork();
  const hues = spreadHues(perFactor);
  const factors: Factor[] = o.names.map((name, i) => {
    const kind = o.kinds[i]!;
    const values = kind === 'shape' ? SILHOUETTES.slice(0, perFactor).map((s) => s.name)
      : kind === 'texture' ? patterns.slice(0, perFactor).map((p) => p.name)
      : hues.map((h) => h.name);
    return { name, kind, values };
  });

  const total = perFactor ** factors.length;
  const poses = Array.from({ length: total }, () => (o.amp ? drawPose(poseRng, o.amp, size) : NO_JITTER));
  let chosen = Array.from({ length: total }, (_, c) => c);
  if (o.subset !== undefined) {
    check(isInt(o.subset, 1, total), 'subset', `an integer from 1 to ${total} (the number of combinations)`, o.subset);
    chosen = subsetRng.shuffle(chosen).slice(0, o.subset).sort((a, b) => a - b);
  }
  const { records, jobs } = planImages(chosen, factors, { perFactor, size, format, patterns, hues, poses });

  let done = 0;
  await pool(jobs, o.concurrency, async ({ file, spec }) => {
    const { rgb } = renderProbeImage(spec);
    const img = sharp(rgb, { raw: { width: size, height: size, channels: 3 } });
    // 4:4:4 keeps full-resolution chroma: the colour factor must survive at small sizes.
    const bytes = format === 'jpg'
      ? await img.jpeg({ quality, chromaSubsampling: '4:4:4' }).toBuffer()
      : await img.png().toBuffer();
    await writeFileAtomic(path.join(o.out, file), bytes);
    o.onProgress?.(++done, jobs.length);
  });

  const manifest = synthManifest(o, factors, records, hues, total);
  await writeManifest(o.out, manifest);
  return manifest;
}

/** The options with svoc's defaults filled in, checked (RangeError naming the option); `amp` = the jitter, or null for none. */
function resolveOptions(options: SynthesizeOptions) {
  const d = SVOC_DEFAULTS.synth;
  const {
    out, factors: names = [...d.factors], perFactor = d.perFactor, size = d.size, seed = d.seed, subset,
    format = d.format, quality = d.quality, jitter = true, concurrency = d.concurrency, onProgress,
  } = options;
  check(typeof out === 'string' && out.length > 0, 'out', 'an output folder', out);
  check(Array.isArray(names) && names.length > 0, 'factors', 'a non-empty list of shape, texture, color', names);
  const kinds = names.map((n) => KINDS[n]);
  names.forEach((n, i) => {
    check(kinds[i] !== undefined, `factors[${i}]`, 'one of shape, texture, color (or colour)', n);
    check(kinds.indexOf(kinds[i]) === i, `factors[${i}]`, `a kind not listed before (${kinds[i]})`, n);
  });
  const maxValues = Math.min(...kinds.map((k) => SYNTH_MAX_VALUES[k!]));
  check(isInt(perFactor, 2, maxValues), 'perFactor', `an integer from 2 to ${maxValues}`, perFactor);
  check(isInt(size, 8, 4096), 'size', 'an integer from 8 to 4096', size);
  check(Number.isSafeInteger(seed), 'seed', 'an integer', seed);
  check(format === 'jpg' || format === 'png', 'format', '"jpg" or "png"', format);
  check(isInt(quality, 1, 100), 'quality', 'an integer from 1 to 100', quality);
  check(isInt(concurrency, 1, 64), 'concurrency', 'an integer from 1 to 64', concurrency);
  const amp: SynthJitter | null = jitter === false ? null : { ...DEFAULT_JITTER, ...(jitter === true ? {} : jitter) };
  return { out, names, kinds: kinds as SynthFactorKind[], perFactor, size, seed, subset, format, quality, concurrency, onProgress, amp };
}
type Resolved = ReturnType<typeof resolveOptions>;

interface Catalogue {
  perFactor: number;
  size: number;
  format: 'jpg' | 'png';
  patterns: ReturnType<typeof createPatterns>;
  hues: ReturnType<typeof spreadHues>;
  poses: Pose[];
}

/** One record and one render job per chosen combination (records as `synthesizeProbeSet` describes them). */
function planImages(chosen: number[], factors: Factor[], cat: Catalogue): { records: ProbeRecord[]; jobs: { file: string; spec: RenderSpec }[] } {
  const { patterns, hues } = cat;
  const records: ProbeRecord[] = [];
  const jobs: { file: string; spec: RenderSpec }[] = [];
  for (const c of chosen) {
    const idx = digits(c, cat.perFactor, factors.length);
    const value = (kind: SynthFactorKind): number | null => {
      const k = factors.findIndex((f) => f.kind === kind);
      return k < 0 ? null : idx[k]!;
    };
    const t = value('texture');
    const others = factors.filter((f) => f.kind !== 'texture').map((f) => f.values[idx[factors.indexOf(f)]!]!);
    const contentId = others.length > 0 ? others.join('-') : 'plain';
    const textureId = t === null ? 1 : t + 1;
    const file = formatProbeFileName({ textureId, classId: idx[0]! + 1, contentId, ext: cat.format });
    records.push({
      file,
      factors: Object.fromEntries(factors.map((f, k) => [f.name, f.values[idx[k]!]!])),
      classId: idx[0]! + 1,
      className: factors[0]!.values[idx[0]!]!,
      contentId,
      textureId,
      textureName: t === null ? 'plain' : patterns[t]!.name,
    });
    const s = value('shape'), h = value('color');
    jobs.push({
      file,
      spec: {
        size: cat.size,
        silhouette: s === null ? null : SILHOUETTES[s]!,
        pattern: t === null ? null : patterns[t]!,
        hue: h === null ? null : hues[h]!.hue,
        pose: cat.poses[c]!,
      },
    });
  }
  return { records, jobs };
}

/** The set's manifest: records, the texture factor's values (or `plain`), the first factor's values as classes, and every generator parameter. */
function synthManifest(o: Resolved, factors: Factor[], records: ProbeRecord[], hues: ReturnType<typeof spreadHues>, total: number): Manifest {
  const { seed, size, perFactor, format, quality } = o;
  const textureFactor = factors.find((f) => f.kind === 'texture');
  return {
    kind: 'synthetic',
    version: VERSION,
    factors: factors.map((f) => f.name),
    records,
    textures: textureFactor ? textureFactor.values.map((name, i) => ({ id: i + 1, name })) : [{ id: 1, name: 'plain' }],
    classes: factors[0]!.values.map((name, i) => ({ id: i + 1, name })),
    build: {
      generator: 'synthesizeProbeSet',
      seed, size, perFactor, format,
      ...(format === 'jpg' ? { quality } : {}),
      subset: o.subset ?? null,
      combinations: total,
      kinds: Object.fromEntries(factors.map((f) => [f.name, f.kind])),
      values: Object.fromEntries(factors.map((f) => [f.name, f.values])),
      ...(factors.some((f) => f.kind === 'color') ? { hues: Object.fromEntries(hues.map((h) => [h.name, h.hue])) } : {}),
      jitter: o.amp ?? false,
    },
    created: new Date().toISOString(),
  };
}

function drawPose(rng: Rng, amp: SynthJitter, size: number): Pose {
  const sym = (a: number): number => (2 * rng.next() - 1) * a;
  return {
    dx: sym(amp.shift * size),
    dy: sym(amp.shift * size),
    scale: 1 + sym(amp.scale),
    angle: (sym(amp.rotate) * Math.PI) / 180,
    phaseX: amp.phase ? rng.next() : 0,
    phaseY: amp.phase ? rng.next() : 0,
  };
}

/** Combination index → value index per factor, the last factor varying fastest. */
function digits(c: number, base: number, n: number): number[] {
  const out = new Array<number>(n);
  for (let k = n - 1; k >= 0; k--) {
    out[k] = c % base;
    c = Math.floor(c / base);
  }
  return out;
}

async function pool<T>(items: T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, lane));
}
