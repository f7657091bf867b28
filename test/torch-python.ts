/**
 * The python the oracle suite runs PyTorch with: $SHAPETEX_PYTHON alone when it is set (an
 * explicit choice is not second-guessed), else /usr/bin/python3 (Debian's python3-torch), then
 * python3 on PATH. Not found is an error that says what to install, never a skip.
 */
import { spawnSync } from 'node:child_process';

export function findTorchPython(modules: readonly string[] = ['torch', 'torchvision']): string {
  const tried: string[] = [];
  const candidates = process.env.SHAPETEX_PYTHON ? [process.env.SHAPETEX_PYTHON] : ['/usr/bin/python3', 'python3'];
  for (const py of candidates) {
    const r = spawnSync(py, ['-c', `import ${modules.join(', ')}`], { encoding: 'utf8' });
    if (r.status === 0) return py;
    tried.push(`${py}: ${r.error ? r.error.message : (r.stderr.trim().split('\n').pop() ?? `exit ${r.status}`)}`);
  }
  throw new Error(
    `the oracle suite needs a python3 that imports ${modules.join(' and ')} (tried ${tried.join('; ')}). ` +
    'Install them (Debian/Ubuntu: apt-get install python3-torch python3-torchvision; or pip install torch torchvision) ' +
    'or point SHAPETEX_PYTHON at such an interpreter.',
  );
}
