import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { acquireOutputLock, initBackend, OutputLockedError, UsageError, VERSION, writeFileAtomic } from '@shapetex/core';
import { readCueConflictSet, readProbeSet, type CueConflictSet, type ProbeSetRead } from '@shapetex/svoc';
import { cueRunInfo, cueSettings, loadCueClassMap, writeMvhCsv } from './cue-run.js';
import { pairsCsv } from '../pairs/csv.js';
import { samplePairs } from '../pairs/sample.js';
import type { ResultRecord } from '../types.js';
import type { PhaseMethod } from '../dynamics/types.js';
import { pooledModelLoader } from './pool-loader.js';
import { OutputStageError, writeAnalysisOutputs, type AnalysisOutputs } from './analysis.js';
import { discoverCheckpoints } from './discover.js';
import { appendJsonLines } from './jsonl.js';
import { OUTPUT_FILES, readFailures, readResults, readRunInfo, writeFailures, writeResults, writeResultsCsv, writeRunInfo, type RunInfo } from './outputs.js';
import { defaultEpochEntry, defaultModelLoader, scoreCheckpoints } from './score.js';
import { preflight } from './preflight.js';
import { diffSettings, probeSetHash, settingsHash, type RunSettings } from './settings.js';
import { resolveMeasurement } from './preset.js';
import { probeSkipped, SKIPPED_SHOWN } from './skipped.js';
import { selectShard, type Shard } from './shard.js';
import type { CheckpointFailure, FailureLine, RunFailure, ScoreOptions, ScoreProgress } from './types.js';
import { BIAS_DEFAULTS } from '../defaults.js';

// A run that must not start (options that contradict the output folder, bad inputs): exit 2.
// Its home is core; re-exported here, where bias's modules have always imported it from.
export { UsageError } from '@shapetex/core';

export interface RunOptions extends Omit<ScoreOptions, 'checkpoints' | 'probe' | 'skip' | 'shard'> {
  /** Checkpoint folder or file. */
  checkpoints: string;
  /** Probe-set folder; optional when `cueConflict` is given. */
  probe?: string;
  /** Cue-conflict set folder (published stimuli layout or `svoc cue-conflict` output). */
  cueConflict?: string;
  /** `imagenet16`, `cifar10-voc`, `voc` or a JSON file; default by the head's size. */
  classMap?: string;
  /** Output folder; default `./bias-score-out`. */
  out?: string;
  /** Test-error CSV for the learning-dynamics analysis. */
  errors?: string;
  /** Phase-split method of the analysis (docs/method.md); default `threshold`. */
  phaseMethod?: PhaseMethod;
  /** Centred moving-average window of the analysis; default 5. */
  smooth?: number;
  /** Draw the residual fraction in the bias plots too (default false). */
  plotResidual?: boolean;
  /** Compute backend; default `auto`. */
  backend?: string;
  /**
   * Worker threads for the forward passes (core's feature pool); default 1 = in this thread.
   * Ignored when `loadModel` is given.
   */
  workers?: number;
  shard?: Shard;
  /**
   * A probe folder without manifest holding images whose names do not parse is a
   * {@link UsageError} instead of a warning; default false.
   */
  strictProbe?: boolean;
  /** Status lines (backend choice, resume, no-epoch checkpoints, skipped images, refused globals); default none. */
  log?: (line: string) => void;
  /** Stops the run after the checkpoint in progress; run.json then ends `interrupted`. */
  signal?: AbortSignal;
}

export interface RunSummary {
  out: string;
  version: string;
  backend: RunInfo['backend'];
  settingsHash: string;
  checkpoints: { found: number; inShard: number; scored: number; resumed: number; failed: number; noEpoch: string[] };
  /** Rows in results.jsonl after the run. */
  records: number;
  /** Checkpoint failures that stand: this run's and those of earlier runs not retried (other shards). */
  failures: CheckpointFailure[];
  /** This run's failures of its own inputs, analysis or plots. */
  runFailures: RunFailure[];
  analysis: AnalysisOutputs;
  /** The final status written to run.json. */
  status: 'complete' | 'failed' | 'interrupted';
  /** 0 success, 1 something failed (recorded in errors.jsonl), 130 stopped by a signal. */
  exitCode: 0 | 1 | 130;
  startTime: string;
  endTime: string;
}

/** The effective measurement options (preset and explicit ones), their contradictions as usage errors. */
function checkedMeasurement(opts: RunOptions): ReturnType<typeof resolveMeasurement> {
  let m;
  try {
    m = resolveMeasurement(opts);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (m.pairing === 'reference' && opts.pairsPerFactor !== undefined) {
    throw new UsageError('--pairs does not apply to --pairing reference (one pair per record); leave one of them out');
  }
  return m;
}

/** The {@link RunSettings} of a set of options, with defaults filled as scoreCheckpoints does. */
export function runSettings(opts: RunOptions, probeHash: string | null, factors: string[], cue?: CueConflictSet): RunSettings {
  const m = checkedMeasurement(opts);
  return {
    ...(cue ? { cue: cueSettings(cue, opts.classMap) } : {}),
    probeHash, factors,
    arch: opts.arch ?? null,
    numClasses: opts.numClasses ?? null,
    imageSize: m.imageSize,
    ...(opts.token === 'mean' ? { token: 'mean' as const } : {}),
    ...(opts.heads !== undefined ? { heads: opts.heads } : {}),
    norm: m.norm,
    resize: m.resize,
    channelOrder: m.channelOrder,
    pairing: m.pairing,
    rounding: m.rounding,
    taps: opts.taps === 'all' ? 'all' : [...(opts.taps ?? BIAS_DEFAULTS.taps)],
    methods: m.methods,
    pairsPerFactor: opts.pairsPerFactor ?? null,
    seed: opts.seed ?? BIAS_DEFAULTS.seed,
    bootstrap: opts.bootstrap ?? BIAS_DEFAULTS.bootstrap,
  };
}

/**
 * `bias-score` as a function: scores the checkpoints into `out` and returns a summary. Before
 * the first forward pass, `preflight` checks the errors CSV, the folder, the probe set's pairs
 * and the taps and input size against the first checkpoint (a {@link UsageError} on a problem).
 *
 * Resumable: the folder's run.json holds the settings hash; a rerun with the same settings skips
 * every checkpoint already in results.jsonl and scores the rest, with different settings it
 * throws a {@link UsageError} listing what differs. Each checkpoint's records are appended to
 * results.jsonl in one write as it finishes and results.csv is rewritten atomically; failures
 * go to errors.jsonl and the run goes on.
 */
export async function runBiasScore(opts: RunOptions): Promise<RunSummary> {
  const out = path.resolve(opts.out ?? BIAS_DEFAULTS.out);
  // One writer per output folder: a second run on it is refused (a usage error, exit 2).
  const lock = await acquireOutputLock(out, 'bias-score').catch((err: unknown) => {
    throw err instanceof OutputLockedError ? new UsageError(err.message) : err;
  });
  if (lock.tookOverFrom) (opts.log ?? (() => undefined))(`bias-score: ${out}: the ${lock.tookOverFrom.tool} run that held it (pid ${lock.tookOverFrom.pid}, since ${lock.tookOverFrom.startTime}) is gone; it was interrupted, and this run resumes its work`);
  try {
    return await scoreInto(out, opts);
  } finally {
    await lock.release();
  }
}

async function scoreInto(out: string, opts: RunOptions): Promise<RunSummary> {
  const startTime = new Date().toISOString();
  const log = opts.log ?? (() => undefined);
  const shard = opts.shard ?? { index: 0, count: 1 };
  if (opts.probe === undefined && opts.cueConflict === undefined) throw new UsageError('give --probe DIR, --cue-conflict DIR, or both');
  const probe: ProbeSetRead | undefined = opts.probe === undefined ? undefined
    : await readProbeSet(opts.probe).catch((err: Error) => { throw new UsageError(`--probe: ${err.message}`); });
  const cueSet = opts.cueConflict === undefined ? undefined
    : await readCueConflictSet(opts.cueConflict).catch((err: Error) => { throw new UsageError(`--cue-conflict: ${err.message}`); });
  const classMap = await loadCueClassMap(opts.classMap, cueSet).catch((err: Error) => { throw new UsageError(`--class-map: ${err.message}`); });
  const skipped = probe ? probeSkipped(probe) : { count: 0, first: [] };
  if (probe && skipped.count > 0) {
    const names = skipped.first.join(', ') + (skipped.count > SKIPPED_SHOWN ? ', …' : '');
    const what = `${skipped.count} image(s) in ${probe.root} do not follow the naming {textureId}_{classId}_{contentId}.jpg and are not probe images: ${names}`;
    if (opts.strictProbe) throw new UsageError(`--probe (--strict-probe): ${what}`);
    log(`bias-score: WARNING: ${what} (recorded in run.json; --strict-probe makes this an error)`);
  }
  const { checkpoints: found } = await discoverCheckpoints(opts.checkpoints, { readEpochEntry: opts.readEpochEntry ?? defaultEpochEntry })
    .catch((err: Error) => { throw new UsageError(err.message); });
  const backend = await initBackend(opts.backend ?? BIAS_DEFAULTS.backend, { log });
  // Everything that can be checked before the first forward pass (exit 2 within seconds). The size
  // asked for is --image-size, else the preset's; left to the model (or 224) when neither is given.
  const asked = checkedMeasurement(opts);
  const askedSize = opts.imageSize ?? (opts.preset !== undefined ? asked.imageSize : undefined);
  const checked = await preflight({
    checkpoints: opts.checkpoints, found, ...(probe ? { probe } : {}), cue: cueSet !== undefined, taps: opts.taps ?? [...BIAS_DEFAULTS.taps], seed: opts.seed ?? BIAS_DEFAULTS.seed, load: opts.loadModel ?? defaultModelLoader, log,
    pairing: asked.pairing, ...(opts.errors !== undefined ? { errors: opts.errors } : {}), ...(askedSize !== undefined ? { imageSize: askedSize } : {}),
    ...(opts.pairsPerFactor !== undefined ? { pairsPerFactor: opts.pairsPerFactor } : {}),
    ...(opts.arch !== undefined ? { arch: opts.arch } : {}), ...(opts.numClasses !== undefined ? { numClasses: opts.numClasses } : {}),
  });
  opts = { ...opts, imageSize: checked.imageSize };
  const probeHash = probe ? probeSetHash(probe) : null;
  const factors = probe?.factors ?? [];
  const settings = runSettings(opts, probeHash, factors, cueSet);
  const hash = settingsHash(settings);
  const previous = await readRunInfo(out);
  if (previous && previous.settingsHash !== hash) {
    const diff = diffSettings(previous.settings, settings);
    throw new UsageError(`${out} holds results made with other options; refusing to mix them. Differences (before → now):\n  ${diff.join('\n  ')}\nUse another --out, or the same options to resume.`);
  }
  const mine = selectShard(found, shard);
  const noEpoch = mine.filter((c) => c.epoch === null).map((c) => c.checkpoint);
  if (noEpoch.length > 0) log(`bias-score: ${noEpoch.length} checkpoint(s) have no epoch (scored, listed last, left out of the dynamics): ${noEpoch.join(', ')}`);

  await mkdir(out, { recursive: true });
  const { records: kept, dropped, duplicates } = await readResults(out);
  const done = new Set(kept.map((r) => r.checkpoint));
  if (dropped) log(`bias-score: results.jsonl ended in an interrupted write; ${dropped} will be scored again`);
  if (duplicates > 0) log(`bias-score: results.jsonl held ${duplicates} duplicate row(s) (two writers at once); dropped`);
  const todo = mine.filter((c) => !done.has(c.checkpoint));
  const todoNames = new Set(todo.map((c) => c.checkpoint));
  // Failures are records of the run that met them. A checkpoint failure stands until that
  // checkpoint is retried (every run retries those of its shard) or scored; a failure of an
  // earlier run's inputs, analysis or plots does not outlive that run: if its cause remains,
  // this run meets it again and records it anew.
  const oldFailures = (await readFailures(out)).filter((f): f is CheckpointFailure & FailureLine =>
    'checkpoint' in f && typeof f.checkpoint === 'string' && !todoNames.has(f.checkpoint) && !done.has(f.checkpoint));
  const resumed = mine.length - todo.length;
  if (resumed > 0) log(`bias-score: resuming in ${out}: ${resumed} of ${mine.length} checkpoint(s) already scored`);
  await writeResults(out, kept, factors);
  await writeFailures(out, oldFailures);

  // Backend default batch: a GPU wants large batches; on CPU backends 32 already fills the cores
  // and keeps the activations of a 224 px ResNet-50 within a few hundred MiB.
  const batch = opts.batch ?? (backend.accelerated ? BIAS_DEFAULTS.gpuBatch : BIAS_DEFAULTS.batch);
  const options: Record<string, unknown> = {
    checkpoints: opts.checkpoints, probe: opts.probe ?? null, cueConflict: opts.cueConflict ?? null, classMap: opts.classMap ?? null, out, errors: opts.errors ?? null, backend: opts.backend ?? BIAS_DEFAULTS.backend,
    batch, workers: opts.workers ?? BIAS_DEFAULTS.workers, shard: `${shard.index}/${shard.count}`, arch: settings.arch, numClasses: settings.numClasses,
    preset: opts.preset ?? null, imageSize: settings.imageSize, token: opts.token ?? BIAS_DEFAULTS.token, heads: opts.heads ?? null, norm: opts.norm ?? settings.norm, resize: settings.resize,
    channelOrder: settings.channelOrder, pairing: settings.pairing, rounding: settings.rounding,
    strictProbe: opts.strictProbe ?? false, taps: settings.taps, methods: settings.methods,
    pairs: settings.pairsPerFactor, seed: settings.seed, bootstrap: settings.bootstrap,
    phases: opts.phaseMethod ?? BIAS_DEFAULTS.phaseMethod, smooth: opts.smooth ?? BIAS_DEFAULTS.smooth, plotResidual: opts.plotResidual ?? BIAS_DEFAULTS.plotResidual,
  };
  const info: RunInfo = {
    tool: 'bias-score', version: VERSION, backend: { name: backend.name, device: backend.device, accelerated: backend.accelerated, settings: { ...backend.settings } },
    probe: probe ? { path: probe.root, hash: probeHash!, kind: probe.manifest?.kind ?? 'svoc (file names)', records: probe.records.length, factors: probe.factors, skipped } : null,
    ...(cueSet ? { cue: cueRunInfo(cueSet, classMap) } : {}),
    checkpoints: { path: path.resolve(opts.checkpoints), found: found.length, inShard: mine.length, noEpoch },
    seed: settings.seed, settings, settingsHash: hash, options, shard,
    startTime, endTime: null, firstStartTime: previous?.firstStartTime ?? startTime, status: 'running',
    scored: 0, resumed, failed: 0,
    refusedGlobals: Object.fromEntries(Object.entries(previous?.refusedGlobals ?? {}).filter(([k]) => done.has(k))),
  };
  await writeRunInfo(out, info);
  if (probe) await writePairs(out, probe, settings);
  const recordFailure = (f: CheckpointFailure | RunFailure): Promise<void> =>
    appendJsonLines(path.join(out, OUTPUT_FILES.errors), [{ ...f, run: startTime, time: new Date().toISOString() }]);

  const records: ResultRecord[] = [...kept];
  const failures: CheckpointFailure[] = [];
  let scored = 0;
  const { out: _o, errors: _e, backend: _b, log: _l, shard: _s, checkpoints: _c, probe: _p, phaseMethod: _m, smooth: _w, plotResidual: _r, workers: _n, strictProbe: _t, cueConflict: _q, classMap: _k, onProgress, ...scoring } = opts;
  // More than one worker: every checkpoint goes through the same pool of threads.
  const pooled = (opts.workers ?? BIAS_DEFAULTS.workers) > 1 && !opts.loadModel ? pooledModelLoader(opts.workers!, backend.name) : undefined;
  if (pooled) scoring.loadModel = pooled.load;
  // A checkpoint is reported done once its lines are saved, not when its scores exist.
  let pendingDone: ScoreProgress | undefined;
  const progress = (e: ScoreProgress): void => {
    if (e.kind === 'done') pendingDone = e;
    else onProgress?.(e);
  };
  let interrupted = false;
  try {
    const sets = { ...(probe ? { probe } : {}), ...(cueSet ? { cue: { set: cueSet, ...(classMap ? { classMap } : {}) } } : {}) };
    for await (const result of scoreCheckpoints({ ...scoring, ...sets, onProgress: progress, batch, checkpoints: todo })) {
      if (result.refusedGlobals.length > 0) {
        log(`bias-score: WARNING ${result.checkpoint} names ${result.refusedGlobals.length} global(s) that were refused (kept inert, never run): ${result.refusedGlobals.join(', ')}; this file was not written by torch.save of weights alone`);
        info.refusedGlobals![result.checkpoint] = result.refusedGlobals;
      }
      if (result.error) {
        failures.push(result.error);
        await recordFailure(result.error);
      } else {
        if (result.cue && cueSet) await writeMvhCsv(out, result.checkpoint, cueSet, result.cue);
        await appendJsonLines(path.join(out, OUTPUT_FILES.results), result.records);
        records.push(...result.records);
        scored++;
        await writeResultsCsv(out, records, factors);
      }
      if (pendingDone) onProgress?.(pendingDone);
      pendingDone = undefined;
      await writeRunInfo(out, { ...info, scored, failed: failures.length });
      if (opts.signal?.aborted) {
        interrupted = true;
        break;
      }
    }
  } catch (err) {
    // A failure of the run's own inputs (a probe image that does not decode, pairs that cannot
    // be drawn): recorded like a checkpoint failure, then the run stops.
    await recordFailure({ input: opts.probe ?? opts.cueConflict ?? null, stage: 'run', error: (err as Error).name, message: (err as Error).message });
    await writeRunInfo(out, { ...info, endTime: new Date().toISOString(), status: 'failed', scored, failed: failures.length + 1 });
    throw err;
  } finally {
    await pooled?.dispose();
  }

  const runFailures: RunFailure[] = [];
  const analysis = interrupted ? { files: [], phases: null } : await analyse(out, records, opts, log, runFailures);
  for (const f of runFailures) await recordFailure(f);
  const allFailures: CheckpointFailure[] = [...oldFailures, ...failures];
  const endTime = new Date().toISOString();
  const failed = allFailures.length + runFailures.length;
  const status = interrupted ? 'interrupted' : failed > 0 ? 'failed' : 'complete';
  await writeRunInfo(out, { ...info, endTime, status, scored, failed: allFailures.length });
  return {
    out, version: VERSION, backend: info.backend, settingsHash: hash,
    checkpoints: { found: found.length, inShard: mine.length, scored, resumed, failed: allFailures.length, noEpoch },
    records: records.length, failures: allFailures, runFailures, analysis, status,
    exitCode: interrupted ? 130 : failed > 0 ? 1 : 0, startTime, endTime,
  };
}

/**
 * Writes `pairs.csv`: the pairs every checkpoint of the run is measured on, drawn as
 * scoreCheckpoints draws them (same probe set, seed, pairing and pairsPerFactor), so a rerun
 * and every shard write the same bytes.
 */
async function writePairs(out: string, probe: Awaited<ReturnType<typeof readProbeSet>>, settings: RunSettings): Promise<void> {
  let pairs;
  try {
    pairs = samplePairs(probe, {
      seed: settings.seed, pairing: settings.pairing,
      ...(settings.pairsPerFactor !== null ? { pairsPerFactor: settings.pairsPerFactor } : {}),
    });
  } catch {
    // Pairs that cannot be drawn fail the scoring itself, which records the reason.
    return;
  }
  await writeFileAtomic(path.join(out, OUTPUT_FILES.pairs), pairsCsv(pairs, probe));
}

/**
 * The analysis and plots after the scores. Their failures (a bad error curve, a plot that cannot
 * be rendered or written) are pushed to `failures` with their stage, never thrown: the scores are
 * saved, and the failure is recorded in errors.jsonl like any other.
 */
async function analyse(out: string, records: ResultRecord[], opts: RunOptions, log: (line: string) => void, failures: RunFailure[]): Promise<AnalysisOutputs> {
  let analysis: AnalysisOutputs;
  try {
    analysis = await writeAnalysisOutputs(out, records, opts.errors, {
      checkpoints: opts.checkpoints, ...(opts.probe ? { probe: opts.probe } : {}), ...(opts.cueConflict ? { cueConflict: opts.cueConflict } : {}), ...(opts.errors ? { errorsFile: opts.errors } : {}), version: VERSION, generatedAt: new Date().toISOString(),
    }, { method: opts.phaseMethod ?? BIAS_DEFAULTS.phaseMethod, smooth: opts.smooth ?? BIAS_DEFAULTS.smooth }, { residual: opts.plotResidual ?? BIAS_DEFAULTS.plotResidual });
  } catch (err) {
    const stage = err instanceof OutputStageError ? err.stage : 'analysis';
    const cause = err instanceof OutputStageError ? err.cause as Error : err as Error;
    failures.push({ input: stage === 'plots' ? path.join(out, 'plots') : opts.errors ?? out, stage, error: cause?.name ?? 'Error', message: cause?.message ?? String(err) });
    log(`bias-score: the ${stage} stage failed: ${cause?.message ?? String(err)}`);
    return { files: [], phases: null, error: cause?.message ?? String(err) };
  }
  if (analysis.error) {
    failures.push({ input: opts.errors ?? null, stage: 'errors', error: 'Error', message: analysis.error });
    log(`bias-score: --errors ${opts.errors}: ${analysis.error}`);
  }
  return analysis;
}
