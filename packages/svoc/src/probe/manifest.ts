import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeJsonAtomic } from '@shapetex/core';
import type { Manifest, ProbeRecord } from '../types.js';
import { ManifestError } from './errors.js';

/** The manifest's file name at a probe set's root (docs/formats.md). */
export const MANIFEST_FILE = 'manifest.json';

type Json = Record<string, unknown>;

function describe(v: unknown): string {
  if (v === undefined) return 'nothing (missing)';
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isPositiveInt = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 1;
/** Texture ids are kept as found (from 0 in sets other tools wrote), as a folder without a manifest reads them. */
const isTextureId = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;

/**
 * Checks that `value` is a well-formed manifest and returns it typed. Every problem is an
 * error naming `source` (the file), the field path (e.g. `records[12].textureId`), what was
 * expected and what was found. Checked: `kind` ∈ {svoc, synthetic}; `version` a string;
 * `factors` non-empty unique strings; each record's `file` a relative path inside the set,
 * unique; each record's `factors` holding a string or number for every manifest factor;
 * `classId` a positive integer, `textureId` a non-negative one (0-based sets read as they are); `className`, `contentId`, `textureName` strings;
 * `textures` and `classes` arrays of `{ id, name }`; `build` an object. Unknown extra fields
 * are kept, so later versions can add some.
 */
export function validateManifest(value: unknown, source = MANIFEST_FILE): Manifest {
  const fail = (field: string, expected: string, got: unknown): never => {
    throw new ManifestError(source, `${field}: expected ${expected}, got ${describe(got)}`);
  };
  if (!isObject(value)) return fail('(root)', 'a JSON object', value);
  const m = value;
  if (m.kind !== 'svoc' && m.kind !== 'synthetic' && m.kind !== 'cue-conflict') fail('kind', '"svoc", "synthetic" or "cue-conflict"', m.kind);
  if (typeof m.version !== 'string') fail('version', 'a string', m.version);
  if (!Array.isArray(m.factors) || m.factors.length === 0) fail('factors', 'a non-empty array of factor names', m.factors);
  const factors = m.factors as unknown[];
  factors.forEach((f, i) => {
    if (typeof f !== 'string' || f.length === 0) fail(`factors[${i}]`, 'a non-empty string', f);
    if (factors.indexOf(f) !== i) fail(`factors[${i}]`, 'a name not listed before', f);
  });
  if (!Array.isArray(m.records)) fail('records', 'an array of records', m.records);
  const seen = new Map<string, number>();
  (m.records as unknown[]).forEach((r, i) => {
    const at = `records[${i}]`;
    if (!isObject(r)) return fail(at, 'an object', r);
    const file = r.file;
    if (typeof file !== 'string' || file.length === 0) return fail(`${at}.file`, 'a non-empty relative path', file);
    const norm = path.posix.normalize(file.replaceAll('\\', '/'));
    if (path.isAbsolute(file) || /^[A-Za-z]:/.test(file) || norm === '..' || norm.startsWith('../')) {
      fail(`${at}.file`, 'a path relative to the set root, inside it', file);
    }
    const before = seen.get(norm);
    if (before !== undefined) fail(`${at}.file`, `a file not already listed (records[${before}] has it)`, file);
    seen.set(norm, i);
    if (!isObject(r.factors)) return fail(`${at}.factors`, `an object with ${factors.join(', ')}`, r.factors);
    for (const f of factors as string[]) {
      const v = r.factors[f];
      const ok = (typeof v === 'string' && v.length > 0) || (typeof v === 'number' && Number.isFinite(v));
      if (!ok) fail(`${at}.factors.${f}`, 'a non-empty string or a finite number', v);
    }
    if (!isPositiveInt(r.classId)) fail(`${at}.classId`, 'a positive integer', r.classId);
    if (!isTextureId(r.textureId)) fail(`${at}.textureId`, 'a non-negative integer', r.textureId);
    for (const key of ['className', 'contentId', 'textureName'] as const) {
      if (typeof r[key] !== 'string' || (r[key] as string).length === 0) fail(`${at}.${key}`, 'a non-empty string', r[key]);
    }
  });
  for (const key of ['textures', 'classes'] as const) {
    if (!Array.isArray(m[key])) fail(key, 'an array of { id, name }', m[key]);
    (m[key] as unknown[]).forEach((t, i) => {
      if (!isObject(t)) return fail(`${key}[${i}]`, 'an object { id, name }', t);
      if (key === 'textures' ? !isTextureId(t.id) : !isPositiveInt(t.id)) fail(`${key}[${i}].id`, key === 'textures' ? 'a non-negative integer' : 'a positive integer', t.id);
      if (typeof t.name !== 'string') fail(`${key}[${i}].name`, 'a string', t.name);
    });
  }
  if (!isObject(m.build)) fail('build', 'an object of build parameters', m.build);
  if (m.created !== undefined && typeof m.created !== 'string') fail('created', 'an ISO date string', m.created);
  return m as unknown as Manifest;
}

/**
 * Reads and validates `manifest.json`. `location` is either the set's folder or the manifest
 * file itself. Errors name the file (unreadable, not JSON, or malformed field).
 */
export async function readManifest(location: string): Promise<Manifest> {
  const file = path.basename(location) === MANIFEST_FILE ? location : path.join(location, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ManifestError(file, `cannot read the manifest: ${(err as Error).message}`, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ManifestError(file, `not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  return validateManifest(json, file);
}

/**
 * Validates `manifest` and writes it as `{dir}/manifest.json` (2-space indented JSON),
 * atomically (temporary name + rename). Returns the file's path.
 */
export async function writeManifest(dir: string, manifest: Manifest): Promise<string> {
  const file = path.join(dir, MANIFEST_FILE);
  validateManifest(manifest, file);
  await writeJsonAtomic(file, manifest);
  return file;
}

/**
 * Canonical JSON: object keys sorted by code unit, no whitespace, arrays in order, `undefined`
 * members dropped (as JSON.stringify does). Two manifests with the same content give the same
 * string whatever the key order they were written with.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * sha256 (hex) of the canonical JSON of the manifest without its `created` time stamp, so the
 * hash identifies the probe set's content: the same records, textures, classes and build
 * parameters hash the same whenever they were written. Recorded in run.json provenance.
 */
export function manifestHash(manifest: Manifest): string {
  const { created: _created, ...content } = manifest;
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

/** Record order used everywhere a set is read: by `file`, in code-unit order (locale-free). */
export function compareRecords(a: ProbeRecord, b: ProbeRecord): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : 0;
}
