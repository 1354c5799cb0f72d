/**
 * Checks an area polygon as read from a source and returns it as a clean MultiPolygon in the same CRS:
 * rings closed and long enough, coordinates finite and inside Sweden, no self-intersections. What is safely
 * repairable (repeated points, ring orientation, a self-intersection that a union resolves without changing the
 * area) is repaired and reported as a warning; everything else is an error naming the feature and ring.
 */
import Flatbush from 'flatbush';
import polygonClipping from 'polygon-clipping';
import type { Geometry, MultiPolygon, Position } from 'geojson';
import { diagnoseOutsideSweden, insideSweden, type CrsCode } from '../crs.ts';
import type { ProblemLocation, Report } from '../report.ts';

export type Ring = Position[];
export type PolygonRings = Ring[];

/** Returns the clean polygons, or null after recording an error. */
export function checkAreaGeometry(
  geometry: Geometry | null,
  crs: CrsCode,
  at: ProblemLocation,
  report: Report,
): PolygonRings[] | null {
  const where = { ...at, field: 'geometry' };
  if (geometry === null) {
    report.error(where, 'expected a Polygon or MultiPolygon, found no geometry');
    return null;
  }
  if (geometry.type !== 'Polygon' && geometry.type !== 'MultiPolygon') {
    report.error(where, `expected a Polygon or MultiPolygon, found a ${geometry.type}`);
    return null;
  }
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  const repairs = new Set<string>();
  const clean: PolygonRings[] = [];
  for (let p = 0; p < polygons.length; p++) {
    const rings: Ring[] = [];
    for (let r = 0; r < polygons[p].length; r++) {
      const ringName = describeRing(polygons.length, p, r);
      const ring = checkRing(polygons[p][r], crs, ringName, where, report, repairs);
      if (ring === null) return null;
      if (ring.length === 0) continue; // a zero-area hole, dropped
      rings.push(ring);
    }
    if (rings.length > 0) clean.push(orient(rings));
  }
  if (clean.length === 0) {
    report.error(where, 'the polygon has no area');
    return null;
  }
  const fixed = resolveSelfIntersections(clean, where, report);
  if (fixed === null) return null;
  if (fixed !== clean) repairs.add('resolved a self-intersection (area unchanged)');
  if (repairs.size > 0) report.warn(where, `repaired: ${[...repairs].join('; ')}`);
  return fixed;
}

function describeRing(polygonCount: number, p: number, r: number): string {
  const ring = r === 0 ? 'exterior ring' : `hole ${r}`;
  return polygonCount > 1 ? `${ring} of polygon ${p}` : ring;
}

/** Returns the ring without repeated points, [] for a degenerate hole, or null after recording an error. */
function checkRing(
  ring: Position[],
  crs: CrsCode,
  name: string,
  where: ProblemLocation,
  report: Report,
  repairs: Set<string>,
): Ring | null {
  if (!Array.isArray(ring) || ring.length < 4) {
    report.error(where, `${name} has ${Array.isArray(ring) ? ring.length : 0} positions; a ring needs at least 4`);
    return null;
  }
  for (const pos of ring) {
    const [x, y] = pos;
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      report.error(where, `${name} has a position that is not two numbers: ${JSON.stringify(pos)}`);
      return null;
    }
    if (!insideSweden(crs, x, y)) {
      report.error(where, `${name} has position [${x}, ${y}] outside Sweden in ${crs}: ${diagnoseOutsideSweden(crs, x, y)}`);
      return null;
    }
  }
  const first = ring[0];
  const last = ring[ring.length - 1];
  if (first[0] !== last[0] || first[1] !== last[1]) {
    report.error(where, `${name} is not closed: it starts at [${first}] and ends at [${last}]`);
    return null;
  }
  const deduped: Ring = [ring[0]];
  for (let i = 1; i < ring.length; i++) {
    const prev = deduped[deduped.length - 1];
    if (ring[i][0] !== prev[0] || ring[i][1] !== prev[1]) deduped.push([ring[i][0], ring[i][1]]);
  }
  if (deduped.length < ring.length) repairs.add('removed repeated consecutive positions');
  if (deduped.length < 4 || signedArea(deduped) === 0) {
    if (name.startsWith('hole')) {
      repairs.add('dropped a hole without area');
      return [];
    }
    report.error(where, `${name} has no area (fewer than 3 distinct positions or all on a line)`);
    return null;
  }
  return deduped;
}

/** Twice the signed area (shoelace); positive for counter-clockwise rings in an x-east, y-north CRS. */
export function signedArea(ring: Ring): number {
  let sum = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    sum += (ring[j][0] - ring[i][0]) * (ring[i][1] + ring[j][1]);
  }
  return sum;
}

/** RFC 7946 orientation: exterior counter-clockwise, holes clockwise. */
function orient(rings: Ring[]): Ring[] {
  return rings.map((ring, i) => {
    const ccw = signedArea(ring) > 0;
    return ccw === (i === 0) ? ring : [...ring].reverse();
  });
}

/**
 * Finds crossing edges (within a ring, or between rings of the whole area) with a segment index. A crossing
 * is repaired by a polygon union only if the area stays the same within 0.01 %; otherwise it is an error,
 * because guessing the intended shape would silently change the statistics of the area.
 */
function resolveSelfIntersections(
  polygons: PolygonRings[],
  where: ProblemLocation,
  report: Report,
): PolygonRings[] | null {
  const crossing = findCrossing(polygons);
  if (crossing === null) return polygons;
  const before = totalArea(polygons);
  let repaired: PolygonRings[];
  try {
    repaired = polygonClipping.union(polygons as polygonClipping.Geom) as PolygonRings[];
  } catch {
    repaired = [];
  }
  const after = totalArea(repaired);
  if (repaired.length === 0 || Math.abs(after - before) > 1e-4 * Math.abs(before) || findCrossing(repaired)) {
    report.error(where, `the polygon intersects itself near [${crossing.map((v) => Math.round(v * 10) / 10).join(', ')}] and cannot be repaired without changing its area`);
    return null;
  }
  return repaired.map(orient);
}

/** Area of polygons with holes, in square units of their CRS. */
export function totalArea(polygons: PolygonRings[]): number {
  let sum = 0;
  for (const rings of polygons) for (let i = 0; i < rings.length; i++) sum += Math.abs(signedArea(rings[i])) * (i === 0 ? 1 : -1);
  return sum / 2;
}

/** The position of one proper crossing between two non-adjacent edges, or null if there is none. */
export function findCrossing(polygons: PolygonRings[]): [number, number] | null {
  const segments: [Position, Position, number, number][] = []; // a, b, ring id, index in ring
  let ringId = 0;
  for (const rings of polygons) {
    for (const ring of rings) {
      for (let i = 0; i + 1 < ring.length; i++) segments.push([ring[i], ring[i + 1], ringId, i]);
      ringId++;
    }
  }
  if (segments.length === 0) return null;
  const index = new Flatbush(segments.length);
  for (const [a, b] of segments) {
    index.add(Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[0], b[0]), Math.max(a[1], b[1]));
  }
  index.finish();
  const ringLengths = new Map<number, number>();
  for (const [, , ring, i] of segments) ringLengths.set(ring, Math.max(ringLengths.get(ring) ?? 0, i + 1));
  for (let s = 0; s < segments.length; s++) {
    const [a, b, ring, i] = segments[s];
    const hits = index.search(Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[0], b[0]), Math.max(a[1], b[1]));
    for (const t of hits) {
      if (t <= s) continue;
      const [c, d, ring2, j] = segments[t];
      if (ring === ring2 && adjacent(i, j, ringLengths.get(ring)!)) continue;
      const hit = properCrossing(a, b, c, d);
      if (hit) return hit;
    }
  }
  return null;
}

function adjacent(i: number, j: number, n: number): boolean {
  return Math.abs(i - j) === 1 || (Math.min(i, j) === 0 && Math.max(i, j) === n - 1);
}

/** Where two segments cross in their interiors; touching at an endpoint is allowed (OGC valid polygons may touch). */
function properCrossing(a: Position, b: Position, c: Position, d: Position): [number, number] | null {
  const d1 = cross(c, d, a);
  const d2 = cross(c, d, b);
  const d3 = cross(a, b, c);
  const d4 = cross(a, b, d);
  if (Math.sign(d1) * Math.sign(d2) < 0 && Math.sign(d3) * Math.sign(d4) < 0) {
    const t = d1 / (d1 - d2);
    return [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
  }
  return null;
}

/** Twice the signed area of triangle abc: which side of ab the point c lies on, and how far. */
function cross(a: Position, b: Position, c: Position): number {
  return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
}

export function toMultiPolygon(polygons: PolygonRings[]): MultiPolygon {
  return { type: 'MultiPolygon', coordinates: polygons };
}
