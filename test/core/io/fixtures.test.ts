/**
 * Every fixture PyTorch wrote (zip, legacy and safetensors; every dtype; views; wrappers) read by
 * path and from bytes, every value compared with what PyTorch reported.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCheckpoint, readCheckpointEpoch, readStateDict } from '@shapetex/core';
import { int, str, tensorPickle, zipWith } from './build-pickle.js';
import { EXPECTED, FIX, FIXTURE_NAMES, expectTensor } from './expect.js';

describe('checkpoint fixtures written by PyTorch', () => {
  for (const name of FIXTURE_NAMES) {
    const want = EXPECTED.fixtures[name]!;
    it(`${name}: format, wrapper, epoch, refused globals and every tensor value`, async () => {
      const ck = await readCheckpoint(path.join(FIX, name));
      expect(ck.format).toBe(want.format);
      expect(ck.stateDictPath).toBe(want.stateDictPath);
      expect([...ck.refusedGlobals].sort()).toEqual(want.refused);
      expect(ck.epoch).toBe(want.epoch ?? undefined);
      expect([...ck.stateDict.keys()]).toEqual(want.order);
      for (const key of want.order) expectTensor(`${name}:${key}`, ck.stateDict.get(key), want.tensors[key]!);
      expect(await readCheckpointEpoch(path.join(FIX, name))).toBe(want.epoch ?? undefined);
    });
  }

  it('readCheckpointEpoch decodes the pickle only: a missing storage does not matter', async () => {
    // {'epoch': 17, 'w': <tensor on storage '0'>} with no archive/data/0 entry at all.
    const pkl = tensorPickle([4], [1], 0, { before: [...str('epoch'), ...int(17), 0x73] });
    const bytes = zipWith({ 'archive/data.pkl': pkl });
    expect(await readCheckpointEpoch(bytes)).toBe(17);
    await expect(readCheckpoint(bytes)).rejects.toThrow(/no entry archive\/data\/0/);
  });

  it('reads the same values from bytes as from the path, with keepDtype keeping float64 and 16-bit floats', async () => {
    for (const name of ['dtypes.pth', 'dtypes_legacy.pth', 'dtypes.safetensors', 'views.pth', 'views_legacy.pth']) {
      const want = EXPECTED.fixtures[name]!;
      const bytes = new Uint8Array(readFileSync(path.join(FIX, name)));
      const plain = await readStateDict(bytes);
      const kept = await readStateDict(path.join(FIX, name), { keepDtype: true });
      for (const key of want.order) {
        expectTensor(`${name}:${key} (bytes)`, plain.get(key), want.tensors[key]!);
        expectTensor(`${name}:${key} (keepDtype)`, kept.get(key), want.tensors[key]!, true);
      }
    }
  });

  it('reads a buffer whose storages sit at odd byte offsets (copies instead of misaligned views)', async () => {
    const raw = readFileSync(path.join(FIX, 'dtypes.pth'));
    const shifted = new Uint8Array(raw.byteLength + 1).subarray(1);
    shifted.set(raw);
    const sd = await readStateDict(shifted);
    const want = EXPECTED.fixtures['dtypes.pth']!;
    for (const key of want.order) expectTensor(key, sd.get(key), want.tensors[key]!);
  });

  it('lets views of one storage share memory instead of holding copies', async () => {
    const sd = await readStateDict(path.join(FIX, 'views.pth'));
    const base = sd.get('base')!.data as Float32Array;
    const rows = sd.get('row_slice')!.data as Float32Array;
    expect(rows.buffer).toBe(base.buffer);
    expect(rows.byteOffset - base.byteOffset).toBe(6 * 4);
  });

  it('safetensors: metadata kept and a module. prefix removed', async () => {
    const ck = await readCheckpoint(path.join(FIX, 'dtypes.safetensors'));
    expect(ck.metadata).toEqual(new Map([['format', 'pt'], ['epoch', '5']]));
    const sd = await readStateDict(path.join(FIX, 'bare_prefixed.safetensors'));
    expect([...sd.keys()]).toEqual(EXPECTED.fixtures['bare_prefixed.safetensors']!.order);
  });
});
