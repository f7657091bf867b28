import type { Command } from 'commander';
import type { ExitBox } from './program.js';

/** Placeholder while the `compare` subcommand is written. */
export function addCompareCommand(_program: Command, _exit: ExitBox): void {}
