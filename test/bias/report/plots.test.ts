import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import {
  PLOT_HEIGHT,
  PLOT_WIDTH,
  analyzeDynamics,
  biasPoints,
  biasSpec,
  layerPoints,
  layersSpec,
  renderSvg,
  scatterSpec,
  writePlots,
  type ResultRecord,
} from '@shapetex/bias';
import { constructedCurve, record } from '../dynamics/records.js';

const curve = constructedCurve();
const errorAt = (epoch: number) => curve.errors[curve.epochs.indexOf(epoch)];

function records(withCi: boolean): ResultRecord[] {
  const out: ResultRecord[] = [];
  for (const tap of ['stage3', 'stage4', 'final']) {
    for (const epoch of curve.epochs) {
      const s = 0.2 + 0.004 * errorAt(epoch) + (tap === 'final' ? 0.1 : tap === 'stage4' ? 0.05 : 0);
      const t = 0.25 - 0.003 * errorAt(epoch);
      out.push(record(epoch, tap, 'per-neuron', s, t, withCi ? { ci: { low: [s - 0.01, t - 0.01], high: [s + 0.01, t + 0.01] } } : {}));
    }
  }
  return out;
}

/** Paths inside the SVG groups Vega draws for one mark type. */
function markPaths(svg: string, mark: 'line' | 'area' | 'symbol' | 'rect'): number {
  const groups = svg.match(new RegExp(`<g class="mark-${mark} role-mark[^>]*>(.*?)</g>`, 'g')) ?? [];
  return groups.reduce((n, g) => n + (g.match(/<path/g)?.length ?? 0), 0);
}

function svgSize(svg: string): [number, number] {
  const m = svg.match(/^<svg[^>]*\swidth="(\d+)"[^>]*\sheight="(\d+)"/);
  if (!m) throw new Error('no <svg width height> at the start');
  return [Number(m[1]), Number(m[2])];
}

/** The PNG has the stated size, is not blank, and has dark pixels where the title text is. */
async function checkPng(file: string) {
  const png = await readFile(file);
  const meta = await sharp(png).metadata();
  expect(meta.format).toBe('png');
  expect([meta.width, meta.height]).toEqual([PLOT_WIDTH, PLOT_HEIGHT]);
  const stats = await sharp(png).stats();
  expect(stats.channels[0].stdev).toBeGreaterThan(10);
  // title band, centred: text rendered by librsvg from the system fonts, not boxes or nothing
  const title = await sharp(png).extract({ left: PLOT_WIDTH / 2 - 120, top: 4, width: 240, height: 20 }).stats();
  expect(title.channels[0].min).toBeLessThan(80);
}

describe('plots (Vega-Lite → SVG → PNG, no browser)', () => {
  it('bias spec: data in, spec out; one line per tap and bias, a CI band each when bootstrapped', async () => {
    const pts = biasPoints(records(true));
    expect(pts).toHaveLength(3 * 40 * 2);
    expect(pts[0]).toMatchObject({ epoch: 2, bias: 'shape', series: 'stage3', low: expect.any(Number) });
    const svg = await renderSvg(biasSpec(pts));
    expect(svgSize(svg)).toEqual([PLOT_WIDTH, PLOT_HEIGHT]);
    expect(markPaths(svg, 'line')).toBe(6);
    expect(markPaths(svg, 'area')).toBe(6);
    const plain = await renderSvg(biasSpec(biasPoints(records(false))));
    expect(markPaths(plain, 'line')).toBe(6);
    expect(markPaths(plain, 'area')).toBe(0);
    // two methods: series named by tap and method
    const both = [...records(false), ...records(false).map((r) => ({ ...r, method: 'pooled' as const }))];
    const series = new Set(biasPoints(both).map((p) => p.series));
    expect([...series].sort()).toEqual(['final (per-neuron)', 'final (pooled)', 'stage3 (per-neuron)', 'stage3 (pooled)', 'stage4 (per-neuron)', 'stage4 (pooled)']);
  });

  it('scatter: one point per checkpoint and bias, coloured by phase', async () => {
    const a = analyzeDynamics(records(false), curve);
    const spec = scatterSpec(a) as { data: { values: { phase: string; epoch: number }[] } };
    expect(spec.data.values).toHaveLength(80);
    const phaseAt = (e: number) => spec.data.values.find((v) => v.epoch === e)!.phase;
    expect([phaseAt(2), phaseAt(12), phaseAt(13), phaseAt(27), phaseAt(28)]).toEqual(['Phase 1', 'Phase 1', 'Phase 2', 'Phase 2', 'Phase 3']);
    const svg = await renderSvg(scatterSpec(a));
    expect(markPaths(svg, 'symbol')).toBe(80);
  });

  it('per-layer figure: taps in scoring order, per-neuron preferred, one line per tap in each of two panels', async () => {
    const both = [...records(false), ...records(false).map((r) => ({ ...r, method: 'pooled' as const, fractions: [0.9, 0.05, 0.05] }))];
    const lp = layerPoints(both);
    expect(lp.method).toBe('per-neuron');
    expect(lp.taps).toEqual(['stage3', 'stage4', 'final']);
    expect(lp.points).toHaveLength(3 * 40 * 2);
    // the constructed values: final = stage3 + 0.1 in shape at every epoch; texture equal across taps
    const at = (tap: string, bias: string, epoch: number) => lp.points.find((p) => p.tap === tap && p.bias === bias && p.epoch === epoch)!;
    expect(at('final', 'shape', 20).value - at('stage3', 'shape', 20).value).toBeCloseTo(0.1, 12);
    expect(at('stage4', 'texture', 30).value).toBe(at('stage3', 'texture', 30).value);
    expect(at('final', 'shape', 20).depth).toBe(2);
    const svg = await renderSvg(layersSpec(lp));
    expect(markPaths(svg, 'line')).toBe(6);
    expect(svg).toContain('shape bias');
    expect(svg).toContain('texture bias');
    expect(svg.indexOf('stage3')).toBeLessThan(svg.indexOf('stage4'));
  });

  const dir = mkdtemp(join(tmpdir(), 'shapetex-plots-'));
  afterAll(async () => rm(await dir, { recursive: true, force: true }));

  it('writePlots writes bias, errors and scatter as SVG and PNG of the stated size', async () => {
    const out = await dir;
    const recs = records(true);
    const a = analyzeDynamics(recs, curve);
    const written = await writePlots(out, recs, a);
    // three taps: the per-layer figure comes second
    const names = ['bias', 'layers', 'errors', 'scatter'].flatMap((n) => [`${n}.svg`, `${n}.png`]);
    expect(written).toEqual(names.map((n) => join(out, 'plots', n)));
    expect((await readdir(join(out, 'plots'))).sort()).toEqual(names.slice().sort());
    for (const n of ['bias', 'errors', 'scatter']) {
      const svg = await readFile(join(out, 'plots', `${n}.svg`), 'utf8');
      expect(svgSize(svg)).toEqual([PLOT_WIDTH, PLOT_HEIGHT]);
      await checkPng(join(out, 'plots', `${n}.png`));
    }
    const errorsSvg = await readFile(join(out, 'plots', 'errors.svg'), 'utf8');
    expect(markPaths(errorsSvg, 'line')).toBe(2); // measured and smoothed
    expect(markPaths(errorsSvg, 'rect')).toBe(3); // three phases shaded
  });

  it('without an analysis only bias plots; no split leaves the errors plot unshaded', async () => {
    const out = join(await dir, 'bias-only');
    const finalOnly = records(false).filter((r) => r.tap === 'final');
    expect((await writePlots(out, finalOnly)).map((p) => p.slice(out.length + 1))).toEqual(['plots/bias.svg', 'plots/bias.png']);
    const descent = { epochs: curve.epochs, errors: curve.epochs.map((e) => 100 - 2 * e) };
    const out2 = join(await dir, 'nosplit');
    await writePlots(out2, records(false), analyzeDynamics(records(false), descent));
    const svg = await readFile(join(out2, 'plots', 'errors.svg'), 'utf8');
    expect(markPaths(svg, 'rect')).toBe(0);
    expect(svg).toContain('no phase split');
    await checkPng(join(out2, 'plots', 'scatter.png'));
  });
});
