import { ProbeSetError, type ProbeRecord, type ProbeSet } from '@shapetex/svoc';
import type { Rng } from '@shapetex/core';

/**
 * A partner picker for one factor: given an anchor row, draws its partner with the rng, or
 * returns −1 when the anchor has no valid partner. `why` explains, for error messages, what a
 * partner needs.
 */
export interface PartnerRule {
  pick(anchor: number, rng: Rng): number;
  why: string;
}

function groupBy(n: number, key: (i: number) => string): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    const k = key(i);
    const g = groups.get(k);
    if (g) g.push(i);
    else groups.set(k, [i]);
  }
  return groups;
}

/**
 * Two-level uniform draw: first a value of `second` other than the anchor's, uniformly among
 * those present in the anchor's `first` group, then a record uniformly among the group's
 * records with that value. This is docs/method.md's "b's texture uniform among the other textures
 * present for that content" (first = content, second = texture) and "b's class uniform among
 * the other classes having that texture" (first = texture, second = class).
 */
function nestedRule(
  records: ProbeRecord[],
  first: (r: ProbeRecord) => string,
  second: (r: ProbeRecord) => string,
  why: string,
): PartnerRule {
  const groups = groupBy(records.length, (i) => first(records[i]!));
  // For each first-level group: its second-level values (in first-seen order) and their rows.
  const nested = new Map<string, { values: string[]; rows: number[][] }>();
  for (const [k, rows] of groups) {
    const sub = groupBy(rows.length, (j) => second(records[rows[j]!]!));
    nested.set(k, { values: [...sub.keys()], rows: [...sub.values()].map((js) => js.map((j) => rows[j]!)) });
  }
  return {
    why,
    pick(anchor, rng) {
      const rec = records[anchor]!;
      const g = nested.get(first(rec))!;
      const own = g.values.indexOf(second(rec));
      const others = g.values.length - 1;
      if (others < 1) return -1;
      let v = rng.int(others);
      if (v >= own) v++;
      const rows = g.rows[v]!;
      return rows[rng.int(rows.length)]!;
    },
  };
}

/** SVOC shape pair: same `contentId`, different `textureId`. */
export function svocShapeRule(records: ProbeRecord[]): PartnerRule {
  return nestedRule(records, (r) => r.contentId, (r) => String(r.textureId),
    'a shape pair needs another image of the same contentId with a different textureId');
}

/** SVOC texture pair: same `textureId`, different `classId`. */
export function svocTextureRule(records: ProbeRecord[]): PartnerRule {
  return nestedRule(records, (r) => String(r.textureId), (r) => String(r.classId),
    'a texture pair needs another image of the same textureId with a different classId');
}

/**
 * Generic rule for factor k of K: the partner shares factor k's value and differs in every other
 * factor's value (for K = 1: any other record with the same value), drawn uniformly among all
 * such records. Values compare as strings, so 3 and "3" are the same value.
 */
export function factorRule(values: string[][], k: number): PartnerRule {
  const K = values.length;
  const n = values[k]!.length;
  const groups = groupBy(n, (i) => values[k]![i]!);
  const others = [...Array(K).keys()].filter((j) => j !== k);
  const valid = (a: number, r: number): boolean => {
    if (r === a) return false;
    for (const j of others) if (values[j]![r] === values[j]![a]) return false;
    return true;
  };
  const otherNames = others.length ? 'differs in every other factor' : 'is another record';
  return {
    why: `a pair for this factor needs another record that shares its value and ${otherNames}`,
    pick(anchor, rng) {
      const g = groups.get(values[k]![anchor]!)!;
      // Count, then draw the m-th valid record: uniform without building a candidate list.
      let count = 0;
      for (const r of g) if (valid(anchor, r)) count++;
      if (count === 0) return -1;
      let m = rng.int(count);
      for (const r of g) {
        if (valid(anchor, r) && m-- === 0) return r;
      }
      return -1;
    },
  };
}

/** Each record's value of each factor, as strings; a missing value is an error naming it. */
export function factorValues(probeSet: ProbeSet): string[][] {
  return probeSet.factors.map((f) =>
    probeSet.records.map((r, i) => {
      const v = r.factors?.[f];
      if (v === undefined || v === null || (typeof v === 'number' && !Number.isFinite(v))) {
        throw new ProbeSetError(`samplePairs: record ${i} (${r.file}) has no usable value for factor '${f}' (got ${String(v)}); every record needs a value for each of the set's factors [${probeSet.factors.join(', ')}]`);
      }
      return String(v);
    }),
  );
}
