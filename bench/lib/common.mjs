// What every benchmark records about where it ran, and the results-file writer.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, loadavg } from 'node:os';

export const RESULTS = new URL('../results/', import.meta.url);

export function machine() {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    // the machine is shared; the load at the start says how noisy the figures may be
    loadavg: loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

export function writeResult(name, report) {
  mkdirSync(RESULTS, { recursive: true });
  const file = new URL(`${name}.json`, RESULTS);
  writeFileSync(file, JSON.stringify({ benchmark: name, date: new Date().toISOString(), machine: machine(), ...report }, null, 2) + '\n');
  return file.pathname;
}

/** --key value / --flag options into an object (values stay strings). */
export function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument '${a}' (options are --name value or --flag)`);
    const [k, inline] = a.slice(2).split('=', 2);
    if (inline !== undefined) out[k] = inline;
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) out[k] = argv[++i];
    else out[k] = true;
  }
  return out;
}
