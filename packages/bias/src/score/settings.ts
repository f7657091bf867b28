import { createHash } from 'node:crypto';
import type { ChannelOrder, Normalization, ResizeMethod } from '@shapetex/core';
import { canonicalJson, manifestHash, type ProbeSet } from '@shapetex/svoc';
import type { EstimatorMethod, PercentRounding } from '../estimate/types.js';
import type { Pairing } from '../pairs/types.js';

/**
 * The options that decide a run's numbers. Two output folders (a killed run and its rerun, or
 * the shards of one run) may share rows only when these are equal; the backend, batch size,
 * output folder, shard and error curve do not change a row and are left out.
 */
export interface RunSettings {
  /** {@link probeSetHash} of the probe set; null without one (a decision-only run). */
  probeHash: string | null;
  /** The cue-conflict set's content hash and the class map as given (`auto` = by head size); absent without one. */
  cue?: { setHash: string; classMap: string };
  factors: string[];
  arch: string | null;
  numClasses: number | null;
  /** Effective values (a preset already applied; the preset's name is in run.json's options). */
  imageSize: number;
  /**
   * Transformer token choice and head count, present only when not the default (`cls`,
   * width / 64), so folders made before these options existed keep their settings hash.
   */
  token?: 'mean';
  heads?: number;
  /** `--graph`, resolved to an absolute path; present only when given (older folders keep their hash). */
  graph?: string;
  norm: Normalization;
  resize: ResizeMethod;
  channelOrder: ChannelOrder;
  pairing: Pairing;
  rounding: PercentRounding;
  /** As asked: a list, or `all` (every tap of each model). */
  taps: string[] | 'all';
  methods: EstimatorMethod[];
  pairsPerFactor: number | null;
  seed: number;
  bootstrap: number;
}

/**
 * Identity of a probe set's content: the manifest's hash (svoc `manifestHash`, creation time
 * excluded) when there is a manifest, else sha256 of the canonical JSON of its factors and
 * records (a folder read by file names).
 */
export function probeSetHash(probe: ProbeSet): string {
  if (probe.manifest) return manifestHash(probe.manifest);
  return createHash('sha256').update(canonicalJson({ factors: probe.factors, records: probe.records })).digest('hex');
}

/** sha256 of the canonical JSON of the settings (key order does not matter). */
export function settingsHash(settings: RunSettings): string {
  return createHash('sha256').update(canonicalJson(settings)).digest('hex');
}

/** One line per setting that differs, `name: before → now`, in a stable order. */
export function diffSettings(before: Partial<RunSettings>, now: RunSettings): string[] {
  const out: string[] = [];
  const keys = [...new Set([...Object.keys(now), ...Object.keys(before)])].sort();
  for (const k of keys) {
    const a = canonicalJson((before as Record<string, unknown>)[k] ?? null);
    const b = canonicalJson((now as unknown as Record<string, unknown>)[k] ?? null);
    if (a !== b) out.push(`${k}: ${a} → ${b}`);
  }
  return out;
}
