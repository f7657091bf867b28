import { InvalidArgumentError } from 'commander';
import { BACKEND_NAMES, ONNX_DEVICES, TOKEN_CHOICES, parseNorm, type OnnxDevice, type TokenChoice } from '@shapetex/core';
import { ESTIMATOR_METHODS, isEstimatorMethod } from '../estimate/estimators.js';
import type { EstimatorMethod } from '../estimate/types.js';
import type { PhaseMethod } from '../dynamics/types.js';
import { parseShard, type Shard } from '../score/shard.js';

/** Parsers for commander: each throws InvalidArgumentError (a usage error, exit 2) naming the option. */
export function integerOption(name: string, lo: number) {
  return (raw: string): number => {
    const v = Number(raw);
    if (!/^\s*\d+\s*$/.test(raw) || !Number.isSafeInteger(v) || v < lo) {
      throw new InvalidArgumentError(`${name} must be an integer ≥ ${lo}, got "${raw}"`);
    }
    return v;
  };
}

export function normOption(raw: string): string {
  try {
    parseNorm(raw);
  } catch (err) {
    throw new InvalidArgumentError(`--norm: ${(err as Error).message}`);
  }
  return raw;
}

/** `final`, `stage3,final`, or `all`. */
export function tapsOption(raw: string): string[] | 'all' {
  const taps = raw.split(',').map((t) => t.trim()).filter((t) => t.length > 0);
  if (taps.length === 0) throw new InvalidArgumentError(`--taps takes a comma-separated list of taps or "all", got "${raw}"`);
  if (taps.includes('all')) {
    if (taps.length > 1) throw new InvalidArgumentError(`--taps: "all" cannot be combined with other taps, got "${raw}"`);
    return 'all';
  }
  return [...new Set(taps)];
}

/** The `--method` words: each estimator's name, or `both` for all of them in table order. */
export const METHOD_CHOICES = `${ESTIMATOR_METHODS.join(', ')} or both`;

export function methodOption(raw: string): EstimatorMethod[] {
  const m = raw.trim();
  if (m === 'both') return [...ESTIMATOR_METHODS];
  if (isEstimatorMethod(m)) return [m];
  throw new InvalidArgumentError(`--method must be ${METHOD_CHOICES}, got "${raw}"`);
}

export function backendOption(raw: string): string {
  const b = raw.trim().toLowerCase();
  if (!(BACKEND_NAMES as readonly string[]).includes(b)) {
    throw new InvalidArgumentError(`--backend must be one of ${BACKEND_NAMES.join(', ')}, got "${raw}"`);
  }
  return b;
}

/** Help of the engine options, shared by every command that runs a network. */
export const BACKEND_HELP = 'compute backend: onnx (ONNX Runtime), tensorflow, webgpu, wasm, cpu or auto (onnx first)';
export const DEVICE_HELP = `ONNX Runtime device (backend onnx or auto): ${ONNX_DEVICES.join(', ')} (default cpu)`;
export const THREADS_HELP = 'ONNX Runtime threads per session (default: every core; with --workers, 1 per worker)';

/** `--device`: an ONNX Runtime execution provider. */
export function deviceOption(raw: string): OnnxDevice {
  const d = raw.trim().toLowerCase();
  if ((ONNX_DEVICES as readonly string[]).includes(d)) return d as OnnxDevice;
  throw new InvalidArgumentError(`--device must be one of ${ONNX_DEVICES.join(', ')}, got "${raw}"`);
}

export function shardOption(raw: string): Shard {
  try {
    return parseShard(raw);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

/** `--token`: which transformer tokens a tap stands for. */
export function tokenOption(raw: string): TokenChoice {
  const t = raw.trim();
  if ((TOKEN_CHOICES as readonly string[]).includes(t)) return t as TokenChoice;
  throw new InvalidArgumentError(`--token must be ${TOKEN_CHOICES.join(' or ')}, got "${raw}"`);
}

export function phaseMethodOption(raw: string): PhaseMethod {
  const m = raw.trim();
  if (m === 'threshold' || m === 'extrema') return m;
  throw new InvalidArgumentError(`--phases must be threshold or extrema, got "${raw}"`);
}

/** Parser for a choice among fixed words, naming the option and the choices when it fails. */
export function choiceOption<T extends string>(name: string, choices: readonly T[]) {
  return (raw: string): T => {
    const v = raw.trim().toLowerCase();
    if (!(choices as readonly string[]).includes(v)) throw new InvalidArgumentError(`${name} must be ${choices.join(' or ')}, got "${raw}"`);
    return v as T;
  };
}
