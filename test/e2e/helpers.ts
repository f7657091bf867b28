import { spawn } from 'node:child_process';
import { cp, mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import { buildSharedWorld } from './shared-world.js';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = path.join(REPO, 'packages/bias/dist/cli.js');
export const FIXTURES = path.join(REPO, 'test/fixtures/checkpoints');

export interface CliRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node packages/bias/dist/cli.js ...args` as a child process. `killWhen` is called on
 * every stderr chunk with the text so far; when it returns true the child is SIGKILLed (a
 * crash mid-run, for the resume test).
 */
export function bias(args: string[], killWhen?: (stderr: string) => boolean): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO, env: { ...process.env, SHAPETEX_BACKEND: 'wasm' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (killWhen && child.exitCode === null && killWhen(stderr)) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
}

export interface World {
  dir: string;
  probe: string;
  errors: string;
  /** A copy of the resnet18k fixture series (7 checkpoints) that tests may add files to. */
  checkpoints: string;
}

/**
 * A world for one test file: the shared probe set and error curve (built once per run by
 * global-setup.ts; built here when a file runs without that setup) and a fresh folder with its
 * own copy of the checkpoint series.
 */
export async function makeWorld(): Promise<World> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'shapetex-e2e-'));
  const { probe, errors } = inject('e2eWorld') ?? (await buildSharedWorld(dir));
  const checkpoints = path.join(dir, 'checkpoints');
  await cp(path.join(FIXTURES, 'resnet18k'), checkpoints, { recursive: true });
  return { dir, probe, errors, checkpoints };
}

export async function readLines(file: string): Promise<unknown[]> {
  const text = await readFile(file, 'utf8');
  expectEndsWithNewline(text, file);
  return text.split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as unknown);
}

function expectEndsWithNewline(text: string, file: string): void {
  if (text.length > 0 && !text.endsWith('\n')) throw new Error(`${file} does not end with a line break`);
}

/** Parses a CSV without quoted fields (the test's names have no commas). */
export function parseCsv(text: string): { header: string[]; rows: string[][] } {
  const lines = text.trimEnd().split('\n');
  return { header: lines[0]!.split(','), rows: lines.slice(1).map((l) => l.split(',')) };
}

export const SVOC_CLI = path.join(REPO, 'packages/svoc/dist/cli.js');

/** Runs `node packages/svoc/dist/cli.js ...args` as a child process. */
export function svoc(args: string[]): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SVOC_CLI, ...args], { cwd: REPO, env: { ...process.env, SHAPETEX_BACKEND: 'wasm' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
}
