import { hsvToRgb } from './colors.js';
import type { Pattern } from './textures.js';
import type { Silhouette } from './shapes.js';

/** Silhouette half-extent as a fraction of half the image side, before the scale jitter. */
export const EXTENT = 0.65;
/** Background grey level (value in [0, 1]); the foreground's brightness is 0.5..1, so it stands out. */
export const BACKGROUND = 0.25;
/** Foreground saturation when a colour is given. */
export const SATURATION = 0.9;

/** Where and how a silhouette and its pattern are placed in one image (the per-image jitter). */
export interface Pose {
  /** Centre shift in pixels (right, down). */
  dx: number;
  dy: number;
  /** Multiplies the silhouette's half-extent. */
  scale: number;
  /** Silhouette rotation in radians, counter-clockwise. */
  angle: number;
  /** Pattern translation, in image sides. */
  phaseX: number;
  phaseY: number;
}

export const NO_JITTER: Pose = { dx: 0, dy: 0, scale: 1, angle: 0, phaseX: 0, phaseY: 0 };

export interface RenderSpec {
  size: number;
  /** null: no shape factor, the foreground fills the image. */
  silhouette: Silhouette | null;
  /** null: no texture factor, flat tone 0.5. */
  pattern: Pattern | null;
  /** Hue in degrees; null: no colour factor, grey foreground. */
  hue: number | null;
  pose: Pose;
}

export interface Rendering {
  /** size × size × 3 RGB bytes, row-major. */
  rgb: Uint8Array;
  /** Fraction of each pixel inside the silhouette (2×2 supersampled: 0, ¼, ½, ¾ or 1). */
  coverage: Float32Array;
}

const SUB = [-0.25, 0.25];

/**
 * Renders one synthetic probe image. The silhouette, scaled to half-extent
 * R = EXTENT·(size/2)·pose.scale, rotated by pose.angle and centred at the image centre plus
 * (dx, dy), gives each pixel a coverage c (2×2 samples per pixel). The pattern's tone p at the
 * pixel centre, translated by (phaseX, phaseY), sets the foreground colour
 * HSV(hue, SATURATION, 0.5 + 0.5·p) (saturation 0 without a hue). The pixel is
 * c·foreground + (1 − c)·grey(BACKGROUND), rounded to 8 bits.
 */
export function renderProbeImage(spec: RenderSpec): Rendering {
  const { size, silhouette, pattern, hue, pose } = spec;
  const rgb = new Uint8Array(size * size * 3);
  const coverage = new Float32Array(size * size);
  const R = EXTENT * (size / 2) * pose.scale;
  const cx = size / 2 + pose.dx, cy = size / 2 + pose.dy;
  const cos = Math.cos(pose.angle), sin = Math.sin(pose.angle);
  const fg = new Float64Array(3);
  const sat = hue === null ? 0 : SATURATION;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let c = 1;
      if (silhouette) {
        let hits = 0;
        for (const oy of SUB) {
          for (const ox of SUB) {
            // Image y points down, the silhouette's v up; rotate back by −angle.
            const ex = x + 0.5 + ox - cx, ey = -(y + 0.5 + oy - cy);
            const u = (cos * ex + sin * ey) / R, v = (-sin * ex + cos * ey) / R;
            if (silhouette.inside(u, v)) hits++;
          }
        }
        c = hits / 4;
      }
      const i = y * size + x;
      coverage[i] = c;
      const p = pattern ? pattern.tone((x + 0.5) / size + pose.phaseX, (y + 0.5) / size + pose.phaseY) : 0.5;
      hsvToRgb(hue ?? 0, sat, 0.5 + 0.5 * p, fg);
      for (let k = 0; k < 3; k++) rgb[3 * i + k] = Math.round(255 * (c * fg[k]! + (1 - c) * BACKGROUND));
    }
  }
  return { rgb, coverage };
}
