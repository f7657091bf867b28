import type { ResultRecord } from '@shapetex/bias';

/** A result record with the given shape and texture fractions (other fields plausible filler). */
export function record(
  epoch: number | null,
  tap: string,
  method: ResultRecord['method'],
  shape: number,
  texture: number,
  extra: Partial<ResultRecord> = {},
): ResultRecord {
  return {
    epoch,
    checkpoint: `run/ckpt_epoch${String(epoch ?? 'x').padStart(4, '0')}.pth`,
    tap,
    method,
    D: 512,
    factors: ['shape', 'texture'],
    dims: [Math.floor(shape * 512), Math.floor(texture * 512), 512 - Math.floor(shape * 512) - Math.floor(texture * 512)],
    fractions: [shape, texture, 1 - shape - texture],
    scores: [0.1, 0.05, 1],
    percent: [0, 0, 0],
    deadUnits: 0,
    pairs: [100, 100],
    ...extra,
  };
}

/**
 * Test error over epochs 2 … 41: falls 2 pp per epoch to 10 at epoch 12, flat to 17, rises
 * 1 pp per epoch to 20 at epoch 27, then falls 0.015 pp per epoch (under θ over w = 5 epochs).
 * Threshold split: i1 = 10, j = 11, i2 = 25 → boundaries at epochs 12 and 27.
 */
export function constructedCurve(): { epochs: number[]; errors: number[] } {
  const errors = Array.from({ length: 40 }, (_, i) => (i <= 10 ? 30 - 2 * i : i <= 15 ? 10 : i <= 25 ? 10 + (i - 15) : 20 - 0.015 * (i - 25)));
  return { epochs: errors.map((_, i) => 2 + i), errors };
}
