import { describe, expect, it } from 'vitest';
import { createRng } from '@shapetex/core';
import { DEFAULT_JITTER, NO_JITTER, SILHOUETTES, createPatterns, renderProbeImage } from '@shapetex/svoc';

describe('renderProbeImage', () => {
  it('keeps every silhouette inside the image at the extreme poses the default jitter allows', () => {
    const size = 64;
    const shift = DEFAULT_JITTER.shift * size;
    for (const silhouette of SILHOUETTES) {
      for (const dx of [-shift, shift]) {
        for (const dy of [-shift, shift]) {
          for (let deg = -DEFAULT_JITTER.rotate; deg <= DEFAULT_JITTER.rotate; deg += 5) {
            const pose = { ...NO_JITTER, dx, dy, scale: 1 + DEFAULT_JITTER.scale, angle: (deg * Math.PI) / 180 };
            const { coverage } = renderProbeImage({ size, silhouette, pattern: null, hue: 0, pose });
            let border = 0;
            for (let i = 0; i < size; i++) {
              border += coverage[i]! + coverage[(size - 1) * size + i]! + coverage[i * size]! + coverage[i * size + size - 1]!;
            }
            expect(border, `${silhouette.name} at (${dx}, ${dy}), ${deg}°`).toBe(0);
          }
        }
      }
    }
  });

  it('puts the background grey wherever coverage is 0 and the flat colour wherever it is 1', () => {
    const { rgb, coverage } = renderProbeImage({ size: 32, silhouette: SILHOUETTES[0]!, pattern: null, hue: 240, pose: NO_JITTER });
    let inside = 0, outside = 0;
    coverage.forEach((c, i) => {
      const px = [rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]];
      if (c === 0) { expect(px).toEqual([64, 64, 64]); outside++; }
      // HSV(240°, 0.9, 0.75) = (0.075, 0.075, 0.75)
      if (c === 1) { expect(px).toEqual([19, 19, 191]); inside++; }
    });
    expect(inside).toBeGreaterThan(100);
    expect(outside).toBeGreaterThan(100);
  });

  it('makes the noise pattern from the seed: same seed, same tones; other seed, other tones', () => {
    const tones = (seed: number) => {
      const noise = createPatterns(createRng(seed)).find((p) => p.name === 'noise')!;
      return Array.from({ length: 50 }, (_, i) => noise.tone(i / 50, (i * 7) / 50));
    };
    expect(tones(1)).toEqual(tones(1));
    expect(tones(1)).not.toEqual(tones(2));
    for (const t of tones(3)) expect(t >= 0 && t <= 1).toBe(true);
  });
});
