import { Command, Option } from 'commander';
import { stopOnSignals, VERSION, type OnnxDevice, type TokenChoice } from '@shapetex/core';
import { DEFAULT_ESTIMATOR } from '../estimate/estimators.js';
import type { EstimatorMethod } from '../estimate/types.js';
import type { PhaseMethod } from '../dynamics/types.js';
import type { RunSummary } from '../score/run.js';
import type { Shard } from '../score/shard.js';
import { BACKEND_HELP, backendOption, DEVICE_HELP, deviceOption, integerOption, THREADS_HELP, METHOD_CHOICES, methodOption, normOption, phaseMethodOption, shardOption, tapsOption, tokenOption } from './options.js';
import { createProgress } from '../score/progress.js';
import { BIAS_DEFAULTS } from '../defaults.js';
import type { ExitBox } from './exit.js';
import { addMeasurementOptions, measurementOptions, type MeasurementFlags } from './measurement.js';
import { addCompareCommand } from './compare.js';
import { addSlurmCommand } from './slurm.js';
import { addExportOnnxCommand } from './export-onnx-command.js';
import { addFiltersCommand } from './filters.js';

interface ScoreFlags extends MeasurementFlags {
  probe?: string;
  cueConflict?: string;
  classMap?: string;
  arch?: string;
  graph?: string;
  numClasses?: number;
  imageSize?: number;
  token: TokenChoice;
  heads?: number;
  norm: string;
  taps: string[] | 'all';
  method: EstimatorMethod[];
  pairs?: number;
  seed: number;
  bootstrap: number;
  errors?: string;
  phases: PhaseMethod;
  smooth: number;
  plotResidual?: boolean;
  out: string;
  backend: string;
  device?: OnnxDevice;
  threads?: number;
  batch?: number;
  workers: number;
  shard: Shard;
  json?: boolean;
}

function summaryText(s: RunSummary): string {
  const c = s.checkpoints;
  const parts = [`${c.scored} scored`, `${c.resumed} already done`, `${c.failed} failed`];
  return `bias-score: ${c.inShard} checkpoint(s) (${parts.join(', ')}); ${s.records} rows in ${s.out}\n`;
}

/** The options of the scoring (default) command, in help order; their defaults are BIAS_DEFAULTS. */
function addScoreOptions(cmd: Command): Command {
  return cmd
    .option('--probe <dir>', 'probe set: SVOC or synthetic (manifest.json or reference file names); required unless --cue-conflict is given')
    .option('--cue-conflict <dir>', 'cue-conflict set for the decision-level shape bias: the published stimuli layout (<category>/<shape><n>-<texture><m>.png) or an svoc cue-conflict folder')
    .option('--class-map <name|file>', 'head classes → categories: imagenet16, cifar10-voc, voc or a JSON file {category: [indices]} (default by head size: 1000, 10, 20)')
    .option('--arch <name>', 'architecture (default: detected from each state_dict)')
    .option('--graph <file>', 'an ONNX graph whose initializers take each checkpoint\'s tensors by name (any architecture; docs/architectures.md)')
    .option('--num-classes <n>', 'classifier size when the weights do not say', integerOption('--num-classes', 1))
    .option('--image-size <n>', `square input size (default: the model's own when it fixes one, else ${BIAS_DEFAULTS.imageSize}; --preset's when given)`, integerOption('--image-size', 1))
    .option('--token <cls|mean>', 'transformer taps: the class token or the mean over patch tokens', tokenOption, BIAS_DEFAULTS.token)
    .option('--heads <n>', 'attention heads of a ViT / DeiT whose width is not a multiple of 64 (default: width / 64)', integerOption('--heads', 1))
    .option('--norm <name|m1,m2,m3/s1,s2,s3>', 'normalisation (R, G, B): imagenet, cifar, none, islam2021 (the reference code\'s vectors), or mean/std', normOption, BIAS_DEFAULTS.norm)
    .addOption(new Option('--taps <list>', 'comma-separated taps, or all').argParser(tapsOption).default([...BIAS_DEFAULTS.taps], BIAS_DEFAULTS.taps.join(',')))
    .addOption(new Option('--method <name>', METHOD_CHOICES).argParser(methodOption).default([DEFAULT_ESTIMATOR], DEFAULT_ESTIMATOR))
    .option('--pairs <n>', 'anchors per factor (default: every record)', integerOption('--pairs', 1))
    .option('--seed <n>', 'pair-sampling seed', integerOption('--seed', 0), BIAS_DEFAULTS.seed)
    .option('--bootstrap <B>', 'bootstrap resamples (0 = off)', integerOption('--bootstrap', 0), BIAS_DEFAULTS.bootstrap)
    .option('--errors <file>', 'test-error CSV for the learning-dynamics analysis')
    .option('--phases <method>', 'phase split of the error curve: threshold or extrema', phaseMethodOption, BIAS_DEFAULTS.phaseMethod)
    .option('--smooth <n>', 'centred moving-average window of the analysis', integerOption('--smooth', 1), BIAS_DEFAULTS.smooth)
    .option('--plot-residual', 'draw the residual fraction in the bias plots too')
    .option('--out <dir>', 'output folder', BIAS_DEFAULTS.out)
    .option('--backend <name>', BACKEND_HELP, backendOption, BIAS_DEFAULTS.backend)
    .option('--device <name>', DEVICE_HELP, deviceOption)
    .option('--threads <n>', THREADS_HELP, integerOption('--threads', 1))
    .option('--batch <n>', `images per forward pass (default: ${BIAS_DEFAULTS.gpuBatch} on a GPU backend, else ${BIAS_DEFAULTS.batch})`, integerOption('--batch', 1))
    .option('--workers <n>', 'worker threads for the forward passes, each with its own backend (use the core count on CPU backends)', integerOption('--workers', 1), BIAS_DEFAULTS.workers)
    .addOption(new Option('--shard <I/N>', 'process only the checkpoints with index ≡ I (mod N)').argParser(shardOption).default({ index: 0, count: 1 }, '0/1'));
}

/** The scoring command's action: checks what commander cannot, runs `runBiasScore` with a progress display and Ctrl-C handling, prints the summary. */
async function runScoreCommand(program: Command, exit: ExitBox, checkpoints: string, o: ScoreFlags): Promise<void> {
  // Not a requiredOption: commander would then demand it of `merge` and `inspect` too.
  if (o.probe === undefined && o.cueConflict === undefined) program.error("error: required option '--probe <dir>' (or '--cue-conflict <dir>') not specified", { exitCode: 2 });
  if (o.classMap !== undefined && o.cueConflict === undefined) program.error("error: option '--class-map' needs '--cue-conflict <dir>'", { exitCode: 2 });
  // Loaded here, not at the top: a usage error then answers without loading svoc and vega.
  const { runBiasScore } = await import('../score/run.js');
  const progress = createProgress(process.stderr);
  // Ctrl-C / SIGTERM: stop after the checkpoint in progress, run.json says `interrupted`; again to quit at once.
  const stop = stopOnSignals('bias-score: stopping after the current checkpoint (again to quit at once)');
  const summary = await runBiasScore({
    checkpoints, ...(o.probe !== undefined ? { probe: o.probe } : {}), out: o.out, backend: o.backend, shard: o.shard,
    ...(o.device !== undefined ? { device: o.device } : {}), ...(o.threads !== undefined ? { threads: o.threads } : {}),
    ...(o.cueConflict !== undefined ? { cueConflict: o.cueConflict } : {}),
    ...(o.classMap !== undefined ? { classMap: o.classMap } : {}),
    ...measurementOptions(program, o), strictProbe: o.strictProbe === true,
    token: o.token, taps: o.taps, seed: o.seed, bootstrap: o.bootstrap,
    ...(o.arch !== undefined ? { arch: o.arch } : {}),
    ...(o.graph !== undefined ? { graph: o.graph } : {}),
    ...(o.numClasses !== undefined ? { numClasses: o.numClasses } : {}),
    ...(o.heads !== undefined ? { heads: o.heads } : {}),
    ...(o.pairs !== undefined ? { pairsPerFactor: o.pairs } : {}),
    ...(o.errors !== undefined ? { errors: o.errors } : {}),
    phaseMethod: o.phases, smooth: o.smooth, plotResidual: o.plotResidual === true, workers: o.workers,
    ...(o.batch !== undefined ? { batch: o.batch } : {}),
    onProgress: (e) => progress.update(e),
    log: (line) => process.stderr.write(line + '\n'), signal: stop.signal,
  }).finally(() => {
    stop.dispose();
  });
  for (const f of summary.failures) process.stderr.write(`bias-score: FAILED ${f.checkpoint} (${f.stage}): ${f.message}\n`);
  for (const f of summary.runFailures) process.stderr.write(`bias-score: FAILED ${f.stage} stage${f.input ? ` (${f.input})` : ''}: ${f.message}\n`);
  if (o.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
  else process.stderr.write(summaryText(summary));
  exit.code = summary.exitCode;
}

/**
 * The `bias-score` program: the default command scores a checkpoint folder; `merge` joins shard
 * outputs; `inspect` describes one checkpoint; `compare`, `filters`; `help [command]`. Option
 * errors are commander errors (usage, exit 2); the actions set `exit.code` to 0 or 1 (docs/cli.md).
 */
export function createProgram(exit: ExitBox): Command {
  const root = new Command('bias-score')
    .description('shape/texture dimensionality of every checkpoint of a training run (Islam et al. 2021), with learning-dynamics analysis')
    .version(VERSION)
    .argument('<checkpoints>', 'checkpoint folder (searched for *.pth, *.pt, *.tar, *.ckpt, *.bin, *.safetensors, model.json) or one file');
  const program: Command = addScoreOptions(root)
    .option('--json', 'print the final summary as JSON on stdout')
    .enablePositionalOptions()
    // The root command has an action of its own, so commander adds `help [command]` only if asked.
    .helpCommand(true)
    .addHelpText('after', '\nExit codes: 0 success; 1 an input or checkpoint failed (the rest still done, recorded in errors.jsonl); 2 usage error.\nReference: docs/cli.md in the shapetex repository.')
    .exitOverride()
    .action((checkpoints: string, o: ScoreFlags) => runScoreCommand(program, exit, checkpoints, o));

  addMeasurementOptions(program);

  program.command('merge')
    .description('merge the output folders of --shard runs into one')
    .argument('<out-dirs...>', 'output folders of the shards')
    .option('--out <dir>', 'merged output folder', BIAS_DEFAULTS.out)
    .option('--errors <file>', 'test-error CSV (default: the one the shards were given)')
    .option('--phases <method>', 'phase split: threshold or extrema (default: that of the shards)', phaseMethodOption)
    .option('--smooth <n>', 'moving-average window (default: that of the shards)', integerOption('--smooth', 1))
    .option('--plot-residual', 'draw the residual fraction in the bias plots (default: as the shards did)')
    .option('--json', 'print the summary as JSON on stdout')
    .exitOverride()
    .action(async (dirs: string[], o: { out: string; errors?: string; phases?: PhaseMethod; smooth?: number; plotResidual?: boolean; json?: boolean }) => {
      const { mergeOutputs } = await import('../score/merge.js');
      const s = await mergeOutputs({
        inputs: dirs, out: o.out, ...(o.errors !== undefined ? { errors: o.errors } : {}),
        ...(o.phases !== undefined ? { phaseMethod: o.phases } : {}), ...(o.smooth !== undefined ? { smooth: o.smooth } : {}),
        ...(o.plotResidual ? { plotResidual: true } : {}),
      });
      if (o.json) process.stdout.write(JSON.stringify(s, null, 2) + '\n');
      else process.stderr.write(`bias-score merge: ${s.inputs.length} folder(s), ${s.checkpoints} checkpoint(s), ${s.records} rows (${s.duplicates} duplicate(s) dropped) in ${s.out}\n`);
      exit.code = s.exitCode;
    });

  program.command('inspect')
    .description('print what a checkpoint holds: architecture, classes, taps with D, parameters, dtypes; for ONNX models every tap candidate with its shape')
    .argument('<checkpoint>', 'checkpoint file (.onnx included)')
    .option('--arch <name>', 'architecture (default: detected)')
    .option('--graph <file>', 'an ONNX graph the checkpoint\'s tensors are bound to by name')
    .option('--num-classes <n>', 'classifier size when the weights do not say', integerOption('--num-classes', 1))
    .option('--heads <n>', 'attention heads of a ViT / DeiT (default: width / 64)', integerOption('--heads', 1))
    .option('--token <cls|mean>', 'transformer taps: the class token or the mean over patch tokens', tokenOption, BIAS_DEFAULTS.token)
    .option('--json', 'print as JSON')
    .exitOverride()
    .action(async (file: string, o: { arch?: string; graph?: string; numClasses?: number; heads?: number; token?: TokenChoice; json?: boolean }) => {
      const { inspectCommand } = await import('./inspect.js');
      exit.code = await inspectCommand(file, o);
    });

  addExportOnnxCommand(program, exit);
  addSlurmCommand(program, exit, createProgram);
  addCompareCommand(program, exit);
  addFiltersCommand(program, exit);
  return program;
}
