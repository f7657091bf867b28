/**
 * Loading user-supplied ONNX models: an `.onnx` file run as saved, or a graph whose initializers
 * take each checkpoint's tensors by name (`graph`). The graph of a `graph` run is read, checked
 * and decoded once and kept (the last one, keyed by its real path, size and mtime); per
 * checkpoint only the initializers are swapped, the model re-encoded and a session opened.
 */
import { realpath, stat } from 'node:fs/promises';
import type { StateDict } from '../io/types.js';
import { bindStateDict } from '../onnx/bind.js';
import { withInitializers } from '../onnx/graph-edit.js';
import { readOnnxModel, type OnnxModelFile } from '../onnx/model-file.js';
import type { FeatureModel } from './feature-model.js';
import { onnxFileFeatureModel, type OnnxModelOptions } from './onnx-file-model.js';

/** True for a file that is loaded as an ONNX graph. */
export function isOnnxModelPath(path: string): boolean {
  return /\.onnx$/i.test(path);
}

let kept: { key: string; graph: Promise<OnnxModelFile> } | null = null;

/** The decoded graph of `file`, read once while the file is unchanged. */
export async function onnxGraph(file: string): Promise<OnnxModelFile> {
  const key = await Promise.all([realpath(file), stat(file)]).then(([p, s]) => `${p}:${s.size}:${s.mtimeMs}`, () => null);
  if (key === null) return readOnnxModel(file);
  if (kept?.key !== key) {
    const graph = readOnnxModel(file);
    kept = { key, graph };
    graph.catch(() => { if (kept?.graph === graph) kept = null; });
  }
  return kept.graph;
}

/** An `.onnx` file as a FeatureModel, with the weights it holds. */
export async function loadOnnxFile(file: string, opts: Omit<OnnxModelOptions, 'label'> = {}): Promise<FeatureModel> {
  const src = await readOnnxModel(file);
  return onnxFileFeatureModel(src, src.model, { ...opts, label: file });
}

/**
 * The graph `graphFile` with the initializers of `sd` (the state_dict of `ckptFile`); a tensor
 * missing, extra or mis-shaped is an OnnxBindingError before any session opens.
 */
export async function loadBoundOnnx(ckptFile: string, sd: StateDict, graphFile: string, opts: Omit<OnnxModelOptions, 'label'> = {}): Promise<FeatureModel> {
  const src = await onnxGraph(graphFile);
  const bound = bindStateDict(graphFile, src.graph, sd, ckptFile);
  return onnxFileFeatureModel(src, withInitializers(src.model, bound), { ...opts, label: ckptFile });
}
