import { InvalidArgumentError, type Command } from 'commander';
import type { ExitBox } from './exit.js';
import { BIAS_DEFAULTS } from '../defaults.js';
import { integerOption } from './options.js';
import { parseSheetEpochs } from '../filters/sheet.js';

function atOption(raw: string): number[] | 'phases' {
  try {
    return parseSheetEpochs(raw);
  } catch (err) {
    throw new InvalidArgumentError(`--at: ${(err as Error).message}`);
  }
}

interface FiltersFlags {
  out: string;
  layer?: string;
  scale?: number;
  gap: number;
  at?: number[] | 'phases';
  phases?: string;
  json?: boolean;
}

/**
 * `bias-score filters <checkpoint>...`: the first convolution's kernels of each checkpoint as a
 * PNG grid, and with `--at` a sheet of chosen epochs side by side. Exit 0 when everything was
 * drawn, 1 when a checkpoint or the sheet failed (the others are still drawn), 2 on usage errors.
 */
export function addFiltersCommand(program: Command, exit: ExitBox): void {
  const cmd = program.command('filters')
    .description('first-layer filters: each checkpoint\'s first convolution as an image grid (PNG), and a sheet of chosen epochs')
    .argument('<checkpoints...>', 'checkpoint files or folders (searched like the scoring command does)')
    .option('--out <dir>', 'output folder for filters_<name>.png, sheet.png and filters.json', BIAS_DEFAULTS.filtersOut)
    .option('--layer <key>', 'weight to draw instead of the first 4-D weight with 3 input channels')
    .option('--scale <n>', 'screen pixels per kernel pixel (default: tiles about 48 px wide)', integerOption('--scale', 1))
    .option('--gap <n>', 'pixels between tiles', integerOption('--gap', 0), BIAS_DEFAULTS.filterGap)
    .option('--at <e1,e2,...|phases>', 'also draw sheet.png: these epochs side by side, or the phase boundaries of --phases', atOption)
    .option('--phases <file|dir>', 'phases.json (or a bias-score output folder holding one) for --at phases')
    .option('--json', 'print the summary (what filters.json holds) as JSON on stdout')
    .exitOverride()
    .action(async (inputs: string[], o: FiltersFlags) => {
      if (o.at === 'phases' && o.phases === undefined) cmd.error("error: '--at phases' needs '--phases <file|dir>'", { exitCode: 2 });
      // Loaded here, not at the top: a usage error then answers without reading core and sharp.
      const { runFilters } = await import('../filters/run.js');
      const s = await runFilters({
        inputs, out: o.out, gap: o.gap,
        ...(o.layer !== undefined ? { layer: o.layer } : {}),
        ...(o.scale !== undefined ? { scale: o.scale } : {}),
        ...(o.at !== undefined ? { at: o.at } : {}),
        ...(o.phases !== undefined ? { phases: o.phases } : {}),
        log: (line) => process.stderr.write(line + '\n'),
      });
      if (o.json) process.stdout.write(JSON.stringify(s, null, 2) + '\n');
      else process.stderr.write(`bias-score filters: ${s.checkpoints.length} drawn, ${s.failures.length} failed${s.sheet?.png ? ', sheet.png' : ''}; in ${s.out}\n`);
      exit.code = s.exitCode;
    });
}
