/**
 * Bad input → CheckpointError naming the file and what is wrong; never a crash, a hang or an
 * allocation past the file's size.
 */
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CheckpointError, readCheckpoint, readStateDict } from '@shapetex/core';
import { FIX } from './expect.js';
import { int, str, tensorPickle, torchZip } from './build-pickle.js';

const TMP = mkdtempSync(path.join(tmpdir(), 'shapetex-io-'));

async function rejection(input: string | Uint8Array): Promise<CheckpointError> {
  try {
    await readStateDict(input);
  } catch (err) {
    expect(err).toBeInstanceOf(CheckpointError);
    expect((err as Error).message).not.toMatch(/internal reader error/);
    return err as CheckpointError;
  }
  throw new Error('expected a CheckpointError, but the read succeeded');
}

/** Writes bytes to a temp file and checks the error names that file. */
async function fileRejection(name: string, bytes: Uint8Array): Promise<CheckpointError> {
  const p = path.join(TMP, name);
  writeFileSync(p, bytes);
  const err = await rejection(p);
  expect(err.file).toBe(p);
  expect(err.message.startsWith(`${p}: `)).toBe(true);
  return err;
}

const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(path.join(FIX, name)));

describe('file-level errors', () => {
  it('a missing file, a directory, an empty file and random bytes', async () => {
    const missing = path.join(TMP, 'nope.pth');
    expect((await rejection(missing)).message).toMatch(/nope\.pth: cannot open/);
    const dir = path.join(TMP, 'a-dir.pth');
    mkdirSync(dir);
    expect((await rejection(dir)).message).toMatch(/not a regular file|cannot/);
    expect((await fileRejection('empty.pth', new Uint8Array())).message).toMatch(/unrecognised checkpoint format.*empty file/);
    expect((await fileRejection('text.pth', new TextEncoder().encode('hello, not a checkpoint'))).message).toMatch(/unrecognised checkpoint format \(first bytes 68 65 6c/);
  });

  it('in-memory bytes are named <bytes>', async () => {
    const err = await rejection(new Uint8Array([1, 2, 3]));
    expect(err.file).toBe('<bytes>');
  });
});

describe('truncated files', () => {
  for (const name of ['dtypes.pth', 'dtypes_legacy.pth', 'dtypes.safetensors', 'extras_legacy.pth']) {
    it(`${name}: every cut point is an error, never a partial result`, async () => {
      const full = fixture(name);
      const step = Math.max(1, Math.floor(full.length / 300));
      for (let cut = 0; cut < full.length; cut += step) await rejection(full.subarray(0, cut));
      await rejection(full.subarray(0, full.length - 1));
      await fileRejection(`cut-${name}`, full.subarray(0, Math.floor(full.length * 0.7)));
    });
  }
});

describe('wrong magic and broken structure', () => {
  it('a legacy pickle whose first value is not torch\'s magic number', async () => {
    const bytes = fixture('dtypes_legacy.pth').slice();
    // LONG1 10-byte body of the magic number starts at byte 4 (80 02 8a 0a …).
    expect(Array.from(bytes.subarray(0, 4))).toEqual([0x80, 0x02, 0x8a, 0x0a]);
    bytes[6] ^= 0xff;
    expect((await fileRejection('magic.pth', bytes)).message).toMatch(/not a torch checkpoint: first pickle is \d+, not torch's magic number/);
  });

  it('a zip archive without data.pkl', async () => {
    const { zipWith } = await import('./build-pickle.js');
    const err = await fileRejection('nodata.pth', zipWith({ 'archive/other.txt': new Uint8Array([1]) }));
    expect(err.message).toMatch(/no data\.pkl/);
  });

  it('a zip referencing a storage entry that is absent', async () => {
    const { zipWith } = await import('./build-pickle.js');
    const err = await rejection(zipWith({ 'archive/data.pkl': tensorPickle([4], [1]) }));
    expect(err.message).toMatch(/no entry archive\/data\/0/);
  });

  it('a persistent id that does not name a torch storage', async () => {
    const pkl = new Uint8Array([0x80, 0x02, 0x28, ...str('storage'), 0x63, ...[...'os\nsystem\n'].map((c) => c.charCodeAt(0)), ...str('0'), ...str('cpu'), ...int(1), 0x74, 0x51, 0x2e]);
    expect((await rejection(torchZip(pkl))).message).toMatch(/os\.system, not a torch storage type/);
  });
});

describe('sizes larger than the file', () => {
  it('a legacy storage whose element count runs past the end of the file', async () => {
    const bytes = fixture('views_legacy.pth').slice();
    // The first storage record follows the key-list pickle; its count is the 8 bytes after that pickle's STOP.
    const text = Buffer.from(bytes);
    const keysEnd = findStorageCountOffset(bytes);
    new DataView(bytes.buffer).setBigInt64(keysEnd, 1n << 40n, true);
    expect(text.length).toBe(bytes.length);
    expect((await fileRejection('count.pth', bytes)).message).toMatch(/storage \S+ claims 1099511627776 elements .* but only \d+ bytes remain/);
  });

  it('a zip central directory entry claiming more bytes than the file', async () => {
    const bytes = torchZip(tensorPickle([4], [1]));
    const dv = new DataView(bytes.buffer);
    // Second central record (data/0): compressed and uncompressed sizes at +20/+24.
    let cen = -1;
    for (let i = bytes.length - 22; i >= 0; i--) if (dv.getUint32(i, true) === 0x02014b50) { cen = i; break; }
    dv.setUint32(cen + 20, 0x7fffffff, true);
    dv.setUint32(cen + 24, 0x7fffffff, true);
    expect((await rejection(bytes)).message).toMatch(/runs past the end of the file/);
  });

  it('a safetensors header longer than the file, and data offsets past the data', async () => {
    const bytes = fixture('dtypes.safetensors').slice();
    const big = bytes.slice();
    new DataView(big.buffer).setBigUint64(0, 1n << 50n, true);
    expect((await rejection(big)).message).toMatch(/unrecognised checkpoint format/);
    const header = JSON.stringify({ w: { dtype: 'F32', shape: [1000000], data_offsets: [0, 4000000] } });
    const st = new Uint8Array(8 + header.length + 16);
    new DataView(st.buffer).setBigUint64(0, BigInt(header.length), true);
    st.set(new TextEncoder().encode(header), 8);
    expect((await rejection(st)).message).toMatch(/"w" .* has data_offsets \[0, 4000000\] in 16 data bytes|more elements than the file can/);
  });
});

describe('absurd shapes and views', () => {
  const cases: [string, (number | bigint)[], (number | bigint)[], (number | bigint)?, RegExp][] = [
    ['product past 2^53', [2n ** 40n, 2n ** 40n], [1, 1], 0, /more elements than the file can/],
    ['one dimension of 2^62', [2n ** 62n], [1], 0, /holds 4611686018427387904, expected non-negative integers below 2\^53/],
    ['negative dimension', [-4], [1], 0, /holds -4, expected non-negative integers/],
    ['view past the storage', [4], [2], 0, /reads element 6 of a float32 storage holding 4/],
    ['offset past the storage', [2], [1], 3, /reads element 4/],
    ['stride-0 expansion beyond the file', [2 ** 20, 2 ** 20], [0, 0], 0, /more elements than the file can/],
    ['stride rank differs from shape', [2, 2], [1], 0, /does not match shape/],
  ];
  for (const [what, shape, stride, offset, msg] of cases) {
    it(what, async () => {
      expect((await rejection(torchZip(tensorPickle(shape, stride, offset ?? 0)))).message).toMatch(msg);
    });
  }

  it('a valid hand-made view reads (the cases above fail only for their defect)', async () => {
    const sd = await readStateDict(torchZip(tensorPickle([2, 2], [1, 2], 0)));
    expect(Array.from(sd.get('w')!.data as Float32Array)).toEqual([1, 3, 2, 4]);
  });
});

describe('deep nesting', () => {
  it('100,000 nested lists are refused with an error, not a stack overflow', async () => {
    const n = 100_000;
    const pkl = new Uint8Array(2 + n + (n - 1) + 1);
    pkl.set([0x80, 0x02]);
    pkl.fill(0x5d, 2, 2 + n); // EMPTY_LIST × n
    pkl.fill(0x61, 2 + n, 2 + n + n - 1); // APPEND × (n − 1)
    pkl[pkl.length - 1] = 0x2e;
    expect((await rejection(torchZip(pkl))).message).toMatch(/nested deeper than 1000 levels/);
  });

  it('100,000 nested MARK … TUPLE are refused the same way', async () => {
    const n = 100_000;
    const pkl = new Uint8Array([0x80, 0x02, ...new Array(n).fill(0x28), 0x29, ...new Array(n).fill(0x74), 0x2e]);
    expect((await rejection(torchZip(pkl))).message).toMatch(/nested deeper than 1000 levels/);
  });

  it('a memo reference cycle is refused with an error naming it, not walked', async () => {
    // l = []; l.append(l)
    const pkl = new Uint8Array([0x80, 0x02, 0x5d, 0x71, 0x00, 0x68, 0x00, 0x61, 0x2e]);
    const err = await rejection(torchZip(pkl));
    expect(err.message).toMatch(/reference cycle \(a list that contains itself\)/);
  });
});

/** Offset of the first storage's 8-byte element count in a legacy file: just past the storage-key list pickle. */
function findStorageCountOffset(bytes: Uint8Array): number {
  // The key list is the fifth pickle; each ends with STOP (0x2e). Walk PROTO … STOP with a tiny scan of
  // the known layout: it is the last pickle before the raw data, a list of short strings: 80 02 5d … 65 2e.
  for (let i = 0; i < bytes.length - 3; i++) {
    if (bytes[i] === 0x65 && bytes[i + 1] === 0x2e) {
      const count = new DataView(bytes.buffer, bytes.byteOffset + i + 2, 8).getBigInt64(0, true);
      if (count > 0n && count < 1000n) return i + 2;
    }
  }
  throw new Error('no storage count found');
}
