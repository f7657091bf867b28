/**
 * The `export-onnx` subcommand's options (those of scoring that shape the network); the action
 * (export-onnx.ts) is loaded only when it runs.
 */
import { Option, type Command } from 'commander';
import { BIAS_DEFAULTS } from '../defaults.js';
import type { ExitBox } from './exit.js';
import { integerOption, tapsOption, tokenOption } from './options.js';
import type { ExportOnnxFlags } from './export-onnx.js';

export function addExportOnnxCommand(program: Command, exit: ExitBox): void {
  program.command('export-onnx')
    .description('write the zoo graph of a checkpoint as an ONNX model: input image [N, 3, H, W], one [N, D] output per tap (and logits)')
    .argument('<checkpoint>', 'checkpoint file')
    .requiredOption('-o, --out <file>', 'ONNX file to write')
    .addOption(new Option('--taps <list>', 'comma-separated taps (logits too), or all').argParser(tapsOption).default([...BIAS_DEFAULTS.taps], BIAS_DEFAULTS.taps.join(',')))
    .option('--arch <name>', 'architecture (default: detected)')
    .option('--image-size <n>', `square input size H = W (default: the model's own when it fixes one, else ${BIAS_DEFAULTS.imageSize})`, integerOption('--image-size', 1))
    .option('--token <cls|mean>', 'transformer taps: the class token or the mean over patch tokens', tokenOption, BIAS_DEFAULTS.token)
    .option('--heads <n>', 'attention heads of a ViT / DeiT (default: width / 64)', integerOption('--heads', 1))
    .option('--num-classes <n>', 'classifier size when the weights do not say', integerOption('--num-classes', 1))
    .exitOverride()
    .action(async (file: string, o: ExportOnnxFlags) => {
      const { exportOnnxCommand } = await import('./export-onnx.js');
      exit.code = await exportOnnxCommand(file, o);
    });
}
