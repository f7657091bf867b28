// One command for every benchmark (`npm run bench`): runs each bench/<name>.mjs that exists as
// its own process (so one's memory and backend state cannot colour another's), collects
// bench/results/<name>.json and prints a summary table, also written to bench/results/summary.md.
//   node bench/run.mjs [--quick] [--only resnet,estimator,e2e,memory,stylize]
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { parseArgs, RESULTS } from './lib/common.mjs';
import { summarize } from './lib/summary.mjs';

const ALL = ['resnet', 'estimator', 'e2e', 'memory', 'stylize'];
const args = parseArgs(process.argv.slice(2));
const only = args.only ? String(args.only).split(',').map((s) => s.trim()) : ALL;
const unknown = only.filter((n) => !ALL.includes(n));
if (unknown.length) {
  console.error(`unknown benchmark(s) ${unknown.join(', ')}; expected some of ${ALL.join(', ')}`);
  process.exit(2);
}

const results = {};
const failed = [];
for (const name of only) {
  const script = new URL(`./${name}.mjs`, import.meta.url);
  if (!existsSync(script)) {
    console.error(`bench: ${name}.mjs not present, skipped`);
    continue;
  }
  const resultFile = new URL(`${name}.json`, RESULTS);
  const before = existsSync(resultFile) ? readFileSync(resultFile, 'utf8') : null;
  console.error(`bench: running ${name}${args.quick ? ' (quick)' : ''} …`);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [script.pathname, ...(args.quick ? ['--quick'] : [])], { stdio: ['ignore', 'inherit', 'inherit'] });
  const s = ((Date.now() - t0) / 1000).toFixed(0);
  const after = existsSync(resultFile) ? readFileSync(resultFile, 'utf8') : null;
  if (r.status !== 0 || !after || after === before) {
    failed.push(name);
    console.error(`bench: ${name} failed (exit ${r.status}${after === before ? ', no new result file' : ''}) after ${s} s`);
    continue;
  }
  console.error(`bench: ${name} done in ${s} s`);
  results[name] = JSON.parse(after);
}

const { md, text } = summarize(results);
mkdirSync(RESULTS, { recursive: true });
writeFileSync(new URL('summary.md', RESULTS), md);
console.log('\n' + text + '\n');
console.log('wrote bench/results/summary.md');
if (failed.length) {
  console.error(`failed: ${failed.join(', ')}`);
  process.exit(1);
}
