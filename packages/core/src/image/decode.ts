import sharp from 'sharp';
import { resizeBilinear } from './resample.js';
import { resizeLinearCv2 } from './resize-cv2.js';
import { resolvePreprocessing, type PreprocessOptions } from './preset.js';

/** An image that could not be read or decoded; `file` names it. */
export class ImageError extends Error {
  constructor(public readonly file: string, reason: string) {
    super(`${file}: ${reason}`);
    this.name = 'ImageError';
  }
}

export interface DecodedImage {
  width: number;
  height: number;
  /** RGB, 8 bits per channel, row-major HWC. */
  data: Uint8Array;
}

// A truncated JPEG is a warning to libvips; make it an error so no half-grey image slips in.
const SHARP_INPUT = { failOn: 'warning' as const, limitInputPixels: 1 << 28 };

/**
 * Decode a JPEG, PNG or WebP file (or bytes) to 8-bit RGB at its own size. EXIF orientation is
 * applied; grey images are expanded to RGB; an alpha channel is dropped without compositing,
 * as PIL's `convert('RGB')` does.
 */
export async function decodeImage(input: string | Uint8Array, label = typeof input === 'string' ? input : '<bytes>'): Promise<DecodedImage> {
  try {
    const { data, info } = await sharp(input, SHARP_INPUT)
      .rotate()
      .toColourspace('srgb')
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`expected 3 channels after conversion, got ${info.channels}`);
    return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT' || /missing|does not exist/i.test(e.message)) throw new ImageError(label, 'file not found');
    throw new ImageError(label, `cannot decode image (${e.message.split('\n')[0]})`);
  }
}

/** Preprocessing of one image: `size` is required unless a `preset` gives it. */
export type PrepareOptions = PreprocessOptions;

/**
 * Decode, resize to `size`×`size` (`pil`: antialiased bilinear, resample.ts; `cv2-linear`:
 * OpenCV's INTER_LINEAR, resize-cv2.ts), scale to [0,1], normalise each of R, G, B with its
 * mean and std, and write HWC float32 into `out` at `offset`, the channels in `channelOrder`.
 */
export async function prepareImage(
  input: string | Uint8Array,
  opts: PrepareOptions,
  out: Float32Array,
  offset = 0,
  label?: string,
): Promise<void> {
  const { size, norm: { mean, std }, resize, channelOrder } = resolvePreprocessing(opts);
  const img = await decodeImage(input, label);
  const resizer = resize === 'cv2-linear' ? resizeLinearCv2 : resizeBilinear;
  const resized = resizer(img.data, img.width, img.height, 3, size, size);
  // Source channel of each output slot: RGB as decoded, or reversed for networks fed BGR.
  const from = channelOrder === 'bgr' ? [2, 1, 0] : [0, 1, 2];
  const n = size * size;
  for (let p = 0; p < n; p++) {
    for (let c = 0; c < 3; c++) {
      const s = from[c]!;
      out[offset + p * 3 + c] = (resized[p * 3 + s]! / 255 - mean[s]!) / std[s]!;
    }
  }
}
