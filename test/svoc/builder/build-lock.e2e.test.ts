/**
 * `svoc build`: one writer per output folder, with two real processes. A second build on a
 * folder in use exits 2 naming the first; a build killed with SIGKILL leaves a stale lock that
 * the next build takes over.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADAIN_FIXTURES } from '../adain/fixtures.js';
import { makeMiniDtd, makeMiniVoc } from './mini-datasets.js';

const require = createRequire(import.meta.url);
const pkg = require.resolve('@shapetex/svoc/package.json');
const bin = path.join(path.dirname(pkg), (require('@shapetex/svoc/package.json') as { bin: { svoc: string } }).bin.svoc);

interface Run { code: number | null; signal: NodeJS.Signals | null; stderr: string }

function svoc(args: string[], onStderr?: (text: string, child: ReturnType<typeof spawn>) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d; onStderr?.(stderr, child); });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}

let root: string;
let args: (out: string) => string[];
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'svoc-lock-'));
  const voc = await makeMiniVoc(root);
  const dtd = await makeMiniDtd(root);
  args = (out) => ['build', '--voc', voc, '--dtd', dtd, '--vgg', path.join(ADAIN_FIXTURES, 'vgg_small.pth'), '--decoder', path.join(ADAIN_FIXTURES, 'decoder_small.pth'),
    '--out', out, '--textures', '2', '--seed', '4', '--size', '32', '--backend', 'wasm'];
});
afterAll(async () => { await rm(root, { recursive: true, force: true }); });

describe('svoc build: one writer per output folder', () => {
  it('a second build on a folder in use exits 2 naming the first, which then finishes', async () => {
    const out = path.join(root, 'two');
    let pid = 0;
    let second: Run | undefined;
    const first = svoc(args(out), (text, child) => {
      // Once the first holds the lock, pause it and start the second against the same folder.
      if (pid === 0 && /svoc build: selected/.test(text) && existsSync(path.join(out, '.lock'))) {
        pid = child.pid!;
        child.kill('SIGSTOP');
        void svoc(args(out)).then((r) => { second = r; child.kill('SIGCONT'); });
      }
    });
    const a = await first;
    expect(pid).toBeGreaterThan(0);
    expect(second!.code).toBe(2);
    expect(second!.stderr).toMatch(new RegExp(`is in use by svoc build \\(pid ${pid} on [^,]+, since [^)]+\\); one writer per output folder`));
    expect(a.code, a.stderr).toBe(0);
    expect(existsSync(path.join(out, '.lock'))).toBe(false);
  });

  it('a build killed with SIGKILL does not leave the folder stuck', async () => {
    const out = path.join(root, 'killed');
    const killed = await svoc(args(out), (text, child) => { if (/svoc build: textures/.test(text)) child.kill('SIGKILL'); });
    expect(killed.signal).toBe('SIGKILL');
    const holder = JSON.parse(readFileSync(path.join(out, '.lock'), 'utf8')) as { tool: string };
    expect(holder.tool).toBe('svoc build');
    const again = await svoc(args(out));
    expect(again.code, again.stderr).toBe(0);
    expect(existsSync(path.join(out, '.lock'))).toBe(false);
  });
});
