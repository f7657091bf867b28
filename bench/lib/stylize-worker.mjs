// One worker of the stylization benchmark's N-worker rows: its own backend instance and
// stylizer (as `svoc build --workers N` runs them), timed on request.
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend } from '@shapetex/core';
import { createAdainBench } from './adain-bench.mjs';

const info = await initBackend(workerData.backend, { log: null });
const bench = await createAdainBench(workerData.size, workerData.textures);
parentPort.postMessage({ type: 'ready', device: info.device });
parentPort.on('message', async (m) => {
  if (m.type === 'measure') parentPort.postMessage({ type: 'measured', ...(await bench.measure(m.repeats)) });
  else { bench.dispose(); parentPort.postMessage({ type: 'disposed' }); }
});
