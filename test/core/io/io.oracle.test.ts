/**
 * Oracle suite for the checkpoint readers (`npm run test:oracle`): 300 random checkpoints written
 * now by this machine's PyTorch (zip and legacy, pickle protocols 2–5, every dtype, views, shared
 * storages, wrappers, prefixes) are read back and every value compared. Needs a python3 with
 * torch ($SHAPETEX_PYTHON, else /usr/bin/python3, else python3); without one it fails and says so.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCheckpoint } from '@shapetex/core';
import { FIX, expectTensor, type ExpectedFixture } from './expect.js';
import { findTorchPython } from '../../torch-python.js';

const COUNT = 300;
const SEED = 20261124;

const dir = mkdtempSync(path.join(tmpdir(), 'shapetex-io-oracle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('random checkpoints written by PyTorch now', () => {
  it(`${COUNT} checkpoints read back value for value`, async () => {
    const py = findTorchPython(['torch']);
    const r = spawnSync(py, [path.join(FIX, 'oracle_io.py'), dir, String(SEED), String(COUNT)], { encoding: 'utf8', cwd: FIX });
    if (r.status !== 0) throw new Error(`oracle_io.py failed: ${r.stderr}`);
    const cases = JSON.parse(readFileSync(path.join(dir, 'expected.json'), 'utf8')) as (ExpectedFixture & { file: string })[];
    expect(cases.length).toBe(COUNT);
    for (const c of cases) {
      const ck = await readCheckpoint(path.join(dir, c.file));
      expect(ck.format, c.file).toBe(c.format);
      expect(ck.stateDictPath, c.file).toBe(c.stateDictPath);
      expect(ck.epoch, c.file).toBe(c.epoch ?? undefined);
      expect([...ck.stateDict.keys()], c.file).toEqual(c.order);
      for (const key of c.order) expectTensor(`${c.file}:${key}`, ck.stateDict.get(key), c.tensors[key]!);
      const kept = await readCheckpoint(path.join(dir, c.file), { keepDtype: true });
      for (const key of c.order) expectTensor(`${c.file}:${key} (keepDtype)`, kept.stateDict.get(key), c.tensors[key]!, true);
    }
  });
});
