/**
 * Encoding tiles as MVT 2.1: layer version 2 (vt-pbf writes 1 unless told), extent 4096, integer coordinates,
 * exterior rings clockwise on screen (positive area with y down) and holes after their exterior, no repeated
 * points (zero-length LineTo) and no rings without area.
 */
import { fromGeojsonVt } from 'vt-pbf';
import type { LegacyFeature } from 'geojson-vt';

export const MVT_VERSION = 2;
export const EXTENT = 4096;
export const MVT_CONTENT_TYPE = 'application/vnd.mapbox-vector-tile';

export interface TileFeature {
  id: number;
  type: 1 | 2 | 3;
  geometry: [number, number][] | [number, number][][];
  tags: Record<string, string | number | boolean>;
}

export function encodeTile(layers: Record<string, TileFeature[]>): Uint8Array {
  const nonEmpty: Record<string, { features: TileFeature[] }> = {};
  for (const [name, features] of Object.entries(layers)) if (features.length > 0) nonEmpty[name] = { features };
  if (Object.keys(nonEmpty).length === 0) return new Uint8Array(0);
  return fromGeojsonVt(nonEmpty, { version: MVT_VERSION, extent: EXTENT });
}

/** A geojson-vt feature made valid for MVT, with the given id and tags; null if nothing with area is left. */
export function cleanFeature(f: LegacyFeature, id: number, tags: TileFeature['tags']): TileFeature | null {
  if (f.type === 1) return { id, type: 1, geometry: dedupe(f.geometry), tags };
  if (f.type === 2) {
    const lines = f.geometry.map(dedupe).filter((l) => l.length >= 2);
    return lines.length === 0 ? null : { id, type: 2, geometry: lines, tags };
  }
  const rings = polygonRings(f.geometry);
  return rings.length === 0 ? null : { id, type: 3, geometry: rings, tags };
}

/**
 * geojson-vt emits each polygon's exterior then its holes, outer rings of a multipolygon one after another.
 * Tell exteriors from holes by the order and sign that geojson-vt gives them, drop rings left without area by
 * the integer grid, and wind them as MVT wants: exterior area > 0, holes < 0 (in tile coordinates, y down).
 */
function polygonRings(rings: [number, number][][]): [number, number][][] {
  const out: [number, number][][] = [];
  let exteriorKept = false;
  let exteriorSign = 0;
  for (const raw of rings) {
    const ring = closeRing(dedupe(raw));
    const area = ring.length >= 4 ? signedArea(ring) : 0;
    if (exteriorSign === 0 && area !== 0) exteriorSign = Math.sign(area);
    const isExterior = out.length === 0 || Math.sign(area) === exteriorSign;
    if (area === 0) {
      if (isExterior) exteriorKept = false;
      continue;
    }
    if (!isExterior && !exteriorKept) continue; // a hole whose exterior vanished
    if (isExterior) exteriorKept = true;
    out.push((area > 0) === isExterior ? ring : ring.reverse());
  }
  return out;
}

function dedupe(points: [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  for (const p of points) {
    const last = out[out.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) out.push([p[0], p[1]]);
  }
  return out;
}

function closeRing(ring: [number, number][]): [number, number][] {
  if (ring.length === 0) return ring;
  const [first, last] = [ring[0], ring[ring.length - 1]];
  if (first[0] !== last[0] || first[1] !== last[1]) ring.push([first[0], first[1]]);
  return ring;
}

/** The surveyor's formula in tile coordinates (y down): positive for clockwise-on-screen rings, as MVT wants exteriors. */
export function signedArea(ring: [number, number][]): number {
  let sum = 0;
  for (let i = 0; i + 1 < ring.length; i++) sum += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
  return sum / 2;
}
