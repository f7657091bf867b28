// Runs every `# run:` block of examples/onnx-graph/README.md, in order, in one bash shell, so the
// documented workflow cannot rot: the export script (PyTorch, hence the oracle suite), inspect,
// and a --graph scoring run over the checkpoints it wrote.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTorchPython } from '../torch-python.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const readme = readFileSync(path.join(root, 'examples/onnx-graph/README.md'), 'utf8');
const PYTHON = findTorchPython(['torch']);
const STEPS = ['setup', 'export', 'inspect', 'score'];

function runBlocks(text: string): { step: string; body: string }[] {
  return [...text.matchAll(/```sh\n# run: ([\w-]+)\n([\s\S]*?)```/g)].map((m) => ({ step: m[1]!, body: m[2]! }));
}

describe('examples/onnx-graph/README.md, every command', () => {
  let tmp: string;
  let run: { status: number | null; stdout: string; stderr: string };

  beforeAll(() => {
    tmp = mkdtempSync(path.join(tmpdir(), 'shapetex-onnx-graph-'));
    const bin = path.join(tmp, 'bin');
    mkdirSync(bin);
    symlinkSync(PYTHON, path.join(bin, 'python3'));
    let script = 'set -euo pipefail\n';
    for (const { step, body } of runBlocks(readme)) script += `echo "@@step ${step}"\n${body}\n`;
    const from = 'export SHAPETEX=~/src/shapetex';
    expect(script.split(from).length - 1).toBe(1);
    writeFileSync(path.join(tmp, 'readme.sh'), script.replace(from, `export SHAPETEX='${root}'`));
    const r = spawnSync('bash', [path.join(tmp, 'readme.sh')], {
      cwd: tmp, encoding: 'utf8', timeout: 300_000, maxBuffer: 16 * 1024 * 1024,
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, SHAPETEX_BACKEND: 'wasm' },
    });
    run = { status: r.status, stdout: r.stdout, stderr: r.stderr };
  });
  afterAll(() => { if (tmp) rmSync(tmp, { recursive: true, force: true }); });

  it('has the steps in order and no untested shell block', () => {
    expect(runBlocks(readme).map((b) => b.step)).toEqual(STEPS);
    expect(readme.match(/```(sh|bash|shell)\n/g)).toHaveLength(STEPS.length);
  });

  it('runs every block to the end', () => {
    expect(run.status, `exit ${run.status}\n${run.stderr.slice(-3000)}`).toBe(0);
  });

  it('inspect binds a checkpoint and lists the tap the README scores', () => {
    const info = JSON.parse(readFileSync(path.join(tmp, 'onnx-work/inspect.json'), 'utf8')) as { format: string; onnx: { candidates: { name: string; shape: number[] }[] } };
    expect(info.format).toBe('torch-zip');
    expect(info.onnx.candidates.find((c) => c.name === '/block2/Mul_output_0')!.shape).toEqual([1, 32, 16, 16]);
  });

  it('scores the three checkpoints at every asked tap', () => {
    const rows = readFileSync(path.join(tmp, 'onnx-work/scores/results.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    // 3 checkpoints × 3 taps × 2 methods
    expect(rows).toHaveLength(18);
    expect([...new Set(rows.map((r) => r[1]))]).toEqual(['epoch_1.pth', 'epoch_2.pth', 'epoch_3.pth']);
    expect(new Map(rows.map((r) => [r[2], r[4]]))).toEqual(new Map([['stage3', '64'], ['logits', '10'], ['/block2/Mul_output_0', '32']]));
  });
});
