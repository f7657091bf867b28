/**
 * From a classifier's classes to the categories of a cue-conflict set. A decision is the
 * category with the highest probability, a category's probability being the MEAN of the softmax
 * probabilities of its classes (the model-vs-human toolbox's default aggregation,
 * `ImageNetProbabilitiesTo16ClassesMapping`, which averages probabilities, not logits).
 *
 * Built-in maps: `imagenet16` (1000-class heads → Geirhos's 16 categories), `cifar10-voc`
 * (CIFAR-10 heads → the 7 VOC categories CIFAR-10 shares: airplane↔aeroplane,
 * automobile↔car, bird, cat, dog, horse, ship↔boat), `voc` (20-class VOC heads, identity in
 * the standard VOC order). Any other head: a JSON file `{ "category": [class indices], … }`.
 */
import { readFile } from 'node:fs/promises';
import { UsageError } from '@shapetex/core';
import { VOC_CLASSES } from '@shapetex/svoc';
import { IMAGENET16 } from './imagenet16.js';

export interface ClassMap {
  /** `imagenet16`, `cifar10-voc`, `voc`, or the JSON file's path. */
  name: string;
  /** Category names, in the map's order (ties in a decision go to the earlier one). */
  categories: string[];
  /** Head class indices of each category (same order as `categories`). */
  indices: number[][];
  /** The head size the map is made for; null for a file (any head at least as large as its largest index). */
  headSize: number | null;
}

export const CLASS_MAP_NAMES = ['imagenet16', 'cifar10-voc', 'voc'] as const;

/** CIFAR-10 class order (airplane, automobile, bird, cat, deer, dog, frog, horse, ship, truck). */
const CIFAR10_VOC: Record<string, number> = { aeroplane: 0, car: 1, bird: 2, cat: 3, dog: 5, horse: 7, boat: 8 };

function fromRecord(name: string, rec: Readonly<Record<string, readonly number[]>>, headSize: number | null): ClassMap {
  const categories = Object.keys(rec);
  return { name, categories, indices: categories.map((c) => [...rec[c]!]), headSize };
}

/** A built-in map by name; undefined for another name. */
export function builtinClassMap(name: string): ClassMap | undefined {
  if (name === 'imagenet16') return fromRecord(name, IMAGENET16, 1000);
  if (name === 'cifar10-voc') return fromRecord(name, Object.fromEntries(Object.entries(CIFAR10_VOC).map(([c, i]) => [c, [i]])), 10);
  if (name === 'voc') return fromRecord(name, Object.fromEntries(VOC_CLASSES.map((c, i) => [c, [i]])), 20);
  return undefined;
}

/** The map a head of `numClasses` classes gets when none is named: 1000, 10, 20. */
export function defaultClassMap(numClasses: number | undefined): ClassMap | undefined {
  const name = numClasses === 1000 ? 'imagenet16' : numClasses === 10 ? 'cifar10-voc' : numClasses === 20 ? 'voc' : undefined;
  return name ? builtinClassMap(name) : undefined;
}

/**
 * Checks a parsed JSON class map: an object of category → non-empty array of distinct integer
 * class indices ≥ 0, no index in two categories. Errors name the file and the key.
 */
export function parseClassMap(value: unknown, file: string): ClassMap {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError(`class map ${file}: expected a JSON object of category → [class indices], got ${Array.isArray(value) ? 'an array' : JSON.stringify(value)}`);
  }
  const owner = new Map<number, string>();
  const rec: Record<string, number[]> = {};
  for (const [cat, idx] of Object.entries(value as Record<string, unknown>)) {
    if (cat.trim() === '') throw new UsageError(`class map ${file}: a category name is empty`);
    if (!Array.isArray(idx) || idx.length === 0) throw new UsageError(`class map ${file}: "${cat}" must be a non-empty array of class indices, got ${JSON.stringify(idx)}`);
    for (const i of idx) {
      if (!Number.isSafeInteger(i) || (i as number) < 0) throw new UsageError(`class map ${file}: "${cat}" holds ${JSON.stringify(i)}, expected integer class indices ≥ 0`);
      const before = owner.get(i as number);
      if (before !== undefined) throw new UsageError(`class map ${file}: class ${i} is in both "${before}" and "${cat}"`);
      owner.set(i as number, cat);
    }
    rec[cat.toLowerCase()] = [...(idx as number[])];
  }
  if (Object.keys(rec).length < 2) throw new UsageError(`class map ${file}: needs at least 2 categories, found ${Object.keys(rec).length}`);
  return fromRecord(file, rec, null);
}

export async function readClassMapFile(file: string): Promise<ClassMap> {
  const text = await readFile(file, 'utf8').catch((err: Error) => { throw new UsageError(`class map ${file}: cannot read it (${err.message})`, { cause: err }); });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`class map ${file}: not valid JSON (${(err as Error).message})`, { cause: err });
  }
  return parseClassMap(value, file);
}

/** A name from {@link CLASS_MAP_NAMES} or a JSON file's path. */
export async function loadClassMap(spec: string): Promise<ClassMap> {
  return builtinClassMap(spec) ?? readClassMapFile(spec);
}

/**
 * The map to use for a head of `numClasses` classes: the one given, else the default by size.
 * Throws (naming the head size and map) when there is none or the head cannot hold its indices.
 */
export function classMapFor(given: ClassMap | undefined, numClasses: number, arch: string): ClassMap {
  const map = given ?? defaultClassMap(numClasses);
  if (!map) throw new UsageError(`${arch}: a ${numClasses}-class head has no default class map (1000 → imagenet16, 10 → cifar10-voc, 20 → voc); give --class-map FILE`);
  if (map.headSize !== null && map.headSize !== numClasses) throw new UsageError(`${arch}: class map ${map.name} is for ${map.headSize}-class heads, this head has ${numClasses} classes`);
  const top = Math.max(...map.indices.flat());
  if (top >= numClasses) throw new UsageError(`${arch}: class map ${map.name} uses class ${top}, this head has ${numClasses} classes`);
  return map;
}
