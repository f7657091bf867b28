/**
 * Per-channel normalisation applied after scaling pixels to [0,1]: (x − mean) / std, the three
 * numbers always given for R, G, B in that order, whatever order the channels are then fed to
 * the network in (see `channelOrder`).
 */
export interface Normalization {
  mean: [number, number, number];
  std: [number, number, number];
}

export type NormPreset = 'imagenet' | 'cifar' | 'none' | 'islam2021';

export const NORM_PRESETS: Record<NormPreset, Normalization> = {
  imagenet: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
  cifar: { mean: [0.4914, 0.4822, 0.4465], std: [0.2023, 0.1994, 0.201] },
  none: { mean: [0, 0, 0], std: [1, 1, 1] },
  // What the reference implementation of Islam et al. applies: it reads B, G, R with OpenCV and
  // subtracts (0.456, 0.406, 0.485), divides by (0.224, 0.225, 0.229), in that channel order.
  // Read back per R, G, B: R gets ImageNet's R values, G and B each other's.
  islam2021: { mean: [0.485, 0.406, 0.456], std: [0.229, 0.225, 0.224] },
};

/**
 * A preset name, an explicit `{ mean, std }`, or the CLI form `m1,m2,m3/s1,s2,s3`.
 */
export function parseNorm(norm: NormPreset | Normalization | string = 'imagenet'): Normalization {
  if (typeof norm !== 'string') return checkNorm(norm, JSON.stringify(norm));
  const key = norm.trim().toLowerCase();
  if (key in NORM_PRESETS) return NORM_PRESETS[key as NormPreset];
  const parts = key.split('/');
  if (parts.length === 2) {
    const mean = parts[0]!.split(',').map(Number);
    const std = parts[1]!.split(',').map(Number);
    if (mean.length === 3 && std.length === 3) {
      return checkNorm({ mean: mean as Normalization['mean'], std: std as Normalization['std'] }, norm);
    }
  }
  throw new RangeError(
    `normalisation '${norm}' not understood: expected ${Object.keys(NORM_PRESETS).join(', ')} or m1,m2,m3/s1,s2,s3`,
  );
}

function checkNorm(n: Normalization, text: string): Normalization {
  const ok =
    n.mean?.length === 3 && n.std?.length === 3 &&
    n.mean.every(Number.isFinite) && n.std.every((s) => Number.isFinite(s) && s > 0);
  if (!ok) throw new RangeError(`normalisation ${text}: needs 3 finite means and 3 positive standard deviations`);
  return n;
}
