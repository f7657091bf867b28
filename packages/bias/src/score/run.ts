import path from 'node:path';
import { acquireOutputLock, OutputLockedError, UsageError, VERSION, writeFileAtomic } from '@shapetex/core';
import type { readProbeSet } from '@shapetex/svoc';
import { cueRunInfo } from './cue-run.js';
import { pairsCsv } from '../pairs/csv.js';
import { samplePairs } from '../pairs/sample.js';
import type { ResultRecord } from '../types.js';
import { OutputStageError, writeAnalysisOutputs, type AnalysisOutputs } from './analysis.js';
import { appendJsonLines } from './jsonl.js';
import { backendRecord, OUTPUT_FILES, readRunInfo, writeRunInfo, type RunInfo } from './outputs.js';
import { resumeOutput } from './resume.js';
import { readRunInputs, runSettings, startChecked } from './run-inputs.js';
import { runScoringLoop } from './run-loop.js';
import type { RunOptions, RunSummary } from './run-types.js';
import { diffSettings, probeSetHash, settingsHash, type RunSettings } from './settings.js';
import { selectShard, type Shard } from './shard.js';
import type { CheckpointFailure, RunFailure } from './types.js';
import { BIAS_DEFAULTS } from '../defaults.js';

export { runSettings } from './run-inputs.js';
export type { RunOptions, RunSummary } from './run-types.js';

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

async function scoreInto(out: string, given: RunOptions): Promise<RunSummary> {
  const startTime = new Date().toISOString();
  const log = given.log ?? (() => undefined);
  const shard = given.shard ?? { index: 0, count: 1 };
  const inputs = await readRunInputs(given, log);
  const { probe, cueSet, classMap, found } = inputs;
  // Everything that can be checked before the first forward pass (exit 2 within seconds).
  const { backend, opts } = await startChecked(given, inputs, log);
  const probeHash = probe ? probeSetHash(probe) : null;
  const factors = probe?.factors ?? [];
  const settings = runSettings(opts, probeHash, factors, cueSet);
  const hash = settingsHash(settings);
  const previous = await readRunInfo(out);
  if (previous && previous.settingsHash !== hash) {
    const diff = diffSettings(previous.settings, settings);
    throw new UsageError(`${out} holds results made with other options; refusing to mix them. Differences (before → now):\n  ${diff.join('\n  ')}\nUse another --out, or the same options to resume.`);
  }
  // this process holds the folder now, so a previous `running` run can only have been killed
  if (previous && (previous.status === 'running' || previous.status === 'interrupted')) {
    log(`bias-score: ${out} holds an interrupted run (started ${previous.startTime}${previous.status === 'running' || previous.killed ? ', its process killed' : ', stopped by a signal'}); resuming it`);
  }
  const mine = selectShard(found, shard);
  const noEpoch = mine.filter((c) => c.epoch === null).map((c) => c.checkpoint);
  if (noEpoch.length > 0) log(`bias-score: ${noEpoch.length} checkpoint(s) have no epoch (scored, listed last, left out of the dynamics): ${noEpoch.join(', ')}`);
  const { kept, done, todo, oldFailures, resumed } = await resumeOutput(out, mine, factors, log);

  // Backend default batch: a GPU wants large batches; on CPU backends 32 already fills the cores
  // and keeps the activations of a 224 px ResNet-50 within a few hundred MiB.
  const batch = opts.batch ?? (backend.accelerated ? BIAS_DEFAULTS.gpuBatch : BIAS_DEFAULTS.batch);
  const info: RunInfo = {
    tool: 'bias-score', version: VERSION, backend: backendRecord(backend),
    probe: probe ? { path: probe.root, hash: probeHash!, kind: probe.manifest?.kind ?? 'svoc (file names)', records: probe.records.length, factors: probe.factors, skipped: inputs.skipped } : null,
    ...(cueSet ? { cue: cueRunInfo(cueSet, classMap) } : {}),
    checkpoints: { path: path.resolve(opts.checkpoints), found: found.length, inShard: mine.length, noEpoch },
    seed: settings.seed, settings, settingsHash: hash, options: recordedOptions(opts, out, settings, shard, batch), shard,
    startTime, endTime: null, firstStartTime: previous?.firstStartTime ?? startTime, status: 'running',
    scored: 0, resumed, failed: 0,
    refusedGlobals: Object.fromEntries(Object.entries(previous?.refusedGlobals ?? {}).filter(([k]) => done.has(k))),
  };
  await writeRunInfo(out, info);
  if (probe) await writePairs(out, probe, settings);
  const recordFailure = (f: CheckpointFailure | RunFailure): Promise<void> =>
    appendJsonLines(path.join(out, OUTPUT_FILES.errors), [{ ...f, run: startTime, time: new Date().toISOString() }]);

  const { records, failures, scored, interrupted } = await runScoringLoop({
    out, opts, info, todo, ...(probe ? { probe } : {}), ...(cueSet ? { cueSet } : {}), classMap, factors, batch, backendName: backend.name, kept, recordFailure, log,
  });
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

/** run.json's `options`: every option of the run with its effective value, defaults filled in. */
function recordedOptions(opts: RunOptions, out: string, settings: RunSettings, shard: Shard, batch: number): Record<string, unknown> {
  return {
    checkpoints: opts.checkpoints, probe: opts.probe ?? null, cueConflict: opts.cueConflict ?? null, classMap: opts.classMap ?? null, out, errors: opts.errors ?? null, backend: opts.backend ?? BIAS_DEFAULTS.backend,
    device: opts.device ?? null, threads: opts.threads ?? null,
    batch, workers: opts.workers ?? BIAS_DEFAULTS.workers, shard: `${shard.index}/${shard.count}`, arch: settings.arch, numClasses: settings.numClasses,
    preset: opts.preset ?? null, imageSize: settings.imageSize, token: opts.token ?? BIAS_DEFAULTS.token, heads: opts.heads ?? null, norm: opts.norm ?? settings.norm, resize: settings.resize,
    channelOrder: settings.channelOrder, pairing: settings.pairing, rounding: settings.rounding,
    strictProbe: opts.strictProbe ?? false, taps: settings.taps, methods: settings.methods,
    pairs: settings.pairsPerFactor, seed: settings.seed, bootstrap: settings.bootstrap,
    phases: opts.phaseMethod ?? BIAS_DEFAULTS.phaseMethod, smooth: opts.smooth ?? BIAS_DEFAULTS.smooth, plotResidual: opts.plotResidual ?? BIAS_DEFAULTS.plotResidual,
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
