import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeDynamics, phaseTable, renderReport, writeDynamicsOutputs, type ResultRecord } from '@shapetex/bias';
import { constructedCurve, record } from '../dynamics/records.js';
import { pearson } from '../oracle-stats.js';

const curve = { ...constructedCurve(), source: 'errors.csv', column: 'test_error' };
const errorAt = (epoch: number) => curve.errors[curve.epochs.indexOf(epoch)];

/** Every epoch of the curve scored; shape affine in error (r = −1), texture = error² (r computed below). */
function records(): ResultRecord[] {
  return curve.epochs.map((e) => record(e, 'final', 'per-neuron', 0.5 - 0.01 * errorAt(e), 0.001 * errorAt(e) ** 2));
}

describe('report.md (Table 5.1 form)', () => {
  it('has one row per phase with epoch ranges, r and Score to 3 decimals', () => {
    const a = analyzeDynamics(records(), curve, { smooth: 1 });
    const text = renderReport(a, { checkpoints: 'runs/resnet18', probe: 'svoc' });
    // texture = 0.001·e² is monotone in e ≥ 0 but not affine: r from the test's own Pearson
    const e = (from: number, to: number) => curve.epochs.filter((x) => x >= from && x <= to).map(errorAt);
    const rt = (from: number, to: number) => pearson(e(from, to), e(from, to).map((v) => 0.001 * v * v));
    // Fisher's interval written out: tanh(atanh(r) ± 1.959964/√(n − 3))
    const fisher = (r: number, n: number) => [-1, 1].map((k) => Math.tanh(Math.atanh(r) + (k * 1.959963984540054) / Math.sqrt(n - 3)).toFixed(3));
    const g = a.groups[0]!;
    const row = (name: string, range: string, from: number, to: number) => {
      const t = rt(from, to);
      const n = curve.epochs.filter((x) => x >= from && x <= to).length;
      const [tl, th] = fisher(t, n);
      const sc = g.correlations.find((c) => c.phase === name)!.scoreCi!.map((v) => v.toFixed(3));
      return `| ${name} | ${range} | ${n} | -1.000 [-1.000, -1.000] | ${t.toFixed(3)} [${tl}, ${th}] | ${((1 + Math.abs(t)) / 2).toFixed(3)} [${sc[0]}, ${sc[1]}] |`;
    };
    expect(text).toContain('| Phase | Epochs | n | Shape r [95% CI] | Texture r [95% CI] | Score [95% CI] |');
    expect(text).toContain(row('1', '2–12', 2, 12));
    expect(text).toContain(row('2', '12–27', 12, 27));
    expect(text).toContain(row('3', '27–41', 27, 41));
    expect(text).toContain(row('1+2', '2–27', 2, 27));
    expect(text).toContain('For r: Fisher z on the phase');
    expect(text).toContain('For Score: a percentile bootstrap over the phase');
    expect(text).toContain('## Tap `final`, per-neuron');
    expect(text).toContain('Phase boundaries: epochs 12 and 27');
    expect(text).toContain('- Checkpoints: `runs/resnet18`');
    expect(text).toContain('- Test errors: `errors.csv` (column `test_error`, in percent), 40 epochs');
    expect(text).toMatch(/threshold rule \(Δ_i = \|e_i − e_\{i\+5\}\|, θ = 0\.1 pp\)/);
  });

  it('no split and short phases read N/A', () => {
    const descent = { epochs: curve.epochs, errors: curve.epochs.map((x) => 100 - 2 * x) };
    const text = renderReport(analyzeDynamics(records(), descent));
    for (const p of ['1', '2', '3', '1+2']) expect(text).toContain(`| ${p} | N/A | 0 | N/A | N/A | N/A |`);
    expect(text).toContain('No phase split exists');
    // only two checkpoints inside Phase 1
    const few = records().filter((r) => (r.epoch as number) >= 11);
    const table = phaseTable(analyzeDynamics(few, curve).groups[0].correlations);
    expect(table).toContain('| 1 | 2–12 | 2 | N/A | N/A | N/A |');
    expect(text).not.toContain('Correlations that rest on noise:');
  });

  it('says when a correlation rests on noise: range below 0.01, or below the bootstrap width', () => {
    // texture moves 0.0001 per pp of error, shape 0.01: texture is flagged in every phase, shape only in
    // Phase 3, where the error moves 0.21 pp in all (shape range 0.0021)
    const recs = curve.epochs.map((e) => record(e, 'final', 'per-neuron', 0.5 - 0.01 * errorAt(e), 0.14 + 0.0001 * errorAt(e)));
    const text = renderReport(analyzeDynamics(recs, curve, { smooth: 1 }));
    expect(text).toContain('Correlations that rest on noise:');
    const notes = text.split('\n').filter((l) => l.startsWith('- Phase '));
    const heads = notes.map((l) => l.match(/^- Phase (\S+): the (\w+) fraction/)!.slice(1).join(' '));
    expect(heads).toEqual(['1 texture', '2 texture', '3 shape', '3 texture', '1+2 texture']);
    // Phase 1: errors 30 → 10, so texture spans 0.0001 · 20 = 0.0020
    expect(notes[0]).toContain('spans only 0.0020 (smoothed) over epochs 2–12, less than 0.01, the noise assumed without `--bootstrap`; its r = 1.000 rests on noise');
    // bootstrap intervals narrower than every movement (Phase 3 texture: 2.1e-5): no note; wider: the note names their width
    const ci = (w: number) => recs.map((r) => ({ ...r, ci: { low: r.fractions.slice(0, 2).map((f) => f - w / 2), high: r.fractions.slice(0, 2).map((f) => f + w / 2) } }));
    expect(renderReport(analyzeDynamics(ci(0.00001), curve, { smooth: 1 }))).not.toContain('Correlations that rest on noise:');
    const wide = renderReport(analyzeDynamics(ci(0.03), curve, { smooth: 1 }));
    expect(wide).toContain('less than the mean width of its bootstrap 95% interval, 0.0300');
  });

  const dir = mkdtemp(join(tmpdir(), 'shapetex-report-'));
  afterAll(async () => rm(await dir, { recursive: true, force: true }));

  it('writes phases.json and report.md atomically (no temporary files left)', async () => {
    const out = join(await dir, 'out');
    const a = analyzeDynamics(records(), curve);
    const paths = await writeDynamicsOutputs(out, a, { probe: 'svoc' });
    expect(JSON.parse(await readFile(paths.phases, 'utf8'))).toEqual(JSON.parse(JSON.stringify(a)));
    expect(await readFile(paths.report, 'utf8')).toBe(renderReport(a, { probe: 'svoc' }));
    expect((await readdir(out)).sort()).toEqual(['phases.json', 'report.md']);
    // rewriting replaces, never appends
    await writeDynamicsOutputs(out, a, { probe: 'svoc' });
    expect(await readFile(paths.report, 'utf8')).toBe(renderReport(a, { probe: 'svoc' }));
  });
});
