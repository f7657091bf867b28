/**
 * Before anything is written: the run's own inputs read (probe set, cue-conflict set, class
 * map, checkpoint folder) and checked against the first checkpoint (`preflight`), and the
 * effective settings a run records and resumes by. Every problem here is a UsageError (exit 2)
 * within seconds, not after hours of scoring.
 */
import path from 'node:path';
import { initBackend, UsageError, type BackendInfo } from '@shapetex/core';
import { readCueConflictSet, readProbeSet, type CueConflictSet, type ProbeSetRead } from '@shapetex/svoc';
import { BIAS_DEFAULTS } from '../defaults.js';
import { cueSettings, loadCueClassMap } from './cue-run.js';
import { discoverCheckpoints, discoverPatterns, type CheckpointEntry } from './discover.js';
import { checkGraph } from './preflight.js';
import { preflight } from './preflight.js';
import { resolveMeasurement } from './preset.js';
import type { RunOptions } from './run-types.js';
import type { RunSettings } from './settings.js';
import { probeSkipped, SKIPPED_SHOWN } from './skipped.js';
import { defaultEpochEntry, defaultModelLoader } from './score.js';

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
    ...(opts.graph !== undefined ? { graph: path.resolve(opts.graph) } : {}),
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

/** The run's inputs as read: the sets, the class map, the probe folder's skipped images, the checkpoints found. */
export interface RunInputs {
  probe?: ProbeSetRead;
  cueSet?: CueConflictSet;
  classMap: Awaited<ReturnType<typeof loadCueClassMap>>;
  skipped: { count: number; first: string[] };
  found: CheckpointEntry[];
}

/**
 * Reads the probe set, the cue-conflict set, the class map and the checkpoint folder; a set that
 * cannot be read is a UsageError naming its option. Probe-folder images whose names do not parse
 * are a warning, or with `strictProbe` a UsageError.
 */
export async function readRunInputs(opts: RunOptions, log: (line: string) => void): Promise<RunInputs> {
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
  const { checkpoints: found } = await discoverCheckpoints(opts.checkpoints, { readEpochEntry: opts.readEpochEntry ?? defaultEpochEntry, ...discoverPatterns(opts.graph) })
    .catch((err: Error) => { throw new UsageError(err.message); });
  if (opts.graph !== undefined) await checkGraph(opts.graph);
  return { ...(probe ? { probe } : {}), ...(cueSet ? { cueSet } : {}), classMap, skipped, found };
}

/**
 * Starts the backend and checks everything that can be checked before the first forward pass
 * (`preflight`: errors CSV, pairs, taps and input size against the first checkpoint). Returns
 * the backend and the options with the input size the run will use.
 */
export async function startChecked(opts: RunOptions, inputs: RunInputs, log: (line: string) => void): Promise<{ backend: BackendInfo; opts: RunOptions }> {
  const backend = await initBackend(opts.backend ?? BIAS_DEFAULTS.backend, {
    log, ...(opts.device !== undefined ? { device: opts.device } : {}), ...(opts.threads !== undefined ? { threads: opts.threads } : {}),
  });
  // The size asked for is --image-size, else the preset's; left to the model (or 224) when neither is given.
  const asked = checkedMeasurement(opts);
  const askedSize = opts.imageSize ?? (opts.preset !== undefined ? asked.imageSize : undefined);
  const { probe, cueSet, found } = inputs;
  const checked = await preflight({
    checkpoints: opts.checkpoints, found, ...(probe ? { probe } : {}), cue: cueSet !== undefined, taps: opts.taps ?? [...BIAS_DEFAULTS.taps], seed: opts.seed ?? BIAS_DEFAULTS.seed, load: opts.loadModel ?? defaultModelLoader, log,
    pairing: asked.pairing, ...(opts.errors !== undefined ? { errors: opts.errors } : {}), ...(askedSize !== undefined ? { imageSize: askedSize } : {}),
    ...(opts.pairsPerFactor !== undefined ? { pairsPerFactor: opts.pairsPerFactor } : {}),
    ...(opts.arch !== undefined ? { arch: opts.arch } : {}), ...(opts.numClasses !== undefined ? { numClasses: opts.numClasses } : {}),
    ...(opts.graph !== undefined ? { graph: opts.graph } : {}),
  });
  return { backend, opts: { ...opts, imageSize: checked.imageSize } };
}
