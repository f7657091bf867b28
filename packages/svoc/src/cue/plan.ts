/**
 * Which cue-conflict images `svoc cue-conflict` makes: a pure, seeded function of the selected
 * contents and texture sources, so a rerun (resume) plans the same images.
 *
 * Each content of class A (in selection order) gets `perContent` textures of distinct classes
 * B ≠ A, drawn uniformly among the classes that have texture sources, each from a source drawn
 * uniformly within B. Names: `{A}/{A}{n}-{B}{m}.png`, n the content's 1-based rank within A, m
 * the source's within B: the published stimuli layout, so the set reads with or without its
 * manifest.
 */
import { createRng } from '@shapetex/core';
import type { VocContent } from '../builder/voc.js';
import type { TextureSource } from './boxes.js';
import { formatCueFileName } from './names.js';

export interface CueItem {
  file: string;
  content: VocContent;
  source: TextureSource;
}

export function planCueConflict(contents: readonly VocContent[], sources: Map<string, TextureSource[]>, opts: { seed: number; perContent: number }): CueItem[] {
  const rng = createRng(opts.seed);
  const classes = [...sources.keys()].sort();
  const rankInClass = new Map<string, number>();
  const items: CueItem[] = [];
  for (const content of contents) {
    const n = (rankInClass.get(content.className) ?? 0) + 1;
    rankInClass.set(content.className, n);
    const others = classes.filter((c) => c !== content.className);
    rng.shuffle(others);
    for (const B of others.slice(0, opts.perContent)) {
      const list = sources.get(B)!;
      const m = rng.int(list.length);
      const file = `${content.className}/${formatCueFileName({ shape: content.className, shapeIndex: n, texture: B, textureIndex: m + 1 })}`;
      items.push({ file, content, source: list[m]! });
    }
  }
  return items;
}
