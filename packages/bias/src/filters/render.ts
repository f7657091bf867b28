/**
 * PNG images of filter grids: the grid's pixels as they are (no resampling) under a caption
 * drawn as SVG text and rasterized by sharp (librsvg), as the report's plots are.
 */
import sharp from 'sharp';
import type { FilterGrid } from './types.js';

const FONT_SIZE = 13;
const LINE_HEIGHT = 18;
const PAD = 6;
const WHITE = { r: 255, g: 255, b: 255, alpha: 1 };

/** A rendered image and where the grid's top-left pixel landed in it. */
export interface RenderedImage {
  png: Buffer;
  width: number;
  height: number;
  grids: { x: number; y: number }[];
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** Height of a caption of `lines` lines. */
export function captionHeight(lines: number): number {
  return lines === 0 ? 0 : 2 * PAD + lines * LINE_HEIGHT - (LINE_HEIGHT - FONT_SIZE);
}

/**
 * A generous width for a line of text (librsvg measures the real one): DejaVu Sans, the usual
 * fallback, averages about 0.6 em a character. The image is widened to fit, never the text cut.
 */
function textWidth(line: string): number {
  return Math.ceil(0.62 * FONT_SIZE * [...line].length) + 2 * PAD;
}

function captionSvg(lines: readonly string[], width: number): string {
  const texts = lines.map((l, i) => `<text x="${PAD}" y="${PAD + FONT_SIZE + i * LINE_HEIGHT - 2}">${escapeXml(l)}</text>`).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${captionHeight(lines.length)}">` +
    `<g font-family="DejaVu Sans, sans-serif" font-size="${FONT_SIZE}" fill="#000">${texts}</g></svg>`;
}

/**
 * Grids side by side, each under its own caption lines, top-aligned, `spacing` pixels apart, on
 * white. Each panel is as wide as its grid or its caption, whichever is wider; the grid sits at
 * the panel's left edge right below the caption.
 */
export async function renderGrids(panels: readonly { grid: FilterGrid; caption: readonly string[] }[], spacing = 16): Promise<RenderedImage> {
  if (panels.length === 0) throw new RangeError('renderGrids: no grids to draw');
  const capLines = Math.max(...panels.map((p) => p.caption.length));
  const top = captionHeight(capLines);
  const widths = panels.map((p) => Math.max(p.grid.width, ...p.caption.map(textWidth)));
  const width = widths.reduce((a, b) => a + b, 0) + spacing * (panels.length - 1);
  const height = top + Math.max(...panels.map((p) => p.grid.height));
  const layers: sharp.OverlayOptions[] = [];
  const grids: { x: number; y: number }[] = [];
  let x = 0;
  panels.forEach((p, i) => {
    if (p.caption.length > 0) layers.push({ input: Buffer.from(captionSvg(p.caption, widths[i]!)), left: x, top: 0, density: 72 });
    const raw = Buffer.from(p.grid.rgb.buffer, p.grid.rgb.byteOffset, p.grid.rgb.byteLength);
    layers.push({ input: raw, raw: { width: p.grid.width, height: p.grid.height, channels: 3 }, left: x, top });
    grids.push({ x, y: top });
    x += widths[i]! + spacing;
  });
  // composite() leaves an alpha channel; the image is opaque, so the PNG is plain RGB.
  const flat = await sharp({ create: { width, height, channels: 3, background: WHITE } }).composite(layers).png().toBuffer();
  const png = await sharp(flat).removeAlpha().png().toBuffer();
  return { png, width, height, grids };
}

/** One checkpoint's grid under its caption (e.g. its name and `epoch N`). */
export async function renderFilterGrid(grid: FilterGrid, caption: readonly string[]): Promise<RenderedImage> {
  return renderGrids([{ grid, caption }]);
}
