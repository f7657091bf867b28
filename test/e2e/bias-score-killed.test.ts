/**
 * A run killed with SIGKILL is not "running" for ever: once its lock's holder is gone, whatever
 * reads the folder says it was interrupted — `bias-score compare` marks it, `bias-score merge`
 * refuses it as an unfinished shard, the next `bias-score` says it resumes an interrupted run
 * and finishes it, scoring nothing twice. A real process, really killed.
 */
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bias, makeWorld, readLines, type World } from './helpers.js';

let w: World;
beforeAll(async () => { w = await makeWorld(); });
afterAll(async () => { await rm(w.dir, { recursive: true, force: true }); });

describe('a run killed with SIGKILL', () => {
  it('reads as interrupted once its holder is gone, and the next run resumes it', async () => {
    const out = path.join(w.dir, 'killed');
    const args = [w.checkpoints, '--probe', w.probe, '--image-size', '32', '--out', out];
    // killed as soon as the second checkpoint starts: the first is written, the rest are not
    const killed = await bias(args, (stderr) => /checkpoint 2\/7/.test(stderr));
    expect(killed.signal).toBe('SIGKILL');
    const raw = JSON.parse(await readFile(path.join(out, 'run.json'), 'utf8')) as { status: string };
    expect(raw.status).toBe('running');
    const before = (await readLines(path.join(out, 'results.jsonl'))).length;
    expect(before).toBeGreaterThanOrEqual(1);
    expect(before).toBeLessThan(7);

    const cmp = await bias(['compare', out, '--out', path.join(w.dir, 'cmp')]);
    expect(cmp.status, cmp.stderr).toBe(0);
    expect(await readFile(path.join(w.dir, 'cmp', 'compare.md'), 'utf8')).toContain('**interrupted (its process was killed) run**: only the checkpoints it finished');

    const merge = await bias(['merge', out, '--out', path.join(w.dir, 'merged')]);
    expect(merge.status).toBe(2);
    expect(merge.stderr).toContain(`${out} is an unfinished run (status interrupted)`);

    const again = await bias(args);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/holds an interrupted run \(started [^)]*, its process killed\); resuming it/);
    expect(again.stderr).toContain(`(${7 - before} scored, ${before} already done, 0 failed)`);
    expect(await readLines(path.join(out, 'results.jsonl'))).toHaveLength(7);
    expect((JSON.parse(await readFile(path.join(out, 'run.json'), 'utf8')) as { status: string }).status).toBe('complete');
  });
});
