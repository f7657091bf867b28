import type { Command } from 'commander';
import type { ExitBox } from './program.js';

/** Placeholder while the `filters` subcommand is written. */
export function addFiltersCommand(_program: Command, _exit: ExitBox): void {}
