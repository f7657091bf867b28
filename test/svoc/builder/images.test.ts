import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, resizeBilinear } from '@shapetex/core';
import { centerCropOffset, createProgress, encodeJpeg, formatDuration, loadStyleInput, shorterSideSize } from '@shapetex/svoc';

let dir: string;
beforeAll(async () => {
  await initBackend('cpu', { log: null });
  dir = await mkdtemp(path.join(tmpdir(), 'svoc-img-'));
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe('content/style preparation (torchvision Resize + CenterCrop conventions)', () => {
  it('resizes the shorter side and truncates the longer, as Resize(int) does', () => {
    // torchvision: Resize(512) on a 500x375 (w x h) image → 682x512.
    expect(shorterSideSize(500, 375, 512)).toEqual({ width: 682, height: 512 });
    expect(shorterSideSize(375, 500, 512)).toEqual({ width: 512, height: 682 });
    expect(shorterSideSize(33, 41, 32)).toEqual({ width: 32, height: 39 });
    expect(shorterSideSize(64, 64, 32)).toEqual({ width: 32, height: 32 });
  });

  it('centres the crop with Python rounding (half to even)', () => {
    expect(centerCropOffset(682, 512, 512)).toEqual({ left: 85, top: 0 });
    // (37 − 32)/2 = 2.5 → 2; (39 − 32)/2 = 3.5 → 4
    expect(centerCropOffset(37, 39, 32)).toEqual({ left: 2, top: 4 });
  });

  it('loads an image resized (and cropped) to [0, 1] floats', async () => {
    const w = 30, h = 20;
    const px = new Uint8Array(w * h * 3).map((_, i) => (i * 37) % 256);
    const file = path.join(dir, 'a.png');
    await writeFile(file, await sharp(px, { raw: { width: w, height: h, channels: 3 } }).png().toBuffer());
    const t = await loadStyleInput(file, 10, false);
    expect(t.shape).toEqual([10, 15, 3]);
    const want = resizeBilinear(px, w, h, 3, 15, 10);
    const got = t.dataSync();
    for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(want[i]! / 255, 5);
    const c = await loadStyleInput(file, 10, true);
    expect(c.shape).toEqual([10, 10, 3]);
    // left = round((15 − 10)/2) = round(2.5) = 2
    expect(c.dataSync()[0]).toBeCloseTo(want[2 * 3]! / 255, 5);
    expect(c.dataSync()[(9 * 10 + 9) * 3 + 2]).toBeCloseTo(want[(9 * 15 + 11) * 3 + 2]! / 255, 5);
    tf.dispose([t, c]);
  });

  it('encodes the top-left crop clipped to [0, 1], 8-bit as save_image rounds', async () => {
    // Constant colours survive JPEG exactly enough to check clipping and rounding.
    const img = tf.tensor3d(Array.from({ length: 16 * 24 }, () => [1.7, -0.3, 0.5]).flat(), [16, 24, 3]);
    const jpg = await encodeJpeg(img, 9, 13, 95);
    const { data, info } = await sharp(jpg).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([13, 9]);
    const mean = [0, 1, 2].map((c) => { let s = 0; for (let i = c; i < data.length; i += 3) s += data[i]!; return s / (data.length / 3); });
    expect(Math.abs(mean[0]! - 255)).toBeLessThanOrEqual(2);
    expect(Math.abs(mean[1]! - 0)).toBeLessThanOrEqual(2);
    expect(Math.abs(mean[2]! - 128)).toBeLessThanOrEqual(2);
    img.dispose();
  });
});

describe('progress display', () => {
  const sink = (isTTY: boolean) => {
    const chunks: string[] = [];
    return { chunks, stream: Object.assign({ write: (s: string) => { chunks.push(s); return true; } }, { isTTY, columns: 100 }) as unknown as NodeJS.WritableStream & { isTTY: boolean } };
  };

  it('prints plain lines with rate and ETA, at most every lineInterval seconds', () => {
    let t = 0;
    const { chunks, stream } = sink(false);
    const p = createProgress({ total: 100, initial: 20, stream, lineInterval: 5, now: () => t });
    p.update(20);
    t = 2; p.update(30);
    t = 10; p.update(60); // 40 images in 10 s → 4/s; 40 left → 10 s
    p.finish();
    expect(chunks).toEqual([
      '20/100 images (20.0%), 0.00 images/s, ETA --:--\n',
      '60/100 images (60.0%), 4.00 images/s, ETA 0:10\n',
      '60/100 images (60.0%), 4.00 images/s, ETA 0:10\n',
    ]);
  });

  it('redraws one bar on a terminal', () => {
    let t = 0;
    const { chunks, stream } = sink(true);
    const p = createProgress({ total: 4, stream, now: () => t });
    t = 1; p.update(2);
    t = 2; p.update(4);
    p.finish();
    expect(chunks[0]).toMatch(/^\r\[#{15}\.{15}\] 2\/4 images \(50\.0%\), 2\.00 images\/s, ETA 0:01\x1b\[K$/);
    expect(chunks.at(-2)).toMatch(/^\r\[#{30}\] 4\/4 images \(100\.0%\), 2\.00 images\/s, ETA 0:00/);
    expect(chunks.at(-1)).toBe('\n');
    expect(formatDuration(3725)).toBe('1:02:05');
  });
});
