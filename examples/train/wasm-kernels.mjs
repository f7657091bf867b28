// Kernels the wasm backend lacks for training, built from ones it has, so that train.mjs runs on
// the embedded default. shapetex's core is inference only; this lives with the training example.
//
// Conv2DBackpropFilter — the filter gradient of a 2-D convolution, needed by every conv layer
// during training — is the depth-1 case of the wasm backend's Conv3DBackpropFilterV2: the input
// and output gradient are viewed as NDHWC with D = 1 (same bytes, no copy) and the result, a
// [1, kh, kw, cin, cout] filter, is viewed back as [kh, kw, cin, cout].
//
// Only stride 1: tfjs-backend-wasm 4.22's Conv3DBackpropFilterV2 gives wrong results for strides
// above 1 (checked against the cpu backend and a direct sum), so strided layers get a clear error
// instead of a wrong gradient. Downsample with pooling, or train on the cpu backend.
import * as tf from '@tensorflow/tfjs-core';

/** Registers the wasm Conv2DBackpropFilter (once; later calls do nothing). */
export function registerWasmTrainingKernels() {
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm')) return;
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const { x, dy } = inputs;
      const { strides, pad, dataFormat, filterShape } = attrs;
      if (dataFormat === 'NCHW') throw new Error('Conv2DBackpropFilter on wasm: only NHWC is supported');
      if (typeof pad !== 'number' && pad !== 'same' && pad !== 'valid') {
        throw new Error(`Conv2DBackpropFilter on wasm: padding ${JSON.stringify(pad)} is not supported (use 'same', 'valid' or a number)`);
      }
      const [sh, sw] = typeof strides === 'number' ? [strides, strides] : strides;
      if (sh !== 1 || sw !== 1) {
        throw new Error(
          `Conv2DBackpropFilter on wasm supports stride 1 only (got ${sh}x${sw}): the wasm backend's 3-D filter gradient is wrong for larger strides; downsample with pooling or train on the cpu backend`,
        );
      }
      const conv3d = tf.getKernel('Conv3DBackpropFilterV2', 'wasm');
      if (!conv3d) throw new Error('wasm backend without Conv3DBackpropFilterV2: cannot compute Conv2DBackpropFilter');
      const [n, h, w, c] = x.shape;
      const [, oh, ow, co] = dy.shape;
      const out = conv3d.kernelFunc({
        inputs: {
          x: { dataId: x.dataId, shape: [n, 1, h, w, c], dtype: x.dtype },
          dy: { dataId: dy.dataId, shape: [n, 1, oh, ow, co], dtype: dy.dtype },
        },
        attrs: { strides: [1, sh, sw], pad, filterShape: [1, ...filterShape] },
        backend,
      });
      return { dataId: out.dataId, shape: [...filterShape], dtype: out.dtype };
    },
  });
}
