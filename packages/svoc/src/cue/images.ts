/** Pixels of `svoc cue-conflict`: a texture crop as a style input, and the PNG output. */
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { decodeImage, resizeBilinear } from '@shapetex/core';
import { shorterSideSize } from '../builder/images.js';
import type { VocBox } from './boxes.js';

/**
 * The box (VOC 1-based inclusive coordinates, clamped to the image) cropped from `file`, its
 * shorter side resized to `size` as the build's style inputs are; HWC in [0, 1].
 */
export async function loadBoxStyle(file: string, box: VocBox, size: number): Promise<tf.Tensor3D> {
  const img = await decodeImage(file);
  const x0 = Math.max(0, box.xmin - 1), y0 = Math.max(0, box.ymin - 1);
  const x1 = Math.min(img.width, box.xmax), y1 = Math.min(img.height, box.ymax);
  if (x1 - x0 < 2 || y1 - y0 < 2) throw new Error(`${file}: box [${box.xmin}, ${box.ymin}, ${box.xmax}, ${box.ymax}] lies outside the ${img.width}x${img.height} image`);
  const w = x1 - x0, h = y1 - y0;
  const crop = new Float32Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let i = 0; i < w * 3; i++) crop[y * w * 3 + i] = img.data[((y + y0) * img.width + x0) * 3 + i]!;
  const to = shorterSideSize(w, h, size);
  const resized = resizeBilinear(crop, w, h, 3, to.width, to.height);
  return tf.tidy(() => tf.div(tf.tensor3d(Float32Array.from(resized), [to.height, to.width, 3]), 255) as tf.Tensor3D);
}

/** The stylized output as PNG, cut to the content's size and clipped to [0, 1], 8-bit as the build's JPEGs. */
export async function encodePng(image: tf.Tensor3D, height: number, width: number): Promise<Buffer> {
  const bytes = tf.tidy(() => tf.floor(tf.add(tf.mul(tf.clipByValue(tf.slice(image, [0, 0, 0], [height, width, 3]), 0, 1), 255), 0.5)));
  const data = Uint8Array.from(await bytes.data());
  bytes.dispose();
  return sharp(data, { raw: { width, height, channels: 3 } }).png().toBuffer();
}
