/**
 * Discovery with ONNX models: `.onnx` files (and `.th` state_dicts) are checkpoints of a folder,
 * ordered by epoch like every other file; in a `--graph` run the `.onnx` files are not.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { discoverCheckpoints, discoverPatterns } from '@shapetex/bias';

const dir = mkdtempSync(path.join(tmpdir(), 'shapetex-discover-onnx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
for (const f of ['net_epoch10.onnx', 'net_epoch2.onnx', 'w_epoch3.th', 'w_epoch1.pth', 'arch.onnx']) writeFileSync(path.join(dir, f), '');

describe('discovering ONNX checkpoints', () => {
  it('finds .onnx and .th files and orders them by epoch with the rest', async () => {
    const { checkpoints } = await discoverCheckpoints(dir);
    expect(checkpoints.map((c) => [c.checkpoint, c.epoch])).toEqual([
      ['w_epoch1.pth', 1], ['net_epoch2.onnx', 2], ['w_epoch3.th', 3], ['net_epoch10.onnx', 10], ['arch.onnx', null],
    ]);
  });

  it('leaves the .onnx files out of a --graph run', async () => {
    const { checkpoints } = await discoverCheckpoints(dir, discoverPatterns(path.join(dir, 'arch.onnx')));
    expect(checkpoints.map((c) => c.checkpoint)).toEqual(['w_epoch1.pth', 'w_epoch3.th']);
    expect(discoverPatterns(undefined)).toEqual({});
  });
});
