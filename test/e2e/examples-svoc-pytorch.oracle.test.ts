// Runs every `# run:` block of examples/svoc-pytorch/README.md, in order, in one bash shell, on
// miniature data, so the documented workflow cannot rot. What is miniature, and nothing else:
// - `curl` is a stand-in that serves the README's four URLs from local files: a VOC2012 tar and
//   a DTD tar.gz packed with the real archives' layout (real JPEGs and XML, from the svoc
//   build tests' miniature trees), and the small legacy-format AdaIN weights of
//   test/fixtures/adain; any other URL fails;
// - CIFAR-10 becomes `--fake-data 64`, 1000 epochs become 3 (the two substitutions below, each
//   required to match exactly once, so a README edit that drops them fails here).
// The training step needs /usr/bin/python3 with torch and torchvision, hence the oracle suite.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeMiniDtd, makeMiniVoc, MINI_VOC } from '../svoc/builder/mini-datasets.js';
import { findTorchPython } from '../torch-python.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const readme = readFileSync(path.join(root, 'examples/svoc-pytorch/README.md'), 'utf8');
const PYTHON = findTorchPython();

const URLS = {
  voc: 'http://host.robots.ox.ac.uk/pascal/VOC/voc2012/VOCtrainval_11-May-2012.tar',
  dtd: 'https://www.robots.ox.ac.uk/~vgg/data/dtd/download/dtd-r1.0.1.tar.gz',
  vgg: 'https://github.com/naoto0804/pytorch-AdaIN/releases/download/v0.0.0/vgg_normalised.pth',
  decoder: 'https://github.com/naoto0804/pytorch-AdaIN/releases/download/v0.0.0/decoder.pth',
};
const servedName = (url: string): string => url.replace(/[^A-Za-z0-9._-]/g, '_');

const SUBSTITUTIONS: [string, string][] = [
  ['export SHAPETEX=~/src/shapetex', `export SHAPETEX='${root}'`],
  ['--data data/cifar10 --download', '--data data/cifar10 --fake-data 64 --workers 0'],
  ['--epochs 1000', '--epochs 3'],
];

/** The `# run:` blocks in README order. */
function runBlocks(text: string): { step: string; body: string }[] {
  return [...text.matchAll(/```sh\n# run: ([\w-]+)\n([\s\S]*?)```/g)].map((m) => ({ step: m[1]!, body: m[2]! }));
}

const FAKE_CURL = `#!/usr/bin/env bash
# Serves the README's downloads from $SERVE_DIR; anything else is an error, as a 404 would be.
out=""; url=""
while [ $# -gt 0 ]; do
  case "$1" in -o) out="$2"; shift 2 ;; -*) shift ;; *) url="$1"; shift ;; esac
done
src="$SERVE_DIR/$(printf %s "$url" | sed 's|[^A-Za-z0-9._-]|_|g')"
[ -f "$src" ] || { echo "curl (test stand-in): no such URL: $url" >&2; exit 22; }
[ -n "$out" ] || { echo "curl (test stand-in): expected -o FILE" >&2; exit 2; }
cp "$src" "$out" && echo "$url" >> "$SERVE_DIR/requested.log"
`;

function csvRows(file: string): Record<string, string>[] {
  const [head, ...lines] = readFileSync(file, 'utf8').trim().split('\n');
  const cols = head!.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i]!, v])));
}

describe('examples/svoc-pytorch/README.md, every command on miniature data', () => {
  let tmp: string;
  let work: string;
  let serve: string;
  const stepOutput = new Map<string, string>();
  let run: { status: number | null; stdout: string; stderr: string };

  beforeAll(async () => {
    tmp = mkdtempSync(path.join(tmpdir(), 'shapetex-svoc-pytorch-'));
    serve = path.join(tmp, 'serve');
    const bin = path.join(tmp, 'bin');
    for (const d of [serve, bin, path.join(tmp, 'stage-voc'), path.join(tmp, 'stage-dtd')]) mkdirSync(d, { recursive: true });

    await makeMiniVoc(path.join(tmp, 'stage-voc'));
    await makeMiniDtd(path.join(tmp, 'stage-dtd'));
    const tar = (args: string[]): void => {
      const r = spawnSync('tar', args, { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`tar ${args.join(' ')}: ${r.stderr}`);
    };
    tar(['-cf', path.join(serve, servedName(URLS.voc)), '-C', path.join(tmp, 'stage-voc'), 'VOCdevkit']);
    tar(['-czf', path.join(serve, servedName(URLS.dtd)), '-C', path.join(tmp, 'stage-dtd'), 'dtd']);
    copyFileSync(path.join(root, 'test/fixtures/adain/vgg_small.pth'), path.join(serve, servedName(URLS.vgg)));
    copyFileSync(path.join(root, 'test/fixtures/adain/decoder_small.pth'), path.join(serve, servedName(URLS.decoder)));
    writeFileSync(path.join(bin, 'curl'), FAKE_CURL);
    chmodSync(path.join(bin, 'curl'), 0o755);
    symlinkSync(PYTHON, path.join(bin, 'python3'));

    let script = 'set -euo pipefail\n';
    for (const { step, body } of runBlocks(readme)) script += `echo "@@step ${step}"\n${body}\n`;
    for (const [from, to] of SUBSTITUTIONS) {
      const count = script.split(from).length - 1;
      if (count !== 1) throw new Error(`README substitution "${from}" matched ${count} times, expected once`);
      script = script.replace(from, to);
    }
    writeFileSync(path.join(tmp, 'readme.sh'), script);
    const r = spawnSync('bash', [path.join(tmp, 'readme.sh')], {
      cwd: tmp,
      encoding: 'utf8',
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, SERVE_DIR: serve, SHAPETEX_BACKEND: 'wasm' },
      timeout: 500_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    run = { status: r.status, stdout: r.stdout, stderr: r.stderr };
    for (const part of r.stdout.split(/^@@step /m).slice(1)) {
      const nl = part.indexOf('\n');
      stepOutput.set(part.slice(0, nl), part.slice(nl + 1));
    }
    work = path.join(tmp, 'shapetex-work');
  });
  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('has the workflow steps in order and no untested shell block', () => {
    expect(runBlocks(readme).map((b) => b.step)).toEqual(['setup', 'download', 'svoc', 'train', 'score', 'shards', 'table']);
    expect(readme.match(/```(sh|bash|shell)\n/g)).toHaveLength(runBlocks(readme).length);
  });

  it('runs every block to the end', () => {
    expect(run.status, `exit ${run.status}\n${run.stderr.slice(-3000)}`).toBe(0);
    expect([...stepOutput.keys()]).toEqual(['setup', 'download', 'svoc', 'train', 'score', 'shards', 'table']);
  });

  it('downloads exactly the four documented files and unpacks them where svoc build looks', () => {
    const requested = readFileSync(path.join(serve, 'requested.log'), 'utf8').trim().split('\n');
    expect(requested.sort()).toEqual(Object.values(URLS).sort());
    expect(existsSync(path.join(work, 'data/VOCdevkit/VOC2012/ImageSets/Main/trainval.txt'))).toBe(true);
    expect(existsSync(path.join(work, 'data/dtd/images/cracked/cracked_0048.jpg'))).toBe(true);
  });

  it('builds SVOC: the single-object images x the five islam2021 textures, reference names', () => {
    const manifest = JSON.parse(readFileSync(path.join(work, 'svoc/manifest.json'), 'utf8')) as {
      records: { file: string; contentId: string; classId: number; textureId: number; textureName: string }[];
    };
    const expected = MINI_VOC.singleObject.flatMap((c) => [1, 2, 3, 4, 5].map((t) => `${t}_${c.classId}_${c.contentId}.jpg`));
    expect(manifest.records.map((r) => r.file).sort()).toEqual(expected.sort());
    expect([...new Set(manifest.records.map((r) => r.textureName))].sort()).toEqual(['cracked_0048', 'marbled_0159', 'pleated_0168', 'potholed_0062', 'woven_0097']);
    const jpgs = readdirSync(path.join(work, 'svoc')).filter((f) => f.endsWith('.jpg'));
    expect(jpgs.sort()).toEqual(expected.sort());
  });

  it('trains with train_cifar.py: one state_dict per epoch under the documented name, and the errors CSV', () => {
    const runDir = path.join(work, 'runs/ln20pc_seed0');
    const ckpts = readdirSync(runDir).filter((f) => f.endsWith('.pth')).sort();
    expect(ckpts).toEqual([1, 2, 3].map((e) => `IN_resnet18_epoch000${e}_cifar10_ln20pc_seed0.pth`));
    const errors = csvRows(path.join(runDir, 'errors.csv'));
    expect(errors.map((r) => Number(r.epoch))).toEqual([1, 2, 3]);
    for (const r of errors) {
      for (const k of ['train_error', 'test_error']) {
        expect(Number(r[k])).toBeGreaterThanOrEqual(0);
        expect(Number(r[k])).toBeLessThanOrEqual(1);
      }
    }
  });

  it('scores every checkpoint at every tap of the ResNet-18 (stage widths 64..512)', () => {
    const rows = csvRows(path.join(work, 'bias/ln20pc_seed0/results.csv'));
    const D: Record<string, number> = { stage1: 64, stage2: 128, stage3: 256, stage4: 512, final: 512 };
    expect(rows).toHaveLength(3 * 5);
    for (const r of rows) {
      expect(Number(r.D)).toBe(D[r.tap!]);
      const fractions = ['shape_fraction', 'texture_fraction', 'residual_fraction'].map((k) => Number(r[k]));
      expect(Math.abs(fractions.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-9);
      expect(Number(r.shape_pairs)).toBe(15);
      expect(Number(r.texture_pairs)).toBe(15);
    }
    expect([...new Set(rows.map((r) => Number(r.epoch)))]).toEqual([1, 2, 3]);
    expect(stepOutput.get('score')).toContain('epoch,checkpoint,tap,method,D,shape_dims');
    for (const f of ['phases.json', 'report.md', 'run.json', 'plots/bias.svg', 'plots/errors.svg', 'plots/scatter.svg']) {
      expect(existsSync(path.join(work, 'bias/ln20pc_seed0', f)), f).toBe(true);
    }
  });

  it('four shards merged give the same rows as the single run', () => {
    const key = (r: Record<string, string>): string => `${r.checkpoint}|${r.tap}|${r.method}`;
    const single = new Map(csvRows(path.join(work, 'bias/ln20pc_seed0/results.csv')).map((r) => [key(r), r]));
    const merged = csvRows(path.join(work, 'bias/ln20pc_seed0_merged/results.csv'));
    expect(merged).toHaveLength(single.size);
    for (const r of merged) expect(r).toEqual(single.get(key(r)));
  });

  it('prints the phase boundaries (none after 3 epochs) and the per-phase table of the final tap', () => {
    const out = stepOutput.get('table') ?? '';
    expect(out).toContain('no phase split');
    expect(out).toContain('## Tap `final`, per-neuron');
    expect(out).toContain('| Phase | Epochs | n | Shape r [95% CI] | Texture r [95% CI] | Score [95% CI] |');
    expect(out).not.toContain('## Tap `stage1`');
  });
});
