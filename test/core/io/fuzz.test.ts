/**
 * The default suite's share of the seeded fuzzing (fuzz-cases.ts): a few hundred cases per
 * format. The oracle suite runs 10,000 (fuzz.oracle.test.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fuzzFamily, PER_CASE_MS, type Family } from './fuzz-cases.js';

const PER_FAMILY: Record<Family, number> = { zip: 600, legacy: 400, safetensors: 300, tfjs: 300 };
const tmp = mkdtempSync(path.join(tmpdir(), 'shapetex-fuzz-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('fuzzing real checkpoints (default suite)', () => {
  for (const [family, count] of Object.entries(PER_FAMILY) as [Family, number][]) {
    it(`${family}: ${count} seeded mutations, only typed errors or valid results within the memory budget`, async () => {
      const t = await fuzzFamily(family, count, Number(process.env.FUZZ_SEED ?? 20261124), tmp);
      if (process.env.FUZZ_VERBOSE) console.log(family, t);
      expect(t.errors + t.valid).toBe(count);
      // Both outcomes must occur, or the mutations are not reaching the structure (or the data).
      expect(t.errors).toBeGreaterThan(count / 10);
      expect(t.valid).toBeGreaterThan(count / 50);
      expect(t.slowest).toBeLessThan(PER_CASE_MS);
    });
  }
});
