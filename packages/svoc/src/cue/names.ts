/**
 * File names of cue-conflict stimuli (Geirhos et al., ICLR 2019; the texture-vs-shape and
 * model-vs-human stimuli): `{shape}{n}-{texture}{m}.png`, e.g. `airplane1-bicycle2.png` = the
 * shape of airplane image 1 with the texture of bicycle image 2. The model-vs-human toolbox
 * prefixes session information joined by `_` (`0001_s5n_s01_0_bird_00_bird3-bird2.png`); as
 * its own parser does, only the part after the last `_` is read.
 */

export interface CueFileName {
  shape: string;
  shapeIndex: number;
  texture: string;
  textureIndex: number;
}

const CUE_NAME = /^([a-z]+)(\d+)-([a-z]+)(\d+)\.(png|jpe?g)$/i;

/** The categories and indices of a stimulus file name (a base name or a path); null if not one. */
export function parseCueFileName(file: string): CueFileName | null {
  const base = file.split(/[\\/]/).pop() ?? '';
  const m = CUE_NAME.exec(base.slice(base.lastIndexOf('_') + 1));
  if (!m) return null;
  return { shape: m[1]!.toLowerCase(), shapeIndex: Number(m[2]), texture: m[3]!.toLowerCase(), textureIndex: Number(m[4]) };
}

/** `{shape}{n}-{texture}{m}.png`. Category names must be letters only (the layout's rule). */
export function formatCueFileName(n: CueFileName, ext = 'png'): string {
  for (const c of [n.shape, n.texture]) if (!/^[a-z]+$/i.test(c)) throw new Error(`cue-conflict category ${JSON.stringify(c)} must be letters only`);
  for (const i of [n.shapeIndex, n.textureIndex]) if (!Number.isSafeInteger(i) || i < 0) throw new Error(`cue-conflict image index must be an integer ≥ 0, got ${i}`);
  return `${n.shape}${n.shapeIndex}-${n.texture}${n.textureIndex}.${ext}`;
}
