import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { decodeImage, resizeBilinear } from '@shapetex/core';

/** Python's round (half to even), which torchvision's CenterCrop uses for the offsets. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Output size of torchvision's `Resize(size)` on a w×h image: the shorter side becomes `size`,
 * the longer `⌊size·long/short⌋`, so the aspect ratio is kept.
 */
export function shorterSideSize(width: number, height: number, size: number): { width: number; height: number } {
  if (width <= height) return { width: size, height: Math.trunc((size * height) / width) };
  return { width: Math.trunc((size * width) / height), height: size };
}

/** Top-left corner of torchvision's `CenterCrop(crop)` on a w×h image. */
export function centerCropOffset(width: number, height: number, crop: number): { left: number; top: number } {
  return { left: roundHalfEven((width - crop) / 2), top: roundHalfEven((height - crop) / 2) };
}

/**
 * Decodes an image and prepares it as AdaIN's test.py does: shorter side resized to `size`
 * (bilinear, PIL convention, as core's `resizeBilinear`), then, with `crop`, the centre
 * `size`×`size` square; values scaled to [0, 1]. HWC float32.
 */
export async function loadStyleInput(file: string, size: number, crop: boolean): Promise<tf.Tensor3D> {
  const img = await decodeImage(file);
  const to = shorterSideSize(img.width, img.height, size);
  const resized = resizeBilinear(img.data, img.width, img.height, 3, to.width, to.height);
  let w = to.width, h = to.height, left = 0, top = 0;
  if (crop) {
    ({ left, top } = centerCropOffset(w, h, size));
    w = size; h = size;
  }
  const out = new Float32Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    const row = ((y + top) * to.width + left) * 3;
    for (let i = 0; i < w * 3; i++) out[(y * w) * 3 + i] = resized[row + i]! / 255;
  }
  return tf.tensor3d(out, [h, w, 3]);
}

/**
 * The stylized output as a JPEG: cut to `height`×`width` (the decoder returns the content's size
 * rounded up to a multiple of 8), clipped to [0, 1] and converted to 8 bits as
 * torchvision's save_image does (⌊255·x + 0.5⌋).
 */
export async function encodeJpeg(image: tf.Tensor3D, height: number, width: number, quality: number): Promise<Buffer> {
  const bytes = tf.tidy(() => {
    const cut = tf.slice(image, [0, 0, 0], [height, width, 3]);
    return tf.floor(tf.add(tf.mul(tf.clipByValue(cut, 0, 1), 255), 0.5));
  });
  const data = Uint8Array.from(await bytes.data());
  bytes.dispose();
  return sharp(data, { raw: { width, height, channels: 3 } }).jpeg({ quality, chromaSubsampling: '4:2:0' }).toBuffer();
}
