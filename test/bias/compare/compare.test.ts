import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeDynamics, compareBiasSpec, compareErrorsSpec, compareRuns, phasesJson, readComparedRun, renderSvg, runLabels, COMPARE_CSV_HEADER, type ResultRecord } from '@shapetex/bias';
import { constructedCurve, record } from '../dynamics/records.js';
import { pearson } from '../oracle-stats.js';

const root = mkdtemp(join(tmpdir(), 'shapetex-compare-'));
afterAll(async () => rm(await root, { recursive: true, force: true }));

type Curve = { epochs: number[]; errors: number[] };
type Bias = (epoch: number, error: number) => number;

/**
 * A bias-score output folder as the scorer and analysis leave it: run.json, results.jsonl
 * and, when the run has an error curve, phases.json (the analysis with smooth = 1, so the
 * expected r is the plain Pearson r of the series written here).
 */
async function writeRun(name: string, curve: Curve, shape: Bias, texture: Bias, opts: { errors?: boolean; taps?: string[] } = {}): Promise<string> {
  const dir = join(await root, name);
  await mkdir(dir, { recursive: true });
  const records: ResultRecord[] = [];
  curve.epochs.forEach((epoch, i) => {
    for (const tap of opts.taps ?? ['final']) records.push(record(epoch, tap, 'per-neuron', shape(epoch, curve.errors[i]!), texture(epoch, curve.errors[i]!)));
  });
  await writeFile(join(dir, 'results.jsonl'), records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const withErrors = opts.errors ?? true;
  const info = {
    tool: 'bias-score', version: 'test', backend: { name: 'cpu', device: 'cpu', accelerated: false },
    probe: { path: '/probe', hash: 'h', kind: 'synthetic', records: 16, factors: ['shape', 'texture'] },
    checkpoints: { path: `/runs/${name}`, found: curve.epochs.length, inShard: curve.epochs.length, noEpoch: [] },
    seed: 0, settings: { factors: ['shape', 'texture'] }, settingsHash: 'x',
    options: { errors: withErrors ? `/runs/${name}/errors.csv` : null, smooth: 1 },
    shard: { index: 0, count: 1 }, startTime: '', endTime: '', firstStartTime: '', status: 'complete', scored: curve.epochs.length, resumed: 0, failed: 0,
  };
  await writeFile(join(dir, 'run.json'), JSON.stringify(info));
  if (withErrors) await writeFile(join(dir, 'phases.json'), phasesJson(analyzeDynamics(records, curve, { smooth: 1 })));
  return dir;
}

/** Expected r over the epochs in [from, to] (boundaries shared, SPEC §7), by the written-out Pearson. */
function expectedR(curve: Curve, bias: Bias, from: number, to: number): number {
  const idx = curve.epochs.map((e, i) => [e, i] as const).filter(([e]) => e >= from && e <= to).map(([, i]) => i);
  return pearson(idx.map((i) => curve.errors[i]!), idx.map((i) => bias(curve.epochs[i]!, curve.errors[i]!)));
}

describe('bias-score compare (library): ablation tables of constructed runs', () => {
  // constructedCurve splits at epochs 12 and 27 (threshold rule): Phase 1+2 = 2–27, Phase 3 = 27–41
  const noisy = constructedCurve();
  const shapeA: Bias = (_e, err) => 0.2 + 0.004 * err; // r = +1 in every phase
  const textureA: Bias = (e) => 0.25 + 0.01 * Math.sin(e); // some r, computed by the oracle
  // a second run on the same split, shifted 5 pp up, with other biases
  const shifted = { epochs: noisy.epochs, errors: noisy.errors.map((x) => x + 5) };
  const shapeB: Bias = (_e, err) => 0.3 - 0.0002 * err * err;
  const textureB: Bias = (e) => 0.1 + 0.001 * e + 0.004 * Math.cos(1.7 * e);
  // a curve that only falls: no split, so every figure is N/A
  const descent = { epochs: noisy.epochs, errors: noisy.epochs.map((e) => 100 - 2 * e) };

  it('gives each run its own phases, the written-out r and Score, and N/A with the reason', async () => {
    const dirs = [
      await writeRun('noisy', noisy, shapeA, textureA),
      await writeRun('shifted', shifted, shapeB, textureB),
      await writeRun('unsplit', descent, shapeA, textureA),
      await writeRun('no-errors', noisy, shapeA, textureA, { errors: false }),
    ];
    const out = join(await root, 'cmp');
    const s = await compareRuns({ inputs: dirs, labels: ['noisy 20%', 'shifted', 'descent', 'bare'], out });
    expect(s.tables.map((t) => [t.tap, t.method])).toEqual([['final', 'per-neuron']]);
    const rows = s.tables[0]!.rows;
    expect(rows.map((r) => r.run)).toEqual(['noisy 20%', 'shifted', 'descent', 'bare']);

    const a = rows[0]!;
    expect(a.boundaries).toEqual([12, 27]);
    expect(a.early!.shapeR).toBeCloseTo(1, 12);
    expect(a.late!.shapeR).toBeCloseTo(1, 12);
    const tA12 = expectedR(noisy, textureA, 2, 27), tA3 = expectedR(noisy, textureA, 27, 41);
    expect(a.early!.textureR).toBeCloseTo(tA12, 12);
    expect(a.late!.textureR).toBeCloseTo(tA3, 12);
    expect(a.early!.score).toBeCloseTo((1 + Math.abs(tA12)) / 2, 12);
    expect(a.early!.n).toBe(26);
    expect(a.late!.n).toBe(15);

    const b = rows[1]!;
    expect(b.boundaries).toEqual([12, 27]);
    for (const [phase, from, to] of [['early', 2, 27], ['late', 27, 41]] as const) {
      const sr = expectedR(shifted, shapeB, from, to), tr = expectedR(shifted, textureB, from, to);
      expect(b[phase]!.shapeR).toBeCloseTo(sr, 12);
      expect(b[phase]!.textureR).toBeCloseTo(tr, 12);
      expect(b[phase]!.score).toBeCloseTo((Math.abs(sr) + Math.abs(tr)) / 2, 12);
    }

    expect(rows[2]!.boundaries).toBeNull();
    expect([rows[2]!.early?.shapeR, rows[2]!.early?.score, rows[2]!.late?.textureR]).toEqual([null, null, null]);
    expect(rows[2]!.note).toMatch(/no phase split/);
    expect(rows[3]).toMatchObject({ early: null, late: null, boundaries: null });
    expect(rows[3]!.note).toMatch(/without --errors/);

    // compare.md: one line per run, figures to 3 decimals, N/A where there is none
    const md = await readFile(join(out, 'compare.md'), 'utf8');
    const line = (label: string) => md.split('\n').find((l) => l.startsWith(`| ${label} |`))!;
    expect(line('noisy 20%')).toBe(`| noisy 20% | 12, 27 | 1.000 | ${tA12.toFixed(3)} | ${((1 + Math.abs(tA12)) / 2).toFixed(3)} | 1.000 | ${tA3.toFixed(3)} | ${((1 + Math.abs(tA3)) / 2).toFixed(3)} |`);
    expect(line('descent')).toBe('| descent | N/A | N/A | N/A | N/A | N/A | N/A | N/A |');
    expect(line('bare')).toBe('| bare | N/A | N/A | N/A | N/A | N/A | N/A | N/A |');
    expect(md).toContain('![Test error of every run](plots/errors.png)');

    // compare.csv: the same figures at full precision, empty where N/A
    const csv = (await readFile(join(out, 'compare.csv'), 'utf8')).trimEnd().split('\n');
    expect(csv[0]).toBe(COMPARE_CSV_HEADER.join(','));
    const cells = csv[2]!.split(',');
    const col = (name: string) => cells[COMPARE_CSV_HEADER.indexOf(name as (typeof COMPARE_CSV_HEADER)[number])]!;
    expect([col('run'), col('boundary_1'), col('boundary_2')]).toEqual(['shifted', '12', '27']);
    expect(Number(col('phase3_texture_r'))).toBeCloseTo(expectedR(shifted, textureB, 27, 41), 12);
    expect(csv[3]!.split(',').slice(4, 8)).toEqual(['', '', '', '']);

    // compare.json round-trips the tables
    const json = JSON.parse(await readFile(join(out, 'compare.json'), 'utf8'));
    expect(json.tables).toEqual(JSON.parse(JSON.stringify(s.tables)));
    expect(json.runs.map((r: { boundaries: unknown }) => r.boundaries)).toEqual([[12, 27], [12, 27], null, null]);

    // overlay plots: the biases of tap final (4 runs × 2 biases) and the errors of the 3 analysed runs
    const svg = await readFile(join(out, 'plots', 'bias_final.svg'), 'utf8');
    const lines = (svg.match(/<g class="mark-line role-mark[^>]*>(.*?)<\/g>/g) ?? []).reduce((n, g) => n + (g.match(/<path/g)?.length ?? 0), 0);
    expect(lines).toBe(8);
    const errSvg = await readFile(join(out, 'plots', 'errors.svg'), 'utf8');
    expect((errSvg.match(/<path/g) ?? []).length).toBeGreaterThanOrEqual(6);
    expect((await sharp(join(out, 'plots', 'errors.png')).metadata()).width).toBe(720);
  });

  it('a run scored with several taps gets a table per tap and its per-layer figure', async () => {
    const deep = await writeRun('deep', noisy, shapeA, textureA, { taps: ['stage2', 'stage3', 'final'] });
    const flat = await writeRun('flat', shifted, shapeB, textureB);
    const out = join(await root, 'cmp-taps');
    const s = await compareRuns({ inputs: [deep, flat], out });
    expect(s.tables.map((t) => t.tap)).toEqual(['stage2', 'stage3', 'final']);
    expect(s.tables[0]!.rows[1]).toMatchObject({ run: 'flat', early: null, note: 'tap stage2 was not scored with per-neuron' });
    const md = await readFile(join(out, 'compare.md'), 'utf8');
    expect(md).toContain('![Per-layer biases of deep](plots/layers_deep.png)');
    expect(md).not.toContain('layers_flat');
    expect((await sharp(join(out, 'plots', 'layers_deep.png')).stats()).channels[0]!.stdev).toBeGreaterThan(10);
  });

  it("overlays: a legend of runs, each run's boundaries in its colour, one colour per run in every figure", async () => {
    // the shifted run splits later: 12 pp above at the start, so its curve reaches the flat part later
    const late = { epochs: noisy.epochs, errors: noisy.epochs.map((e, i) => noisy.errors[Math.max(0, i - 3)]!) };
    const runs = [
      await readComparedRun(await writeRun('ov-a', noisy, shapeA, textureA), 'first'),
      await readComparedRun(await writeRun('ov-b', late, shapeB, textureB), 'second'),
      await readComparedRun(await writeRun('ov-c', noisy, shapeB, textureA, { errors: false }), 'third'),
    ];
    const bounds = runs.map((r) => r.analysis?.phases?.boundaries ?? null);
    expect(bounds[0]).toEqual([12, 27]);
    expect(bounds[1]![0]).toBeGreaterThan(12);
    type L = { mark: { type: string; strokeDashOffset?: number }; data?: { values: { run: string; epoch: number }[] }; encoding: { color: { scale: { domain: string[]; range: string[] } } } };
    const bias = compareBiasSpec(runs, 'final', 'per-neuron') as unknown as { layer: L[] };
    const errors = compareErrorsSpec(runs) as unknown as { layer: L[] };
    // the same run → colour mapping in every layer of both figures, runs in the order given
    const scales = [...bias.layer, ...errors.layer].map((l) => l.encoding.color.scale); // legends aside
    for (const sc of scales) expect(sc).toEqual(scales[0]);
    expect(scales[0]!.domain).toEqual(['first', 'second', 'third']);
    expect(new Set(scales[0]!.range).size).toBe(3);
    // one rule layer per run with a split, at that run's boundaries, dashes offset so shared epochs show both
    for (const spec of [bias, errors]) {
      const rules = spec.layer.filter((l) => l.mark.type === 'rule');
      expect(rules.map((l) => l.data!.values.map((v) => [v.run, v.epoch]))).toEqual([
        bounds[0]!.map((e) => ['first', e]),
        bounds[1]!.map((e) => ['second', e]),
      ]);
      expect(new Set(rules.map((l) => l.mark.strokeDashOffset)).size).toBe(2);
    }
    const svg = await renderSvg(errors as never);
    const labels = [...svg.matchAll(/role-legend-label[^>]*><text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(labels).toEqual(['first', 'second']); // the third has no error curve: its colour is kept for it, not listed
    // swatches in the runs' colours at full strength, not the faded thin lines'
    const swatches = [...svg.matchAll(/role-legend-symbol[^>]*><path [^>]*stroke="(#[0-9a-f]{6})"[^>]*opacity="([\d.]+)"/g)].map((m) => [m[1], m[2]]);
    expect(swatches).toEqual([[scales[0]!.range[0], '1'], [scales[0]!.range[1], '1']]);
    expect((svg.match(/<g class="mark-rule role-mark[^>]*>(.*?)<\/g>/g) ?? []).join('').match(/<line/g)).toHaveLength(4);
    const bsvg = await renderSvg(bias as never);
    const blabels = [...bsvg.matchAll(/role-legend-label[^>]*><text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(blabels).toEqual(['first', 'second', 'third', 'shape', 'texture']);
  });

  it('refuses what is not a bias-score output, and labels that do not fit, naming them', async () => {
    const ok = await writeRun('ok', noisy, shapeA, textureA);
    const out = join(await root, 'cmp-bad');
    await expect(compareRuns({ inputs: [ok, join(await root, 'nope')], out })).rejects.toThrow(/nope is not a folder/);
    const empty = join(await root, 'empty');
    await mkdir(empty, { recursive: true });
    await expect(compareRuns({ inputs: [ok, empty], out })).rejects.toThrow(/empty has no run\.json/);
    await expect(compareRuns({ inputs: [ok, ok], labels: ['a'], out })).rejects.toThrow(/1 label\(s\) for 2 folder\(s\)/);
    await expect(compareRuns({ inputs: [ok, ok], labels: ['a', 'a'], out })).rejects.toThrow(/'a' is given twice/);
    await writeFile(join(ok, 'phases.json'), '{"groups": 3}');
    await expect(compareRuns({ inputs: [ok], out })).rejects.toThrow(/phases\.json: not a bias-score phases\.json/);
  });

  it('labels default to the folder names, with the parent where two share a name', () => {
    expect(runLabels(['/x/noise20', '/x/noise40'])).toEqual(['noise20', 'noise40']);
    expect(runLabels(['/a/run', '/b/run', '/c/other'])).toEqual(['a/run', 'b/run', 'other']);
  });
});
