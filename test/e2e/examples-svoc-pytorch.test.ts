// examples/svoc-pytorch/README.md without torch (the full run of its blocks on miniature data is
// examples-svoc-pytorch.oracle.test.ts): every option its commands pass exists in the CLI or
// script that receives it, and its `table` block, run by bash on a thesis-shaped run, prints
// the phases 2–12, 12–41, 41–1000 and the final tap's per-phase r's.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeDynamics, parseErrorCsv, phasesJson, renderReport, type ResultRecord } from '@shapetex/bias';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const readme = readFileSync(path.join(root, 'examples/svoc-pytorch/README.md'), 'utf8');
const blocks = new Map([...readme.matchAll(/```sh\n# run: ([\w-]+)\n([\s\S]*?)```/g)].map((m) => [m[1]!, m[2]!]));

/** Shell commands of a block, continuation lines joined, comments dropped. */
const commands = (body: string): string[] =>
  body.replace(/\\\n\s*/g, ' ').split('\n').map((l) => l.replace(/\s+#.*$/, '').trim()).filter((l) => l && !l.startsWith('#'));
const optionsOf = (cmd: string): string[] => [...cmd.matchAll(/(?:^|\s)(--[a-z][a-z-]*)/g)].map((m) => m[1]!);

function help(cli: string, args: string[]): string {
  const r = spawnSync(process.execPath, [path.join(root, cli), ...args, '--help'], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

describe('examples/svoc-pytorch/README.md commands', () => {
  const all = [...blocks.values()].flatMap(commands);

  it('pass only options that svoc build, bias-score, bias-score merge and train_cifar.py define', () => {
    const checks: [RegExp, string][] = [
      [/^svoc build /, help('packages/svoc/dist/cli.js', ['build'])],
      [/^bias-score merge /, help('packages/bias/dist/cli.js', ['merge'])],
      [/^bias-score (?!merge )/, help('packages/bias/dist/cli.js', [])],
    ];
    const trainOptions = [...readFileSync(path.join(root, 'examples/svoc-pytorch/train_cifar.py'), 'utf8').matchAll(/add_argument\("(--[a-z-]+)"/g)].map((m) => m[1]!);
    let checked = 0;
    for (const cmd of all) {
      const cmdLine = cmd.replace(/^for .*?; do /, '');
      for (const [re, text] of checks) {
        if (!re.test(cmdLine)) continue;
        for (const o of optionsOf(cmdLine)) expect(text, `${o} in: ${cmdLine}`).toMatch(new RegExp(`(^|\\s)${o}[ ,<\\n]`));
        checked++;
      }
      if (cmdLine.includes('train_cifar.py')) {
        for (const o of optionsOf(cmdLine)) expect(trainOptions, `${o} in: ${cmdLine}`).toContain(o);
        checked++;
      }
    }
    // svoc build, train, bias-score, the shard loop's bias-score, merge
    expect(checked).toBe(5);
  });

  it('download from the official locations of VOC2012, DTD and the pytorch-AdaIN release', () => {
    const urls = all.flatMap((c) => c.match(/https?:\/\/\S+/g) ?? []).sort();
    expect(urls).toEqual(
      [
        'http://host.robots.ox.ac.uk/pascal/VOC/voc2012/VOCtrainval_11-May-2012.tar',
        'https://www.robots.ox.ac.uk/~vgg/data/dtd/download/dtd-r1.0.1.tar.gz',
        'https://github.com/naoto0804/pytorch-AdaIN/releases/download/v0.0.0/vgg_normalised.pth',
        'https://github.com/naoto0804/pytorch-AdaIN/releases/download/v0.0.0/decoder.pth',
      ].sort(),
    );
  });

  it('score CIFAR checkpoints at 32 px with CIFAR normalisation and every tap, with the errors CSV', () => {
    const score = commands(blocks.get('score')!).find((c) => c.startsWith('bias-score '))!;
    expect(score).toMatch(/--image-size 32 /);
    expect(score).toMatch(/--norm cifar /);
    expect(score).toMatch(/--taps all /);
    expect(score).toMatch(/--errors runs\/ln20pc_seed0\/errors\.csv /);
  });
});

/**
 * A test-error curve (percent) over epochs 2..1000 built so that the threshold rule (w = 5,
 * θ = 0.1) must put its boundaries at epochs 12 and 41, the thesis's: a steep fall to epoch 12,
 * flat to 17, a rise of 1 pp per epoch to 41, then a slow decline of 0.01 pp per epoch.
 */
function thesisCurve(): { epochs: number[]; errors: number[] } {
  const epochs: number[] = [];
  const errors: number[] = [];
  for (let epoch = 2; epoch <= 1000; epoch++) {
    const i = epoch - 2;
    const e = i <= 10 ? 50 - 2 * i : i <= 15 ? 30 : i <= 39 ? 30 + (i - 15) : 54 - 0.01 * (i - 39);
    epochs.push(epoch);
    errors.push(e);
  }
  return { epochs, errors };
}

/** SPEC §7's centred moving average, window 5, truncated at the ends. */
function smooth5(xs: readonly number[]): number[] {
  return xs.map((_, i) => {
    const w = xs.slice(Math.max(0, i - 2), Math.min(xs.length, i + 3));
    return w.reduce((a, b) => a + b, 0) / w.length;
  });
}

function pearson(x: readonly number[], y: readonly number[]): number {
  const mx = x.reduce((a, b) => a + b, 0) / x.length;
  const my = y.reduce((a, b) => a + b, 0) / y.length;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

describe('examples/svoc-pytorch/README.md, the per-phase table block on a thesis-shaped run', () => {
  let tmp: string;
  let out: string;
  const curve = thesisCurve();
  // Biases that move with the epoch, differently per tap, so the table's r's are not trivial.
  const shapeOf = (tap: string, epoch: number): number => (tap === 'final' ? 0.1 + 0.05 * Math.sin(epoch / 40) : 0.2);
  const textureOf = (tap: string, epoch: number): number => (tap === 'final' ? 0.15 + 0.00005 * epoch : 0.1 + 0.0001 * epoch);

  beforeAll(() => {
    tmp = mkdtempSync(path.join(tmpdir(), 'shapetex-phase-table-'));
    const records: ResultRecord[] = curve.epochs.flatMap((epoch) =>
      ['stage1', 'final'].map((tap) => {
        const s = shapeOf(tap, epoch);
        const t = textureOf(tap, epoch);
        return {
          epoch, checkpoint: `IN_resnet18_epoch${String(epoch).padStart(4, '0')}_cifar10_ln20pc_seed0.pth`, tap, method: 'per-neuron',
          D: 512, factors: ['shape', 'texture'], dims: [Math.floor(s * 512), Math.floor(t * 512), 0], fractions: [s, t, 1 - s - t],
          scores: [0, 0, 1], percent: [0, 0, 0], deadUnits: 0, pairs: [100, 100],
        } satisfies ResultRecord;
      }),
    );
    const csv = `epoch,train_error,test_error\n${curve.epochs.map((e, i) => `${e},0,${curve.errors[i]}`).join('\n')}\n`;
    const analysis = analyzeDynamics(records, parseErrorCsv(csv, 'errors.csv'));
    const dir = path.join(tmp, 'bias/ln20pc_seed0');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'phases.json'), phasesJson(analysis));
    writeFileSync(path.join(dir, 'report.md'), renderReport(analysis));
    const r = spawnSync('bash', ['-euo', 'pipefail', '-c', blocks.get('table')!], { cwd: tmp, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    out = r.stdout;
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('prints the boundaries 2–12, 12–41, 41–1000', () => {
    expect(out).toContain('Phase 1: epochs 2-12\nPhase 2: epochs 12-41\nPhase 3: epochs 41-1000\n');
  });

  it("prints the final tap's table only, with r's and Score recomputed from the series", () => {
    expect(out).toContain('## Tap `final`, per-neuron');
    expect(out).not.toContain('## Tap `stage1`');
    const shape = smooth5(curve.epochs.map((e) => shapeOf('final', e)));
    const texture = smooth5(curve.epochs.map((e) => textureOf('final', e)));
    const phases: [string, number, number][] = [['1', 2, 12], ['2', 12, 41], ['3', 41, 1000], ['1+2', 2, 41]];
    for (const [name, from, to] of phases) {
      const idx = curve.epochs.flatMap((e, i) => (e >= from && e <= to ? [i] : []));
      const err = idx.map((i) => curve.errors[i]!);
      const rs = pearson(err, idx.map((i) => shape[i]!));
      const rt = pearson(err, idx.map((i) => texture[i]!));
      // Each r with its Fisher-z 95% interval on the phase's n epochs, recomputed here; Score's
      // interval is a bootstrap, so only its place in the row is checked.
      const n = idx.length;
      const fisher = (r: number): string => {
        const z = Math.atanh(r);
        const h = 1.959964 / Math.sqrt(n - 3);
        return `${r.toFixed(3)} [${Math.tanh(z - h).toFixed(3)}, ${Math.tanh(z + h).toFixed(3)}]`;
      };
      const score = ((Math.abs(rs) + Math.abs(rt)) / 2).toFixed(3);
      const row = `| ${name} | ${from}–${to} | ${n} | ${fisher(rs)} | ${fisher(rt)} | ${score} [`;
      expect(out).toContain(row);
    }
  });
});
