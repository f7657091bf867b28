import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { backendSettings, currentBackend, DEFAULT_BACKEND_SETTINGS, ENV_VARIABLES, initBackend, planConv, releaseConvPlan, UsageError } from '@shapetex/core';
import { im2colKernels, resolveSettings } from '../../packages/core/dist/kernels/index.js';
import { createFeaturePool, type FeaturePool } from '../../packages/core/dist/pool/index.js';

const TINY = path.join(path.dirname(fileURLToPath(import.meta.url)), 'pool', 'tiny-net.mjs');
const ENV_KEYS = [...new Set(Object.values(ENV_VARIABLES))];
const saved = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
afterAll(() => {
  for (const k of ENV_KEYS) if (saved[k] === undefined) delete process.env[k]; else process.env[k] = saved[k];
});

/** A stride-2 convolution: the im2col path's, when that path is on. */
const strided = () => planConv({ filter: new Float32Array(3 * 3 * 8 * 8), kh: 3, kw: 3, C: 8, K: 8, stride: 2 });

// The tests of this file run in order in one module graph: the first one finds the settings
// not yet resolved, so the environment it sets is the fallback read once.
describe('backend and kernel settings: initBackend options, the environment read once', () => {
  it('options given are honoured, the others come from the environment, and initBackend reports them', async () => {
    for (const k of ENV_KEYS) delete process.env[k];
    process.env.SHAPETEX_WINOGRAD = '2';
    process.env.SHAPETEX_IM2COL = '0';
    process.env.SHAPETEX_FMA = '1';
    const info = await initBackend('wasm', { log: null, fma: false });
    const want = { winograd: true, winogradMaxTile: 2, im2col: false, fma: false, wasmThreads: 0 };
    expect(info.settings).toEqual(want);
    expect(backendSettings()).toEqual(want);
    expect(currentBackend()!.settings).toEqual(want);
    expect(info.device).toBe('wasm (simd, winograd 3×3)');
  });

  it('changing the environment after initBackend changes nothing, in this thread or in pool workers', async () => {
    process.env.SHAPETEX_IM2COL = '1';
    process.env.SHAPETEX_FMA = '1';
    process.env.SHAPETEX_WINOGRAD = '0';
    const info = await initBackend('wasm', { log: null });
    expect(info.settings).toEqual({ winograd: true, winogradMaxTile: 2, im2col: false, fma: false, wasmThreads: 0 });
    expect(info.device).toBe('wasm (simd, winograd 3×3)');
    expect(im2colKernels()).toBeNull();
    const plan = strided();
    expect(plan.im2col).toBeUndefined();
    releaseConvPlan(plan);
    // workers get the main thread's settings in their init message, not their own environment
    let pool: FeaturePool | undefined;
    try {
      pool = await createFeaturePool({ workers: 1, factory: { module: TINY, exportName: 'tinyNet', options: { seed: 1, width: 4 } } });
      expect(pool.settings).toEqual(info.settings);
      expect(pool.device).toBe('wasm (simd, winograd 3×3)');
    } finally {
      await pool?.dispose();
    }
  });

  it('initBackend again with settings puts them in force: the device string and currentBackend follow', async () => {
    const info = await initBackend('wasm', { log: null, im2col: true, fma: true, winogradMaxTile: 6 });
    expect(info.settings).toEqual(DEFAULT_BACKEND_SETTINGS);
    expect(info.device).toBe('wasm (simd, fma, winograd 3×3, im2col)');
    expect(currentBackend()).toBe(info);
    const plan = strided();
    expect(plan.im2col).toBeDefined();
    releaseConvPlan(plan);
  });

  it('an invalid option or variable is a usage error naming it and the allowed values; nothing changes', async () => {
    const before = backendSettings();
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ winogradMaxTile: 3 }, /^backend option winogradMaxTile: 3 is not allowed; expected 2, 4 or 6$/],
      [{ fma: 'no' }, /^backend option fma: "no" is not allowed; expected true or false$/],
      [{ wasmThreads: -1 }, /^backend option wasmThreads: -1 is not allowed; expected a whole number ≥ 0/],
      [{ wasmThreads: 2 }, /^backend option wasmThreads: the wasm backend already runs with wasmThreads 0; it is taken only before the backend starts/],
    ];
    for (const [opts, message] of bad) {
      const err = await initBackend('wasm', { log: null, ...opts }).catch((e: unknown) => e);
      expect(err, JSON.stringify(opts)).toBeInstanceOf(Error);
      expect((err as Error).name).toBe('UsageError');
      expect((err as Error).message).toMatch(message);
    }
    expect(backendSettings()).toBe(before);
    expect(() => resolveSettings({}, { SHAPETEX_FMA: 'yes' })).toThrow(/^SHAPETEX_FMA="yes" is not a valid value; expected 0 \(off\) or 1 \(on\)$/);
    expect(() => resolveSettings({}, { SHAPETEX_WINOGRAD: '3' })).toThrow(/^SHAPETEX_WINOGRAD="3" is not a valid value; expected 0 \(off\), 1 \(on\), 2, 4 or 6/);
    expect(() => resolveSettings({}, { SHAPETEX_WASM_THREADS: 'many' })).toThrow(UsageError);
    // an option given makes its variable unread
    expect(resolveSettings({ fma: true }, { SHAPETEX_FMA: 'yes' }).fma).toBe(true);
  });

  it('each variable maps to its settings as documented; unset or empty is the default', () => {
    expect(resolveSettings({}, {})).toEqual(DEFAULT_BACKEND_SETTINGS);
    expect(resolveSettings({}, { SHAPETEX_WINOGRAD: '' })).toEqual(DEFAULT_BACKEND_SETTINGS);
    const cases: [Record<string, string>, Partial<typeof DEFAULT_BACKEND_SETTINGS>][] = [
      [{ SHAPETEX_WINOGRAD: '0' }, { winograd: false, winogradMaxTile: 6 }],
      [{ SHAPETEX_WINOGRAD: '1' }, { winograd: true, winogradMaxTile: 6 }],
      [{ SHAPETEX_WINOGRAD: '4' }, { winograd: true, winogradMaxTile: 4 }],
      [{ SHAPETEX_IM2COL: '0', SHAPETEX_FMA: '0' }, { im2col: false, fma: false }],
      [{ SHAPETEX_WASM_THREADS: '3' }, { wasmThreads: 3 }],
    ];
    for (const [env, want] of cases) expect(resolveSettings({}, env), JSON.stringify(env)).toEqual({ ...DEFAULT_BACKEND_SETTINGS, ...want });
  });

  it('an invalid variable stops initBackend in a fresh process with its name and the allowed values', () => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', "const c = await import('@shapetex/core'); await c.initBackend('wasm', { log: null });"],
      { env: { ...process.env, SHAPETEX_IM2COL: 'off' }, encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('SHAPETEX_IM2COL="off" is not a valid value; expected 0 (off) or 1 (on)');
  });
});
