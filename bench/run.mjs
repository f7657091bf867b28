// One command for every benchmark (`npm run bench`): runs each bench/<name>.mjs that exists as
// its own process (so one's memory and backend state cannot colour another's), collects
// bench/results/<name>.json and prints a summary table, also written to bench/results/summary.md.
//   node bench/run.mjs [--quick] [--only engine,fallback,setup,stylize-onnx,build-engine,resnet,profile,estimator,e2e,memory,stylize,transformers] [--summary-only]
// --quick is passed to this area's scripts; every script also sees SHAPETEX_BENCH_QUICK=1.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { parseArgs, RESULTS } from './lib/common.mjs';
import { summarize } from './lib/summary.mjs';

// benchmark name → its script; the result file is bench/results/<name>.json
const SCRIPTS = { engine: 'engine.mjs', fallback: 'fallback.mjs', setup: 'setup.mjs', 'stylize-onnx': 'stylize-onnx.mjs', 'build-engine': 'build-engine.mjs', resnet: 'resnet.mjs', profile: 'resnet-profile.mjs', estimator: 'estimator.mjs', e2e: 'e2e.mjs', memory: 'memory.mjs', stylize: 'stylize.mjs', transformers: 'transformers.mjs' };
const OURS = new Set(['engine', 'fallback', 'setup', 'stylize-onnx', 'build-engine', 'resnet', 'profile', 'e2e', 'transformers']);
const RESULT_NAME = { profile: 'resnet-profile' };
const ALL = Object.keys(SCRIPTS);
const args = parseArgs(process.argv.slice(2));
const only = args.only ? String(args.only).split(',').map((s) => s.trim()) : ALL;
const unknown = only.filter((n) => !ALL.includes(n));
if (unknown.length) {
  console.error(`unknown benchmark(s) ${unknown.join(', ')}; expected some of ${ALL.join(', ')}`);
  process.exit(2);
}

const results = {};
const failed = [];
// --summary-only: rebuild the table from the result files already there, running nothing
if (args['summary-only']) {
  for (const name of only) {
    const f = new URL(`${RESULT_NAME[name] ?? name}.json`, RESULTS);
    if (existsSync(f)) results[name] = JSON.parse(readFileSync(f, 'utf8'));
  }
}
for (const name of args['summary-only'] ? [] : only) {
  const script = new URL(`./${SCRIPTS[name]}`, import.meta.url);
  if (!existsSync(script)) {
    console.error(`bench: ${SCRIPTS[name]} not present, skipped`);
    continue;
  }
  const resultFile = new URL(`${RESULT_NAME[name] ?? name}.json`, RESULTS);
  const before = existsSync(resultFile) ? readFileSync(resultFile, 'utf8') : null;
  console.error(`bench: running ${name}${args.quick ? ' (quick)' : ''} …`);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [script.pathname, ...(args.quick && OURS.has(name) ? ['--quick'] : [])], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, ...(args.quick ? { SHAPETEX_BENCH_QUICK: '1' } : {}) },
  });
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
