import type { Command } from 'commander';
import type { ExitBox } from './exit.js';
import { BIAS_DEFAULTS } from '../defaults.js';

/**
 * `bias-score compare <out-dirs...>`: one report over several runs (the thesis's ablation
 * tables, overlay plots). Reading a folder that is not a bias-score output is a usage error.
 */
export function addCompareCommand(program: Command, exit: ExitBox): void {
  program.command('compare')
    .description('compare runs: per-tap ablation tables (Phase 1+2 and Phase 3 r and Score), overlay plots of biases and error curves')
    .argument('<out-dirs...>', 'bias-score output folders, one per run')
    .option('--labels <a,b,...>', 'names of the runs, one per folder (default: the folder names)', (v: string) => v.split(','))
    .option('--out <dir>', 'folder for compare.md, compare.csv, compare.json and plots/', BIAS_DEFAULTS.compareOut)
    .option('--json', 'print the comparison as JSON on stdout')
    .exitOverride()
    .action(async (dirs: string[], o: { labels?: string[]; out: string; json?: boolean }) => {
      const { compareRuns } = await import('../compare/compare.js');
      const s = await compareRuns({ inputs: dirs, out: o.out, ...(o.labels ? { labels: o.labels } : {}) });
      if (o.json) process.stdout.write(JSON.stringify(s, null, 2) + '\n');
      else process.stderr.write(`bias-score compare: ${s.runs.length} run(s), ${s.tables.length} table(s); report in ${s.out}/compare.md\n`);
      exit.code = 0;
    });
}
