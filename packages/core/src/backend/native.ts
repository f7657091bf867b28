import { BackendUnavailableError } from './errors.js';

/**
 * The native TensorFlow backend. Both packages download libtensorflow when installed, which many
 * machines cannot do, so they are optional peers loaded by name only here; the GPU build first.
 */
export async function loadNative(): Promise<{ device: string; accelerated: boolean }> {
  const tried: string[] = [];
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      await import(pkg);
      const gpu = pkg.endsWith('-gpu');
      return { device: gpu ? 'libtensorflow (CUDA)' : 'libtensorflow (cpu)', accelerated: gpu };
    } catch (err) {
      tried.push(`${pkg}: ${firstLine(err)}`);
    }
  }
  throw new BackendUnavailableError(
    'tensorflow',
    `neither native package loads (${tried.join('; ')}). Install one of them: ` +
      '`npm i @tensorflow/tfjs-node-gpu` (Linux, CUDA 11.2 + cuDNN 8.1) or `npm i @tensorflow/tfjs-node`; ' +
      'their install downloads libtensorflow, so it needs access to that download.',
  );
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n')[0] ?? msg;
}
