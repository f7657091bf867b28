// `bias-score filters` as a user runs it: a folder of checkpoints (PyTorch files with epochs in
// their names, a TF.js model folder, a corrupt file) → one PNG grid each with the pixels
// min-max scaling gives by hand, filters.json, and a sheet of the phase-boundary epochs.
import { cp, mkdtemp, mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { readCheckpoint } from '@shapetex/core';
import type { FiltersSummary } from '@shapetex/bias';
import { bias, REPO } from './helpers.js';
import { knownRgb, minMaxRgb, tileOrigin } from '../bias/filters/oracle.js';
import { knownTfjsWeights, writeTfjsModel } from '../bias/filters/tfjs-model.js';

const RUN = path.join(REPO, 'test/fixtures/filters/run');
let dir: string;
let ckpts: string;

async function decode(file: string): Promise<{ width: number; height: number; px: (x: number, y: number) => number[] }> {
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  const ch = info.channels;
  return { width: info.width, height: info.height, px: (x, y) => [...data.subarray((y * info.width + x) * ch, (y * info.width + x) * ch + 3)] };
}

async function conv1(file: string): Promise<Float32Array> {
  return (await readCheckpoint(file)).stateDict.get('conv1.weight')!.data as Float32Array;
}

/** What kernel pixel (ky, kx) of tile t must look like in a drawn checkpoint, by hand. */
async function expectedTile(entry: FiltersSummary['checkpoints'][number], t: number, ky: number, kx: number): Promise<number[]> {
  if (entry.layout === 'hwio') return knownRgb(t, ky, kx);
  return minMaxRgb(await conv1(entry.file), t, 3, 3, ky, kx);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'shapetex-filters-e2e-'));
  ckpts = path.join(dir, 'ckpts');
  await cp(RUN, ckpts, { recursive: true });
  await writeTfjsModel(path.join(ckpts, 'epoch_0003'), knownTfjsWeights());
  await writeFile(path.join(ckpts, 'run_epoch0004.pth'), 'not a checkpoint at all');
  const phases = (boundaries: [number, number] | null) => JSON.stringify({
    curve: { epochs: [1, 2, 3, 4, 5, 6], errors: [50, 45, 47, 40, 30, 20], smoothed: [] },
    phases: boundaries && { method: 'threshold', boundaries },
  });
  await mkdir(path.join(dir, 'analysis'));
  await writeFile(path.join(dir, 'analysis', 'phases.json'), phases([3, 4]));
  await writeFile(path.join(dir, 'nosplit.json'), phases(null));
});

describe('bias-score filters', () => {
  it('draws every readable checkpoint, records the corrupt one, and puts the phase epochs on a sheet', async () => {
    const out = path.join(dir, 'out');
    const run = await bias(['filters', ckpts, '--out', out, '--at', 'phases', '--phases', path.join(dir, 'analysis')]);
    expect(run.status, run.stderr).toBe(1);
    expect(run.stderr).toContain(path.join(ckpts, 'run_epoch0004.pth'));

    const s = JSON.parse(await readFile(path.join(out, 'filters.json'), 'utf8')) as FiltersSummary;
    expect(s.checkpoints.map((c) => [c.checkpoint, c.epoch, c.layer])).toEqual([
      ['run_epoch0001.pth', 1, 'conv1.weight'], ['run_epoch0002.pth', 2, 'conv1.weight'],
      ['epoch_0003/model.json', 3, 'conv1/kernel'], ['run_epoch0005.pth', 5, 'conv1.weight'],
    ]);
    expect(s.checkpoints[2]!.shape).toEqual([3, 3, 3, 6]);
    expect(s.checkpoints[0]!.shape).toEqual([4, 3, 3, 3]);
    expect(s.failures.map((f) => f.checkpoint)).toEqual(['run_epoch0004.pth']);

    for (const c of s.checkpoints) {
      const img = await decode(path.join(out, c.png));
      const g = c.grid;
      // 4 kernels → 2 × 2 tiles, 6 → 3 × 2; 3×3 kernels at the default 16 px per kernel pixel
      expect([g.columns, g.rows, g.scale, g.gap]).toEqual(c.layout === 'hwio' ? [3, 2, 16, 2] : [2, 2, 16, 2]);
      const gridW = g.gap + g.columns * (g.tileWidth + g.gap);
      expect(img.height).toBe(g.y + g.gap + g.rows * (g.tileHeight + g.gap));
      expect(img.width).toBeGreaterThanOrEqual(gridW);
      // the caption above the grid has text in it
      const caption = Array.from({ length: g.y * img.width }, (_, i) => img.px(i % img.width, Math.floor(i / img.width)));
      expect(caption.some((p) => p[0]! < 128)).toBe(true);
      for (let t = 0; t < g.tiles; t++) {
        const o = tileOrigin(t, g.columns, g.tileWidth, g.tileHeight, g.gap);
        for (const [ky, kx] of [[0, 0], [1, 2], [2, 2]] as const) {
          const x = g.x + o.x + kx * g.scale + g.scale - 1;
          const y = g.y + o.y + ky * g.scale;
          expect(img.px(x, y), `${c.png} tile ${t} (${ky}, ${kx})`).toEqual(await expectedTile(c, t, ky, kx));
        }
      }
      // gap pixels: the border corner and the column between the first two tiles
      expect(img.px(g.x, g.y)).toEqual([255, 255, 255]);
      expect(img.px(g.x + g.gap + g.tileWidth, g.y + g.gap + 5)).toEqual([255, 255, 255]);
    }

    // start 1, boundaries 3 and 4 (corrupt: nearest drawn is 3 or 5, the earlier), end 6 → 5
    expect(s.sheet!.panels.map((p) => [p.asked, p.epoch, p.nearest, p.label])).toEqual([
      [1, 1, false, 'start'], [3, 3, false, 'phase 1→2'], [4, 3, true, 'phase 2→3'], [6, 5, true, 'end'],
    ]);
    expect(run.stderr).toMatch(/no checkpoint of epoch 6 \(end\); the sheet shows the nearest, epoch 5/);
    const sheet = await decode(path.join(out, 'sheet.png'));
    const tfjs = s.checkpoints[2]!;
    const p = s.sheet!.panels[1]!;
    expect(sheet.px(p.x + 2, p.y + 2)).toEqual(knownRgb(0, 0, 0));
    expect(sheet.px(p.x + 2 + tfjs.grid.tileWidth - 1, p.y + 2 + tfjs.grid.tileHeight - 1)).toEqual(knownRgb(0, 2, 2));
    const last = s.sheet!.panels[3]!;
    expect(sheet.px(last.x + 2, last.y + 2)).toEqual(minMaxRgb(await conv1(path.join(RUN, 'run_epoch0005.pth')), 0, 3, 3, 0, 0));
    expect(sheet.width).toBeGreaterThan(last.x);
  });

  it('files as arguments, --at epochs, --scale and --gap; an epoch without a checkpoint is an error listing the epochs', async () => {
    const files = ['run_epoch0001.pth', 'run_epoch0005.pth'].map((f) => path.join(RUN, f));
    const [ok, missing, nosplit] = await Promise.all([
      bias(['filters', ...files, '--out', path.join(dir, 'two'), '--at', '5,1', '--scale', '2', '--gap', '1']),
      bias(['filters', ...files, '--out', path.join(dir, 'missing'), '--at', '1,7']),
      bias(['filters', ...files, '--out', path.join(dir, 'nosplit'), '--at', 'phases', '--phases', path.join(dir, 'nosplit.json')]),
    ]);
    expect(ok.status, ok.stderr).toBe(0);
    const s = JSON.parse(await readFile(path.join(dir, 'two', 'filters.json'), 'utf8')) as FiltersSummary;
    expect(s.checkpoints.map((c) => c.png)).toEqual(['filters_run_epoch0001.png', 'filters_run_epoch0005.png']);
    expect(s.sheet!.panels.map((p) => p.epoch)).toEqual([5, 1]);
    const img = await decode(path.join(dir, 'two', 'filters_run_epoch0005.png'));
    const g = s.checkpoints[1]!.grid;
    expect([g.scale, g.gap, g.tileWidth]).toEqual([2, 1, 6]);
    const w = await conv1(files[1]!);
    // tile 3 (second row, second column), kernel pixel (2, 1)
    const o = tileOrigin(3, 2, 6, 6, 1);
    expect(img.px(g.x + o.x + 2, g.y + o.y + 4)).toEqual(minMaxRgb(w, 3, 3, 3, 2, 1));

    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('no checkpoint of epoch 7 for the sheet; epochs available: 1, 5');
    expect(nosplit.status).toBe(1);
    expect(nosplit.stderr).toMatch(/nosplit\.json: the error curve has no phase split/);
  });

  it('usage errors exit 2', async () => {
    const runs = await Promise.all([
      bias(['filters', RUN, '--at', 'phases']),
      bias(['filters', RUN, '--at', '1,x']),
      bias(['filters', RUN, '--scale', '0']),
      bias(['filters']),
    ]);
    expect(runs.map((r) => r.status)).toEqual([2, 2, 2, 2]);
    expect(runs[0]!.stderr).toContain("'--at phases' needs '--phases <file|dir>'");
    expect(runs[1]!.stderr).toContain('--at: expected comma-separated epochs');
  });
});
