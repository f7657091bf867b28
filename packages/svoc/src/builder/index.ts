export { buildSvoc } from './build.js';
export type { BuildSvocOptions } from './build.js';
export { registerBuildCommand } from './command.js';
export { selectVocImages, resolveVocRoot, parseImageSet, parseContentList, annotationObjects } from './voc.js';
export type { VocContent, VocSkip, VocSelection, VocSelectOptions, VocSelectionMode } from './voc.js';
export { chooseTextures, parseTextureChoice, resolveDtdImages, ISLAM2021_TEXTURES } from './dtd.js';
export type { Texture, TextureChoice } from './dtd.js';
export { loadStyleInput, encodeJpeg, shorterSideSize, centerCropOffset } from './images.js';
// the count progress display lives in core; re-exported here for the builders' callers
export { createProgress, formatDuration } from '@shapetex/core';
export type { Progress, ProgressOptions } from '@shapetex/core';
export { mergeSvoc } from './merge.js';
export type { MergeSvocOptions } from './merge.js';
export { registerMergeCommand } from './merge-command.js';
export { parseShard, shardItems } from './shard.js';
export type { Shard } from './shard.js';
