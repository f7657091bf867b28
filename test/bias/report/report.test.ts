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
    const row = (name: string, range: string, from: number, to: number) => {
      const t = rt(from, to);
      return `| ${name} | ${range} | -1.000 | ${t.toFixed(3)} | ${((1 + Math.abs(t)) / 2).toFixed(3)} |`;
    };
    expect(text).toContain('| Phase | Epochs | Shape r | Texture r | Score |');
    expect(text).toContain(row('1', '2–12', 2, 12));
    expect(text).toContain(row('2', '12–27', 12, 27));
    expect(text).toContain(row('3', '27–41', 27, 41));
    expect(text).toContain(row('1+2', '2–27', 2, 27));
    expect(text).toContain('## Tap `final`, per-neuron');
    expect(text).toContain('Phase boundaries: epochs 12 and 27');
    expect(text).toContain('- Checkpoints: `runs/resnet18`');
    expect(text).toContain('- Test errors: `errors.csv` (column `test_error`, in percent), 40 epochs');
    expect(text).toMatch(/threshold rule \(Δ_i = \|e_i − e_\{i\+5\}\|, θ = 0\.1 pp\)/);
  });

  it('no split and short phases read N/A', () => {
    const descent = { epochs: curve.epochs, errors: curve.epochs.map((x) => 100 - 2 * x) };
    const text = renderReport(analyzeDynamics(records(), descent));
    for (const p of ['1', '2', '3', '1+2']) expect(text).toContain(`| ${p} | N/A | N/A | N/A | N/A |`);
    expect(text).toContain('No phase split exists');
    // only two checkpoints inside Phase 1
    const few = records().filter((r) => (r.epoch as number) >= 11);
    const table = phaseTable(analyzeDynamics(few, curve).groups[0].correlations);
    expect(table).toContain('| 1 | 2–12 | N/A | N/A | N/A |');
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
