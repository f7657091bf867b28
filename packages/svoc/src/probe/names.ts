/**
 * The reference implementation's file naming for probe images:
 * `{textureId}_{classId}_{contentId}.{jpg|jpeg|png}`, e.g. `3_20_2007_000039.jpg`
 * (texture 3, class 20 = tvmonitor, VOC image 2007_000039). The content id may itself hold
 * underscores (VOC ids do), so it is everything after the second underscore.
 *
 * Texture ids are kept as the name gives them: shapetex's builder numbers textures from 1, the
 * reference's generator from 0 (`0_…` to `4_…`); both parse, and no id is renumbered.
 */
export interface ProbeFileName {
  textureId: number;
  classId: number;
  contentId: string;
  /** Extension without the dot, as found (case kept). */
  ext: string;
}

const PATTERN = /^(0|[1-9]\d*)_([1-9]\d*)_(.+)\.(jpe?g|png)$/i;

/**
 * Parses a base name in the reference naming; returns null when it does not match (the texture
 * id a non-negative integer, the class id a positive one, both without leading zeros, the
 * content id non-empty, the extension an image one). Folders in `name` are ignored: only the base name is parsed.
 */
export function parseProbeFileName(name: string): ProbeFileName | null {
  const base = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
  const m = PATTERN.exec(base);
  if (!m) return null;
  return { textureId: Number(m[1]), classId: Number(m[2]), contentId: m[3]!, ext: m[4]! };
}

/** The reference name `{textureId}_{classId}_{contentId}.{ext}` (ext defaults to `jpg`). */
export function formatProbeFileName(parts: { textureId: number; classId: number; contentId: string; ext?: string }): string {
  const { textureId, classId, contentId, ext = 'jpg' } = parts;
  if (!Number.isInteger(textureId) || textureId < 0) throw new RangeError(`probe file name: textureId must be a non-negative integer, got ${textureId}`);
  if (!Number.isInteger(classId) || classId < 1) throw new RangeError(`probe file name: classId must be a positive integer, got ${classId}`);
  if (contentId.length === 0 || /[/\\]/.test(contentId)) {
    throw new RangeError(`probe file name: contentId must be non-empty and hold no path separator, got ${JSON.stringify(contentId)}`);
  }
  return `${textureId}_${classId}_${contentId}.${ext}`;
}
