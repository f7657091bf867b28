/**
 * `svoc build --workers N`: N lanes in worker threads, each with its own backend instance and
 * stylizer (tfjs-wasm is single-threaded in Node, so the cores are used by giving each worker
 * whole contents). Messages are plain data; images are written by the workers themselves.
 */
import { Worker } from 'node:worker_threads';
import type { BackendSettings } from '@shapetex/core';
import type { Lane, LaneOutcome, StylizeJob } from './lane.js';
import type { VocContent } from './voc.js';

export type ToBuildWorker =
  | { type: 'init'; job: StylizeJob }
  | { type: 'run'; id: number; content: VocContent; todo: number[] }
  | { type: 'cancel' }
  | { type: 'dispose' };

export type FromBuildWorker =
  | { type: 'ready'; backend: string; device: string; settings: BackendSettings }
  | { type: 'image'; id: number; file: string }
  | { type: 'done'; id: number; outcome: LaneOutcome }
  | { type: 'disposed' }
  | { type: 'error'; id: number | null; message: string };

interface Pending { resolve(o: LaneOutcome): void; reject(e: Error): void; onImage(file: string): void }

/** Starts one worker lane; rejects (the thread ended) when its backend, weights or textures fail. */
function startWorkerLane(index: number, job: StylizeJob): Promise<Lane> {
  const worker = new Worker(new URL('./build-worker.js', import.meta.url));
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let failure: Error | null = null;
  let starting: { resolve(l: Lane): void; reject(e: Error): void } | null = null;
  let disposing: (() => void) | null = null;
  const fail = (err: Error): void => {
    failure ??= err;
    starting?.reject(failure);
    starting = null;
    for (const p of pending.values()) p.reject(failure);
    pending.clear();
    disposing?.();
  };
  const lane = (backend: string, device: string, settings: BackendSettings): Lane => ({
    backend,
    device,
    settings,
    run(content, todo, onImage) {
      if (failure) return Promise.reject(failure);
      const id = nextId++;
      return new Promise<LaneOutcome>((resolve, reject) => {
        pending.set(id, { resolve, reject, onImage });
        worker.postMessage({ type: 'run', id, content, todo } satisfies ToBuildWorker);
      });
    },
    cancel() {
      if (!failure) worker.postMessage({ type: 'cancel' } satisfies ToBuildWorker);
    },
    async dispose() {
      if (!failure) {
        await new Promise<void>((resolve) => { disposing = resolve; worker.postMessage({ type: 'dispose' } satisfies ToBuildWorker); });
      }
      failure ??= new Error(`svoc build worker ${index} was disposed`);
      await worker.terminate();
    },
  });
  worker.on('message', (m: FromBuildWorker) => {
    if (m.type === 'ready') { starting?.resolve(lane(m.backend, m.device, m.settings)); starting = null; return; }
    if (m.type === 'disposed') { disposing?.(); return; }
    if (m.type === 'error' && m.id === null) { fail(new Error(m.message)); return; }
    if (m.id === null) return;
    const p = pending.get(m.id);
    if (!p) return;
    if (m.type === 'image') { p.onImage(m.file); return; }
    pending.delete(m.id);
    if (m.type === 'done') p.resolve(m.outcome);
    else p.reject(new Error(`svoc build worker ${index}: ${m.message}`));
  });
  worker.on('error', (err) => fail(new Error(`svoc build worker ${index}: ${err.message}`)));
  worker.on('exit', (code) => fail(new Error(`svoc build worker ${index} exited (code ${code})`)));
  return new Promise<Lane>((resolve, reject) => {
    starting = { resolve, reject };
    worker.postMessage({ type: 'init', job } satisfies ToBuildWorker);
  }).catch(async (err: Error) => { await worker.terminate(); throw err; });
}

/** N worker lanes; if any fails to start, all are ended and the first error is thrown. */
export async function createWorkerLanes(n: number, job: StylizeJob): Promise<Lane[]> {
  const started = await Promise.allSettled(Array.from({ length: n }, (_, i) => startWorkerLane(i, job)));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.dispose() : undefined)));
    throw failed.reason as Error;
  }
  return started.map((s) => (s as PromiseFulfilledResult<Lane>).value);
}
