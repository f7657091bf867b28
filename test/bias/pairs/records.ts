import type { ProbeRecord, ProbeSet } from '@shapetex/svoc';

/** An SVOC-like record as the SVOC reader would produce it. */
export function svocRecord(contentId: string, classId: number, textureId: number): ProbeRecord {
  return {
    file: `${textureId}_${classId}_${contentId}.jpg`,
    factors: { shape: `${classId}_${contentId}`, texture: textureId },
    classId, className: `class${classId}`, contentId, textureId, textureName: `tex${textureId}`,
  };
}

/** contents[c] = [classId, textures present]; records in content-major order. */
export function svocSet(contents: [number, number[]][], kind?: 'svoc' | 'synthetic'): ProbeSet {
  const records = contents.flatMap(([cls, textures], c) => textures.map((t) => svocRecord(`2007_${String(c).padStart(6, '0')}`, cls, t)));
  return withManifest({ root: '/probe/svoc', records, factors: ['shape', 'texture'] }, kind);
}

function withManifest(ps: ProbeSet, kind?: 'svoc' | 'synthetic'): ProbeSet {
  if (!kind) return ps;
  return { ...ps, manifest: { kind, version: '0', factors: ps.factors, records: ps.records, textures: [], classes: [], build: {} } };
}

/** Every combination of `sizes[k]` values per factor (values `${name}${v}`), optionally thinned by `keep`. */
export function gridSet(names: string[], sizes: number[], keep: (combo: number[]) => boolean = () => true): ProbeSet {
  const records: ProbeRecord[] = [];
  const combo = new Array(names.length).fill(0);
  const total = sizes.reduce((a, b) => a * b, 1);
  for (let idx = 0; idx < total; idx++) {
    let r = idx;
    for (let k = names.length - 1; k >= 0; k--) { combo[k] = r % sizes[k]!; r = Math.floor(r / sizes[k]!); }
    if (!keep(combo)) continue;
    const factors = Object.fromEntries(names.map((n, k) => [n, `${n}${combo[k]}`]));
    records.push({
      file: `img_${combo.join('_')}.png`, factors, classId: combo[0] + 1, className: `${names[0]}${combo[0]}`,
      contentId: `${names[0]}${combo[0]}`, textureId: (combo[1] ?? 0) + 1, textureName: `${names[1] ?? 'none'}${combo[1] ?? 0}`,
    });
  }
  return withManifest({ root: '/probe/synth', records, factors: names.slice() }, 'synthetic');
}
