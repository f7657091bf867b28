#!/usr/bin/env node
// Test driver: a bare commander program holding only `synth`, so the subcommand can be run as a
// real process before (and independently of) the full `svoc` CLI. commander is resolved from the
// svoc package, whose dependency it is.
import { createRequire } from 'node:module';
import { registerSynthCommand } from '@shapetex/svoc';

const require = createRequire(import.meta.resolve('@shapetex/svoc'));
const { Command } = require('commander');
const program = new Command('svoc');
registerSynthCommand(program);
program.parseAsync(process.argv).catch((err) => {
  process.stderr.write(`svoc: ${err.message}\n`);
  process.exit(1);
});
