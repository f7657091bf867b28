// Saving a TF.js LayersModel to a folder (model.json + weights.bin) from Node without
// @tensorflow/tfjs-node, whose file:// handler is the only built-in one. Written to a temporary
// folder and renamed, so a killed run never leaves a half-written checkpoint.
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** A tf.io.IOHandler that writes the TF.js layers-model format into `dir`. */
export function folderSaver(dir) {
  return {
    async save(artifacts) {
      const tmp = `${dir}.tmp-${process.pid}`;
      await rm(tmp, { recursive: true, force: true });
      await mkdir(tmp, { recursive: true });
      const weights = new Uint8Array(artifacts.weightData);
      await writeFile(path.join(tmp, 'weights.bin'), weights);
      const modelJson = {
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
        ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
      };
      await writeFile(path.join(tmp, 'model.json'), JSON.stringify(modelJson));
      await rm(dir, { recursive: true, force: true });
      await rename(tmp, dir);
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weights.byteLength } };
    },
  };
}
