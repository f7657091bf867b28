/**
 * The backend and kernel settings: one typed object, the one place the kernels and the wasm
 * backend read their switches from. `initBackend` takes them as options; a setting it is not
 * given falls back to its environment variable (ENV_VARIABLES), read once, the first time the
 * settings are needed, so changing `process.env` afterwards changes nothing and a run's
 * `run.json` or manifest can record the values that were in force.
 */
import { UsageError } from '../util/usage-error.js';
import { TILE_SIZES, type TileSize } from './winograd/transforms.js';

export interface BackendSettings {
  /**
   * shapetex's Winograd kernels for 3×3 stride-1 convolutions on wasm (default true); false:
   * tfjs's own convolution (XNNPACK).
   */
  winograd: boolean;
  /**
   * The largest Winograd tile F(m×m, 3×3) the per-map choice may take (default 6): 2 keeps to
   * F(2×2) (the smallest rounding), 4 to F(4×4) at most; with 6 F(6×6) is taken on maps of
   * 64×64 and more, where it saves at least 13% of F(4×4)'s products.
   */
  winogradMaxTile: TileSize;
  /** The im2col + GEMM kernels for the other dense convolutions on wasm (default true). */
  im2col: boolean;
  /**
   * Fused multiply-adds in the kernels where the engine has relaxed SIMD (default true); false:
   * a multiply and an add (SIMD128 only). The device string lists `fma` when they are in use.
   */
  fma: boolean;
  /** Threads asked of the wasm backend where the platform allows; 0 (default): tfjs's choice. */
  wasmThreads: number;
}

export const DEFAULT_BACKEND_SETTINGS: Readonly<BackendSettings> = Object.freeze({
  winograd: true, winogradMaxTile: 6, im2col: true, fma: true, wasmThreads: 0,
});

/** The environment variable each setting falls back to (SHAPETEX_WINOGRAD sets two). */
export const ENV_VARIABLES: Readonly<Record<keyof BackendSettings, string>> = Object.freeze({
  winograd: 'SHAPETEX_WINOGRAD', winogradMaxTile: 'SHAPETEX_WINOGRAD', im2col: 'SHAPETEX_IM2COL', fma: 'SHAPETEX_FMA', wasmThreads: 'SHAPETEX_WASM_THREADS',
});

const SETTING_NAMES = Object.keys(DEFAULT_BACKEND_SETTINGS) as (keyof BackendSettings)[];

type Check = (value: unknown) => boolean;
const isBoolean: Check = (v) => typeof v === 'boolean';
const isCount: Check = (v) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
/** Per option: whether a value is allowed, and the allowed values in words. */
const OPTION_RULES: Record<keyof BackendSettings, [Check, string]> = {
  winograd: [isBoolean, 'true or false'],
  winogradMaxTile: [(v) => (TILE_SIZES as readonly unknown[]).includes(v), TILE_SIZES.join(', ').replace(/, (?=[^,]*$)/, ' or ')],
  im2col: [isBoolean, 'true or false'],
  fma: [isBoolean, 'true or false'],
  wasmThreads: [isCount, 'a whole number ≥ 0 (0: tfjs chooses)'],
};

/** Per variable: its allowed text, and the same in words for the error. */
const ENV_RULES: Record<string, { allowed: RegExp; words: string }> = {
  SHAPETEX_WINOGRAD: { allowed: /^[01246]$/, words: '0 (off), 1 (on), 2, 4 or 6 (on, largest tile F(2×2), F(4×4), F(6×6))' },
  SHAPETEX_IM2COL: { allowed: /^[01]$/, words: '0 (off) or 1 (on)' },
  SHAPETEX_FMA: { allowed: /^[01]$/, words: '0 (off) or 1 (on)' },
  SHAPETEX_WASM_THREADS: { allowed: /^\d+$/, words: 'a whole number ≥ 0 (0: tfjs chooses)' },
};

/** Per setting: its value from its variable's (checked) text. SHAPETEX_WINOGRAD: 0 off, 1 on, 2 / 4 / 6 on with that largest tile. */
const FROM_TEXT: Record<keyof BackendSettings, (text: string) => BackendSettings[keyof BackendSettings]> = {
  winograd: (t) => t !== '0',
  winogradMaxTile: (t) => (t === '2' ? 2 : t === '4' ? 4 : 6),
  im2col: (t) => t !== '0',
  fma: (t) => t !== '0',
  wasmThreads: (t) => Number(t),
};

/** The setting `key` from its environment variable (unset or empty: the default). */
function fromEnv<K extends keyof BackendSettings>(key: K, env: NodeJS.ProcessEnv): BackendSettings[K] {
  const name = ENV_VARIABLES[key];
  const text = env[name]?.trim();
  if (text === undefined || text === '') return DEFAULT_BACKEND_SETTINGS[key];
  const rule = ENV_RULES[name]!;
  if (!rule.allowed.test(text)) throw new UsageError(`${name}=${JSON.stringify(env[name])} is not a valid value; expected ${rule.words}`);
  return FROM_TEXT[key](text) as BackendSettings[K];
}

/** The options that were given, checked (undefined ones left out); names the option and the allowed values. */
export function checkSettings(given: Partial<BackendSettings>): Partial<BackendSettings> {
  const out: Partial<Record<keyof BackendSettings, unknown>> = {};
  for (const key of SETTING_NAMES) {
    const value = given[key];
    if (value === undefined) continue;
    const [ok, words] = OPTION_RULES[key];
    if (!ok(value)) throw new UsageError(`backend option ${key}: ${JSON.stringify(value)} is not allowed; expected ${words}`);
    out[key] = value;
  }
  return out as Partial<BackendSettings>;
}

/**
 * The settings for `given` options: each one given, else its environment variable, else its
 * default. Pure: reads `env`, stores nothing.
 */
export function resolveSettings(given: Partial<BackendSettings> = {}, env: NodeJS.ProcessEnv = process.env): BackendSettings {
  const checked = checkSettings(given);
  const out = {} as Record<keyof BackendSettings, unknown>;
  for (const key of SETTING_NAMES) out[key] = checked[key] ?? fromEnv(key, env);
  return out as unknown as BackendSettings;
}

let effective: Readonly<BackendSettings> | undefined;

/**
 * The settings in force. The first call (from `initBackend`, or the first convolution planned
 * without it) resolves them from the environment, once.
 */
export function backendSettings(): Readonly<BackendSettings> {
  effective ??= Object.freeze(resolveSettings());
  return effective;
}

/**
 * The settings `given` would make: each option given replaces the one in force, the others stay
 * (on the first call: their environment variable, else the default). Stores nothing.
 */
export function nextSettings(given: Partial<BackendSettings> = {}): Readonly<BackendSettings> {
  if (!effective) return Object.freeze(resolveSettings(given));
  return Object.freeze({ ...effective, ...checkSettings(given) });
}

/**
 * Puts `given` in force (as nextSettings) and returns the settings. For `initBackend`, and for
 * tests and benches that compare the kernels' paths in one process. A path switched off is left
 * at once, by networks built before too; one switched on is taken by convolutions planned after.
 */
export function setBackendSettings(given: Partial<BackendSettings>): Readonly<BackendSettings> {
  effective = nextSettings(given);
  return effective;
}
