/**
 * BatchNorm in eval mode, y = scale·x + shift per channel: folded into the preceding convolution
 * (conv-layer.ts), or applied on its own where it cannot be folded (a pre-activation BN).
 */
import type { StateDict } from '../io/types.js';
import { floats } from './keys.js';

/**
 * Eval-mode BatchNorm as a per-channel affine map y = scale·x + shift with
 * scale = γ / √(running_var + ε), shift = β − running_mean·scale.
 */
export function bnAffine(sd: StateDict, prefix: string, eps: number): { scale: Float32Array; shift: Float32Array } {
  const g = floats(sd.get(`${prefix}.weight`), `${prefix}.weight`);
  const b = floats(sd.get(`${prefix}.bias`), `${prefix}.bias`);
  const m = floats(sd.get(`${prefix}.running_mean`), `${prefix}.running_mean`);
  const v = floats(sd.get(`${prefix}.running_var`), `${prefix}.running_var`);
  const scale = new Float32Array(g.length);
  const shift = new Float32Array(g.length);
  for (let c = 0; c < g.length; c++) {
    // float64 here so the folded weights carry one rounding, like PyTorch's float32 BN
    const s = g[c]! / Math.sqrt(v[c]! + eps);
    scale[c] = s;
    shift[c] = b[c]! - m[c]! * s;
  }
  return { scale, shift };
}

/** Per-channel affine y = x·scale + shift (an unfoldable, pre-activation BatchNorm). */
