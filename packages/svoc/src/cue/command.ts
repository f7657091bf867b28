import { InvalidArgumentError, type Command } from 'commander';
import { BACKEND_NAMES, stopOnSignals } from '@shapetex/core';
import { SVOC_DEFAULTS } from '../defaults.js';
import { buildCueConflict } from './build.js';
import { addEngineOptions, engineOptions } from '../builder/engine-options.js';
import type { OnnxDevice } from '@shapetex/core';

const D = SVOC_DEFAULTS.cue;

function integer(name: string, lo: number, hi: number) {
  return (raw: string): number => {
    const v = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(v) || v < lo || v > hi) throw new InvalidArgumentError(`${name} must be an integer from ${lo} to ${hi}, got "${raw}"`);
    return v;
  };
}

function unitInterval(raw: string): number {
  const v = Number(raw);
  if (raw.trim() === '' || !(v >= 0 && v <= 1)) throw new InvalidArgumentError(`--alpha must be a number in [0, 1], got "${raw}"`);
  return v;
}

function backend(raw: string): string {
  if (!(BACKEND_NAMES as readonly string[]).includes(raw)) throw new InvalidArgumentError(`--backend must be one of ${BACKEND_NAMES.join(', ')}, got "${raw}"`);
  return raw;
}

interface Flags {
  voc: string; vgg: string; decoder: string; out: string; seed: number; perContent: number; minBox: number; alpha: number;
  size: number; crop: boolean; preserveColor: boolean; imageSet?: string; list?: string; limit?: number; backend?: string;
  device?: OnnxDevice; threads?: number;
}

/**
 * `svoc cue-conflict --voc <dir> --vgg <file> --decoder <file> --out <dir> [--seed N]
 * [--per-content N] [--min-box PX] [--alpha A] [--size N] [--crop] [--preserve-color]
 * [--image-set FILE|NAME] [--list FILE] [--limit N] [--backend NAME] [--device NAME] [--threads N]`. Ctrl-C stops after the
 * image in progress and writes the manifest; the same command resumes.
 */
export function registerCueConflictCommand(program: Command): Command {
  return addEngineOptions(program
    .command('cue-conflict')
    .description('build a cue-conflict set from VOC: each single-object image of class A stylized (AdaIN) with the box of a class-B object as texture (resumable)')
    .requiredOption('--voc <dir>', 'PASCAL VOC2012 folder (Annotations/, JPEGImages/, ImageSets/)')
    .requiredOption('--vgg <file>', 'AdaIN encoder weights (vgg_normalised.pth)')
    .requiredOption('--decoder <file>', 'AdaIN decoder weights (decoder.pth)')
    .requiredOption('--out <dir>', 'output folder (resumed when it holds a manifest)')
    .option('--seed <n>', 'seed of the texture draw', integer('--seed', 0, Number.MAX_SAFE_INTEGER), D.seed)
    .option('--per-content <n>', 'cue-conflict images per content image (distinct texture classes)', integer('--per-content', 1, 19), D.perContent)
    .option('--min-box <px>', 'smallest shorter side of an object box used as texture', integer('--min-box', 1, 100000), D.minBox)
    .option('--alpha <a>', 'style strength in [0, 1]', unitInterval, D.alpha)
    .option('--size <n>', 'shorter side of content and style, pixels', integer('--size', 8, 8192), D.size)
    .option('--crop', 'centre-crop the content to size x size', D.crop as boolean)
    .option('--preserve-color', "keep the content's colours (CORAL on the style first)", D.preserveColor as boolean)
    .option('--image-set <file>', `image-set file, or a name in ImageSets/Main (default ${SVOC_DEFAULTS.build.imageSet})`)
    .option('--list <file>', 'reference list of {classId}_{imageId} lines instead of an image set')
    .option('--limit <n>', 'only the first N planned images (a trial)', integer('--limit', 1, Number.MAX_SAFE_INTEGER))
    .option('--backend <name>', `compute backend: ${BACKEND_NAMES.join(', ')}`, backend))
    .action(async (f: Flags) => {
      const stop = stopOnSignals('svoc cue-conflict: stopping after the current image (again to quit at once)');
      try {
        const m = await buildCueConflict({
          voc: f.voc, vgg: f.vgg, decoder: f.decoder, out: f.out, seed: f.seed, perContent: f.perContent, minBox: f.minBox,
          alpha: f.alpha, size: f.size, crop: f.crop, preserveColor: f.preserveColor,
          ...(f.imageSet !== undefined ? { imageSet: f.imageSet } : {}), ...(f.list !== undefined ? { list: f.list } : {}),
          ...(f.limit !== undefined ? { limit: f.limit } : {}), ...(f.backend !== undefined ? { backend: f.backend } : {}), engine: engineOptions(f), signal: stop.signal,
        });
        process.stdout.write(`svoc cue-conflict: ${m.records.length} images in ${f.out}\n`);
      } finally {
        stop.dispose();
      }
    });
}
