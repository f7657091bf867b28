// The notebook's code cells, run in order as one Node ES module, so the notebook cannot rot
// even where no Jupyter kernel is installed (the oracle suite executes it in a real tslab
// kernel: examples-notebook.oracle.test.ts). The only stand-in is the `tslab` module, whose
// `display` is replaced by a recorder; everything else (packages by name, training script,
// scoring, analysis, plots) is what the notebook really calls.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const notebookDir = path.join(root, 'examples/notebook');
const notebookFile = path.join(notebookDir, 'shapetex.ipynb');

interface Cell {
  cell_type: string;
  source: string | string[];
}
const sourceOf = (c: Cell): string => (Array.isArray(c.source) ? c.source.join('') : c.source);

/** The code cells as one ES module: a `require` rooted at the notebook, `tslab.display` recorded. */
function notebookScript(cells: readonly Cell[], displaysFile: string): string {
  const prelude = [
    `import { createRequire as __createRequire } from 'node:module';`,
    `import { writeFileSync as __writeFileSync } from 'node:fs';`,
    `const __displays = [];`,
    `const __require = __createRequire(${JSON.stringify(path.join(notebookDir, 'notebook.cjs'))});`,
    `const __record = (kind) => (value) => { __displays.push({ kind, value }); };`,
    `const require = (id) => id === 'tslab'`,
    `  ? { display: { svg: __record('svg'), markdown: __record('markdown'), html: __record('html'), text: __record('text') } }`,
    `  : __require(id);`,
  ];
  const body = cells.filter((c) => c.cell_type === 'code').map((c, i) => `// cell ${i + 1}\n${sourceOf(c)}`);
  const epilogue = `__writeFileSync(${JSON.stringify(displaysFile)}, JSON.stringify(__displays));`;
  return [...prelude, ...body, epilogue].join('\n');
}

describe('examples/notebook/shapetex.ipynb', () => {
  const nb = JSON.parse(readFileSync(notebookFile, 'utf8')) as { cells: Cell[]; metadata: { kernelspec?: { name?: string } } };
  let tmp: string;
  let run: { status: number | null; stdout: string; stderr: string };
  let displays: { kind: string; value: string }[];

  beforeAll(() => {
    tmp = mkdtempSync(path.join(tmpdir(), 'shapetex-notebook-'));
    const script = path.join(tmp, 'notebook.mjs');
    const displaysFile = path.join(tmp, 'displays.json');
    writeFileSync(script, notebookScript(nb.cells, displaysFile));
    const r = spawnSync(process.execPath, [script], {
      cwd: notebookDir,
      encoding: 'utf8',
      env: { ...process.env, NOTEBOOK_OUT: path.join(tmp, 'out'), NOTEBOOK_EPOCHS: '3', SHAPETEX_BACKEND: 'wasm' },
      timeout: 180_000,
    });
    run = { status: r.status, stdout: r.stdout, stderr: r.stderr };
    displays = r.status === 0 ? (JSON.parse(readFileSync(displaysFile, 'utf8')) as typeof displays) : [];
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('is a JavaScript-kernel notebook that loads the packages by name', () => {
    expect(nb.metadata.kernelspec?.name).toBe('jslab');
    const code = nb.cells.filter((c) => c.cell_type === 'code').map(sourceOf).join('\n');
    for (const pkg of ['@shapetex/core', '@shapetex/svoc', '@shapetex/bias']) expect(code).toContain(`importEsm('${pkg}')`);
    expect(code).toContain('bias.scoreCheckpoints(');
  });

  it('runs every code cell in order without an error', () => {
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.status, run.stderr).toBe(0);
  });

  it('scores one checkpoint per trained epoch, fractions summing to 100% with the residual', () => {
    const header = run.stdout.split('\n').findIndex((l) => l.startsWith('epoch  tap'));
    expect(header).toBeGreaterThanOrEqual(0);
    expect(run.stdout.split('\n')[header]).toMatch(/shape\s+texture\s+color\s+residual/);
    const rows = run.stdout.split('\n').slice(header + 1).filter((l) => /^\s+\d+\s+final\s/.test(l));
    expect(rows.map((l) => Number(l.trim().split(/\s+/)[0]))).toEqual([1, 2, 3]);
    for (const row of rows) {
      const [, , D, ...pct] = row.trim().split(/\s+/).map(Number);
      expect(D).toBe(32); // the example CNN's final tap at --width 8: 4·8 channels
      expect(pct).toHaveLength(4);
      expect(Math.abs(pct.reduce((a, b) => a + b, 0) - 100)).toBeLessThanOrEqual(0.25);
    }
  });

  it("gives the numbers of the bias-score command its markdown names as the CLI equivalent", () => {
    const markdown = nb.cells.filter((c) => c.cell_type === 'markdown').map(sourceOf).join('\n');
    const block = /```sh\n(bias-score [^\n]+)\n```/.exec(markdown);
    expect(block).not.toBeNull();
    const cli = path.join(root, 'packages/bias/dist/cli.js');
    const r = spawnSync('bash', ['-euo', 'pipefail', '-c', `bias-score() { "${process.execPath}" "${cli}" "$@"; }\n${block![1]}`], {
      cwd: tmp,
      encoding: 'utf8',
      env: {
        ...process.env,
        CHECKPOINTS: path.join(tmp, 'out/run/checkpoints'),
        PROBE: path.join(tmp, 'out/probe'),
        ERRORS: path.join(tmp, 'out/run/errors.csv'),
        SHAPETEX_BACKEND: 'wasm',
      },
      timeout: 120_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const [head, ...lines] = readFileSync(path.join(tmp, 'bias-out/results.csv'), 'utf8').trim().split('\n');
    const cols = head!.split(',');
    const fromCli = lines.map((l) => l.split(',')).map((v) => {
      const pct = ['shape', 'texture', 'color', 'residual'].map((f) => (100 * Number(v[cols.indexOf(`${f}_fraction`)])).toFixed(1));
      return [v[cols.indexOf('epoch')], v[cols.indexOf('tap')], v[cols.indexOf('D')], ...pct].join(' ');
    });
    const fromNotebook = run.stdout.split('\n').filter((l) => /^\s+\d+\s+final\s/.test(l)).map((l) => l.trim().split(/\s+/).join(' '));
    expect(fromNotebook).toEqual(fromCli);
  });

  it('shows the learning-dynamics report and three plots inline as SVG', () => {
    const md = displays.filter((d) => d.kind === 'markdown');
    expect(md).toHaveLength(1);
    expect(md[0].value).toContain('learning-dynamics report');
    expect(md[0].value).toContain(path.join(tmp, 'out', 'run', 'errors.csv'));
    const svgs = displays.filter((d) => d.kind === 'svg').map((d) => d.value);
    expect(svgs).toHaveLength(3);
    for (const svg of svgs) {
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    }
    expect(svgs[0]).toContain('Fraction of units per factor over training');
  });
});
