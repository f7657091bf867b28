import { inflateRawSync } from 'node:zlib';
import { OBJECT_COST } from './budget.js';
import { CheckpointError } from './errors.js';
import type { ByteSource } from './source.js';

/**
 * A minimal zip reader over positioned reads: it parses the central directory and reads one entry
 * at a time, so a multi-gigabyte torch archive is never loaded whole. Written here rather than
 * taken from yauzl because torch archives are *stored* (not deflated) and 64-byte aligned, and we
 * want each storage read straight into the buffer its tensors will view — no stream, no copy.
 */
export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const EOCD_SIG = 0x06054b50;
const EOCD64_LOCATOR_SIG = 0x07064b50;
const EOCD64_SIG = 0x06064b50;
const CEN_SIG = 0x02014b50;
const LOC_SIG = 0x04034b50;
const MAX_COMMENT = 0xffff;

function u64(view: DataView, at: number, label: string, what: string): number {
  const v = view.getBigUint64(at, true);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new CheckpointError(label, `zip ${what} ${v} is not a plausible size`);
  return Number(v);
}

function dv(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** Reads the central directory: entry name → entry. */
export async function readZipDirectory(src: ByteSource): Promise<Map<string, ZipEntry>> {
  const label = src.label;
  if (src.size < 22) throw new CheckpointError(label, `zip archive too short (${src.size} bytes)`);
  const tailLen = Math.min(src.size, 22 + MAX_COMMENT);
  const tailStart = src.size - tailLen;
  const tail = await src.read(tailStart, tailLen, 'zip end-of-central-directory');
  const tv = dv(tail);
  let eocd = -1;
  for (let i = tailLen - 22; i >= 0; i--) {
    if (tv.getUint32(i, true) === EOCD_SIG) { eocd = i; break; }
  }
  if (eocd < 0) throw new CheckpointError(label, 'zip end-of-central-directory record not found (truncated archive?)');
  let count = tv.getUint16(eocd + 10, true);
  let cdSize = tv.getUint32(eocd + 12, true);
  let cdOffset = tv.getUint32(eocd + 16, true);
  if ((count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) && eocd >= 20 && tv.getUint32(eocd - 20, true) === EOCD64_LOCATOR_SIG) {
    const eocd64At = u64(tv, eocd - 20 + 8, label, 'zip64 end-of-directory offset');
    const rec = dv(await src.read(eocd64At, 56, 'zip64 end-of-central-directory'));
    if (rec.getUint32(0, true) !== EOCD64_SIG) throw new CheckpointError(label, 'zip64 end-of-central-directory record has a bad signature');
    count = u64(rec, 32, label, 'entry count');
    cdSize = u64(rec, 40, label, 'central directory size');
    cdOffset = u64(rec, 48, label, 'central directory offset');
  }
  // Each central record is at least 46 bytes: a count that cannot fit is corrupt, checked before reading.
  if (count * 46 > cdSize) throw new CheckpointError(label, `zip central directory claims ${count} entries in ${cdSize} bytes`);
  const cd = await src.read(cdOffset, cdSize, 'zip central directory');
  const cv = dv(cd);
  const entries = new Map<string, ZipEntry>();
  const decoder = new TextDecoder('utf-8', { fatal: false });
  const spans: { name: string; start: number; end: number }[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cdSize || cv.getUint32(p, true) !== CEN_SIG) throw new CheckpointError(label, `zip central directory entry ${i} is malformed`);
    const method = cv.getUint16(p + 10, true);
    let compressedSize = cv.getUint32(p + 20, true);
    let size = cv.getUint32(p + 24, true);
    const nameLen = cv.getUint16(p + 28, true);
    const extraLen = cv.getUint16(p + 30, true);
    const commentLen = cv.getUint16(p + 32, true);
    let localHeaderOffset = cv.getUint32(p + 42, true);
    if (p + 46 + nameLen + extraLen + commentLen > cdSize) throw new CheckpointError(label, `zip central directory entry ${i} runs past the directory`);
    const name = decoder.decode(cd.subarray(p + 46, p + 46 + nameLen));
    // zip64: the extra field holds, in this order, only the sizes whose 32-bit slots are saturated.
    let e = p + 46 + nameLen;
    const eEnd = e + extraLen;
    while (e + 4 <= eEnd) {
      const id = cv.getUint16(e, true);
      const len = cv.getUint16(e + 2, true);
      if (id === 0x0001) {
        let q = e + 4;
        const take = (): number => {
          if (q + 8 > e + 4 + len) throw new CheckpointError(label, `zip64 extra field of "${name}" is too short`);
          const v = u64(cv, q, label, `zip64 field of "${name}"`);
          q += 8;
          return v;
        };
        if (size === 0xffffffff) size = take();
        if (compressedSize === 0xffffffff) compressedSize = take();
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = take();
      }
      e += 4 + len;
    }
    src.budget.charge(OBJECT_COST.container + OBJECT_COST.string + 2 * name.length, 'the zip central directory');
    if (entries.has(name)) throw new CheckpointError(label, `zip central directory lists "${name}" twice`);
    entries.set(name, { name, method, compressedSize, size, localHeaderOffset });
    spans.push({ name, start: localHeaderOffset, end: localHeaderOffset + 30 + nameLen + compressedSize });
    p += 46 + nameLen + extraLen + commentLen;
  }
  checkDisjoint(label, spans);
  return entries;
}

/**
 * Entries whose bytes overlap are the trick of zip bombs (many names over one deflated blob, or
 * one stored storage read 10,000 times): no zip writer produces them, so they are refused. An
 * entry spans at least its 30-byte local header, its name and its compressed bytes.
 */
function checkDisjoint(label: string, spans: { name: string; start: number; end: number }[]): void {
  spans.sort((a, b) => a.start - b.start);
  for (let i = 1; i < spans.length; i++) {
    const prev = spans[i - 1]!;
    const cur = spans[i]!;
    if (cur.start < prev.end) {
      throw new CheckpointError(label, `zip entries "${prev.name}" (bytes ${prev.start}..${prev.end}) and "${cur.name}" (from byte ${cur.start}) overlap; refused (overlapping entries are a zip-bomb construction)`);
    }
  }
}

/** Where an entry's bytes start (after its local header), checked to lie within the file. */
async function dataOffset(src: ByteSource, entry: ZipEntry): Promise<number> {
  const loc = dv(await src.read(entry.localHeaderOffset, 30, `zip local header of "${entry.name}"`));
  if (loc.getUint32(0, true) !== LOC_SIG) throw new CheckpointError(src.label, `zip local header of "${entry.name}" has a bad signature`);
  const start = entry.localHeaderOffset + 30 + loc.getUint16(26, true) + loc.getUint16(28, true);
  if (start + entry.compressedSize > src.size) {
    throw new CheckpointError(src.label, `zip entry "${entry.name}" (${entry.compressedSize} bytes at ${start}) runs past the end of the file (${src.size} bytes)`);
  }
  return start;
}

/** The whole uncompressed content of one entry. */
export async function readZipEntry(src: ByteSource, entry: ZipEntry): Promise<Uint8Array> {
  const start = await dataOffset(src, entry);
  if (entry.method === 0) {
    if (entry.size !== entry.compressedSize) throw new CheckpointError(src.label, `stored zip entry "${entry.name}" has size ${entry.size} but ${entry.compressedSize} stored bytes`);
    return src.read(start, entry.size, `zip entry "${entry.name}"`);
  }
  if (entry.method === 8) {
    const raw = await src.read(start, entry.compressedSize, `zip entry "${entry.name}"`);
    // A deflate stream can expand ~1000×: cap output at the size the directory declared.
    if (entry.size > 1032 * entry.compressedSize + 64) throw new CheckpointError(src.label, `zip entry "${entry.name}" claims an impossible ${entry.size}-byte expansion of ${entry.compressedSize} bytes`);
    // Twice the size: zlib inflates into chunks, then joins them into the result.
    src.budget.charge(2 * entry.size, `inflating zip entry "${entry.name}" (${entry.size} bytes)`);
    try {
      const out = inflateRawSync(raw, { maxOutputLength: Math.max(1, entry.size) });
      if (out.byteLength !== entry.size) throw new Error(`inflated to ${out.byteLength} bytes, expected ${entry.size}`);
      return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    } catch (err) {
      throw new CheckpointError(src.label, `zip entry "${entry.name}" does not inflate: ${(err as Error).message}`, { cause: err });
    }
  }
  throw new CheckpointError(src.label, `zip entry "${entry.name}" uses compression method ${entry.method}; only stored (0) and deflate (8) are read`);
}
