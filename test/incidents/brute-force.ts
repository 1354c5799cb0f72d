/**
 * Test helpers: the reference the area index is checked against, written as plainly as possible (textbook even-odd
 * ray cast over every ring of every polygon, no bands, no tree, no edge normalisation), the real polygons, and a
 * seeded random source so a failure can be reproduced.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import { mulberry32 } from '../../bench/points.ts';

export { mulberry32 };

export type Areal = Polygon | MultiPolygon;

const SOURCES = path.resolve(import.meta.dirname, '../../data/sources');

export function readGeoJson(relative: string): FeatureCollection {
  let bytes = readFileSync(path.join(SOURCES, relative));
  if (relative.endsWith('.gz')) bytes = gunzipSync(bytes);
  return JSON.parse(bytes.toString('utf8')) as FeatureCollection;
}

/** The 290 kommun MultiPolygons (generalised) and the 300 detailed GR RegSO Polygons, EPSG:3006. */
export function kommuner(): Areal[] {
  return areals(readGeoJson('kommuner/kommuner.geojson'));
}
export function regsoGr(): Areal[] {
  return areals(readGeoJson('scb-regso-goteborgsregionen/regso_gr_original.geojson.gz'));
}

function areals(fc: FeatureCollection): Areal[] {
  const crs = (fc as { crs?: { properties?: { name?: string } } }).crs?.properties?.name ?? '';
  if (!crs.endsWith('3006')) throw new Error(`expected EPSG:3006 data, crs member says "${crs}"`);
  return fc.features.map((f) => {
    if (f.geometry.type !== 'Polygon' && f.geometry.type !== 'MultiPolygon') throw new Error(`unexpected ${f.geometry.type}`);
    return f.geometry;
  });
}

export function rings(g: Areal): number[][][] {
  return g.type === 'Polygon' ? g.coordinates : g.coordinates.flat(1);
}

/**
 * Textbook even-odd test (W. Randolph Franklin's pnpoly) over every ring. The crossing is computed as
 * xi + t·(xj − xi) with t = (y − yi)/(yj − yi), so that at an exact vertex (t = 0 or 1) it is the vertex's x exactly,
 * whichever way the edge runs: the sample includes exact vertices.
 */
export function bruteContains(g: Areal, x: number, y: number): boolean {
  let inside = false;
  for (const ring of rings(g)) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i];
      const [xj, yj] = ring[j];
      if (yi > y !== yj > y && x < xi + ((y - yi) / (yj - yi)) * (xj - xi)) inside = !inside;
    }
  }
  return inside;
}

/** Every polygon containing (x, y), ascending: a linear scan with a plain bbox pre-check, no index. */
export class BruteForce {
  private readonly boxes: number[][];
  constructor(readonly polygons: readonly Areal[]) {
    this.boxes = polygons.map(bboxOf);
  }
  all(x: number, y: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.polygons.length; i++) {
      const [x0, y0, x1, y1] = this.boxes[i];
      if (x < x0 || x > x1 || y < y0 || y > y1) continue;
      if (bruteContains(this.polygons[i], x, y)) out.push(i);
    }
    return out;
  }
}

export function bboxOf(g: Areal): [number, number, number, number] {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const ring of rings(g)) {
    for (const [x, y] of ring) {
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  return [x0, y0, x1, y1];
}


/**
 * A test sample over real polygons: uniform points over the (enlarged) bbox of all polygons, so some fall outside;
 * uniform points in random polygons' bboxes; exact vertices; and points just off random edges on both sides.
 */
export function samplePoints(polygons: readonly Areal[], n: number, seed: number): { xs: Float64Array; ys: Float64Array } {
  const rnd = mulberry32(seed);
  const boxes = polygons.map(bboxOf);
  let [X0, Y0, X1, Y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [a, b, c, d] of boxes) [X0, Y0, X1, Y1] = [Math.min(X0, a), Math.min(Y0, b), Math.max(X1, c), Math.max(Y1, d)];
  const padX = (X1 - X0) * 0.05, padY = (Y1 - Y0) * 0.05;
  const xs = new Float64Array(n), ys = new Float64Array(n);
  const pick = <T,>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)];
  for (let i = 0; i < n; i++) {
    const kind = i % 4;
    if (kind === 0) {
      xs[i] = X0 - padX + rnd() * (X1 - X0 + 2 * padX);
      ys[i] = Y0 - padY + rnd() * (Y1 - Y0 + 2 * padY);
    } else if (kind === 1) {
      const [a, b, c, d] = pick(boxes);
      xs[i] = a + rnd() * (c - a);
      ys[i] = b + rnd() * (d - b);
    } else {
      const ring = pick(rings(pick(polygons)));
      const k = Math.floor(rnd() * (ring.length - 1));
      const [px, py] = ring[k];
      if (kind === 2) {
        xs[i] = px;
        ys[i] = py;
      } else {
        // Just off the middle of edge k→k+1, perpendicular, 1 mm or 1 µm to either side.
        const [qx, qy] = ring[k + 1];
        const len = Math.hypot(qx - px, qy - py) || 1;
        const off = (rnd() < 0.5 ? 1e-3 : 1e-6) * (rnd() < 0.5 ? -1 : 1);
        xs[i] = (px + qx) / 2 + (-(qy - py) / len) * off;
        ys[i] = (py + qy) / 2 + ((qx - px) / len) * off;
      }
    }
  }
  return { xs, ys };
}
