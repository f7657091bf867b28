/**
 * Every default of core in one place: the zoo, the image pipeline and the progress display read
 * them from here (and svoc and bias build theirs on them), so a default is changed once.
 * Frozen, so no caller can change them at run time.
 */
export const CORE_DEFAULTS = Object.freeze({
  /** Square input size, pixels, of a network whose topology does not fix one (ImageNet models). */
  imageSize: 224,
  /** Classes of a head whose size is neither given nor read from the weights (ImageNet's). */
  numClasses: 1000,
  /** Input size, pixels, of the CIFAR variants (a VGG whose classifier reads one 1×1 map). */
  cifarImageSize: 32,
  /** Normalisation of a network's input (R, G, B mean and std). */
  norm: 'imagenet',
  /** Resize rule of the image pipeline (PIL's bilinear, antialiased). */
  resize: 'pil',
  /** Channel order fed to a network. */
  channelOrder: 'rgb',
  /** Transformer taps: the class token (or `mean` over the patch tokens). */
  token: 'cls',
  /** Taps extracted when none are named. */
  taps: Object.freeze(['final'] as const),
  /** Compute backend `initBackend` chooses when neither the call nor SHAPETEX_BACKEND names one. */
  backend: 'auto',
  /** Seconds between the plain progress lines written off a terminal. */
  progressLineInterval: 5,
} as const);
