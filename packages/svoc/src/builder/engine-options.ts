/**
 * The engine options of the commands that run a network (`svoc build`, `svoc cue-conflict`):
 * `--device` and `--threads`, ONNX Runtime's execution provider and threads (core's initBackend
 * options), checked as usage errors naming the option. AdaIN itself runs on TF.js; they are
 * taken so that every command that runs a network takes the same engine options.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { ONNX_DEVICES, type OnnxDevice } from '@shapetex/core';

export interface EngineFlags { device?: OnnxDevice; threads?: number }

function device(raw: string): OnnxDevice {
  const d = raw.trim().toLowerCase();
  if ((ONNX_DEVICES as readonly string[]).includes(d)) return d as OnnxDevice;
  throw new InvalidArgumentError(`--device must be one of ${ONNX_DEVICES.join(', ')}, got "${raw}"`);
}

function threads(raw: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || n < 1) throw new InvalidArgumentError(`--threads must be an integer ≥ 1, got "${raw}"`);
  return n;
}

export function addEngineOptions(cmd: Command): Command {
  return cmd
    .option('--device <name>', `ONNX Runtime device (backend onnx or auto): ${ONNX_DEVICES.join(', ')} (default cpu)`, device)
    .option('--threads <n>', 'ONNX Runtime threads per session (default: every core; with --workers, 1 per worker)', threads);
}

/** The flags given, as initBackend options (undefined ones left out). */
export function engineOptions(f: EngineFlags): EngineFlags {
  return { ...(f.device !== undefined ? { device: f.device } : {}), ...(f.threads !== undefined ? { threads: f.threads } : {}) };
}
