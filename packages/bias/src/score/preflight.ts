/**
 * What a scoring run checks before its first forward pass, so that a mistake costs seconds, not
 * a night of checkpoints that all fail the same way: the errors CSV, the checkpoint folder, the
 * probe set's pairs, and the taps and input size against the first checkpoint. Every problem is
 * a {@link UsageError} (exit 2) naming the option, the file and what was expected.
 */
import path from 'node:path';
import { OnnxBindingError, onnxGraph, UsageError } from '@shapetex/core';
import type { ProbeSet } from '@shapetex/svoc';
import { readErrorCsv } from '../dynamics/errors-csv.js';
import type { ErrorCurve } from '../dynamics/types.js';
import { samplePairs } from '../pairs/sample.js';
import type { Pairing } from '../pairs/types.js';
import { CHECKPOINT_GLOBS, type CheckpointEntry } from './discover.js';
import type { ModelLoader, ScoringModel } from './types.js';
import { BIAS_DEFAULTS } from '../defaults.js';

/** The input size used when neither `--image-size` nor the model fixes one. */
export const DEFAULT_IMAGE_SIZE = BIAS_DEFAULTS.imageSize;

export interface PreflightOptions {
  /** The checkpoints argument as given (for messages) and what discovery found in it. */
  checkpoints: string;
  found: readonly CheckpointEntry[];
  /** The probe set, when `--probe` was given (a cue-conflict-only run has none). */
  probe?: ProbeSet;
  /** `--cue-conflict` was given: the first checkpoint must have a classifier output. */
  cue?: boolean;
  /** `--errors`, when given. */
  errors?: string;
  taps: readonly string[] | 'all';
  /** `--image-size` as given; undefined when the user left it to the default. */
  imageSize?: number;
  seed: number;
  pairsPerFactor?: number;
  /** The pairing rule (`balanced` by default). */
  pairing?: Pairing;
  arch?: string;
  numClasses?: number;
  /** `--graph`: the first checkpoint's tensors must bind to it by name. */
  graph?: string;
  /** Loads the first checkpoint in this thread (after the backend is initialised). */
  load: ModelLoader;
  log: (line: string) => void;
}

export interface PreflightResult {
  /** The input size to score at: the explicit one, the model's fixed one, or 224. */
  imageSize: number;
  /** The parsed errors CSV, when `--errors` was given. */
  errorCurve?: ErrorCurve;
}

/** `--errors`: the file exists and parses (header, `epoch` and error columns, numbers). */
export async function checkErrorsFile(file: string): Promise<ErrorCurve> {
  try {
    return await readErrorCsv(file);
  } catch (err) {
    throw new UsageError(`--errors: ${(err as Error).message}`, { cause: err });
  }
}

/** `--graph`: the graph file exists and is a usable, safe ONNX graph (read once; the run reuses it). */
export async function checkGraph(graph: string): Promise<void> {
  try {
    await onnxGraph(graph);
  } catch (err) {
    throw new UsageError(`--graph: ${(err as Error).message}`, { cause: err });
  }
}

/** At least one checkpoint: else the folder and the globs it was searched with. */
export function checkFound(checkpoints: string, found: readonly CheckpointEntry[]): void {
  if (found.length > 0) return;
  throw new UsageError(`no checkpoint found in ${path.resolve(checkpoints)}: searched for ${CHECKPOINT_GLOBS.join(' and ')}; give a folder holding checkpoints, or one checkpoint file`);
}

/** The probe set yields pairs for every factor with these options. */
export function checkPairs(probe: ProbeSet, seed: number, pairsPerFactor: number | undefined, pairing?: Pairing): void {
  try {
    samplePairs(probe, { seed, ...(pairsPerFactor !== undefined ? { pairsPerFactor } : {}), ...(pairing !== undefined ? { pairing } : {}) });
  } catch (err) {
    throw new UsageError(`--probe ${probe.root}: ${(err as Error).message}`, { cause: err });
  }
}

/** Requested taps the model lacks, as one message listing the taps it has. */
export function checkTaps(model: ScoringModel, entry: CheckpointEntry, taps: readonly string[] | 'all'): void {
  if (taps === 'all') return;
  const unknown = taps.filter((t) => !model.taps.includes(t) && !model.layerTaps?.includes(t));
  if (unknown.length === 0) return;
  const layers = model.layerTaps && model.layerTaps.length > 0 ? ` (or one of its layer names: ${model.layerTaps.join(', ')})` : '';
  throw new UsageError(
    `--taps: ${unknown.map((t) => `'${t}'`).join(', ')} ${unknown.length === 1 ? 'is not a tap' : 'are not taps'} of ${entry.checkpoint} (${model.arch}); its taps are ${model.taps.join(', ')}${layers}, or give --taps all`,
  );
}

/** The input size: a model with a fixed input shape sets it, and an explicit other size is a contradiction. */
export function resolveImageSize(model: ScoringModel | undefined, entry: CheckpointEntry | undefined, explicit: number | undefined): number {
  const fixed = model?.inputSize;
  if (fixed === undefined) return explicit ?? DEFAULT_IMAGE_SIZE;
  if (explicit !== undefined && explicit !== fixed) {
    throw new UsageError(
      `--image-size ${explicit} conflicts with ${entry!.checkpoint}: this ${model!.arch} model takes only ${fixed}×${fixed} images; leave --image-size out (${fixed} is then used) or give --image-size ${fixed}`,
    );
  }
  return fixed;
}

/**
 * Runs every check in order, cheapest first. The first checkpoint is loaded once to check the
 * taps and the input size; when it cannot be loaded those two checks are left to the run, which
 * records that checkpoint's failure like any other (exit 1) and scores the rest.
 */
export async function preflight(o: PreflightOptions): Promise<PreflightResult> {
  const errorCurve = o.errors !== undefined ? await checkErrorsFile(o.errors) : undefined;
  checkFound(o.checkpoints, o.found);
  if (o.probe) checkPairs(o.probe, o.seed, o.pairsPerFactor, o.pairing);
  const first = o.found[0]!;
  let model: ScoringModel | undefined;
  try {
    model = await o.load(first.path, {
      ...(o.arch !== undefined ? { arch: o.arch } : {}),
      ...(o.numClasses !== undefined ? { numClasses: o.numClasses } : {}),
      ...(o.graph !== undefined ? { graph: o.graph } : {}),
    });
  } catch (err) {
    // tensors that do not bind to --graph would fail every checkpoint alike: a usage error, before any forward pass
    if (err instanceof OnnxBindingError) throw new UsageError(`--graph ${o.graph}: ${err.message}`, { cause: err });
    o.log(`bias-score: the first checkpoint, ${first.checkpoint}, does not load (${(err as Error).message}); taps and input size are checked per checkpoint instead`);
  }
  try {
    if (model && o.probe) checkTaps(model, first, o.taps);
    if (model && o.cue && model.hasLogits === false) {
      throw new UsageError(`--cue-conflict: ${first.checkpoint} (${model.arch}) has no classifier output to take decisions from${model.noLogitsReason ? `: ${model.noLogitsReason}` : ''}`);
    }
    const imageSize = resolveImageSize(model, first, o.imageSize);
    if (model?.inputSize !== undefined && o.imageSize === undefined) o.log(`bias-score: input size ${imageSize}×${imageSize}, fixed by the model (${first.checkpoint})`);
    return { imageSize, ...(errorCurve ? { errorCurve } : {}) };
  } finally {
    model?.dispose();
  }
}
