// Training data for the example: a probe-style set (manifest or reference names, read with
// @shapetex/svoc), a synthetic set made on the spot, or an ImageFolder tree (<dir>/<class>/*.jpg).
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { readProbeSet, synthesizeProbeSet } from '@shapetex/svoc';

/**
 * @returns {{ files: string[], labels: number[], classes: string[] }}
 */
export async function readDataset({ data, synth, labelFactor, size, seed, perFactor }) {
  if (synth) {
    if (!existsSync(path.join(synth, 'manifest.json'))) {
      await synthesizeProbeSet({ out: synth, factors: ['shape', 'texture', 'color'], perFactor, size, seed });
    }
    data = synth;
  }
  if (!data) throw new Error('give --data <dir> (an image folder or probe set) or --synth <dir>');
  if (existsSync(path.join(data, 'manifest.json')) || (await looksLikeProbeSet(data))) {
    const set = await readProbeSet(data);
    const factor = labelFactor ?? set.factors[0];
    if (!set.factors.includes(factor)) {
      throw new Error(`--label-factor ${factor}: the set at ${data} has factors ${set.factors.join(', ')}`);
    }
    const values = [...new Set(set.records.map((r) => String(r.factors[factor])))].sort();
    return {
      files: set.records.map((r) => path.join(set.root, r.file)),
      labels: set.records.map((r) => values.indexOf(String(r.factors[factor]))),
      classes: values,
    };
  }
  return readImageFolder(data);
}

async function looksLikeProbeSet(dir) {
  const names = await readdir(dir);
  return names.some((n) => /^\d+_\d+_.+\.(jpe?g|png)$/i.test(n));
}

async function readImageFolder(dir) {
  const classes = [];
  for (const name of (await readdir(dir)).sort()) if ((await stat(path.join(dir, name))).isDirectory()) classes.push(name);
  if (classes.length < 2) throw new Error(`${dir}: expected a manifest.json, reference-named images, or at least two class folders`);
  const files = [], labels = [];
  for (const [i, c] of classes.entries()) {
    for (const f of (await readdir(path.join(dir, c))).sort()) {
      if (/\.(jpe?g|png|webp)$/i.test(f)) { files.push(path.join(dir, c, f)); labels.push(i); }
    }
  }
  return { files, labels, classes };
}
