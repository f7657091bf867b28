/**
 * `bias-score export-onnx <checkpoint> --taps LIST -o FILE`: the zoo's graph of a checkpoint as
 * an ONNX model (core's emitOnnx), the same model the onnx backend scores with: input `image`
 * [N, 3, H, W], one [N, D] output per tap (its global average), `logits` when asked. Written
 * atomically once ONNX Runtime has opened it; prints the inputs and outputs with their shapes.
 */
import { stat } from 'node:fs/promises';
import {
  buildNetwork, createOnnxSession, emitOnnx, exitCodeOf, initBackend, isTfjsModelPath, loadOnnxRuntime, loadTfjsModel, NoLogitsError,
  readStateDict, stripModulePrefix, UnknownTapError, UsageError, writeFileAtomic, type CreateModelOptions, type Network, type OnnxTensorInfo, type TokenChoice,
} from '@shapetex/core';

export interface ExportOnnxFlags {
  out: string;
  taps: string[] | 'all';
  arch?: string;
  imageSize?: number;
  token?: TokenChoice;
  heads?: number;
  numClasses?: number;
}

async function networkOf(file: string, o: ExportOnnxFlags): Promise<Network> {
  const opts: CreateModelOptions = {
    ...(o.numClasses !== undefined ? { numClasses: o.numClasses } : {}),
    ...(o.token !== undefined ? { token: o.token } : {}),
    ...(o.heads !== undefined ? { heads: o.heads } : {}),
  };
  if (isTfjsModelPath(file)) return loadTfjsModel(file, opts);
  return buildNetwork(o.arch, stripModulePrefix(await readStateDict(file)), opts, file);
}

const shapeText = (t: OnnxTensorInfo): string => `${t.name} [${t.shape.join(', ')}]`;

/** Emits, checks in ONNX Runtime, writes; returns the lines to print. */
async function exportOnnx(file: string, o: ExportOnnxFlags): Promise<string> {
  // the weights are folded on TF.js's plain cpu backend: nothing is computed
  await initBackend('cpu', { log: null });
  const network = await networkOf(file, o);
  try {
    const taps = o.taps === 'all' ? [...network.taps] : o.taps;
    let emitted;
    try {
      emitted = emitOnnx(network, { taps, ...(o.imageSize !== undefined ? { imageSize: o.imageSize } : {}) });
    } catch (err) {
      if (err instanceof UnknownTapError || err instanceof NoLogitsError) throw new UsageError(`--taps: ${err.message}`);
      throw err;
    }
    const session = await createOnnxSession(emitted.bytes, {}, file);
    await session.release();
    await writeFileAtomic(o.out, emitted.bytes);
    const version = (await loadOnnxRuntime()).env.versions.common;
    return [
      `bias-score export-onnx: wrote ${o.out} (${network.arch}, ONNX opset 13, ${emitted.bytes.length} bytes; opens in ONNX Runtime ${version})`,
      ...emitted.inputs.map((t) => `  input   ${shapeText(t)}`),
      ...emitted.outputs.map((t) => `  output  ${shapeText(t)}`),
    ].join('\n') + '\n';
  } finally {
    network.dispose();
  }
}

/** The command's action: 0 written, 2 usage (no such file, unknown tap), 1 a checkpoint that cannot be read, built or emitted. */
export async function exportOnnxCommand(file: string, o: ExportOnnxFlags): Promise<number> {
  if (!(await stat(file).then((st) => st.isFile(), () => false))) {
    process.stderr.write(`bias-score export-onnx: ${file}: no such file; give a checkpoint file\n`);
    return 2;
  }
  try {
    process.stdout.write(await exportOnnx(file, o));
    return 0;
  } catch (err) {
    process.stderr.write(`bias-score export-onnx: ${(err as Error).message}\n`);
    return exitCodeOf(err);
  }
}
