/**
 * The reproducers of the adversarial probe (issue "hostile and broken inputs"): memory
 * amplification beyond the file's size and nesting that used to overflow the stack. Each crafted
 * file must end in a typed CheckpointError, quickly, and the reading process's peak memory
 * (measured in a child process) must stay within the documented budget, 6 × the file's size +
 * 64 MiB, above what node needs to read a small valid file, give or take ALLOCATOR_SLACK.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKPOINT_MEMORY_ALLOWANCE, CHECKPOINT_MEMORY_FACTOR, CheckpointError, CheckpointMemoryError, readCheckpoint } from '@shapetex/core';
import { torchZip } from './build-pickle.js';
import { readInChild, type ChildRead } from './child-read.js';
import { FIX } from './expect.js';
import {
  cyclicRebuildFromType, listsFilledAfterNesting, moduleChain, safetensors, safetensorsNestedHeader, safetensorsOverlapping,
  tensorsPickle, zipAliasedDeflated, zipAliasedStored, zipManyDeflated, zipStrideZero,
} from './hostile-files.js';
import { zipWith } from './build-pickle.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'shapetex-hostile-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Freed memory the allocator and the garbage collector have not yet returned to the system. */
const ALLOCATOR_SLACK = 32 * 2 ** 20;

let baseline: ChildRead;
beforeAll(async () => {
  baseline = await readInChild(path.join(FIX, 'dtypes.pth'));
  expect(baseline.outcome).toBe('ok');
});

/** Writes `bytes`, reads them in a child; asserts a CheckpointError matching `msg`, the time and the memory bound. */
async function refusedInChild(name: string, bytes: Uint8Array, msg: RegExp, errorName = 'CheckpointError'): Promise<ChildRead> {
  const file = path.join(tmp, name);
  writeFileSync(file, bytes);
  const r = await readInChild(file);
  expect(r.status, r.stderr).toBe(0);
  expect(r.outcome, r.message).toBe(errorName);
  expect(r.isCheckpointError).toBe(true);
  expect(r.message).toContain(file);
  expect(r.message).toMatch(msg);
  expect(r.seconds).toBeLessThan(5);
  const bound = baseline.maxRss + CHECKPOINT_MEMORY_FACTOR * bytes.length + CHECKPOINT_MEMORY_ALLOWANCE + ALLOCATOR_SLACK;
  expect(r.maxRss, `peak RSS ${(r.maxRss / 2 ** 20).toFixed(0)} MiB, bound ${(bound / 2 ** 20).toFixed(0)} MiB`).toBeLessThan(bound);
  return r;
}

describe('memory amplification is refused within the budget', () => {
  it('10,000 safetensors entries over one 1 MB range (1.7 MB)', async () => {
    const bytes = safetensorsOverlapping();
    expect(bytes.length).toBeGreaterThan(1.5e6);
    await refusedInChild('overlap.safetensors', bytes, /entries "t0" \[0, 1048576\] and "t\d+" \[0, 1048576\] overlap/);
  });

  it('10,000 zip directory entries pointing at one stored entry', async () => {
    const bytes = zipAliasedStored();
    expect(bytes.length).toBeGreaterThan(1e6);
    await refusedInChild('aliased.pth', bytes, /zip entries "archive\/data\/\d+" .* and "archive\/data\/\d+" .* overlap/);
  });

  it('20 entries sharing one deflated 50 MB blob', async () => {
    await refusedInChild('aliased-deflated.pth', zipAliasedDeflated(), /overlap; refused/);
  });

  it('20 separate deflated 50 MB entries of zeros in a ~1 MB file: over the budget, before inflating', async () => {
    const bytes = zipManyDeflated();
    expect(bytes.length).toBeLessThan(2e6);
    const r = await refusedInChild('deflated.pth', bytes, /inflating zip entry "archive\/data\/\d+" \(52428800 bytes\) would bring .* over its budget of [\d.]+ MiB \(6 × file size \+ 64\.0 MiB\)/, 'CheckpointMemoryError');
    // 1 GB of zeros was asked for; not one 50 MB entry was inflated (it would need 2 × 50 MB).
    expect(r.maxRss - baseline.maxRss).toBeLessThan(50 * 2 ** 20);
  });

  it('3,000 stride-0 tensors in a 1 MB zip', async () => {
    const bytes = zipStrideZero();
    expect(bytes.length).toBeLessThan(1.2e6);
    await refusedInChild('stride0.pth', bytes, /a float32 tensor of shape \[250000\] copied out of its storage would bring .* over its budget/, 'CheckpointMemoryError');
  });

  it('a deeply nested safetensors header (4 MB of [[[[) is refused before JSON.parse, in well under a second', async () => {
    const r = await refusedInChild('nested-header.safetensors', safetensorsNestedHeader(2_000_000), /header nests deeper than 3 levels/);
    expect(r.seconds).toBeLessThan(1);
  });

  it('the budget is a CheckpointMemoryError (a CheckpointError) naming the file and the figures, in process too', async () => {
    const err = await readCheckpoint(zipStrideZero(200), { memoryLimit: 8 << 20 }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(CheckpointMemoryError);
    expect(err).toBeInstanceOf(CheckpointError);
    const e = err as CheckpointMemoryError;
    expect(e.file).toBe('<bytes>');
    expect(e.limit).toBe(8 << 20);
    expect(e.needed).toBeGreaterThan(e.limit);
    expect(e.message).toMatch(/^<bytes>: .* over its budget of 8\.0 MiB/);
  });
});

describe('views share memory, or are copied only as large as the view', () => {
  const big = 1 << 20; // elements
  it('a one-element view of a 4 MB storage holds 4 bytes, not the storage', async () => {
    const pkl = tensorsPickle([{ key: 'w', storage: '0', numel: big, offset: 5, shape: [1], stride: [1] }]);
    const values = new Float32Array(big).map((_, i) => i);
    const ck = await readCheckpoint(zipWith({ 'archive/data.pkl': pkl, 'archive/data/0': new Uint8Array(values.buffer) }));
    const w = ck.stateDict.get('w')!;
    expect(Array.from(w.data as Float32Array)).toEqual([5]);
    expect(w.data.buffer.byteLength).toBe(4);
  });

  it('views that together cover the storage share it (no copy)', async () => {
    const half = big / 2;
    const pkl = tensorsPickle([
      { key: 'a', storage: '0', numel: big, offset: 0, shape: [half], stride: [1] },
      { key: 'b', storage: '0', numel: big, offset: half, shape: [half], stride: [1] },
    ]);
    const values = new Float32Array(big).map((_, i) => i);
    const file = path.join(tmp, 'shared.pth');
    writeFileSync(file, zipWith({ 'archive/data.pkl': pkl, 'archive/data/0': new Uint8Array(values.buffer) }));
    const ck = await readCheckpoint(file);
    const a = ck.stateDict.get('a')!.data as Float32Array;
    const b = ck.stateDict.get('b')!.data as Float32Array;
    expect(a.buffer).toBe(b.buffer);
    expect(a.buffer.byteLength).toBe(4 * big);
    expect([a[0], a[half - 1], b[0], b[half - 1]]).toEqual([0, half - 1, half, big - 1]);
    // The storage once, plus the archive's directory, tail and pickle: no copy of either view.
    expect(ck.memory.used).toBeLessThan(4 * big + 128 * 1024);
    expect(ck.memory.limit).toBe(CHECKPOINT_MEMORY_FACTOR * (await import('node:fs')).statSync(file).size + CHECKPOINT_MEMORY_ALLOWANCE);
  });
});

describe('nothing nested overflows the stack', () => {
  it('a 680-byte-class cyclic list passed to _rebuild_from_type_v2', async () => {
    const pkl = cyclicRebuildFromType();
    expect(pkl.length).toBeLessThan(700);
    await refusedInChild('cyclic.pth', torchZip(pkl), /reference cycle \(a list that contains itself\)/);
  });

  it('a 100,000-deep module chain built through BUILD', async () => {
    await refusedInChild('chain.pth', torchZip(moduleChain(100_000)), /nested deeper than 1000 levels/);
  });

  it('100,000 lists each filled after it was nested', async () => {
    await refusedInChild('lists.pth', torchZip(listsFilledAfterNesting(100_000)), /nested deeper than 1000 levels/);
  });

  it('400 KB of nested __metadata__ in safetensors', async () => {
    const depth = 100_000;
    const header = `{"__metadata__":${'{"a":'.repeat(depth)}"x"${'}'.repeat(depth)},"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`;
    expect(header.length).toBeGreaterThan(400_000);
    await refusedInChild('nested-metadata.safetensors', safetensors(header, 4), /header nests deeper than 3 levels/);
  });

  it('__metadata__ values must be strings, as the format says', async () => {
    const st = safetensors({ __metadata__: { epoch: { n: 3 } }, w: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, 4);
    await expect(readCheckpoint(st)).rejects.toThrow(/__metadata__ "epoch" is object; the format allows only string values/);
    const ok = await readCheckpoint(safetensors({ __metadata__: { epoch: '3' }, w: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, 4));
    expect(ok.epoch).toBe(3);
  });

  it('a shallow module chain (what torch.save(model) writes) still decodes, in file order', async () => {
    const ck = await readCheckpoint(torchZip(moduleChain(5)));
    expect(ck.stateDictPath).toBeNull(); // the chain holds no tensors
    expect(ck.refusedGlobals).toEqual(['__main__.Net']);
  });
});
