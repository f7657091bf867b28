/**
 * Every default of svoc in one place: the library functions, the `svoc` commands' option
 * defaults and their help text read them from here, so a default is changed once and the CLI
 * and the API can never disagree. Frozen (every level), so no caller can change them at run time.
 */
export const SVOC_DEFAULTS = Object.freeze({
  /** `buildSvoc` / `svoc build`: the Stylized PASCAL VOC set. */
  build: Object.freeze({
    /** Textures drawn with `seed`, one per DTD category. */
    textures: 5,
    /** Seed of the texture draw. */
    seed: 0,
    /** AdaIN style strength α ∈ [0, 1]. */
    alpha: 1,
    /** Shorter side of content and style, pixels. */
    size: 512,
    /** Centre-crop content and style to size × size. */
    crop: false,
    /** CORAL colour preservation. */
    preserveColor: false,
    /** Image set in `ImageSets/Main`. */
    imageSet: 'trainval',
    /** Content selection rule. */
    select: 'single-object',
    /** JPEG quality. */
    quality: 95,
    /** Worker threads (1: this thread). */
    workers: 1,
    /** Seconds between manifest rewrites while running. */
    manifestInterval: 2,
  } as const),
  /** `buildCueConflict` / `svoc cue-conflict`: texture from other VOC objects' boxes. */
  cue: Object.freeze({
    /** Seed of the texture draw. */
    seed: 0,
    /** Cue-conflict images per content image. */
    perContent: 1,
    /** Smallest shorter side of an object box used as texture, pixels. */
    minBox: 64,
    /** AdaIN style strength α ∈ [0, 1]. */
    alpha: 1,
    /** Shorter side of content and style, pixels. */
    size: 512,
    /** Centre-crop the content to size × size. */
    crop: false,
    /** CORAL colour preservation. */
    preserveColor: false,
    /** Seconds between manifest rewrites while running. */
    manifestInterval: 2,
  } as const),
  /** `synthesizeProbeSet` / `svoc synth`: synthetic shape × texture × colour sets. */
  synth: Object.freeze({
    /** Factors, in the set's order. */
    factors: Object.freeze(['shape', 'texture', 'color'] as const),
    /** Values per factor. */
    perFactor: 8,
    /** Image side, pixels. */
    size: 64,
    /** Seed of every random draw. */
    seed: 0,
    /** Image format. */
    format: 'jpg',
    /** JPEG quality. */
    quality: 90,
    /** Images rendered and encoded at once. */
    concurrency: 4,
  } as const),
});
