// Executes examples/notebook/shapetex.ipynb in a real Jupyter JavaScript kernel (tslab) with
// `jupyter nbconvert --execute`, as a user would, and checks the outputs it stores.
// Needs Debian's jupyter-nbconvert and python3-ipykernel (apt-get), and tslab from npm: taken
// from $TSLAB_DIR when set, else installed once into node_modules/.cache/shapetex-tslab
// (its zeromq dependency ships prebuilt binaries, so no install script has to run).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const notebookDir = path.join(root, 'examples/notebook');
const TSLAB_VERSION = '1.0.22';

function tslabBinary(): string {
  const dir = process.env.TSLAB_DIR ?? path.join(root, 'node_modules/.cache/shapetex-tslab');
  const bin = path.join(dir, 'node_modules/.bin/tslab');
  if (!existsSync(bin)) {
    mkdirSync(dir, { recursive: true });
    const r = spawnSync('npm', ['install', '--prefix', dir, '--no-save', '--ignore-scripts', '--no-audit', '--no-fund', `tslab@${TSLAB_VERSION}`], {
      encoding: 'utf8',
    });
    if (r.status !== 0 || !existsSync(bin)) {
      throw new Error(`could not install tslab@${TSLAB_VERSION} into ${dir} (set TSLAB_DIR to an existing install): ${r.stderr}`);
    }
  }
  return bin;
}

interface Output {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, string | string[]>;
  ename?: string;
  evalue?: string;
}
const joined = (v: string | string[] | undefined): string => (Array.isArray(v) ? v.join('') : (v ?? ''));

describe('examples/notebook/shapetex.ipynb in a tslab kernel', () => {
  let tmp: string;
  let outputs: Output[] = [];

  beforeAll(() => {
    const nbconvert = spawnSync('jupyter', ['nbconvert', '--version'], { encoding: 'utf8' });
    if (nbconvert.status !== 0) {
      throw new Error("`jupyter nbconvert` is not available: apt-get install jupyter-nbconvert python3-ipykernel (see examples/notebook/README.md)");
    }
    tmp = mkdtempSync(path.join(tmpdir(), 'shapetex-nbconvert-'));
    // A kernel spec of our own in a private JUPYTER_PATH: nothing is registered for the user.
    const kernelDir = path.join(tmp, 'jupyter/kernels/jslab');
    mkdirSync(kernelDir, { recursive: true });
    writeFileSync(
      path.join(kernelDir, 'kernel.json'),
      JSON.stringify({ argv: [tslabBinary(), 'kernel', '--config-path', '{connection_file}', '--js'], display_name: 'JavaScript', language: 'javascript' }),
    );
    const executed = path.join(tmp, 'executed.ipynb');
    const r = spawnSync('jupyter', ['nbconvert', '--to', 'notebook', '--execute', '--ExecutePreprocessor.timeout=300', 'shapetex.ipynb', '--output', executed], {
      cwd: notebookDir,
      encoding: 'utf8',
      env: { ...process.env, JUPYTER_PATH: path.join(tmp, 'jupyter'), NOTEBOOK_OUT: path.join(tmp, 'out'), NOTEBOOK_EPOCHS: '3', SHAPETEX_BACKEND: 'wasm' },
      timeout: 400_000,
    });
    if (r.status !== 0) throw new Error(`nbconvert --execute failed (exit ${r.status}):\n${r.stderr.slice(-4000)}`);
    const nb = JSON.parse(readFileSync(executed, 'utf8')) as { cells: { cell_type: string; outputs?: Output[] }[] };
    outputs = nb.cells.flatMap((c) => c.outputs ?? []);
  });
  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('runs to the end with no error output', () => {
    expect(outputs.filter((o) => o.output_type === 'error' || o.name === 'stderr').map((o) => joined(o.text) || o.evalue)).toEqual([]);
    const stdout = outputs.filter((o) => o.name === 'stdout').map((o) => joined(o.text)).join('');
    expect(stdout).toMatch(/on wasm/);
    expect(stdout.match(/^\s+\d+\s+final\s/gm)).toHaveLength(3);
  });

  it('stores the report as markdown and the three plots as inline SVG', () => {
    const data = outputs.filter((o) => o.output_type === 'display_data').map((o) => o.data ?? {});
    const md = data.filter((d) => 'text/markdown' in d).map((d) => joined(d['text/markdown']));
    expect(md).toHaveLength(1);
    expect(md[0]).toContain('learning-dynamics report');
    const svgs = data.filter((d) => 'image/svg+xml' in d).map((d) => joined(d['image/svg+xml']));
    expect(svgs).toHaveLength(3);
    for (const svg of svgs) expect(svg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
  });
});
