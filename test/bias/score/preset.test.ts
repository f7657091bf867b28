import { describe, expect, it } from 'vitest';
import { NORM_PRESETS } from '@shapetex/core';
import { resolveMeasurement, runSettings, UsageError } from '@shapetex/bias';

describe('resolveMeasurement', () => {
  it('defaults: 224, pil, rgb, imagenet, per-neuron, balanced, half-up', () => {
    expect(resolveMeasurement({})).toEqual({
      preset: null, imageSize: 224, resize: 'pil', channelOrder: 'rgb', norm: NORM_PRESETS.imagenet,
      methods: ['per-neuron'], pairing: 'balanced', rounding: 'half-up',
    });
  });

  it('islam2021 sets every step of the reference; each explicit option overrides only itself', () => {
    const ref = resolveMeasurement({ preset: 'islam2021' });
    expect(ref).toEqual({
      preset: 'islam2021', imageSize: 513, resize: 'cv2-linear', channelOrder: 'bgr', norm: NORM_PRESETS.islam2021,
      methods: ['pooled'], pairing: 'reference', rounding: 'python',
    });
    const keys = ['imageSize', 'resize', 'channelOrder', 'methods', 'pairing', 'rounding'] as const;
    const other = { imageSize: 224, resize: 'pil', channelOrder: 'rgb', methods: ['per-neuron', 'pooled'], pairing: 'balanced', rounding: 'half-up' } as const;
    for (const k of keys) {
      const got = resolveMeasurement({ preset: 'islam2021', [k]: other[k] });
      expect(got[k]).toEqual(other[k]);
      for (const j of keys) if (j !== k) expect(got[j]).toEqual(ref[j]);
    }
    expect(resolveMeasurement({ preset: 'islam2021', norm: 'imagenet' }).norm).toEqual(NORM_PRESETS.imagenet);
  });

  it('names bad values; runSettings turns them into usage errors', () => {
    expect(() => resolveMeasurement({ pairing: 'x' as never })).toThrow(/pairing must be balanced or reference, got "x"/);
    expect(() => resolveMeasurement({ rounding: 'x' as never })).toThrow(/rounding must be half-up or python/);
    expect(() => resolveMeasurement({ preset: 'x' as never })).toThrow(/preset must be one of islam2021/);
    expect(() => runSettings({ checkpoints: 'c', probe: 'p', resize: 'x' as never }, 'h', ['shape', 'texture'])).toThrow(UsageError);
    expect(() => runSettings({ checkpoints: 'c', probe: 'p', pairing: 'reference', pairsPerFactor: 3 }, 'h', ['shape', 'texture'])).toThrow(/--pairs does not apply/);
  });
});
