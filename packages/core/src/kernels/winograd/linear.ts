/**
 * Straight-line WebAssembly text for y = R·x on f32x4 values, R a small constant matrix (a
 * Winograd transform's Bᵀ or Aᵀ), with the sums the rows share computed once. Winograd points
 * come in pairs ±p, so the matrices have two kinds of shared structure:
 * - input pairs: columns i, i′ with |R[r][i]| = |R[r][i′]| in every row (Aᵀ: x1 ± x2, x3 ± x4),
 *   so every row needs only x_i + x_i′ or x_i − x_i′;
 * - row pairs: rows a, b = E ± O with E and O on disjoint columns (Bᵀ: rows 1/2 and 3/4), so
 *   both come from E and O with one add and one subtract.
 * Each rewrite is taken only where it saves instructions. For F(4×4, 3×3) this halves the
 * arithmetic of both transforms.
 */
import { madd, splat, type WatFeatures } from '../text.js';

type Term = [coef: number, value: string];

/** Σ coef·value: ±1 as add/sub, others as a (fused) multiply-add by a constant; zeros dropped. */
export function combination(terms: Term[], features: WatFeatures): string {
  const live = terms.filter(([c]) => c !== 0);
  if (live.length === 0) throw new Error('combination: no non-zero term');
  // +1 first (no instruction to start from), then the scaled terms, then −1
  const rank = (c: number) => (c === 1 ? 0 : c === -1 ? 2 : 1);
  live.sort(([a], [b]) => rank(a) - rank(b));
  const [c0, v0] = live[0]!;
  let acc = c0 === 1 ? v0 : c0 === -1 ? `(f32x4.neg ${v0})` : `(f32x4.mul ${v0} ${splat(c0)})`;
  for (const [c, v] of live.slice(1)) {
    if (Math.abs(c) === 1) acc = `(${c > 0 ? 'f32x4.add' : 'f32x4.sub'} ${acc} ${v})`;
    else if (features.fma) acc = madd(v, splat(c), acc, features);
    else acc = `(${c > 0 ? 'f32x4.add' : 'f32x4.sub'} ${acc} (f32x4.mul ${v} ${splat(Math.abs(c))}))`;
  }
  return acc;
}

/** Instructions a combination of these coefficients takes. */
function cost(coefs: number[], features: WatFeatures): number {
  return (combination(coefs.map((c, i) => [c, `$${i}`] as Term), features).match(/\(f32x4\./g) ?? []).length;
}

export interface LinearProgram {
  /** Statements that set the shared temporaries, in order. */
  code: string[];
  /** One expression per row of R, reading x and the temporaries; each meant to be used once. */
  y: string[];
  /** The v128 temporaries the code sets (to declare as locals). */
  temps: string[];
}

/**
 * y = R·x for value expressions x (each may be read several times: pass local.gets), with
 * temporaries named `${prefix}0`, `${prefix}1`, …: the same names for the same R and prefix,
 * so a caller can run the program once per column and declare the locals once.
 */
export function linearProgram(R: number[][], x: string[], prefix: string, features: WatFeatures): LinearProgram {
  const code: string[] = [];
  const temps: string[] = [];
  const temp = (value: string) => {
    const name = `${prefix}${temps.length}`;
    temps.push(name);
    code.push(`(local.set $${name} ${value})`);
    return `(local.get $${name})`;
  };
  let rows = R.map((r) => [...r]);
  let inputs = [...x];

  // input pairs: replace columns i, i′ by their sum and difference where that saves work
  for (let i = 0; i < inputs.length; i++) {
    for (let j = i + 1; j < inputs.length; j++) {
      const pairable = rows.every((r) => (r[i] === 0 && r[j] === 0) || (r[i] !== 0 && Math.abs(r[i]!) === Math.abs(r[j]!)));
      const sum = rows.filter((r) => r[i] !== 0 && r[i] === r[j]).length;
      const diff = rows.filter((r) => r[i] !== 0 && r[i] === -r[j]!).length;
      if (!pairable || sum + diff - (sum > 0 ? 1 : 0) - (diff > 0 ? 1 : 0) <= 0) continue;
      const s = sum > 0 ? temp(`(f32x4.add ${inputs[i]} ${inputs[j]})`) : '';
      const d = diff > 0 ? temp(`(f32x4.sub ${inputs[i]} ${inputs[j]})`) : '';
      rows = rows.map((r) => {
        const out = r.filter((_, k) => k !== i && k !== j);
        return [...out, r[i] === r[j] ? r[i]! : 0, r[i] === r[j] ? 0 : r[i]!];
      });
      inputs = [...inputs.filter((_, k) => k !== i && k !== j), s, d];
      i = -1; // the columns moved: look again from the start
      break;
    }
  }

  const terms = (coefs: number[]): Term[] => coefs.map((c, k) => [c, inputs[k]!] as Term);
  const y: (string | null)[] = rows.map(() => null);
  // row pairs: a = E + O, b = E − O with E and O on disjoint columns
  for (let a = 0; a < rows.length; a++) {
    for (let b = a + 1; b < rows.length && y[a] === null; b++) {
      if (y[b] !== null) continue;
      const ra = rows[a]!, rb = rows[b]!;
      const E = ra.map((c, k) => (c === rb[k] ? c : 0));
      const O = ra.map((c, k) => (c === -rb[k]! ? c : 0));
      const split = ra.every((c, k) => c === rb[k] || c === -rb[k]!);
      if (!split || E.every((c) => c === 0) || O.every((c) => c === 0)) continue;
      if (cost(E, features) + cost(O, features) + 2 >= cost(ra, features) + cost(rb, features)) continue;
      const e = temp(combination(terms(E), features));
      const o = temp(combination(terms(O), features));
      y[a] = `(f32x4.add ${e} ${o})`;
      y[b] = `(f32x4.sub ${e} ${o})`;
    }
  }
  return { code, y: y.map((v, r) => v ?? combination(terms(rows[r]!), features)), temps };
}
