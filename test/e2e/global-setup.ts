import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildSharedWorld, type SharedWorld } from './shared-world.js';

declare module 'vitest' {
  export interface ProvidedContext { e2eWorld: SharedWorld }
}

/** Builds the end-to-end suites' shared probe set and error curve once per run; removes them after. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'shapetex-e2e-shared-'));
  project.provide('e2eWorld', await buildSharedWorld(dir));
  return () => rm(dir, { recursive: true, force: true });
}
