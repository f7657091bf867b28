/** The probe-set errors of svoc: exported, ManifestError a ProbeSetError, thrown by the readers. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CheckpointError, exitCodeOf } from '@shapetex/core';
import { AdainWeightsError, ManifestError, ProbeSetError, readCueConflictSet, readManifest, readProbeSet } from '@shapetex/svoc';

const dirs: string[] = [];
afterAll(async () => { for (const d of dirs) await rm(d, { recursive: true, force: true }); });
const tmp = async (): Promise<string> => { const d = await mkdtemp(path.join(tmpdir(), 'shapetex-errors-')); dirs.push(d); return d; };

describe('svoc error classes', () => {
  it('ManifestError is a ProbeSetError naming the file; AdainWeightsError a CheckpointError; all exit 1 by class', () => {
    const m = new ManifestError('/set/manifest.json', 'kind: expected "svoc", got nothing (missing)');
    expect(m).toBeInstanceOf(ProbeSetError);
    expect(m).toBeInstanceOf(Error);
    expect([m.name, m.file, m.message]).toEqual(['ManifestError', '/set/manifest.json', '/set/manifest.json: kind: expected "svoc", got nothing (missing)']);
    expect(new ProbeSetError('x').name).toBe('ProbeSetError');
    expect(new AdainWeightsError('w.pth: no 0.weight')).toBeInstanceOf(CheckpointError);
    for (const e of [m, new ProbeSetError('x'), new AdainWeightsError('x')]) expect(exitCodeOf(e)).toBe(1);
  });

  it('the readers throw them', async () => {
    const d = await tmp();
    await expect(readProbeSet(path.join(d, 'missing'))).rejects.toBeInstanceOf(ProbeSetError);
    await expect(readProbeSet(d)).rejects.toBeInstanceOf(ProbeSetError);
    await expect(readCueConflictSet(d)).rejects.toBeInstanceOf(ProbeSetError);
    await writeFile(path.join(d, 'manifest.json'), '{ not json');
    await expect(readManifest(d)).rejects.toBeInstanceOf(ManifestError);
    await expect(readProbeSet(d)).rejects.toBeInstanceOf(ManifestError);
    await writeFile(path.join(d, 'manifest.json'), '{}');
    await expect(readManifest(d)).rejects.toBeInstanceOf(ManifestError);
  });
});
