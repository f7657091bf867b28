/**
 * Reading a state_dict against an architecture: the key shapes it expects, one error that lists
 * everything wrong, and shapes and class counts read from the weights while a config is walked.
 */
import { CheckpointError } from '../io/errors.js';
import type { StateDict, TensorEntry } from '../io/types.js';
import { ArchitectureMismatchError } from './errors.js';
import { CORE_DEFAULTS } from '../defaults.js';

/** Expected parameter/buffer shapes of an architecture, built up as its config is walked. */
export type KeyShapes = Map<string, number[]>;

const isCounter = (key: string): boolean => key.endsWith('num_batches_tracked');

/**
 * Compare a state_dict with the expected key shapes; throws one error listing everything that
 * differs. BatchNorm's `num_batches_tracked` counters are optional (absent in old checkpoints).
 * Keys for which `ignore` is true (a classifier whose size is free) are not reported as unexpected.
 */
export function checkKeys(arch: string, sd: StateDict, expected: KeyShapes, ignore: (key: string) => boolean = () => false): void {
  const missing: string[] = [];
  const mismatched: { key: string; expected: number[]; found: number[] }[] = [];
  for (const [key, shape] of expected) {
    const e = sd.get(key);
    if (!e) {
      if (!isCounter(key)) missing.push(key);
    } else if (e.shape.length !== shape.length || e.shape.some((d, i) => d !== shape[i])) {
      mismatched.push({ key, expected: shape, found: e.shape });
    }
  }
  const unexpected = [...sd.keys()].filter((k) => !expected.has(k) && !ignore(k));
  if (missing.length || unexpected.length || mismatched.length) {
    throw new ArchitectureMismatchError(arch, missing, unexpected, mismatched);
  }
}

/**
 * A `match` score: `score` when the state_dict fits the layout exactly, 0 otherwise. `layout`
 * reads shapes from the weights and throws on a foreign layout, so it runs inside the guard too;
 * any error means "not this architecture" here, and `build` reports the details.
 */
export function fitScore(
  arch: string,
  sd: StateDict,
  layout: () => KeyShapes,
  score: number,
  ignore?: (key: string) => boolean,
): number {
  try {
    checkKeys(arch, sd, layout(), ignore);
    return score;
  } catch {
    return 0;
  }
}

/** Add the five keys of a BatchNorm2d with `c` channels. */
export function expectBn(into: KeyShapes, prefix: string, c: number): void {
  for (const k of ['weight', 'bias', 'running_mean', 'running_var']) into.set(`${prefix}.${k}`, [c]);
  into.set(`${prefix}.num_batches_tracked`, []);
}

/**
 * `features.0` of torchvision's MobileNetV2 / EfficientNet layouts: a 3x3 conv from RGB + BN.
 * Returns its channels.
 */
export function expectStem(arch: string, sd: StateDict, expected: KeyShapes): number {
  const c0 = shapeOf(arch, sd, 'features.0.0.weight', 4)[0]!;
  expected.set('features.0.0.weight', [c0, 3, 3, 3]);
  expectBn(expected, 'features.0.1', c0);
  return c0;
}

/**
 * The head of the same layouts: `features.<index>` 1x1 conv from `inp` channels + BN, then the
 * `classifier.1` Linear, whose class count is read from the weights (sized 1000 when absent).
 */
export function expectHead(arch: string, sd: StateDict, expected: KeyShapes, index: number, inp: number): { numClasses?: number } {
  const last = shapeOf(arch, sd, `features.${index}.0.weight`, 4)[0]!;
  expected.set(`features.${index}.0.weight`, [last, inp, 1, 1]);
  expectBn(expected, `features.${index}.1`, last);
  const numClasses = classesOf(sd, 'classifier.1.weight');
  expected.set('classifier.1.weight', [numClasses ?? CORE_DEFAULTS.numClasses, last]);
  expected.set('classifier.1.bias', [numClasses ?? CORE_DEFAULTS.numClasses]);
  return numClasses !== undefined ? { numClasses } : {};
}

/** Shape of a key, or an error naming it; used while a config is read from the weights. */
export function shapeOf(arch: string, sd: StateDict, key: string, rank: number): number[] {
  const e = sd.get(key);
  if (!e) throw new ArchitectureMismatchError(arch, [key], [], []);
  if (e.shape.length !== rank) {
    throw new CheckpointError(null, `state_dict does not fit ${arch}: ${key} has shape [${e.shape.join(', ')}], expected a ${rank}-D tensor`);
  }
  return e.shape;
}

/** Number of classes from a classifier weight [K, D], if present. */
export function classesOf(sd: StateDict, key: string): number | undefined {
  const e = sd.get(key);
  return e && e.shape.length === 2 ? e.shape[0] : undefined;
}

/** Float32 data of a state_dict entry, or an error naming its key. */
export function floats(e: TensorEntry | undefined, key: string): Float32Array {
  if (!e) throw new CheckpointError(null, `missing state_dict key ${key}`);
  if (!(e.data instanceof Float32Array)) throw new CheckpointError(null, `${key}: expected floating-point weights, found dtype ${e.dtype}`);
  return e.data;
}
