import sharp from 'sharp';

export interface Decoded {
  width: number;
  height: number;
  /** RGB bytes, row-major. */
  rgb: Uint8Array;
}

export async function decode(file: string): Promise<Decoded> {
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, rgb: new Uint8Array(data) };
}

/** Per-pixel chroma max(r,g,b) − min(r,g,b), 0..255. */
export function chroma(img: Decoded): Float64Array {
  const n = img.width * img.height;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = img.rgb[3 * i]!, g = img.rgb[3 * i + 1]!, b = img.rgb[3 * i + 2]!;
    out[i] = Math.max(r, g, b) - Math.min(r, g, b);
  }
  return out;
}

/** HSV hue in degrees of one pixel (standard hexcone formula). */
export function hue(r: number, g: number, b: number): number {
  const max = Math.max(r, g, b), min = Math.min(r, g, b), c = max - min;
  if (c === 0) return 0;
  let h: number;
  if (max === r) h = ((g - b) / c) % 6;
  else if (max === g) h = (b - r) / c + 2;
  else h = (r - g) / c + 4;
  return (h * 60 + 360) % 360;
}

/** Pixels whose chroma exceeds `threshold`, as a 0/1 mask. */
export function mask(img: Decoded, threshold: number): Uint8Array {
  return Uint8Array.from(chroma(img), (c) => (c > threshold ? 1 : 0));
}

export function iou(a: Uint8Array, b: Uint8Array): number {
  let inter = 0, union = 0;
  for (let i = 0; i < a.length; i++) {
    inter += a[i]! & b[i]!;
    union += a[i]! | b[i]!;
  }
  return inter / union;
}
