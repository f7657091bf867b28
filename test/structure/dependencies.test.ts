import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// The import structure of the packages' sources, checked by dependency-cruiser with the rules of
// .dependency-cruiser.cjs (the layers of each package README's "Layering" notes).

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const config = path.join(root, '.dependency-cruiser.cjs');
const bin = path.join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const SOURCES = ['packages/core/src', 'packages/svoc/src', 'packages/bias/src'];

interface Violation { rule: { name: string }; from: string; to: string; cycle?: { name: string }[] }

/** Runs dependency-cruiser in `cwd` on `dirs`; its JSON report, its shape checked. */
function cruise(cwd: string, dirs: string[]): { violations: Violation[]; modules: number } {
  const r = spawnSync(process.execPath, [bin, '--config', config, '--output-type', 'json', ...dirs], { cwd, encoding: 'utf8', maxBuffer: 256 << 20 });
  let report: { summary?: { violations?: unknown; totalCruised?: unknown } };
  try {
    report = JSON.parse(r.stdout);
  } catch {
    throw new Error(`dependency-cruiser gave no JSON report (exit ${r.status}): ${r.stderr.slice(0, 2000)}`);
  }
  const { violations, totalCruised } = report.summary ?? {};
  if (!Array.isArray(violations) || typeof totalCruised !== 'number') {
    throw new Error(`dependency-cruiser's report has no summary.violations / totalCruised: ${r.stdout.slice(0, 500)}`);
  }
  for (const v of violations as Violation[]) {
    if (typeof v.rule?.name !== 'string' || typeof v.from !== 'string' || typeof v.to !== 'string') {
      throw new Error(`unexpected violation shape: ${JSON.stringify(v)}`);
    }
  }
  return { violations: violations as Violation[], modules: totalCruised };
}

const describeViolation = (v: Violation) => `${v.rule.name}: ${v.from} → ${v.to}${v.cycle ? ` (circle ${v.cycle.map((c) => c.name).join(' → ')})` : ''}`;

describe('dependency structure', () => {
  it('packages/*/src has no import circle and keeps the package order and the documented layers', () => {
    const { violations, modules } = cruise(root, SOURCES);
    // Every source module was seen (so an empty report is not a cruise of nothing).
    expect(modules).toBeGreaterThan(150);
    expect(violations.map(describeViolation)).toEqual([]);
  });

  describe('the check fails where it should', () => {
    let dir = '';
    afterAll(async () => { if (dir) await rm(dir, { recursive: true, force: true }); });

    it('reports a circle, a package importing a later one, a layer importing a higher one, and an index import', async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'shapetex-deps-'));
      const files: Record<string, string> = {
        // A circle inside core/util.
        'packages/core/src/util/a.ts': "import { b } from './b.js';\nexport const a = () => b;\n",
        'packages/core/src/util/b.ts': "import { a } from './a.js';\nexport const b = () => a;\n",
        // core importing svoc (by name: not resolvable here, still caught).
        'packages/core/src/io/read.ts': "import { readProbeSet } from '@shapetex/svoc';\nexport const r = readProbeSet;\n",
        // svoc importing bias.
        'packages/svoc/src/probe/read.ts': "import { estimateDimensions } from '@shapetex/bias';\nexport const e = estimateDimensions;\n",
        // The layers: io is below zoo.
        'packages/core/src/zoo/net.ts': 'export const net = 1;\n',
        'packages/core/src/io/weights.ts': "import { net } from '../zoo/net.js';\nexport const w = net;\n",
        // The layers: zoo is below features, for every zoo module.
        'packages/core/src/features/feature-model.ts': 'export const fm = 1;\n',
        'packages/core/src/features/extract.ts': 'export const ex = 1;\n',
        'packages/core/src/zoo/load.ts': "import { ex } from '../features/extract.js';\nexport const l = ex;\n",
        'packages/core/src/zoo/other.ts': "import { fm } from '../features/feature-model.js';\nexport const o = fm;\n",
        // bias: report sits below score; a module importing its package index; a relative path into core.
        'packages/bias/src/score/outputs.ts': 'export const out = 1;\n',
        'packages/bias/src/report/read.ts': "import { out } from '../score/outputs.js';\nexport const rd = out;\n",
        'packages/bias/src/index.ts': "export { out } from './score/outputs.js';\n",
        'packages/bias/src/dynamics/phases.ts': "import { out } from '../index.js';\nimport { net } from '../../../core/src/zoo/net.js';\nexport const ph = out + net;\n",
        // A folder in no layer.
        'packages/svoc/src/extra/thing.ts': "import { e } from '../probe/read.js';\nexport const t = e;\n",
      };
      for (const [file, text] of Object.entries(files)) {
        await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
        await writeFile(path.join(dir, file), text);
      }
      const { violations } = cruise(dir, SOURCES);
      const found = violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort();
      expect(found).toEqual([
        'bias-layers-report: packages/bias/src/report/read.ts → packages/bias/src/score/outputs.ts',
        'bias-no-entry-import: packages/bias/src/dynamics/phases.ts → packages/bias/src/index.ts',
        'core-layers-image+io: packages/core/src/io/weights.ts → packages/core/src/zoo/net.ts',
        'core-layers-zoo: packages/core/src/zoo/load.ts → packages/core/src/features/extract.ts',
        'core-layers-zoo: packages/core/src/zoo/other.ts → packages/core/src/features/feature-model.ts',
        'core-not-svoc-or-bias: packages/core/src/io/read.ts → @shapetex/svoc',
        'no-circular: packages/core/src/util/a.ts → packages/core/src/util/b.ts',
        'packages-by-name: packages/bias/src/dynamics/phases.ts → packages/core/src/zoo/net.ts',
        'svoc-not-bias: packages/svoc/src/probe/read.ts → @shapetex/bias',
        'svoc-unlayered: packages/svoc/src/extra/thing.ts → packages/svoc/src/probe/read.ts',
      ]);
      // The circle is reported once, with its whole path.
      const circle = violations.find((v) => v.rule.name === 'no-circular')!;
      expect(circle.cycle!.map((c) => c.name)).toEqual(['packages/core/src/util/b.ts', 'packages/core/src/util/a.ts']);
    });
  });
});
