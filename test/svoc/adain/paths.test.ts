import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_BACKEND_SETTINGS, initBackend, type BackendSettings } from '@shapetex/core';
import { createStylizer } from '@shapetex/svoc';
import { ADAIN_FIXTURES, f32, maxAbsDiff, rawStateDict } from './fixtures.js';

// Oracle: test/fixtures/adain/make_adain_fixtures.py's second pair (widths 8, 16, 24, 32, which
// core's wasm kernels take), run through the official net.py layout and test.py's style transfer
// in PyTorch. The same networks on every path shapetex has: its own kernels (with fused
// multiply-adds and without), tfjs's convolution on wasm (kernels switched off), the cpu backend.
const meta = JSON.parse(readFileSync(path.join(ADAIN_FIXTURES, 'adain_k.json'), 'utf8')) as { widths: number[]; content: number[]; style: number[]; out: number[] };

interface PathCase { name: string; backend: 'wasm' | 'cpu'; settings: Partial<BackendSettings>; shapetex: boolean }
const PATHS: PathCase[] = [
  { name: 'wasm kernels, fused multiply-add', backend: 'wasm', settings: { fma: true }, shapetex: true },
  { name: 'wasm kernels, multiply and add', backend: 'wasm', settings: { fma: false }, shapetex: true },
  { name: 'wasm, kernels off (tfjs mirror pad + fused conv)', backend: 'wasm', settings: { winograd: false, im2col: false }, shapetex: false },
  { name: 'cpu backend', backend: 'cpu', settings: {}, shapetex: false },
];

describe.each(PATHS)('AdaIN vs PyTorch on every convolution path: $name', (p) => {
  afterEach(async () => { await initBackend(p.backend, { ...DEFAULT_BACKEND_SETTINGS, log: null }); });

  it.each([['out_k_alpha1.f32', 1], ['out_k_alpha05.f32', 0.5]] as const)('matches %s (alpha %s) to 1e-3 and runs the convs where it should', async (file, alpha) => {
    await initBackend(p.backend, { ...p.settings, log: null });
    const s = await createStylizer({ vgg: rawStateDict('vgg_k'), decoder: rawStateDict('decoder_k') });
    expect(s.featureChannels).toBe(meta.widths[3]);
    const content = tf.tensor3d(f32('content.f32'), meta.content as [number, number, number]);
    const style = tf.tensor3d(f32('style.f32'), meta.style as [number, number, number]);
    const before = tf.memory().numTensors;
    let out: tf.Tensor3D | undefined;
    const profile = await tf.profile(async () => { out = await s.stylize(content, style, { alpha }); return out; });
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(out!.shape).toEqual(meta.out);
    expect(maxAbsDiff(await out!.data(), f32(file))).toBeLessThanOrEqual(1e-3);
    const names = profile.kernels.map((k) => k.name);
    const count = (re: RegExp): number => names.filter((n) => re.test(n)).length;
    if (p.shapetex) {
      // two encoder passes × (8 Winograd + 1 im2col) + the decoder's 9 Winograd; only the 1×1
      // colour conv stays with tfjs. The Winograd kernel pads and upsamples in its own copy: the
      // only mirror pads left are the 3-channel inputs of the im2col layer
      expect(count(/^ShapetexWinogradConv2D$/)).toBe(2 * 8 + 9);
      expect(count(/^ShapetexIm2colConv2D$/)).toBe(2);
      expect(count(/^MirrorPad$/)).toBe(2);
      expect(count(/^ResizeNearestNeighbor$/)).toBe(0);
    } else {
      expect(count(/^Shapetex/)).toBe(0);
      expect(count(/^MirrorPad$/)).toBe(2 * 9 + 9);
    }
    tf.dispose([out!, content, style]);
    s.dispose();
  });
});
