/**
 * 10,000 seeded mutations across PyTorch zip, PyTorch legacy, safetensors and TF.js (the oracle
 * suite's run of fuzz-cases.ts; the default suite runs a smaller count of each): only typed
 * errors or valid results, no case over 5 s, no result past the memory budget.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fuzzFamily, PER_CASE_MS, type Family } from './fuzz-cases.js';

const PER_FAMILY: Record<Family, number> = { zip: 3000, legacy: 3000, safetensors: 2000, tfjs: 2000 };
const SEED = 20261201;
const tmp = mkdtempSync(path.join(tmpdir(), 'shapetex-fuzz-oracle-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('10,000 seeded mutations across zip, legacy, safetensors and TF.js', () => {
  it('adds up to 10,000', () => {
    expect(Object.values(PER_FAMILY).reduce((a, b) => a + b, 0)).toBe(10_000);
  });
  for (const [family, count] of Object.entries(PER_FAMILY) as [Family, number][]) {
    it(`${family}: ${count} cases`, async () => {
      const t = await fuzzFamily(family, count, SEED, tmp);
      console.log(`fuzz ${family}: ${t.errors} typed errors, ${t.valid} valid, slowest ${t.slowest.toFixed(1)} ms`);
      expect(t.errors + t.valid).toBe(count);
      expect(t.errors).toBeGreaterThan(count / 10);
      expect(t.valid).toBeGreaterThan(count / 50);
      expect(t.slowest).toBeLessThan(PER_CASE_MS);
    });
  }
});
