// The documentation that lives in the repository: every relative link of every README and
// docs/ page resolves inside the repository (anchors included), and every ```js block runs as
// written from a scratch folder holding the files docs/README.md lists, unless it is marked
// `// fragment`.
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { synthesizeProbeSet } from '@shapetex/svoc';
import { REPO, FIXTURES } from '../e2e/helpers.js';
import { anchors, codeBlocks, isFragment, linkProblem, links, markdownFiles } from './markdown.js';

const files = markdownFiles(REPO);
const text = (f: string): string => readFileSync(path.join(REPO, f), 'utf8');

describe('the Markdown readers', () => {
  it('find links outside code, GitHub anchors and fenced blocks', () => {
    const md = [
      '# The method', 'See [a](docs/a.md#x-y), ![img](p.png "t") and `[not](code.md)`.', '[ref]: ../outside.md',
      '```js', '[no](inside-code.md)', '```', '## 4.3 From `scores` to dimensions', '## The method', '<a href="x.html">x</a>',
    ].join('\n');
    expect(links(md)).toEqual([
      { target: 'docs/a.md#x-y', line: 2 }, { target: 'p.png', line: 2 }, { target: '../outside.md', line: 3 }, { target: 'x.html', line: 9 },
    ]);
    expect([...anchors(md)]).toEqual(['the-method', '43-from-scores-to-dimensions', 'the-method-1']);
    const bs = codeBlocks(md);
    expect(bs).toEqual([{ lang: 'js', code: '[no](inside-code.md)', line: 4 }]);
    expect(isFragment(bs[0]!)).toBe(false);
    expect(isFragment({ lang: 'js', code: '\n// fragment: needs x\nf(x);', line: 1 })).toBe(true);
  });
});

describe('the link check', () => {
  const exists = (abs: string): boolean => ['docs/cli.md', 'packages/bias/README.md'].some((f) => abs === path.join('/repo', f));
  const headings = (): Set<string> => new Set(['exit-codes']);
  it('refuses a root-absolute link and names the relative one to write', () => {
    expect(linkProblem('/repo', 'packages/bias/README.md', '/docs/cli.md#exit-codes', exists, headings)).toBe('root-absolute (write ../../docs/cli.md#exit-codes)');
    expect(linkProblem('/repo', 'packages/bias/README.md', '../../docs/cli.md#exit-codes', exists, headings)).toBeNull();
  });
  it('refuses links outside the repository, to missing files and to missing headings', () => {
    expect(linkProblem('/repo', 'packages/bias/README.md', '../../../x.md', exists, headings)).toBe('outside the repository');
    expect(linkProblem('/repo', 'packages/bias/README.md', '../../docs/nope.md', exists, headings)).toBe('no such file');
    expect(linkProblem('/repo', 'packages/bias/README.md', '../../docs/cli.md#nope', exists, headings)).toBe('no heading #nope');
    expect(linkProblem('/repo', 'packages/bias/README.md', 'https://example.org/x', exists, headings)).toBeNull();
  });
});

describe('Markdown files', () => {
  it('are the READMEs and docs/ pages users read', () => {
    for (const f of ['README.md', 'docs/README.md', 'docs/method.md', 'docs/formats.md', 'docs/cli.md', 'packages/core/README.md',
      'packages/svoc/README.md', 'packages/bias/README.md', 'examples/notebook/README.md', 'bench/README.md']) expect(files).toContain(f);
  });

  it.each(files)('%s: every relative link resolves inside the repository', (file) => {
    const bad: string[] = [];
    const headings = (abs: string): Set<string> => anchors(readFileSync(abs, 'utf8'));
    for (const { target, line } of links(text(file))) {
      const problem = linkProblem(REPO, file, target, existsSync, headings);
      if (problem !== null) bad.push(`${file}:${line}: ${target} (${problem})`);
    }
    expect(bad).toEqual([]);
  });

  it('refer to nothing outside the repository (no ../shared, no SPEC sections)', () => {
    const hits = files.flatMap((f) => text(f).split('\n').map((l, i) => [f, i + 1, l] as const)).filter(([, , l]) => /\.\.\/shared|SPEC\s*§|SPEC\.md/.test(l));
    expect(hits).toEqual([]);
  });
});

const blocks = files.flatMap((file) => codeBlocks(text(file)).filter((b) => b.lang === 'js').map((b) => ({ file, ...b })));
const runnable = blocks.filter((b) => !isFragment(b));

/** Runs a block as an ES module placed under node_modules/.cache (so `@shapetex/*` resolves), in `cwd`. */
function runBlock(code: string, name: string, cwd: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const dir = path.join(REPO, 'node_modules/.cache/shapetex-doc-blocks');
  const file = path.join(dir, `${name}.mjs`);
  return mkdir(dir, { recursive: true }).then(() => writeFile(file, code)).then(() => new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file], { cwd, env: { ...process.env, SHAPETEX_BACKEND: 'wasm' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  }));
}

describe('```js blocks of the READMEs and docs/', () => {
  let world: string;
  beforeAll(async () => {
    // The scratch folder of docs/README.md, "Code blocks in this documentation".
    world = await mkdtemp(path.join(os.tmpdir(), 'shapetex-doc-blocks-'));
    await synthesizeProbeSet({ out: path.join(world, 'probe'), factors: ['shape', 'texture'], perFactor: 4, size: 32, seed: 0 });
    await cp(path.join(FIXTURES, 'resnet18k'), path.join(world, 'runs'), { recursive: true });
    const acc = [0.31, 0.42, 0.5, 0.48, 0.55, 0.61, 0.64];
    await writeFile(path.join(world, 'runs/errors.csv'), 'epoch,test_acc\n' + acc.map((a, i) => `${i + 1},${a}`).join('\n') + '\n');
    await cp(path.join(REPO, 'test/fixtures/image/orient6.jpg'), path.join(world, 'a.jpg'));
    await writeFile(path.join(world, 'b.jpg'), await readFile(path.join(REPO, 'test/fixtures/image/orient6.jpg')));
    await mkdir(path.join(world, 'test'));
    await symlink(path.join(REPO, 'test/fixtures'), path.join(world, 'test/fixtures'), 'dir');
  });

  it('are found, and each is either runnable or marked `// fragment` on its first line', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(11);
    expect(runnable.length).toBeGreaterThanOrEqual(10);
    for (const b of blocks) expect(b.code.trim().length, `${b.file}:${b.line}`).toBeGreaterThan(0);
  });

  it.each(runnable.map((b) => [`${b.file}:${b.line}`, b] as const))('%s runs as written', async (where, b) => {
    const name = where.replace(/[^A-Za-z0-9]+/g, '_');
    const r = await runBlock(b.code, name, world);
    expect(r.status, `${where} exited ${r.status}\n${r.stderr.slice(-3000)}`).toBe(0);
    expect(r.stderr).not.toMatch(/Error|is not defined/);
    expect(r.stdout.trim().length, `${where} printed nothing`).toBeGreaterThan(0);
    expect(statSync(world).isDirectory()).toBe(true);
  }, 300_000);
});
