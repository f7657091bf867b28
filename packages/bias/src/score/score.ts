import * as core from '@shapetex/core';
import { readCueConflictSet, readProbeSet, type ProbeSet } from '@shapetex/svoc';
import { scoreCue, type CueRun } from './cue-forward.js';
import type { CueCheckpoint } from '../cue/score.js';
import { withCue } from '../cue/records.js';
import path from 'node:path';
import { estimateDimensions } from '../estimate/estimate.js';
import { ESTIMATOR_METHODS, isEstimatorMethod } from '../estimate/estimators.js';
import type { EstimatorMethod, PercentRounding } from '../estimate/types.js';
import { samplePairs } from '../pairs/sample.js';
import type { Pairs } from '../pairs/types.js';
import type { ResultRecord } from '../types.js';
import { discoverCheckpoints, discoverPatterns, type CheckpointEntry } from './discover.js';
import { prepareProbe, type PreparedProbe } from './probe-cache.js';
import { resolveMeasurement } from './preset.js';
import { selectShard } from './shard.js';
import type { CheckpointFailure, CheckpointResult, ModelLoadOptions, ModelLoader, ScoreOptions, ScoringModel } from './types.js';
import { BIAS_DEFAULTS } from '../defaults.js';


/** Core's `loadModel`: any supported checkpoint format as a feature model. */
export const defaultModelLoader: ModelLoader = (file, opts) => core.loadModel(file, opts);

/**
 * The checkpoint's own integer `epoch` entry, through core's `readCheckpointEpoch`, which decodes
 * the pickle but reads no tensor data: discovery stays cheap on folders of large checkpoints.
 */
export async function defaultEpochEntry(file: string): Promise<number | null> {
  // Only a PyTorch-style file can hold an `epoch` entry next to its weights.
  if (!/\.(pth|pt|th|tar|ckpt)$/i.test(file)) return null;
  const epoch = await core.readCheckpointEpoch(file);
  return typeof epoch === 'number' && Number.isSafeInteger(epoch) ? epoch : null;
}

function checkInt(name: string, v: number | undefined, lo: number): void {
  if (v !== undefined && !(Number.isSafeInteger(v) && v >= lo)) throw new RangeError(`scoreCheckpoints: ${name} must be an integer ≥ ${lo}, got ${v}`);
}

/**
 * The options of {@link scoreCheckpoints} with their defaults filled in and checked: the
 * measurement (preset and explicit options) and the counts; a RangeError names the bad one.
 */
function checkedScoreOptions(options: ScoreOptions) {
  let measurement;
  try {
    measurement = resolveMeasurement(options);
  } catch (err) {
    throw new RangeError(`scoreCheckpoints: ${(err as Error).message}`);
  }
  const seed = options.seed ?? BIAS_DEFAULTS.seed;
  const bootstrap = options.bootstrap ?? BIAS_DEFAULTS.bootstrap;
  const batch = options.batch ?? BIAS_DEFAULTS.batch;
  checkInt('imageSize', measurement.imageSize, 1);
  checkInt('seed', seed, 0);
  checkInt('bootstrap', bootstrap, 0);
  checkInt('batch', batch, 1);
  checkInt('pairsPerFactor', options.pairsPerFactor, 1);
  checkInt('numClasses', options.numClasses, 1);
  checkInt('heads', options.heads, 1);
  if (options.token !== undefined && !(core.TOKEN_CHOICES as readonly string[]).includes(options.token)) {
    throw new RangeError(`scoreCheckpoints: token must be ${core.TOKEN_CHOICES.join(' or ')}, got ${JSON.stringify(options.token)}`);
  }
  const methods = measurement.methods;
  for (const m of methods) if (!isEstimatorMethod(m)) throw new RangeError(`scoreCheckpoints: method must be ${ESTIMATOR_METHODS.join(' or ')}, got ${JSON.stringify(m)}`);
  if (methods.length === 0) throw new RangeError('scoreCheckpoints: methods is empty');
  const wantTaps = options.taps ?? [...BIAS_DEFAULTS.taps];
  if (wantTaps !== 'all' && wantTaps.length === 0) throw new RangeError('scoreCheckpoints: taps is empty');
  return { ...measurement, seed, bootstrap, batch, methods, wantTaps };
}

/** What the loader is asked for: the options of core's `loadModel` that were given. */
function loadOptionsOf(options: ScoreOptions): ModelLoadOptions {
  return {
    ...(options.arch !== undefined ? { arch: options.arch } : {}),
    ...(options.numClasses !== undefined ? { numClasses: options.numClasses } : {}),
    ...(options.token !== undefined ? { token: options.token } : {}),
    ...(options.heads !== undefined ? { heads: options.heads } : {}),
    ...(options.graph !== undefined ? { graph: options.graph } : {}),
  };
}

/**
 * Scores every checkpoint of a folder (docs/formats.md):
 *
 * 1. the probe set's images are decoded, resized to `imageSize` and normalised once, and kept
 *    (in memory, or a disk cache when large) for the whole run;
 * 2. pairs are drawn once with `samplePairs(probe, { seed, pairing, pairsPerFactor })`, so every
 *    checkpoint is measured on the same pairs;
 * 3. per checkpoint, in epoch order: the model is loaded, each unique image forwarded once with
 *    every requested tap returned in the same pass, the N×D matrix of each tap assembled, and
 *    `estimateDimensions` run per (tap, method); with a cue-conflict set (`cue`), its images
 *    (prepared once, like the probe's) are forwarded for the reserved output `logits` and turned
 *    into decisions and the decision-level shape bias (cue/); then the model is disposed, so
 *    memory stays flat over long folders. `probe` may be left out when `cue` is given.
 *
 * Yields one {@link CheckpointResult} per checkpoint as it finishes: its result records, or a
 * {@link CheckpointFailure} (the run goes on). Problems with the run's own inputs (probe set,
 * options, folder) reject instead.
 */
export async function* scoreCheckpoints(options: ScoreOptions): AsyncGenerator<CheckpointResult> {
  const { imageSize, norm, resize, channelOrder, pairing, rounding, seed, bootstrap, batch, methods, wantTaps } = checkedScoreOptions(options);

  if (options.probe === undefined && options.cue === undefined) throw new RangeError('scoreCheckpoints: give a probe set, a cue-conflict set, or both');
  const probe: ProbeSet | undefined = typeof options.probe === 'string' ? await readProbeSet(options.probe) : options.probe;
  const pairs = probe ? samplePairs(probe, { seed, pairing, ...(options.pairsPerFactor !== undefined ? { pairsPerFactor: options.pairsPerFactor } : {}) }) : null;
  const cueSet = typeof options.cue?.set === 'string' ? await readCueConflictSet(options.cue.set) : options.cue?.set;
  let entries: readonly CheckpointEntry[] = typeof options.checkpoints === 'string'
    ? (await discoverCheckpoints(options.checkpoints, { readEpochEntry: options.readEpochEntry ?? defaultEpochEntry, ...discoverPatterns(options.graph) })).checkpoints
    : options.checkpoints;
  if (options.shard) entries = selectShard(entries, options.shard);
  if (options.skip) entries = entries.filter((e) => !options.skip!(e));
  if (entries.length === 0) return;

  if (!core.currentBackend()) await core.initBackend();
  const prepare = (files: string[]) => prepareProbe(files, {
    size: imageSize, norm, resize, channelOrder, batchSize: batch,
    ...(options.memoryLimitBytes !== undefined ? { memoryLimitBytes: options.memoryLimitBytes } : {}),
    ...(options.cacheDir !== undefined ? { cacheDir: options.cacheDir } : {}),
    onBatch: (done, total) => options.onProgress?.({ kind: 'decode', done, total }),
  });
  const prepared = probe ? await prepare(probe.records.map((r) => path.join(probe.root, r.file))) : null;
  // the cue-conflict images are prepared once too, with the same size and normalisation
  const cue: CueRun | null = cueSet ? {
    set: cueSet, prepared: await prepare(cueSet.images.map((im) => path.join(cueSet.root, im.file))),
    bootstrap: bootstrap > 0 ? bootstrap : 1000, seed,
    ...(options.cue?.classMap ? { classMap: options.cue.classMap } : {}),
  } : null;
  const load = options.loadModel ?? defaultModelLoader;
  const loadOpts = loadOptionsOf(options);
  try {
    for (let index = 0; index < entries.length; index++) {
      const entry = entries[index]!;
      options.onProgress?.({ kind: 'start', index, total: entries.length, checkpoint: entry.checkpoint });
      const t0 = performance.now();
      const result = await scoreOne(entry, { load, loadOpts, prepared, pairs, wantTaps, methods, bootstrap, seed, rounding, imageSize, cue });
      const seconds = (performance.now() - t0) / 1000;
      const refusedGlobals = result.error ? [] : await refusedGlobalsOf(entry.path);
      if (refusedGlobals.length > 0) for (const r of result.records) r.refusedGlobals = refusedGlobals;
      const out: CheckpointResult = {
        checkpoint: entry.checkpoint, path: entry.path, epoch: entry.epoch, epochSource: entry.epochSource,
        index, total: entries.length, records: result.records, images: result.images, seconds, refusedGlobals,
        ...(result.arch !== undefined ? { arch: result.arch } : {}),
        ...(result.error ? { error: result.error } : {}),
        ...(result.cue ? { cue: result.cue } : {}),
      };
      options.onProgress?.({ kind: 'done', index, total: entries.length, checkpoint: entry.checkpoint, images: result.images, seconds, ok: !result.error });
      yield out;
    }
  } finally {
    await prepared?.close();
    await cue?.prepared.close();
  }
}

/**
 * Globals a PyTorch checkpoint names that were refused (its pickle alone is decoded again: cheap
 * next to the forward passes). The model loaded, so the file reads; a TF.js model has none.
 */
async function refusedGlobalsOf(file: string): Promise<string[]> {
  if (core.isTfjsModelPath(file)) return [];
  return core.readRefusedGlobals(file).catch(() => []);
}

interface OneContext {
  load: ModelLoader;
  loadOpts: ModelLoadOptions;
  prepared: PreparedProbe | null;
  pairs: Pairs | null;
  cue: CueRun | null;
  wantTaps: readonly string[] | 'all';
  methods: EstimatorMethod[];
  bootstrap: number;
  seed: number;
  rounding: PercentRounding;
  imageSize: number;
}

interface OneResult { records: ResultRecord[]; images: number; arch?: string; error?: CheckpointFailure; cue?: CueCheckpoint }

async function scoreOne(entry: CheckpointEntry, ctx: OneContext): Promise<OneResult> {
  const fail = (stage: CheckpointFailure['stage'], err: unknown, images = 0, arch?: string): OneResult => ({
    records: [], images, ...(arch !== undefined ? { arch } : {}),
    error: {
      checkpoint: entry.checkpoint, path: entry.path, epoch: entry.epoch, stage,
      error: err instanceof Error ? err.name : 'Error',
      message: err instanceof Error ? err.message : String(err),
    },
  });
  let model: ScoringModel;
  try {
    model = await ctx.load(entry.path, ctx.loadOpts);
  } catch (err) {
    return fail('load', err);
  }
  try {
    // A model with a fixed input shape (TF.js) cannot take the probe at another size: say so, not tfjs's shape error.
    if (model.inputSize !== undefined && model.inputSize !== ctx.imageSize) {
      return fail('features', new core.CheckpointError(null, `${model.arch} model takes only ${model.inputSize}×${model.inputSize} images; the probe set was prepared at ${ctx.imageSize}×${ctx.imageSize} (imageSize)`), 0, model.arch);
    }
    const result = ctx.prepared && ctx.pairs ? await estimateOne(entry, model, ctx, ctx.prepared, ctx.pairs, fail) : { records: [], images: 0, arch: model.arch };
    if (result.error || !ctx.cue) return result;
    let cue: CueCheckpoint;
    try {
      cue = await scoreCue(model, ctx.cue);
    } catch (err) {
      return fail('decisions', err, result.images, model.arch);
    }
    return { ...result, records: withCue(result.records, entry, cue), images: result.images + ctx.cue.prepared.count, cue };
  } finally {
    model.dispose();
  }
}

/** The representational part of one checkpoint: forward the probe set, estimate per (tap, method). */
async function estimateOne(
  entry: CheckpointEntry, model: ScoringModel, ctx: OneContext, prepared: PreparedProbe, pairs: Pairs,
  fail: (stage: CheckpointFailure['stage'], err: unknown, images?: number, arch?: string) => OneResult,
): Promise<OneResult> {
  const taps = ctx.wantTaps === 'all' ? [...model.taps] : [...ctx.wantTaps];
  const unknown = taps.filter((t) => !model.taps.includes(t) && !model.layerTaps?.includes(t));
  if (unknown.length > 0) {
    return fail('features', new core.UsageError(`${model.arch} has no tap ${unknown.map((t) => `'${t}'`).join(', ')}; its taps are ${model.taps.join(', ')}`), 0, model.arch);
  }
  let features: Record<string, core.TapFeatures>;
  try {
    // every prepared batch forwarded once, all taps in the same pass; rows in record order, as the pairs index them
    features = await core.extractFeatures(model, prepared.batches(), { taps });
  } catch (err) {
    return fail('features', err, 0, model.arch);
  }
  const records: ResultRecord[] = [];
  try {
    for (const tap of taps) {
      const { D, data } = features[tap]!;
      for (const method of ctx.methods) {
        const est = estimateDimensions(data, D, pairs, { method, bootstrap: ctx.bootstrap, seed: ctx.seed, rounding: ctx.rounding });
        const rec: ResultRecord = {
          epoch: entry.epoch, checkpoint: entry.checkpoint, tap, method, D: est.D, factors: est.factors,
          dims: est.dims, fractions: est.fractions, scores: est.scores, percent: est.percent,
          deadUnits: est.deadUnits, pairs: est.pairs,
        };
        if (est.ci) rec.ci = { low: est.ci.low, high: est.ci.high };
        records.push(rec);
      }
    }
  } catch (err) {
    return fail('estimate', err, prepared.count, model.arch);
  }
  return { records, images: prepared.count, arch: model.arch };
}
