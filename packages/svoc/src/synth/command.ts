import { InvalidArgumentError, type Command } from 'commander';
import { SVOC_DEFAULTS } from '../defaults.js';
import { synthesizeProbeSet } from './synthesize.js';

const D = SVOC_DEFAULTS.synth;

function integer(name: string, lo: number, hi: number) {
  return (raw: string): number => {
    const v = Number(raw);
    if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(v) || v < lo || v > hi) {
      throw new InvalidArgumentError(`${name} must be an integer from ${lo} to ${hi}, got "${raw}"`);
    }
    return v;
  };
}

function factorList(raw: string): string[] {
  const names = raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  const bad = names.filter((n) => !['shape', 'texture', 'color', 'colour'].includes(n));
  if (names.length === 0 || bad.length > 0) {
    throw new InvalidArgumentError(`--factors takes a comma-separated list of shape, texture, color; got "${raw}"`);
  }
  return names;
}

/**
 * Adds `svoc synth --out <dir> [--factors shape,texture,color] [--per-factor N] [--size N]
 * [--seed N] [--subset N] [--format jpg|png] [--quality N] [--no-jitter]` (docs/cli.md) to
 * `program`. Option errors are commander usage errors; a failure while writing rejects the
 * action's promise (the caller's `parseAsync` sees it). Prints one summary line on stdout.
 */
export function registerSynthCommand(program: Command): Command {
  return program
    .command('synth')
    .description('write a synthetic probe set: every combination of shape, texture and colour values')
    .requiredOption('--out <dir>', 'output folder')
    .option('--factors <list>', 'factors, comma-separated, among shape,texture,color', factorList, [...D.factors] as string[])
    .option('--per-factor <n>', 'values per factor (2..12)', integer('--per-factor', 2, 12), D.perFactor)
    .option('--size <n>', 'image side in pixels', integer('--size', 8, 4096), D.size)
    .option('--seed <n>', 'seed of every random draw', integer('--seed', 0, Number.MAX_SAFE_INTEGER), D.seed)
    .option('--subset <n>', 'write only N combinations, drawn with the seed', integer('--subset', 1, Number.MAX_SAFE_INTEGER))
    .option('--format <fmt>', 'jpg or png', (raw: string) => {
      if (raw !== 'jpg' && raw !== 'png') throw new InvalidArgumentError(`--format must be jpg or png, got "${raw}"`);
      return raw;
    }, D.format as 'jpg' | 'png')
    .option('--quality <n>', 'JPEG quality', integer('--quality', 1, 100), D.quality)
    .option('--no-jitter', 'no per-image position/scale/rotation/pattern-phase jitter')
    .action(async (o: {
      out: string; factors: string[]; perFactor: number; size: number; seed: number; subset?: number;
      format: 'jpg' | 'png'; quality: number; jitter: boolean;
    }) => {
      const t0 = performance.now();
      const manifest = await synthesizeProbeSet({
        out: o.out, factors: o.factors, perFactor: o.perFactor, size: o.size, seed: o.seed,
        ...(o.subset !== undefined ? { subset: o.subset } : {}), format: o.format, quality: o.quality, jitter: o.jitter,
      });
      const s = (performance.now() - t0) / 1000;
      process.stdout.write(`svoc synth: ${manifest.records.length} images (${manifest.factors.join(' × ')}, ${o.perFactor} values each, ${o.size}px) in ${o.out} in ${s.toFixed(1)} s\n`);
    });
}
