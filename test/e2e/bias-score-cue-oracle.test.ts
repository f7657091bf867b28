/**
 * The decision-level shape bias of a real zoo network against PyTorch: the small ResNet-18
 * fixture (10 classes, so the cifar10-voc map by head size) on the images of
 * test/fixtures/cue/mini, whose decisions, counts and bias PyTorch computed
 * (test/fixtures/cue/make_cue_oracle.py: softmax, mean probability per category, argmax).
 */
import { copyFile, mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ResultRecord } from '@shapetex/bias';
import { bias, parseCsv, readLines, REPO } from './helpers.js';

const FIX = path.join(REPO, 'test/fixtures/cue');
interface Expected {
  images: { file: string; shape: string; texture: string; decision: string; role: string }[];
  shapeDecisions: number; textureDecisions: number; otherDecisions: number; cueImages: number;
  sameCategory: number; unmapped: number; shapeBias: number;
}

describe('bias-score --cue-conflict on a zoo ResNet equals PyTorch', () => {
  it('same decisions per image, same counts and bias (cifar10-voc chosen by the 10-class head)', async () => {
    const want = JSON.parse(await readFile(path.join(FIX, 'expected.json'), 'utf8')) as Expected;
    const dir = await mkdtemp(path.join(tmpdir(), 'shapetex-cue-oracle-'));
    await mkdir(path.join(dir, 'ckpt'));
    await copyFile(path.join(REPO, 'test/fixtures/zoo/resnet18_small.pth'), path.join(dir, 'ckpt', 'resnet18_small_epoch1.pth'));
    const out = path.join(dir, 'out');
    const run = await bias([path.join(dir, 'ckpt'), '--cue-conflict', path.join(FIX, 'mini'), '--image-size', '64', '--norm', 'none', '--backend', 'wasm', '--out', out]);
    expect(run.status, run.stderr).toBe(0);
    const [rec] = (await readLines(path.join(out, 'results.jsonl'))) as ResultRecord[];
    expect(rec!.cue).toMatchObject({
      classMap: 'cifar10-voc', shapeDecisions: want.shapeDecisions, textureDecisions: want.textureDecisions,
      otherDecisions: want.otherDecisions, images: want.cueImages, sameCategory: want.sameCategory, unmapped: want.unmapped,
    });
    expect(rec!.cue!.shapeBias).toBeCloseTo(want.shapeBias, 15);
    const csv = parseCsv(await readFile(path.join(out, 'model-vs-human', 'cue-conflict', 'cue-conflict_resnet18-small-epoch1_session-1.csv'), 'utf8'));
    expect(csv.rows.map((r) => [r[7], r[5], r[4]])).toEqual(want.images.map((i) => [path.basename(i.file), i.shape, i.decision]));
  });
});
