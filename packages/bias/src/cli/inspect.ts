import { exitCodeOf, inspectCheckpoint, initBackend, type CheckpointInfo, type OnnxGraphInfo, type TokenChoice, type TransformerInfo } from '@shapetex/core';
import { resolveEpoch } from '../score/epoch.js';
import { defaultEpochEntry } from '../score/score.js';
import path from 'node:path';
import { stat } from 'node:fs/promises';

/** The image size line: a size fixed by the model is what bias-score uses (and requires). */
function imageSizeText(info: CheckpointInfo): string {
  if (info.inputSize !== null) return `${info.inputSize} (fixed by the model's input shape; bias-score uses it)`;
  return `${info.imageSize} (the size it was made for; any size works, --image-size chooses)`;
}

function transformerLine(t: TransformerInfo): string {
  const prefix = t.prefixTokens === 2 ? 'class + distillation token' : 'class token';
  return `transformer patch ${t.patch}, trained grid ${t.grid}×${t.grid} (position embeddings resampled bicubically for another --image-size), ` +
    `${t.heads} heads, ${prefix}, taps = ${t.token === 'cls' ? 'class token' : 'mean of patch tokens'}`;
}

/** The tap candidates of an ONNX model, one line each, and where their shapes come from. */
function onnxLines(o: OnnxGraphInfo): string[] {
  const batch = o.input.batch === null ? 'N (any batch)' : `${o.input.batch} (fixed: run in chunks of ${o.input.batch})`;
  const lines = [
    `input       ${o.input.name} [${batch}, 3, ${o.input.size}, ${o.input.size}] float32 NCHW`,
    `tap candidates (shapes from ${o.shapesFrom === 'value_info' ? "the graph's value_info" : `one run on a zero batch of ${o.input.batch ?? 1} at ${o.input.size}×${o.input.size}`}; --taps takes any usable name${o.final ? `; final = ${o.final}` : ''}):`,
  ];
  for (const c of o.candidates) {
    const use = c.usable ? (c.shape.length === 4 ? 'averaged over H, W' : c.shape.length === 3 ? 'tokens: --token cls|mean' : 'as is') : 'not usable (a tap must be 2-, 3- or 4-D float)';
    lines.push(`  ${c.kind === 'output' ? 'output      ' : 'intermediate'} ${c.name} [${c.shape.join(', ')}] ${use}`);
  }
  return lines;
}

/** Human-readable lines of what a checkpoint holds. */
export function formatCheckpointInfo(info: CheckpointInfo, epoch: { epoch: number | null; source: string }): string {
  const lines = [
    `checkpoint  ${info.file}`,
    `format      ${info.format}`,
    `arch        ${info.arch}`,
    `classes     ${info.numClasses ?? 'unknown'}`,
    `epoch       ${epoch.epoch ?? 'none'} (${epoch.source})`,
    `parameters  ${info.parameters.toLocaleString('en-US')}`,
    `dtypes      ${Object.entries(info.dtypes).map(([d, n]) => `${d} × ${n}`).join(', ')}`,
    `image size  ${imageSizeText(info)}`,
    ...(info.transformer ? [transformerLine(info.transformer)] : []),
    'taps        ' + info.taps.map((t) => `${t.name} (D = ${t.D})`).join(', '),
    `logits      ${info.logits ? `yes (${info.numClasses ?? '?'} classes)` : `no: ${info.noLogitsReason ?? 'no classifier output'}`}`,
    `refused     ${info.refusedGlobals.length > 0 ? `${info.refusedGlobals.join(', ')} (globals named in the file, kept inert, never run)` : 'none'}`,
    ...(info.onnx ? onnxLines(info.onnx) : []),
  ];
  return lines.join('\n') + '\n';
}

/**
 * `bias-score inspect <checkpoint>`: detected architecture, classes, taps with D, parameter
 * count, dtypes, input size (core's `inspectCheckpoint`), plus the epoch the scoring run assigns.
 * Returns the exit code: 2 when the file does not exist (a usage error), 1 when it cannot be read
 * or built.
 */
export async function inspectCommand(
  file: string,
  o: { arch?: string; graph?: string; numClasses?: number; heads?: number; token?: TokenChoice; json?: boolean },
): Promise<number> {
  if (!(await stat(file).then((st) => st.isFile(), () => false))) {
    process.stderr.write(`bias-score inspect: ${file}: no such file; give a checkpoint file (for TF.js, its model.json)\n`);
    return 2;
  }
  await initBackend(undefined, { log: null });
  let info: CheckpointInfo;
  try {
    info = await inspectCheckpoint(file, {
      ...(o.arch !== undefined ? { arch: o.arch } : {}),
      ...(o.graph !== undefined ? { graph: o.graph } : {}),
      ...(o.numClasses !== undefined ? { numClasses: o.numClasses } : {}),
      ...(o.heads !== undefined ? { heads: o.heads } : {}),
      ...(o.token !== undefined ? { token: o.token } : {}),
    });
  } catch (err) {
    process.stderr.write(`bias-score inspect: ${(err as Error).message}\n`);
    // a file that cannot be read or built (CheckpointError and the rest): 1, by core's table
    return exitCodeOf(err);
  }
  if (info.refusedGlobals.length > 0) process.stderr.write(`bias-score inspect: WARNING ${file} names global(s) that were refused (kept inert, never run): ${info.refusedGlobals.join(', ')}\n`);
  const entry = await defaultEpochEntry(file).catch(() => null);
  const rel = path.basename(path.dirname(path.resolve(file))) + '/' + path.basename(file);
  const epoch = resolveEpoch(rel, entry);
  if (o.json) process.stdout.write(JSON.stringify({ ...info, epoch: epoch.epoch, epochSource: epoch.source }, null, 2) + '\n');
  else process.stdout.write(formatCheckpointInfo(info, epoch));
  return 0;
}
