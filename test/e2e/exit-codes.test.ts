// Every command and subcommand of bias-score and svoc, run as a real process, against the one
// convention of docs/cli.md: 0 success, 1 an input or checkpoint failed (the rest still done and
// recorded), 2 usage (including every problem that can be found before the first forward pass).
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@shapetex/core';
import { bias, FIXTURES, makeWorld, parseCsv, svoc, type CliRun, type World } from './helpers.js';

let w: World;
let tfjsRun: string;
const ADAIN = path.join(FIXTURES, '..', 'adain');
const FIRST = 'IN_resnet18k_epoch0001_cifar10_ln20pc_seed42.pth';

/** A TF.js LayersModel with a fixed 32×32 input, saved as TF.js's file handler does. */
async function saveFixedTfjs(dir: string): Promise<void> {
  const m = tfl.sequential({ layers: [
    tfl.layers.conv2d({ inputShape: [32, 32, 3], filters: 4, kernelSize: 3, padding: 'same', name: 'conv1' }),
    tfl.layers.batchNormalization({ name: 'bn1' }),
    tfl.layers.activation({ activation: 'relu', name: 'relu1' }),
    tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }),
    tfl.layers.conv2d({ filters: 6, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv2' }),
    tfl.layers.globalAveragePooling2d({ name: 'gap' }),
    tfl.layers.dense({ units: 3, name: 'logits' }),
  ] });
  await mkdir(dir, { recursive: true });
  await m.save(tf.io.withSaveHandler(async (a) => {
    await writeFile(path.join(dir, 'group1-shard1of1.bin'), new Uint8Array(a.weightData as ArrayBuffer));
    await writeFile(path.join(dir, 'model.json'), JSON.stringify({
      format: 'layers-model', modelTopology: a.modelTopology, weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: a.weightSpecs }],
    }));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  m.dispose();
}

const out = (name: string): string => path.join(w.dir, 'out', name);
const ok = (r: CliRun): string => `exit ${r.status}\n${r.stderr}`;

beforeAll(async () => {
  w = await makeWorld();
  await initBackend('cpu', { log: null });
  tfjsRun = path.join(w.dir, 'tfjs');
  for (const e of [1, 2]) await saveFixedTfjs(path.join(tfjsRun, `epoch_${e}`));
  await mkdir(path.join(w.dir, 'empty'), { recursive: true });
  await writeFile(path.join(w.dir, 'no-epoch.csv'), 'step,error\n1,0.5\n');
  await writeFile(path.join(w.dir, 'not-numeric.csv'), 'epoch,error\n1,0.5\n2,abc\n');
  await writeFile(path.join(w.dir, 'notes.txt'), 'not a checkpoint');
  await mkdir(path.join(w.dir, 'corrupt-run'), { recursive: true });
  await writeFile(path.join(w.dir, 'corrupt-run', 'run_epoch_1.pth'), await readFile(path.join(w.checkpoints, FIRST)));
  await writeFile(path.join(w.dir, 'corrupt-run', 'run_epoch_2.pth'), Buffer.from('PK\x03\x04 not really a zip'));
}, 120_000);

describe('bias-score help', () => {
  it('help and help <command> exit 0 and print the usage of that command', async () => {
    const runs = await Promise.all([[], ['merge'], ['inspect'], ['compare'], ['filters']].map((a) => bias(['help', ...a])));
    expect(runs.map((r) => r.status)).toEqual([0, 0, 0, 0, 0]);
    expect(runs[0]!.stdout).toMatch(/^Usage: bias-score \[options\] \[command\] <checkpoints>/);
    expect(runs[0]!.stdout).toMatch(/Exit codes: 0 success; 1 .*; 2 usage error/);
    for (const [i, c] of ['merge', 'inspect', 'compare', 'filters'].entries()) expect(runs[i + 1]!.stdout).toMatch(new RegExp(`^Usage: bias-score ${c} `));
    const [flag, version] = await Promise.all([bias(['--help']), bias(['--version'])]);
    expect([flag.status, version.status]).toEqual([0, 0]);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+/);
    expect((await bias(['help', 'nosuch'])).status).toBe(2);
  });
});

describe('bias-score: fail fast before the first forward pass (exit 2, nothing scored)', () => {
  const base = (): string[] => [w.checkpoints, '--probe', w.probe, '--image-size', '32'];
  it.each([
    ['a missing errors CSV', ['--errors', 'MISSING'], /--errors: error curve .*missing\.csv: cannot read the file/],
    ['an errors CSV without an epoch column', ['--errors', 'no-epoch.csv'], /--errors: error curve .*no-epoch\.csv: no 'epoch' column in the header \(line 1\); columns found: 'step', 'error'/],
    ['a non-numeric error', ['--errors', 'not-numeric.csv'], /--errors: error curve .*not-numeric\.csv: line 3, column 'error' \(column 2\): 'abc' is not a finite number/],
    ['an unknown tap', ['--taps', 'final,bogus'], /--taps: 'bogus' is not a tap of IN_resnet18k_epoch0001_cifar10_ln20pc_seed42\.pth \(resnet18k\); its taps are stage1, stage2, stage3, stage4, final, or give --taps all/],
  ])('%s', async (_what, extra, message) => {
    const args = extra.map((a) => (a === 'MISSING' ? path.join(w.dir, 'missing.csv') : a.endsWith('.csv') ? path.join(w.dir, a) : a));
    const o = out(`fast-${extra.join('-').replace(/[^a-z]/gi, '')}`);
    const r = await bias([...base(), ...args, '--out', o]);
    expect(r.status, ok(r)).toBe(2);
    expect(r.stderr).toMatch(message);
    // one message, said once, and no image was decoded or checkpoint scored
    expect(r.stderr.match(/bias-score: --/g)).toHaveLength(1);
    expect(r.stderr).not.toMatch(/decoding probe images|checkpoint 1\//);
    await expect(readFile(path.join(o, 'results.jsonl'))).rejects.toThrow(/ENOENT/);
  });

  it('an --out whose run.json or results.jsonl is corrupt names the file and line; the folder is left as it was', async () => {
    const cases: [string, string, RegExp][] = [
      ['run.json', '{"settingsHash": ', /bias-score: .*corrupt-run-json\/run\.json: not a bias-score run\.json \(/],
      ['results.jsonl', '{"cut\n{"checkpoint": "a"}\n', /bias-score: .*corrupt-results-jsonl\/results\.jsonl: line 1 is not valid JSON/],
    ];
    for (const [file, text, message] of cases) {
      const o = out(`corrupt-${file.replace('.', '-')}`);
      await mkdir(o, { recursive: true });
      await writeFile(path.join(o, file), text);
      const r = await bias([w.checkpoints, '--probe', w.probe, '--image-size', '32', '--out', o]);
      expect(r.status, ok(r)).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(await readFile(path.join(o, file), 'utf8')).toBe(text);
    }
  });

  it('a folder without checkpoints names the folder and the globs', async () => {
    const r = await bias([path.join(w.dir, 'empty'), '--probe', w.probe, '--out', out('empty')]);
    expect(r.status, ok(r)).toBe(2);
    expect(r.stderr).toContain(`no checkpoint found in ${path.join(w.dir, 'empty')}: searched for **/*.{pth,pt,tar,ckpt,bin,safetensors} and **/model.json`);
  });

  it('a TF.js model with a fixed 32×32 input: 32 is the default, another --image-size names both', async () => {
    const bad = await bias([tfjsRun, '--probe', w.probe, '--image-size', '224', '--out', out('tfjs-224')]);
    expect(bad.status, ok(bad)).toBe(2);
    expect(bad.stderr).toMatch(/--image-size 224 conflicts with epoch_1\/model\.json: this tfjs-layers model takes only 32×32 images; leave --image-size out \(32 is then used\) or give --image-size 32/);
    expect(bad.stderr).not.toMatch(/expected input to have shape/);

    const good = await bias([tfjsRun, '--probe', w.probe, '--taps', 'all', '--out', out('tfjs')]);
    expect(good.status, ok(good)).toBe(0);
    expect(good.stderr).toMatch(/input size 32×32, fixed by the model/);
    expect(JSON.parse(await readFile(path.join(out('tfjs'), 'run.json'), 'utf8')).settings.imageSize).toBe(32);
    // --taps all on a TF.js model: its two resolution stages (32×32 after relu1, 16×16 after conv2) and final
    const csv = parseCsv(await readFile(path.join(out('tfjs'), 'results.csv'), 'utf8'));
    expect(csv.rows.map((r) => [r[0], r[2], r[4]])).toEqual([1, 2].flatMap((e) => [[`${e}`, 'stage1', '4'], [`${e}`, 'stage2', '6'], [`${e}`, 'final', '6']]));
  });
});

describe('bias-score: 0 and 1', () => {
  it('0 when everything is scored; 1 when a checkpoint fails, the others scored and the failure recorded', async () => {
    const [good, mixed] = await Promise.all([
      bias([path.join(w.checkpoints, FIRST), '--probe', w.probe, '--image-size', '32', '--out', out('one')]),
      bias([path.join(w.dir, 'corrupt-run'), '--probe', w.probe, '--image-size', '32', '--out', out('mixed')]),
    ]);
    expect(good.status, ok(good)).toBe(0);
    expect(mixed.status, ok(mixed)).toBe(1);
    const rows = parseCsv(await readFile(path.join(out('mixed'), 'results.csv'), 'utf8')).rows;
    expect(rows.map((r) => r[1])).toEqual(['run_epoch_1.pth']);
    expect(await readFile(path.join(out('mixed'), 'errors.jsonl'), 'utf8')).toMatch(/"checkpoint":"run_epoch_2\.pth"/);
  });

  it('merge, compare, inspect and filters: 0 on success, 2 on usage, 1 on a failed input', async () => {
    const runs = await Promise.all([
      bias(['merge', out('one'), '--out', out('merged')]),
      bias(['merge', path.join(w.dir, 'nowhere'), '--out', out('merged2')]),
      bias(['merge', out('one'), '--errors', path.join(w.dir, 'no-epoch.csv'), '--out', out('merged3')]),
      bias(['compare', out('one'), '--out', out('cmp')]),
      bias(['compare', path.join(w.dir, 'nowhere'), '--out', out('cmp2')]),
    ]);
    expect(runs.map((r) => r.status), runs.map(ok).join('\n')).toEqual([0, 2, 2, 0, 2]);
    expect(runs[2]!.stderr).toMatch(/--errors: error curve .*no-epoch\.csv: no 'epoch' column/);
    const more = await Promise.all([
      bias(['inspect', path.join(tfjsRun, 'epoch_1', 'model.json')]),
      bias(['inspect', path.join(w.dir, 'nowhere.pth')]),
      bias(['inspect', path.join(w.dir, 'notes.txt')]),
      bias(['filters', path.join(w.checkpoints, FIRST), '--out', out('filters')]),
    ]);
    expect(more.map((r) => r.status), more.map(ok).join('\n')).toEqual([0, 2, 1, 0]);
    expect(more[0]!.stdout).toMatch(/taps\s+stage1 \(D = 4\), stage2 \(D = 6\), final \(D = 6\)/);
    expect(more[0]!.stdout).toMatch(/image size\s+32 \(fixed by the model's input shape; bias-score uses it\)/);
    expect(more[1]!.stderr).toMatch(/nowhere\.pth: no such file/);
    const filters = await Promise.all([
      bias(['filters', path.join(w.dir, 'nowhere'), '--out', out('f2')]),
      bias(['filters', path.join(w.dir, 'empty'), '--out', out('f3')]),
      bias(['filters', path.join(w.dir, 'corrupt-run'), '--out', out('f4')]),
    ]);
    expect(filters.map((r) => r.status), filters.map(ok).join('\n')).toEqual([2, 2, 1]);
    expect(filters[0]!.stderr).toMatch(/nowhere: not found/);
    expect(filters[1]!.stderr).toMatch(/no checkpoint found in .*empty: searched for/);
  });
});

describe('svoc', () => {
  it('help [command] exits 0; bad options and unreadable inputs exit 2 before any work; a write failure exits 1', async () => {
    const helps = await Promise.all([svoc(['help']), svoc(['help', 'build']), svoc(['help', 'synth']), svoc(['--help'])]);
    expect(helps.map((r) => r.status)).toEqual([0, 0, 0, 0]);
    expect(helps[1]!.stdout).toMatch(/^Usage: svoc build /);

    const voc = path.join(w.dir, 'voc');
    const weights = ['--vgg', path.join(ADAIN, 'vgg_small.pth'), '--decoder', path.join(ADAIN, 'decoder_small.pth')];
    const runs = await Promise.all([
      svoc(['synth', '--out', out('synth'), '--factors', 'shape,texture', '--per-factor', '2', '--size', '16']),
      svoc(['synth', '--out', out('synth2'), '--per-factor', '99']),
      svoc(['synth', '--out', path.join(w.dir, 'notes.txt', 'sub'), '--factors', 'shape,texture', '--per-factor', '2', '--size', '16']),
      svoc(['build', '--voc', voc, '--vgg', path.join(w.dir, 'nope.pth'), '--decoder', path.join(ADAIN, 'decoder_small.pth'), '--out', out('b1')]),
      svoc(['build', '--voc', voc, '--vgg', path.join(w.dir, 'notes.txt'), '--decoder', path.join(ADAIN, 'decoder_small.pth'), '--out', out('b2')]),
      svoc(['build', '--voc', voc, ...weights, '--out', out('b3')]),
      svoc(['nosuch']),
    ]);
    expect(runs.map((r) => r.status), runs.map(ok).join('\n')).toEqual([0, 2, 1, 2, 2, 2, 2]);
    expect(runs[3]!.stderr).toContain(`svoc: --vgg ${path.join(w.dir, 'nope.pth')}: no such file; expected the AdaIN encoder (vgg_normalised.pth) weights`);
    // checked before anything else: the output folder was not even created
    await expect(readFile(path.join(out('b1'), 'manifest.json'))).rejects.toThrow(/ENOENT/);
    expect(existsSync(out('b1'))).toBe(false);
    expect(runs[4]!.stderr).toMatch(/svoc: --vgg .*notes\.txt: not a readable PyTorch weights file/);
    expect(runs[5]!.stderr).toMatch(/svoc: .*voc: not a PASCAL VOC2012 folder/);
  });
});
