/**
 * The typed errors of user-supplied ONNX graphs. All are CheckpointErrors, so a scoring run
 * records the file and goes on, and every message starts with the file it is about.
 */
import { CheckpointError } from '../io/errors.js';

/** An ONNX file that cannot be used: not a model, past the graph limits, an input of the wrong kind. */
export class OnnxModelError extends CheckpointError {
  constructor(file: string, message: string, options?: { cause?: unknown }) {
    super(file, message, options);
    this.name = 'OnnxModelError';
  }
}

/**
 * An ONNX file refused as unsafe: a node outside the standard domains (it would need a custom-op
 * library, which is never registered), external data outside the model's folder or past the end
 * of its file.
 */
export class OnnxUnsafeError extends OnnxModelError {
  constructor(file: string, message: string) {
    super(file, message);
    this.name = 'OnnxUnsafeError';
  }
}

/** One tensor that does not bind: absent from the checkpoint, absent from the graph, or of another shape. */
export interface BindingProblem {
  tensor: string;
  kind: 'missing' | 'extra' | 'shape';
  /** The graph's initializer shape (missing, shape) and the checkpoint's (extra, shape). */
  expected?: number[];
  found?: number[];
}

/**
 * A checkpoint whose tensors do not fit a graph's initializers by name (`--graph`): the file is
 * the checkpoint, the message names each tensor and the expected and found shapes.
 */
export class OnnxBindingError extends OnnxModelError {
  constructor(file: string, readonly graph: string, readonly problems: BindingProblem[], message: string) {
    super(file, message);
    this.name = 'OnnxBindingError';
  }
}

/** A tap whose tensor cannot become one row per image (not 2-, 3- or 4-D, or not float). */
export class OnnxTapError extends Error {
  constructor(readonly file: string, readonly tap: string, readonly dims: number[], reason: string) {
    super(`${file}: tap ${JSON.stringify(tap)} has shape [${dims.join(', ')}]: ${reason}`);
    this.name = 'OnnxTapError';
  }
}
