import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import type { TopLevelSpec } from 'vega-lite';
import { afterAll, describe, expect, it } from 'vitest';
import {
  PLOT_HEIGHT,
  PLOT_WIDTH,
  analyzeDynamics,
  biasPoints,
  biasSpec,
  dynamicsSpec,
  fisherInterval,
  layerPoints,
  layersSpec,
  movingAverage,
  renderSvg,
  scatterData,
  scatterSpec,
  writePlots,
  type ResultRecord,
} from '@shapetex/bias';
import { constructedCurve, record } from '../dynamics/records.js';

// vega-lite is the bias package's dependency, not the workspace root's: resolve it from there
const vegaLite = createRequire(join(import.meta.dirname, '../../../packages/bias/package.json')).resolve('vega-lite');
const { compile } = (await import(pathToFileURL(vegaLite).href)) as typeof import('vega-lite');

const curve = constructedCurve();
const errorAt = (epoch: number) => curve.errors[curve.epochs.indexOf(epoch)];
const TAPS = ['stage3', 'stage4', 'final'];
// the fixed colours every figure uses (Tableau's): shape blue, texture orange, colour green, residual grey
const BLUE = '#1f77b4', ORANGE = '#ff7f0e', GREEN = '#2ca02c', GREY = '#7f7f7f';

/** Three taps (scored in this order, not alphabetical) over the constructed curve; factors shape, texture, color. */
function records(withCi: boolean): ResultRecord[] {
  const out: ResultRecord[] = [];
  for (const tap of TAPS) {
    for (const epoch of curve.epochs) {
      const s = 0.2 + 0.004 * errorAt(epoch) + (tap === 'final' ? 0.1 : tap === 'stage4' ? 0.05 : 0);
      const t = 0.25 - 0.003 * errorAt(epoch);
      const c = 0.15 + 0.001 * epoch;
      out.push(
        record(epoch, tap, 'per-neuron', s, t, {
          factors: ['shape', 'texture', 'color'],
          fractions: [s, t, c, 1 - s - t - c],
          ...(withCi ? { ci: { low: [s - 0.01, t - 0.01, c - 0.01], high: [s + 0.01, t + 0.01, c + 0.01] } } : {}),
        }),
      );
    }
  }
  return out;
}

/** Paths inside the SVG groups Vega draws for one mark type. */
function markPaths(svg: string, mark: 'line' | 'area' | 'symbol' | 'rect' | 'rule' | 'text'): number {
  const tag = mark === 'rule' ? 'line' : mark === 'text' ? 'text' : 'path';
  const groups = svg.match(new RegExp(`<g class="mark-${mark} role-mark[^>]*>(.*?)</g>`, 'g')) ?? [];
  return groups.reduce((n, g) => n + (g.match(new RegExp(`<${tag}`, 'g'))?.length ?? 0), 0);
}

/** Stroke colours of the line marks (data lines, not axes or legends). */
function lineStrokes(svg: string): Set<string> {
  const groups = svg.match(/<g class="mark-line role-mark[^>]*>(.*?)<\/g>/g) ?? [];
  return new Set(groups.flatMap((g) => [...g.matchAll(/stroke="(#[0-9a-f]{6})"/g)].map((m) => m[1]!)));
}

/** Text of the legend labels. */
function legendLabels(svg: string): string[] {
  return [...svg.matchAll(/role-legend-label[^>]*>(?:<text[^>]*>)([^<]*)<\/text>/g)].map((m) => m[1]!);
}

function svgSize(svg: string): [number, number] {
  const m = svg.match(/^<svg[^>]*\swidth="(\d+)"[^>]*\sheight="(\d+)"/);
  if (!m) throw new Error('no <svg width height> at the start');
  return [Number(m[1]), Number(m[2])];
}

/** The PNG has the SVG's size (or the stated one), is not blank, and has dark pixels in the title band. */
async function checkPng(file: string, size?: [number, number]) {
  const png = await readFile(file);
  const meta = await sharp(png).metadata();
  expect(meta.format).toBe('png');
  if (size) expect([meta.width, meta.height]).toEqual(size);
  const stats = await sharp(png).stats();
  expect(stats.channels[0].stdev).toBeGreaterThan(10);
  // title band: text rendered by librsvg from the system fonts, not boxes or nothing
  const title = await sharp(png).extract({ left: 8, top: 4, width: meta.width! - 16, height: 20 }).stats();
  expect(title.channels[0].min).toBeLessThan(80);
}

type Layer = { mark: { type: string } | string; encoding: Record<string, { field?: string; scale?: { domain: string[]; range: string[] } }>; data?: { values: unknown[] } };

describe('bias plot: every factor in its own colour, one panel per tap', () => {
  it('one tap: a line per factor in the fixed colours, bands from the bootstrap, residual only on request', async () => {
    const final = records(true).filter((r) => r.tap === 'final');
    const pts = biasPoints(final);
    expect(pts).toHaveLength(40 * 3);
    expect(new Set(pts.map((p) => p.bias))).toEqual(new Set(['shape', 'texture', 'color']));
    expect(pts.find((p) => p.bias === 'color' && p.epoch === 10)).toMatchObject({ value: 0.16, low: 0.15, high: expect.closeTo(0.17, 12), tap: 'final' });
    const spec = biasSpec(pts) as unknown as { layer: Layer[] };
    const line = spec.layer.find((l) => (l.mark as { type: string }).type === 'line')!;
    expect(line.encoding.color!.scale).toEqual({ domain: ['shape', 'texture', 'color'], range: [BLUE, ORANGE, GREEN] });
    const svg = await renderSvg(spec as unknown as TopLevelSpec);
    expect(svgSize(svg)).toEqual([PLOT_WIDTH, PLOT_HEIGHT]);
    expect(markPaths(svg, 'line')).toBe(3);
    expect(markPaths(svg, 'area')).toBe(3);
    expect(lineStrokes(svg)).toEqual(new Set([BLUE, ORANGE, GREEN]));
    expect(legendLabels(svg)).toEqual(['shape', 'texture', 'color']);

    const withResidual = biasPoints(final, { residual: true });
    const res = withResidual.filter((p) => p.bias === 'residual');
    expect(res).toHaveLength(40);
    expect(res[0]!.value).toBeCloseTo(final[0]!.fractions[3]!, 15);
    expect(res[0]!.low).toBeUndefined(); // the bootstrap gives no interval for the residual
    const rsvg = await renderSvg(biasSpec(withResidual));
    expect(markPaths(rsvg, 'line')).toBe(4);
    expect(markPaths(rsvg, 'area')).toBe(3);
    expect(lineStrokes(rsvg)).toEqual(new Set([BLUE, ORANGE, GREEN, GREY]));

    // a colour belongs to the factor's name, not its position in the probe set
    const swapped = final.map((r) => ({ ...r, factors: ['texture', 'shape'], fractions: [r.fractions[1]!, r.fractions[0]!, 0.5], ci: undefined }));
    const sw = biasSpec(biasPoints(swapped)) as unknown as { layer: Layer[] };
    expect(sw.layer[0]!.encoding.color!.scale).toEqual({ domain: ['texture', 'shape'], range: [ORANGE, BLUE] });
    expect(markPaths(await renderSvg(sw as unknown as TopLevelSpec), 'area')).toBe(0);
  });

  it('several taps: one panel each in scoring order, the same factor colours in every panel', async () => {
    const spec = biasSpec(biasPoints(records(false))) as unknown as { facet: { field: string; sort: string[] }; columns: number };
    expect(spec.facet).toMatchObject({ field: 'tap', sort: TAPS });
    expect(spec.columns).toBe(3);
    const svg = await renderSvg(spec as unknown as TopLevelSpec);
    expect(markPaths(svg, 'line')).toBe(3 * 3);
    expect(lineStrokes(svg)).toEqual(new Set([BLUE, ORANGE, GREEN]));
    // panel headers left to right in the order scored
    const at = (tap: string) => svg.indexOf(`>${tap}</text>`);
    expect(at('stage3')).toBeGreaterThan(0);
    expect(at('stage3')).toBeLessThan(at('stage4'));
    expect(at('stage4')).toBeLessThan(at('final'));
    // two methods: the second estimator dashed, within each tap's panel
    const both = [...records(false), ...records(false).map((r) => ({ ...r, method: 'pooled' as const }))];
    const pts = biasPoints(both);
    expect(new Set(pts.map((p) => p.series))).toEqual(new Set(TAPS.flatMap((t) => [`${t} (per-neuron)`, `${t} (pooled)`])));
    expect(markPaths(await renderSvg(biasSpec(pts)), 'line')).toBe(3 * 3 * 2);
  });

  it('per-layer figure: taps in scoring order, per-neuron preferred, one line per tap in each of two panels', async () => {
    const both = [...records(false), ...records(false).map((r) => ({ ...r, method: 'pooled' as const, fractions: [0.9, 0.05, 0.03, 0.02] }))];
    const lp = layerPoints(both);
    expect(lp.method).toBe('per-neuron');
    expect(lp.taps).toEqual(TAPS);
    expect(lp.points).toHaveLength(3 * 40 * 2);
    const at = (tap: string, bias: string, epoch: number) => lp.points.find((p) => p.tap === tap && p.bias === bias && p.epoch === epoch)!;
    expect(at('final', 'shape', 20).value - at('stage3', 'shape', 20).value).toBeCloseTo(0.1, 12);
    expect(at('stage4', 'texture', 30).value).toBe(at('stage3', 'texture', 30).value);
    const svg = await renderSvg(layersSpec(lp));
    expect(markPaths(svg, 'line')).toBe(6);
    expect(svg.indexOf('stage3')).toBeLessThan(svg.indexOf('stage4'));
  });
});

describe('dynamics figure: error with phases above, biases below, one epoch axis', () => {
  it('two panels on a single shared x scale, the phases shaded and the boundaries ruled through both', async () => {
    const recs = records(true);
    const a = analyzeDynamics(recs, curve);
    expect(a.phases!.boundaries).toEqual([12, 27]);
    const spec = dynamicsSpec(a, recs) as unknown as { vconcat: { layer: Layer[] }[] };
    expect(spec.vconcat).toHaveLength(2);
    for (const panel of spec.vconcat) {
      const rule = panel.layer.find((l) => (l.mark as { type: string }).type === 'rule')!;
      expect(rule.data!.values).toEqual([{ epoch: 12 }, { epoch: 27 }]);
      const rect = panel.layer.find((l) => (l.mark as { type: string }).type === 'rect')!;
      expect(rect.data!.values).toMatchObject([{ phase: 'Phase 1', start: 2, end: 12 }, { phase: 'Phase 2', start: 12, end: 27 }, { phase: 'Phase 3', start: 27, end: 41 }]);
    }
    // the bottom panel draws the main group (tap final) in the factor colours
    const bottom = spec.vconcat[1]!.layer.find((l) => (l.mark as { type: string }).type === 'line')!;
    expect(bottom.encoding.color!.scale!.range).toEqual([BLUE, ORANGE, GREEN]);
    // one x scale for both panels (Vega-Lite names a shared scale plainly, an independent one per panel)
    const vg = compile(spec as unknown as TopLevelSpec).spec as { scales: { name: string }[] };
    expect(vg.scales.filter((s) => /(^|_)x$/.test(s.name)).map((s) => s.name)).toEqual(['x']);
    const svg = await renderSvg(spec as unknown as TopLevelSpec);
    expect(markPaths(svg, 'rule')).toBe(4);
    expect(markPaths(svg, 'rect')).toBe(6);
    expect(markPaths(svg, 'line')).toBe(2 + 3); // measured and smoothed error; three factors
    expect(markPaths(svg, 'area')).toBe(3);
    for (const p of ['Phase 1', 'Phase 2', 'Phase 3']) expect(svg).toContain(`>${p}</text>`);
    // no split and no checkpoint on the curve: no phase marks, and the empty panel says why
    const descent = { epochs: curve.epochs, errors: curve.epochs.map((e) => 100 - 2 * e) };
    const bare = await renderSvg(dynamicsSpec(analyzeDynamics([], descent), []));
    expect(markPaths(bare, 'rule') + markPaths(bare, 'rect')).toBe(0);
    expect(bare).toContain('no checkpoint on the error curve');
    expect(bare).toContain('no phase split');
    expect(bare).not.toContain('dashed lines');
  });
});

describe('scatter: the smoothed biases the correlation uses, r and a least-squares line per phase', () => {
  const recs = records(false).filter((r) => r.tap === 'final');
  // a bias that is not affine in the error, so the lines and r are not trivial
  for (const r of recs) r.fractions[1] = 0.1 + 0.00001 * errorAt(r.epoch as number) ** 3 + 0.002 * Math.sin(r.epoch as number);
  const a = analyzeDynamics(recs, curve);
  const g = a.groups[0]!;

  it('plots the moving average, puts boundary epochs in both phases, and fits each phase by least squares', () => {
    const d = scatterData(a, g);
    const smoothed = movingAverage(g.texture, 5);
    const inPhase = (p: string) => d.points.filter((x) => x.bias === 'texture' && x.phase === p);
    expect(inPhase('Phase 1').map((x) => x.epoch)).toEqual(curve.epochs.filter((e) => e <= 12));
    expect(inPhase('Phase 2').map((x) => x.epoch)).toEqual(curve.epochs.filter((e) => e >= 12 && e <= 27));
    expect(inPhase('Phase 3').map((x) => x.epoch)).toEqual(curve.epochs.filter((e) => e >= 27));
    for (const x of inPhase('Phase 2')) expect(x.value).toBe(smoothed[g.epochs.indexOf(x.epoch)]);
    // the earlier phase's copy of each boundary epoch is the ring
    expect(d.points.filter((x) => x.ring).map((x) => [x.bias, x.phase, x.epoch])).toEqual([
      ['shape', 'Phase 1', 12], ['texture', 'Phase 1', 12], ['shape', 'Phase 2', 27], ['texture', 'Phase 2', 27],
    ]);
    // least squares written out: slope Σ(x−x̄)(y−ȳ)/Σ(x−x̄)², through the means, drawn over the phase's errors
    const pts = inPhase('Phase 2');
    const mx = pts.reduce((s, p) => s + p.error, 0) / pts.length, my = pts.reduce((s, p) => s + p.value, 0) / pts.length;
    const slope = pts.reduce((s, p) => s + (p.error - mx) * (p.value - my), 0) / pts.reduce((s, p) => s + (p.error - mx) ** 2, 0);
    const fit = d.fits.filter((f) => f.bias === 'texture' && f.legend.startsWith('2 ('));
    expect(fit.map((f) => f.error)).toEqual([Math.min(...pts.map((p) => p.error)), Math.max(...pts.map((p) => p.error))]);
    for (const f of fit) expect(f.fit).toBeCloseTo(my + slope * (f.error - mx), 12);
    expect(d.fits).toHaveLength(2 * 3 * 2);
    // r with its interval in the legend, per phase and bias
    const c2 = g.correlations.find((c) => c.phase === '2')!;
    const [lo, hi] = fisherInterval(c2.textureR, c2.n)!;
    expect(d.legends.texture[1]).toBe(`2 (12–27, n = 16): r = ${c2.textureR!.toFixed(3)} [${lo.toFixed(3)}, ${hi.toFixed(3)}]`);
    // a bias that hardly moves is flagged in its legend: shape here moves 0.004 per pp, 0.0008 over Phase 3's 0.21 pp
    expect(c2.noise.texture!.restsOnNoise).toBe(false);
    expect(d.legends.shape.map((l) => l.endsWith(' (noise)'))).toEqual([false, false, true]);
  });

  it('renders one panel per bias with its own legend of r, every membership a symbol, a line per phase', async () => {
    const svg = await renderSvg(scatterSpec(a));
    const members = 11 + 16 + 15; // boundaries counted in both phases
    expect(markPaths(svg, 'symbol')).toBe(2 * members);
    expect(markPaths(svg, 'line')).toBe(2 * 3);
    const labels = legendLabels(svg);
    expect(labels).toHaveLength(6);
    expect(labels.filter((l) => l.startsWith('1 (2–12, n = 11): r = '))).toHaveLength(2);
    expect(svg).toContain('>shape bias</text>');
    expect(svg).toContain('>texture bias</text>');
  });
});

describe('writing the plots', () => {
  const dir = mkdtemp(join(tmpdir(), 'shapetex-plots-'));
  afterAll(async () => rm(await dir, { recursive: true, force: true }));

  it('writes bias, layers, dynamics, errors and scatter as SVG and PNG', async () => {
    const out = await dir;
    const recs = records(true);
    const a = analyzeDynamics(recs, curve);
    const written = await writePlots(out, recs, a);
    const names = ['bias', 'layers', 'dynamics', 'errors', 'scatter'].flatMap((n) => [`${n}.svg`, `${n}.png`]);
    expect(written).toEqual(names.map((n) => join(out, 'plots', n)));
    expect((await readdir(join(out, 'plots'))).sort()).toEqual(names.slice().sort());
    for (const n of ['bias', 'layers', 'dynamics', 'errors', 'scatter']) {
      const svg = await readFile(join(out, 'plots', `${n}.svg`), 'utf8');
      await checkPng(join(out, 'plots', `${n}.png`), n === 'errors' ? [PLOT_WIDTH, PLOT_HEIGHT] : svgSize(svg));
    }
    const errorsSvg = await readFile(join(out, 'plots', 'errors.svg'), 'utf8');
    expect(markPaths(errorsSvg, 'line')).toBe(2); // measured and smoothed
    expect(markPaths(errorsSvg, 'rect')).toBe(3); // three phases shaded
    expect(markPaths(errorsSvg, 'rule')).toBe(2); // and their boundaries
    // the residual on request
    const res = join(out, 'residual');
    await writePlots(res, recs.filter((r) => r.tap === 'final'), undefined, { residual: true });
    expect(lineStrokes(await readFile(join(res, 'plots', 'bias.svg'), 'utf8'))).toContain(GREY);
  });

  it('without an analysis only bias plots; no split leaves the errors plot unshaded and the scatter without lines', async () => {
    const out = join(await dir, 'bias-only');
    const finalOnly = records(false).filter((r) => r.tap === 'final');
    expect((await writePlots(out, finalOnly)).map((p) => p.slice(out.length + 1))).toEqual(['plots/bias.svg', 'plots/bias.png']);
    const descent = { epochs: curve.epochs, errors: curve.epochs.map((e) => 100 - 2 * e) };
    const out2 = join(await dir, 'nosplit');
    await writePlots(out2, records(false), analyzeDynamics(records(false), descent));
    const svg = await readFile(join(out2, 'plots', 'errors.svg'), 'utf8');
    expect(markPaths(svg, 'rect')).toBe(0);
    expect(markPaths(svg, 'rule')).toBe(0);
    expect(svg).toContain('no phase split');
    const scatter = await readFile(join(out2, 'plots', 'scatter.svg'), 'utf8');
    expect(markPaths(scatter, 'line')).toBe(0);
    await checkPng(join(out2, 'plots', 'scatter.png'), svgSize(scatter));
    await checkPng(join(out2, 'plots', 'dynamics.png'), svgSize(await readFile(join(out2, 'plots', 'dynamics.svg'), 'utf8')));
  });
});
