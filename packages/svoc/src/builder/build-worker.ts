/**
 * One worker thread of `svoc build --workers N`: its own tfjs engine and backend instance (a
 * worker thread has its own module graph, so its own wasm memory), its own lane (lane.ts).
 */
import { parentPort } from 'node:worker_threads';
import { createLocalLane, type Lane } from './lane.js';
import type { FromBuildWorker, ToBuildWorker } from './workers.js';

const port = parentPort!;
const send = (m: FromBuildWorker): void => port.postMessage(m);
let lane: Lane | null = null;

port.on('message', (m: ToBuildWorker) => {
  if (m.type === 'init') {
    createLocalLane(m.job, null).then(
      (l) => { lane = l; send({ type: 'ready', backend: l.backend, device: l.device, settings: l.settings }); },
      (err: Error) => send({ type: 'error', id: null, message: err.message }),
    );
  } else if (m.type === 'run') {
    if (!lane) { send({ type: 'error', id: m.id, message: 'not initialised' }); return; }
    lane.run(m.content, m.todo, (file) => send({ type: 'image', id: m.id, file })).then(
      (outcome) => send({ type: 'done', id: m.id, outcome }),
      (err: Error) => send({ type: 'error', id: m.id, message: err.message }),
    );
  } else if (m.type === 'cancel') {
    lane?.cancel();
  } else {
    const l = lane;
    lane = null;
    (l ? l.dispose() : Promise.resolve()).then(() => send({ type: 'disposed' }), (err: Error) => send({ type: 'error', id: null, message: err.message }));
  }
});
