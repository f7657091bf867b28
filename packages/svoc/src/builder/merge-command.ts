import type { Command } from 'commander';
import { mergeSvoc } from './merge.js';

/** Adds `svoc merge <dirs>... --out DIR`: joins the folders of a sharded `svoc build`. */
export function registerMergeCommand(program: Command): Command {
  return program
    .command('merge')
    .description('join the output folders of a sharded svoc build (--shard I/N) into one probe set')
    .argument('<dirs...>', 'the shards\' output folders, all N of them')
    .requiredOption('--out <dir>', 'folder of the merged set (new, or without a manifest)')
    .action(async (dirs: string[], f: { out: string }) => {
      const m = await mergeSvoc({ dirs, out: f.out });
      process.stdout.write(`svoc merge: ${m.records.length} images in ${f.out}\n`);
    });
}
