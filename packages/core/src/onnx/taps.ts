/**
 * Taps of a user-supplied graph: its outputs by name and any intermediate tensor by name, and
 * how a tapped tensor becomes one row per image on the host: a 4-D map [N, C, H, W] is averaged
 * over H and W, a 3-D token tensor [N, T, D] gives its class token (`cls`, token 0) or the mean
 * of tokens 1..T−1 (`mean`), a 2-D [N, D] is used as it is.
 */
import type { OnnxOutput } from './runtime.js';
import { OnnxTapError } from './errors.js';
import type { GraphProto } from './proto.js';

export type TokenReduction = 'cls' | 'mean';

/** The graph's declared outputs, then every other tensor a node of the main graph makes (constants left out). */
export function tapCandidates(g: GraphProto): { outputs: string[]; intermediates: string[] } {
  const outputs = (g.output ?? []).map((v) => v.name ?? '').filter((n) => n !== '');
  const seen = new Set(outputs);
  const intermediates: string[] = [];
  for (const n of g.node ?? []) {
    if (n.opType === 'Constant') continue;
    for (const o of n.output ?? []) {
      if (o === '' || seen.has(o)) continue;
      seen.add(o);
      intermediates.push(o);
    }
  }
  return { outputs, intermediates };
}

function meanOverHW(v: OnnxOutput): Float32Array {
  const [n, c, h, w] = v.dims as [number, number, number, number];
  const hw = h * w;
  const out = new Float32Array(n * c);
  for (let i = 0; i < n * c; i++) {
    let s = 0;
    for (let p = 0; p < hw; p++) s += v.data[i * hw + p]!;
    out[i] = s / hw;
  }
  return out;
}

function tokenRows(file: string, tap: string, v: OnnxOutput, token: TokenReduction): Float32Array {
  const [n, t, d] = v.dims as [number, number, number];
  if (token === 'cls') {
    const out = new Float32Array(n * d);
    for (let b = 0; b < n; b++) out.set(v.data.subarray(b * t * d, b * t * d + d), b * d);
    return out;
  }
  if (t < 2) throw new OnnxTapError(file, tap, v.dims, '--token mean averages tokens 1..T−1, and this tensor has no token after the first');
  const out = new Float32Array(n * d);
  for (let b = 0; b < n; b++) {
    for (let k = 1; k < t; k++) {
      const base = (b * t + k) * d;
      for (let j = 0; j < d; j++) out[b * d + j]! += v.data[base + j]!;
    }
  }
  for (let i = 0; i < out.length; i++) out[i]! /= t - 1;
  return out;
}

/** One row per image of a tapped tensor, or an OnnxTapError naming the tap and its shape. */
export function reduceTap(file: string, tap: string, v: OnnxOutput, token: TokenReduction): Float32Array {
  if (!(v.data instanceof Float32Array)) throw new OnnxTapError(file, tap, v.dims, 'not a float32 tensor');
  switch (v.dims.length) {
    case 4: return meanOverHW(v);
    case 3: return tokenRows(file, tap, v, token);
    case 2: return v.data.slice();
    default: throw new OnnxTapError(file, tap, v.dims, 'a tap must be 4-D [N, C, H, W] (averaged over H and W), 3-D [N, T, D] tokens (--token) or 2-D [N, D]');
  }
}
