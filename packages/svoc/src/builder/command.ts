import { InvalidArgumentError, type Command } from 'commander';
import { BACKEND_NAMES, stopOnSignals } from '@shapetex/core';
import { SVOC_DEFAULTS } from '../defaults.js';
import { buildSvoc } from './build.js';
import { parseTextureChoice, type TextureChoice } from './dtd.js';
import { parseShard, type Shard } from './shard.js';
import { addEngineOptions, engineOptions, type EngineFlags } from './engine-options.js';

const D = SVOC_DEFAULTS.build;

function integer(name: string, lo: number, hi: number) {
  return (raw: string): number => {
    const v = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(v) || v < lo || v > hi) {
      throw new InvalidArgumentError(`${name} must be an integer from ${lo} to ${hi}, got "${raw}"`);
    }
    return v;
  };
}

function unitInterval(raw: string): number {
  const v = Number(raw);
  if (raw.trim() === '' || !(v >= 0 && v <= 1)) throw new InvalidArgumentError(`--alpha must be a number in [0, 1], got "${raw}"`);
  return v;
}

function textures(raw: string): TextureChoice {
  try {
    const c = parseTextureChoice(raw);
    if (c === 0) throw new Error('--textures N needs N ≥ 1');
    return c;
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

function shard(raw: string): Shard {
  try {
    return parseShard(raw);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

function backend(raw: string): string {
  if (!(BACKEND_NAMES as readonly string[]).includes(raw)) throw new InvalidArgumentError(`--backend must be one of ${BACKEND_NAMES.join(', ')}, got "${raw}"`);
  return raw;
}

interface BuildFlags {
  voc: string; dtd?: string; vgg: string; decoder: string; out: string; textures: TextureChoice; seed: number; alpha: number;
  size: number; crop: boolean; preserveColor: boolean; imageSet?: string; singleClass: boolean; list?: string; limit?: number;
  quality: number; backend?: string; workers: number; shard?: Shard;
}

type Flags = BuildFlags & EngineFlags;

/**
 * Adds `svoc build --voc <dir> --dtd <dir> --vgg <file> --decoder <file> --out <dir> [--textures
 * N|islam2021|file,...] [--seed N] [--alpha A] [--size N] [--crop] [--preserve-color]
 * [--image-set FILE|NAME] [--single-class] [--list FILE] [--limit N] [--quality N]
 * [--backend NAME] [--device NAME] [--threads N] [--workers N] [--shard I/N]` (docs/cli.md) to `program`. The first Ctrl-C (SIGINT) or a SIGTERM stops after
 * the image in progress and writes the manifest, so the same command resumes the build.
 */
export function registerBuildCommand(program: Command): Command {
  return addEngineOptions(program
    .command('build')
    .description('build Stylized PASCAL VOC: every selected VOC image stylized with every chosen DTD texture by AdaIN (resumable)')
    .requiredOption('--voc <dir>', 'PASCAL VOC2012 folder (Annotations/, JPEGImages/, ImageSets/)')
    .option('--dtd <dir>', 'Describable Textures Dataset folder (images/<category>/); needed unless --textures lists files')
    .requiredOption('--vgg <file>', 'AdaIN encoder weights (vgg_normalised.pth)')
    .requiredOption('--decoder <file>', 'AdaIN decoder weights (decoder.pth)')
    .requiredOption('--out <dir>', 'output folder (resumed when it holds a manifest)')
    .option('--textures <spec>', 'N textures drawn with --seed (one per category), islam2021, or comma-separated files/DTD names', textures, D.textures as TextureChoice)
    .option('--seed <n>', 'seed of the texture draw', integer('--seed', 0, Number.MAX_SAFE_INTEGER), D.seed)
    .option('--alpha <a>', 'style strength in [0, 1]', unitInterval, D.alpha)
    .option('--size <n>', 'shorter side of content and style, pixels', integer('--size', 8, 8192), D.size)
    .option('--crop', 'centre-crop content and style to size x size', D.crop as boolean)
    .option('--preserve-color', "keep the content's colours (CORAL on the style first)", D.preserveColor as boolean)
    .option('--image-set <file>', `image-set file, or a name in ImageSets/Main (default ${D.imageSet})`)
    .option('--single-class', 'keep images whose objects are all of one class (default: exactly one object)', false)
    .option('--list <file>', 'reference list of {classId}_{imageId} lines instead of an image set')
    .option('--limit <n>', 'stylize only the first N selected images (a trial)', integer('--limit', 1, Number.MAX_SAFE_INTEGER))
    .option('--quality <n>', 'JPEG quality', integer('--quality', 1, 100), D.quality)
    .option('--backend <name>', `compute backend: ${BACKEND_NAMES.join(', ')}`, backend)
    .option('--workers <n>', 'worker threads, each with its own backend, stylizing whole images in parallel', integer('--workers', 1, 256), D.workers)
    .option('--shard <i/n>', 'build only shard I of N (contents at positions ≡ I mod N), for an array job; join with svoc merge', shard))
    .action(async (f: Flags) => {
      const stop = stopOnSignals('svoc build: stopping after the current content image (again to quit at once)');
      try {
        const t0 = performance.now();
        const m = await buildSvoc({
          voc: f.voc, ...(f.dtd !== undefined ? { dtd: f.dtd } : {}), vgg: f.vgg, decoder: f.decoder, out: f.out,
          textures: f.textures, seed: f.seed, alpha: f.alpha, size: f.size, crop: f.crop, preserveColor: f.preserveColor,
          ...(f.imageSet !== undefined ? { imageSet: f.imageSet } : {}), select: f.singleClass ? 'single-class' : 'single-object',
          ...(f.list !== undefined ? { list: f.list } : {}), ...(f.limit !== undefined ? { limit: f.limit } : {}),
          quality: f.quality, ...(f.backend !== undefined ? { backend: f.backend } : {}), engine: engineOptions(f), signal: stop.signal,
          workers: f.workers, ...(f.shard !== undefined ? { shard: f.shard } : {}),
        });
        process.stdout.write(`svoc build: ${m.records.length} images in ${f.out} in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
      } finally {
        stop.dispose();
      }
    });
}
