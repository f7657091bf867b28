// Finding and running the PyTorch side of a benchmark. Debian's /usr/bin/python3 carries torch
// here while the `python3` on PATH may not, so both are probed; absence is a result, not a failure.
import { spawnSync } from 'node:child_process';

let found;

/** { python, torch } of the first interpreter that imports torch and torchvision, or null. */
export function findTorch() {
  if (found !== undefined) return found;
  found = null;
  for (const python of [process.env.SHAPETEX_PYTHON, '/usr/bin/python3', 'python3'].filter(Boolean)) {
    const r = spawnSync(python, ['-c', 'import torch, torchvision; print(torch.__version__)'], { encoding: 'utf8' });
    if (r.status === 0) { found = { python, torch: r.stdout.trim() }; break; }
  }
  return found;
}

/** Run a bench/torch_*.py script that prints one JSON object on its last stdout line. */
export function runTorchJson(script, args, { timeoutS = 900 } = {}) {
  const t = findTorch();
  if (!t) return null;
  const r = spawnSync(t.python, [script, ...args], { encoding: 'utf8', timeout: timeoutS * 1000, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${script} failed (exit ${r.status}): ${(r.stderr || '').trim().split('\n').slice(-3).join(' | ')}`);
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}
