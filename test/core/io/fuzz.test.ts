/**
 * Seeded fuzzing of real checkpoints: byte flips, random overwrites, extreme integers, truncation
 * and insertion, aimed half the time at the pickle and zip directory where the structure lives.
 * Every case must either fail with a CheckpointError or return a well-formed state_dict, quickly.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CheckpointError, createRng, readCheckpoint, type Rng } from '@shapetex/core';
import { FIX } from './expect.js';

const CASES = Number(process.env.FUZZ_CASES ?? 2400);
// Generous for a loaded 2-core machine: typical cases take well under a millisecond; a hang would not.
const PER_CASE_MS = 1000;

const SOURCES = ['dtypes.pth', 'dtypes_legacy.pth', 'views.pth', 'views_legacy.pth', 'extras.pth', 'extras_legacy.pth', 'extras_protocol4.pth', 'dtypes.safetensors', 'malicious.pth'];

/** Where the structure is: the pickle (first bytes of legacy files, data.pkl in zips) and the zip directory. */
function hotRanges(bytes: Uint8Array): [number, number][] {
  const ranges: [number, number][] = [[0, Math.min(bytes.length, 600)]];
  const pkl = Buffer.from(bytes).indexOf('data.pkl');
  if (pkl >= 0) ranges.push([pkl, Math.min(bytes.length, pkl + 700)]);
  ranges.push([Math.max(0, bytes.length - 700), bytes.length]);
  return ranges;
}

const EXTREMES = [0, 1, 0x7f, 0x80, 0xff, 0x7fffffff, 0xffffffff, 0x80000000];

function mutate(rng: Rng, src: Uint8Array): Uint8Array {
  const hot = hotRanges(src);
  let out = src.slice();
  const pos = (): number => {
    let p = rng.int(Math.max(1, src.length));
    if (rng.next() < 0.6) {
      const [a, b] = hot[rng.int(hot.length)]!;
      p = a + rng.int(Math.max(1, b - a));
    }
    return Math.min(p, out.length);
  };
  const rounds = 1 + rng.int(4);
  for (let r = 0; r < rounds; r++) {
    switch (rng.int(6)) {
      case 0: { // flip bits
        const p = pos();
        if (p < out.length) out[p]! ^= 1 << rng.int(8);
        break;
      }
      case 1: { // random bytes over a short run
        const p = pos();
        const n = 1 + rng.int(8);
        for (let i = p; i < Math.min(out.length, p + n); i++) out[i] = rng.int(256);
        break;
      }
      case 2: { // an extreme 32-bit integer, as a length or count would be read
        const p = pos();
        if (p + 4 <= out.length) new DataView(out.buffer, out.byteOffset).setUint32(p, EXTREMES[rng.int(EXTREMES.length)]!, true);
        break;
      }
      case 3: // truncate
        out = out.slice(0, pos());
        break;
      case 4: { // insert bytes
        const p = pos();
        const ins = Uint8Array.from({ length: 1 + rng.int(6) }, () => rng.int(256));
        const next = new Uint8Array(out.length + ins.length);
        next.set(out.subarray(0, p));
        next.set(ins, p);
        next.set(out.subarray(p), p + ins.length);
        out = next;
        break;
      }
      default: { // delete bytes
        const p = pos();
        const n = Math.min(1 + rng.int(6), out.length - p);
        const next = new Uint8Array(out.length - n);
        next.set(out.subarray(0, p));
        next.set(out.subarray(p + n), p);
        out = next;
      }
    }
  }
  return out;
}

describe('fuzzing real checkpoints', () => {
  it(`${CASES} seeded mutations: only CheckpointError or a valid result`, async () => {
    const rng = createRng(Number(process.env.FUZZ_SEED ?? 20261124));
    const sources = SOURCES.map((n) => new Uint8Array(readFileSync(path.join(FIX, n))));
    let errors = 0;
    let valid = 0;
    let slowest = 0;
    for (let c = 0; c < CASES; c++) {
      const input = mutate(rng, sources[c % sources.length]!);
      const t0 = performance.now();
      try {
        const ck = await readCheckpoint(input);
        for (const [name, t] of ck.stateDict) {
          const n = t.shape.reduce((a, b) => a * b, 1);
          if (t.data.length !== n) throw new Error(`case ${c}: ${name} has ${t.data.length} values for shape [${t.shape}]`);
          if (t.data.byteLength > 2 * input.length + 64) throw new Error(`case ${c}: ${name} allocates ${t.data.byteLength} bytes from a ${input.length}-byte file`);
        }
        valid++;
      } catch (err) {
        if (!(err instanceof CheckpointError) || /internal reader error/.test(err.message)) {
          throw new Error(`case ${c} (source ${SOURCES[c % SOURCES.length]}): ${(err as Error).stack}`);
        }
        errors++;
      }
      slowest = Math.max(slowest, performance.now() - t0);
    }
    if (process.env.FUZZ_VERBOSE) console.log({ errors, valid, slowest });
    expect(errors + valid).toBe(CASES);
    // Both outcomes must occur, or the mutations are not reaching the structure (or the data).
    expect(errors).toBeGreaterThan(CASES / 10);
    expect(valid).toBeGreaterThan(CASES / 20);
    expect(slowest).toBeLessThan(PER_CASE_MS);
  });
});
