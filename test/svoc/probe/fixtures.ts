import type { Manifest } from '@shapetex/svoc';

/** A small well-formed SVOC manifest: 2 contents × 2 textures. */
export function sampleManifest(): Manifest {
  const rec = (t: number, c: number, id: string) => ({
    file: `${t}_${c}_${id}.jpg`,
    factors: { shape: id, texture: t },
    classId: c,
    className: c === 8 ? 'cat' : 'dog',
    contentId: id,
    textureId: t,
    textureName: t === 1 ? 'cracked_0048' : 'woven_0097',
  });
  return {
    kind: 'svoc',
    version: '0.1.0',
    factors: ['shape', 'texture'],
    records: [rec(2, 12, '2007_000063'), rec(1, 8, '2008_000001'), rec(1, 12, '2007_000063'), rec(2, 8, '2008_000001')],
    textures: [{ id: 1, name: 'cracked_0048', source: 'cracked/cracked_0048.jpg' }, { id: 2, name: 'woven_0097' }],
    classes: [{ id: 8, name: 'cat' }, { id: 12, name: 'dog' }],
    build: { alpha: 1, size: 512, seed: 0 },
    created: '2025-01-01T00:00:00.000Z',
  };
}
