// The per-package examples (examples/api/*.mjs, shown in the package READMEs) run as a user runs
// them, from the repository root, so the documented code cannot rot. Their figures are checked
// against what PyTorch recorded when it wrote the checkpoints (expected.json) and against each
// other (the by-hand estimate equals the whole-run one for the same checkpoint).
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, REPO } from './helpers.js';

function example(name: string, args: string[] = []): string {
  const r = spawnSync(process.execPath, [path.join('examples/api', `${name}.mjs`), ...args], {
    cwd: REPO, encoding: 'utf8', timeout: 120_000, env: { ...process.env, SHAPETEX_BACKEND: 'wasm' },
  });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

describe('examples/api', () => {
  it('core.mjs reads, inspects and extracts features as PyTorch described the checkpoint', () => {
    const expected = JSON.parse(readFileSync(path.join(FIXTURES, 'expected.json'), 'utf8')).resnet18k;
    const out = example('core');
    expect(out).toContain(`architecture ${expected.arch}, ${expected.classes} classes, ${expected.parameters} parameters`);
    const taps = Object.entries(expected.taps as Record<string, number>).map(([t, d]) => `${t} (D=${d})`).join(', ');
    expect(out).toContain(`taps: ${taps}`);
    expect(out).toMatch(new RegExp(`^stage1: 2 × ${expected.taps.stage1},`, 'm'));
    expect(out).toMatch(new RegExp(`^final: 2 × ${expected.taps.final},`, 'm'));
  });

  it('svoc.mjs writes and reads back every combination, and stylizes at the content size', () => {
    const out = example('svoc');
    expect(out).toContain('16 records, factors shape × texture (manifest kind: synthetic)');
    expect(out).toContain('stylized: [32,32,3]');
    const dir = /probe set in (.+)$/m.exec(out)?.[1];
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('bias.mjs: the estimate by hand equals the whole run for the same checkpoint', () => {
    const out = example('bias');
    const byHand = /epoch 6 by hand: D=16, shape\/texture\/residual = ([\d.]+)% \/ ([\d.]+)% \/ ([\d.]+)%/.exec(out);
    const run = /^epoch 6: shape ([\d.]+)%, texture ([\d.]+)%, residual ([\d.]+)%/m.exec(out);
    expect(byHand).not.toBeNull();
    expect(run?.slice(1)).toEqual(byHand!.slice(1));
    // 7 checkpoints, the final one dated by its own `epoch` entry
    expect(out.match(/^epoch \d+: shape/gm)).toHaveLength(7);
    expect(out).toMatch(/^epoch 7: .*IN_resnet18k_final_cifar10_ln20pc_seed42\.pth/m);
  });

  it('compare.mjs: two runs of the same series in one ablation table, N/A where a run lacks the tap', () => {
    const out = example('compare');
    const num = '-?\\d\\.\\d{3}';
    const row = (label: string) => new RegExp(`^\\| ${label} \\| 3, 5 \\| ${num} \\| ${num} \\| ${num} \\| ${num} \\| ${num} \\| ${num} \\|$`, 'm');
    const [stage1, final] = out.split('tap final, per-neuron');
    expect(stage1).toMatch(row('all taps'));
    expect(stage1).toContain('| seed 1 | 3, 5 | N/A | N/A | N/A | N/A | N/A | N/A |');
    expect(final).toMatch(row('all taps'));
    expect(final).toMatch(row('seed 1'));
    expect(out).toContain('layers_all_taps.png');
    const dir = /report: (.+)\/compare\/compare\.md;/.exec(out)?.[1];
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
});
