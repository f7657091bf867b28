/**
 * Every default of core in one place: the zoo, the image pipeline and the progress display read
 * them from here (and svoc and bias build theirs on them), so a default is changed once.
 * Frozen, so no caller can change them at run time.
 */
export const CORE_DEFAULTS = Object.freeze({
  /** Square input size, pixels, of a network whose topology does not fix one (ImageNet models). */
  imageSize: 224,
  /** Input size, pixels, of the CIFAR variants (a VGG whose classifier reads one 1×1 map). */
  cifarImageSize: 32,
  /** Seconds between the plain progress lines written off a terminal. */
  progressLineInterval: 5,
} as const);
