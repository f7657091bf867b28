// examples/notebook/shapetex.ipynb is committed with the outputs of a run on its defaults, so a
// reader sees results without running it: this holds those outputs to what the defaults must
// give (a phase split with figures, three plots with whole-epoch ticks, no errors).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from './helpers.js';

interface Output { output_type: string; name?: string; text?: string[]; data?: Record<string, string | string[]>; ename?: string }
const nb = JSON.parse(readFileSync(path.join(REPO, 'examples/notebook/shapetex.ipynb'), 'utf8')) as { cells: { cell_type: string; outputs?: Output[] }[] };
const code = nb.cells.filter((c) => c.cell_type === 'code');
const outputs = code.flatMap((c) => c.outputs ?? []);
const joined = (v: string | string[] | undefined): string => (Array.isArray(v) ? v.join('') : (v ?? ''));

describe('the committed notebook', () => {
  it('holds the outputs of every code cell, with no error', () => {
    expect(code.length).toBeGreaterThanOrEqual(6);
    for (const c of code) expect((c.outputs ?? []).length).toBeGreaterThan(0);
    expect(outputs.filter((o) => o.output_type === 'error' || o.name === 'stderr')).toEqual([]);
  });

  it('splits the error curve into phases on its defaults, with r and Score in every phase', () => {
    const stdout = outputs.filter((o) => o.name === 'stdout').map((o) => joined(o.text)).join('');
    expect(stdout.match(/^\s+\d+\s+final\s/gm)).toHaveLength(20);
    const report = outputs.map((o) => joined(o.data?.['text/markdown'])).join('');
    expect(report).toMatch(/with the extrema rule/);
    expect(report).toMatch(/Phase boundaries: epochs \d+ and \d+/);
    const rows = report.split('\n').filter((l) => /^\| (1|2|3|1\+2) \|/.test(l));
    expect(rows).toHaveLength(4);
    // phase, epochs, n, then shape r, texture r and Score, each a number (its interval may be N/A)
    for (const r of rows) expect(r).toMatch(/^\| [0-9+]+ \| \d+–\d+ \| \d+ \| -?\d\.\d{3} \[[^\]]*\] \| -?\d\.\d{3} \[[^\]]*\] \| \d\.\d{3} \[[^\]]*\] \|$/);
    expect(report).not.toMatch(/No phase split/);
  });

  it('shows three plots whose epoch axes carry whole epochs only', () => {
    const svgs = outputs.map((o) => joined(o.data?.['image/svg+xml'])).filter((s) => s.length > 0);
    expect(svgs).toHaveLength(3);
    for (const svg of svgs.slice(0, 2)) {
      const texts = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);
      const ticks = texts.slice(0, texts.indexOf('epoch'));
      expect(ticks.length).toBeGreaterThan(1);
      for (const t of ticks) expect(t).toMatch(/^\d+$/);
    }
  });
});
