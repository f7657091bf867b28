/**
 * Layouts PyTorch 1.13 on this machine does not write but real files have: big-endian storages,
 * torch ≤ 0.4's `_rebuild_tensor`, deflated zip entries, undecodable dtypes.
 */
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CheckpointError, readStateDict } from '@shapetex/core';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { legacyFile, str, tensorPickle, torchZip, zipWith } from './build-pickle.js';

const VALUES = [1.5, -2.25, 3.125, 1e-3];

describe('hand-made torch archives', () => {
  it('big-endian storages (byteorder "big") are swapped', async () => {
    const be = new Uint8Array(16);
    VALUES.forEach((v, i) => new DataView(be.buffer).setFloat32(i * 4, v, false));
    const bytes = zipWith({ 'archive/data.pkl': tensorPickle([2, 2], [2, 1]), 'archive/byteorder': new TextEncoder().encode('big'), 'archive/data/0': be });
    const sd = await readStateDict(bytes);
    expect(Array.from(sd.get('w')!.data as Float32Array)).toEqual(VALUES.map(Math.fround));
  });

  it('little-endian byteorder and the same bytes read differently (the flag is honoured)', async () => {
    const le = new Uint8Array(new Float32Array(VALUES).buffer);
    const sd = await readStateDict(zipWith({ 'archive/data.pkl': tensorPickle([4], [1]), 'archive/byteorder': new TextEncoder().encode('little'), 'archive/data/0': le }));
    expect(Array.from(sd.get('w')!.data as Float32Array)).toEqual(VALUES.map(Math.fround));
  });

  it("torch ≤ 0.4's _rebuild_tensor (no requires_grad, no hooks)", async () => {
    const sd = await readStateDict(torchZip(tensorPickle([2], [2], 1, { fn: '_rebuild_tensor' }), VALUES));
    expect(Array.from(sd.get('w')!.data as Float32Array)).toEqual([VALUES[1], VALUES[3]].map(Math.fround));
  });

  it('deflated zip entries inflate to the declared size', async () => {
    const pkl = tensorPickle([4], [1], 0, { storage: 'DoubleStorage' });
    const data = new Uint8Array(new Float64Array([0.1, 0.2, 0.3, 0.4]).buffer);
    const bytes = zipWith({ 'archive/data.pkl': pkl, 'archive/data/0': data }, { 'archive/data.pkl': deflateRawSync(pkl), 'archive/data/0': deflateRawSync(data) });
    const sd = await readStateDict(bytes, { keepDtype: true });
    expect(Array.from(sd.get('w')!.data as Float64Array)).toEqual([0.1, 0.2, 0.3, 0.4]);
    expect(sd.get('w')!.dtype).toBe('float64');
  });

  it('an empty view may sit at any offset, even past its storage', async () => {
    const sd = await readStateDict(torchZip(tensorPickle([0, 3], [3, 1], 99), VALUES));
    expect(sd.get('w')!.shape).toEqual([0, 3]);
    expect(sd.get('w')!.data).toEqual(new Float32Array(0));
  });

  it('zip64 directories (saturated 32-bit fields, zip64 extra fields and end records)', async () => {
    const pkl = tensorPickle([2, 2], [1, 2]);
    const bytes = zipWith({ 'archive/data.pkl': pkl, 'archive/data/0': new Uint8Array(new Float32Array(VALUES).buffer) }, {}, true);
    const sd = await readStateDict(bytes);
    expect(Array.from(sd.get('w')!.data as Float32Array)).toEqual([VALUES[0], VALUES[2], VALUES[1], VALUES[3]].map(Math.fround));
  });

  it('a complex tensor is a clear error naming its storage type', async () => {
    const err = await readStateDict(torchZip(tensorPickle([2], [1], 0, { storage: 'ComplexFloatStorage' }))).catch((e) => e);
    expect(err).toBeInstanceOf(CheckpointError);
    expect(err.message).toMatch(/storage torch\.ComplexFloatStorage \(key 0\): dtype not supported/);
  });

  it('a legacy file whose pickles outgrow the first 1 MiB read (read again from a longer prefix)', async () => {
    const n = 3_000_000;
    const big = new Uint8Array(5 + n).fill(0x61);
    big[0] = 0x58; // BINUNICODE
    new DataView(big.buffer).setUint32(1, n, true);
    const main = tensorPickle([4], [1], 0, { legacy: true, before: [...str('notes'), ...big, 0x73] });
    const bytes = legacyFile(main, VALUES);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'shapetex-io-')), 'long_legacy.pth');
    writeFileSync(file, bytes);
    for (const input of [file, bytes]) {
      const sd = await readStateDict(input);
      expect(Array.from(sd.get('w')!.data as Float32Array)).toEqual(VALUES.map(Math.fround));
    }
    const err = await readStateDict(bytes.subarray(0, bytes.length - 20)).catch((e) => e);
    expect(err).toBeInstanceOf(CheckpointError);
  });
});
