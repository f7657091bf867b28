import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { canonicalJson, manifestHash, readManifest, validateManifest, writeManifest, type Manifest } from '@shapetex/svoc';
import { sampleManifest } from './fixtures.js';

const dirs: string[] = [];
afterAll(async () => { for (const d of dirs) await rm(d, { recursive: true, force: true }); });
const tempDir = async (): Promise<string> => {
  const d = await mkdtemp(path.join(tmpdir(), 'svoc-manifest-'));
  dirs.push(d);
  return d;
};

describe('manifest read/write', () => {
  it('round-trips through writeManifest → readManifest (folder or file path)', async () => {
    const d = await tempDir();
    const m = sampleManifest();
    const file = await writeManifest(d, m);
    expect(file).toBe(path.join(d, 'manifest.json'));
    expect(await readManifest(d)).toEqual(m);
    expect(await readManifest(file)).toEqual(m);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(m);
  });

  it('refuses to write a malformed manifest', async () => {
    const d = await tempDir();
    const m = sampleManifest() as unknown as Record<string, unknown>;
    delete m.factors;
    await expect(writeManifest(d, m as unknown as Manifest)).rejects.toThrow(/manifest\.json: factors: expected a non-empty array/);
  });

  it('names the file when it is not JSON or missing', async () => {
    const d = await tempDir();
    await expect(readManifest(d)).rejects.toThrow(/manifest\.json: cannot read the manifest/);
    await writeFile(path.join(d, 'manifest.json'), '{"kind": "svoc",');
    await expect(readManifest(d)).rejects.toThrow(new RegExp(`${path.join(d, 'manifest.json')}: not valid JSON`));
  });
});

describe('validateManifest errors name the field, what was expected and what was found', () => {
  const cases: [string, (m: any) => void, RegExp][] = [
    ['kind missing', (m) => { delete m.kind; }, /kind: expected "svoc", "synthetic" or "cue-conflict", got nothing \(missing\)/],
    ['kind', (m) => { m.kind = 'voc'; }, /x\.json: kind: expected "svoc", "synthetic" or "cue-conflict", got "voc"/],
    ['version', (m) => { m.version = 1; }, /version: expected a string, got 1/],
    ['factors empty', (m) => { m.factors = []; }, /factors: expected a non-empty array/],
    ['factors duplicate', (m) => { m.factors = ['shape', 'shape']; }, /factors\[1\]: expected a name not listed before/],
    ['records', (m) => { m.records = {}; }, /records: expected an array/],
    ['record textureId', (m) => { m.records[1].textureId = 'x'; }, /records\[1\]\.textureId: expected a non-negative integer, got "x"/],
    ['record textureId negative', (m) => { m.records[1].textureId = -1; }, /records\[1\]\.textureId: expected a non-negative integer, got -1/],
    ['record classId', (m) => { m.records[2].classId = 0; }, /records\[2\]\.classId: expected a positive integer, got 0/],
    ['record factor value', (m) => { delete m.records[0].factors.texture; }, /records\[0\]\.factors\.texture: expected a non-empty string or a finite number, got nothing \(missing\)/],
    ['record factors', (m) => { m.records[3].factors = null; }, /records\[3\]\.factors: expected an object with shape, texture, got null/],
    ['record className', (m) => { m.records[0].className = ''; }, /records\[0\]\.className: expected a non-empty string/],
    ['absolute file', (m) => { m.records[0].file = '/etc/passwd'; }, /records\[0\]\.file: expected a path relative to the set root, inside it, got "\/etc\/passwd"/],
    ['escaping file', (m) => { m.records[0].file = 'a/../../x.jpg'; }, /records\[0\]\.file: expected a path relative to the set root, inside it/],
    ['duplicate file', (m) => { m.records[3].file = `./${m.records[1].file}`; }, /records\[3\]\.file: expected a file not already listed \(records\[1\] has it\)/],
    ['textures', (m) => { m.textures[1].id = -2; }, /textures\[1\]\.id: expected a non-negative integer, got -2/],
    ['class id 0', (m) => { m.classes[0].id = 0; }, /classes\[0\]\.id: expected a positive integer, got 0/],
    ['classes', (m) => { m.classes = 'cat'; }, /classes: expected an array of \{ id, name \}, got "cat"/],
    ['build', (m) => { delete m.build; }, /build: expected an object of build parameters/],
    ['created', (m) => { m.created = 5; }, /created: expected an ISO date string, got 5/],
  ];
  for (const [what, mutate, message] of cases) {
    it(what, () => {
      const m = sampleManifest();
      mutate(m);
      expect(() => validateManifest(m, 'x.json')).toThrow(message);
    });
  }

  it('root that is not an object', () => {
    expect(() => validateManifest([], 'x.json')).toThrow(/x\.json: \(root\): expected a JSON object, got \[\]/);
  });

  it('accepts 0-based texture ids, as a folder without a manifest reads them', () => {
    const m = sampleManifest();
    for (const r of m.records) r.textureId -= 1;
    for (const t of m.textures) t.id -= 1;
    expect(m.records.some((r) => r.textureId === 0) && m.textures.some((t) => t.id === 0)).toBe(true);
    expect(validateManifest(m)).toBe(m);
  });

  it('accepts the well-formed sample and keeps unknown extra fields', () => {
    const m = { ...sampleManifest(), extra: { note: 'later versions may add fields' } };
    expect(validateManifest(m)).toBe(m);
  });
});

describe('manifestHash', () => {
  it('is the sha256 of the sorted-key, whitespace-free JSON without `created`', () => {
    const m: Manifest = {
      version: '1', kind: 'synthetic', factors: ['shape'],
      records: [{ textureName: 'plain', file: '1_1_circle.png', factors: { shape: 'circle' }, classId: 1, className: 'circle', contentId: 'circle', textureId: 1 }],
      textures: [{ name: 'plain', id: 1 }], classes: [{ name: 'circle', id: 1 }], build: { z: [2, 1], a: null },
      created: 'ignored',
    };
    // Written out by hand: keys in code-unit order at every depth.
    const canonical = '{"build":{"a":null,"z":[2,1]},"classes":[{"id":1,"name":"circle"}],"factors":["shape"],"kind":"synthetic",'
      + '"records":[{"classId":1,"className":"circle","contentId":"circle","factors":{"shape":"circle"},"file":"1_1_circle.png","textureId":1,"textureName":"plain"}],'
      + '"textures":[{"id":1,"name":"plain"}],"version":"1"}';
    const { created: _c, ...rest } = m;
    expect(canonicalJson(rest)).toBe(canonical);
    expect(manifestHash(m)).toBe(createHash('sha256').update(canonical).digest('hex'));
  });

  it('ignores key order and the time stamp, and changes with content', () => {
    const m = sampleManifest();
    const reverse = (o: object): any => Object.fromEntries(Object.entries(o).reverse());
    const reordered = reverse(m) as Manifest;
    reordered.records = m.records.map((r) => ({ ...reverse(r), factors: reverse(r.factors) }));
    reordered.created = '2030-06-01T00:00:00.000Z';
    expect(manifestHash(reordered)).toBe(manifestHash(m));
    const changed = sampleManifest();
    changed.records[0]!.textureId = 1;
    expect(manifestHash(changed)).not.toBe(manifestHash(m));
    expect(manifestHash(m)).toMatch(/^[0-9a-f]{64}$/);
  });
});
