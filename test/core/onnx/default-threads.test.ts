import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';

// ONNX Runtime's threads when none are asked for: every core this process may use, or
// SHAPETEX_THREADS; read once per process, so each case runs in a fresh Node process.

function threadsIn(env: Record<string, string | undefined>, script = 'console.log(JSON.stringify({ threads: c.defaultOnnxThreads() }))') {
  const childEnv = { ...process.env, ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete childEnv[k];
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', `import * as c from '@shapetex/core'; ${script}`], { env: childEnv, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('defaultOnnxThreads', () => {
  it('is the cores this process may use, or SHAPETEX_THREADS; a bad value is a UsageError naming it', () => {
    const plain = threadsIn({ SHAPETEX_THREADS: undefined });
    expect(plain.status, plain.stderr).toBe(0);
    expect(JSON.parse(plain.stdout)).toEqual({ threads: availableParallelism() });
    // the CPU affinity decides, as under a Slurm task: one allowed core gives one thread
    const pinned = spawnSync('taskset', ['-c', '0', process.execPath, '--input-type=module', '-e', "import * as c from '@shapetex/core'; console.log(c.defaultOnnxThreads())"], { encoding: 'utf8', env: { ...process.env, SHAPETEX_THREADS: '' } });
    expect(pinned.status, pinned.stderr).toBe(0);
    expect(pinned.stdout.trim()).toBe('1');
    const three = threadsIn({ SHAPETEX_THREADS: '3' }, "const i = await c.initBackend('onnx', { log: null }); console.log(JSON.stringify({ threads: c.defaultOnnxThreads(), backend: i.threads }))");
    expect(three.status, three.stderr).toBe(0);
    expect(JSON.parse(three.stdout)).toEqual({ threads: 3, backend: 3 });
    const bad = threadsIn({ SHAPETEX_THREADS: 'many' }, "try { c.defaultOnnxThreads() } catch (e) { console.log(JSON.stringify({ usage: e instanceof c.UsageError, message: e.message })) }");
    expect(JSON.parse(bad.stdout)).toEqual({ usage: true, message: 'SHAPETEX_THREADS: "many" is not allowed; expected a whole number ≥ 1' });
  });
});
