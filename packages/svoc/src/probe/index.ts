export { readProbeSet } from './read.js';
export type { ProbeSetRead, SkippedFile } from './read.js';
export {
  MANIFEST_FILE, validateManifest, readManifest, writeManifest, manifestHash, canonicalJson, compareRecords,
} from './manifest.js';
export { ProbeSetError, ManifestError } from './errors.js';
export { parseProbeFileName, formatProbeFileName } from './names.js';
export type { ProbeFileName } from './names.js';
// the atomic writers live in core; re-exported here, where probe-set writers have always found them
export { writeFileAtomic, writeJsonAtomic } from '@shapetex/core';
