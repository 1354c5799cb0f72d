/**
 * Exact "do these two geometries share at least one point" for planar coordinates (OGC Simple Features
 * Intersects: boundaries count, so touching geometries intersect). Used by S_INTERSECTS: the caller tests a
 * RegSO (multi)polygon against a filter's literal (point, line, polygon, bbox, or a multi/collection of them).
 *
 * Each geometry is broken into points, lines and polygons; every pair of parts is first rejected by bounding box,
 * then decided by point-on-segment, point-in-polygon (holes excluded, boundary included), segment crossing, and —
 * when no boundaries cross — containment either way (one vertex of the inner part inside the outer one).
 * Orientation tests are plain floating point: results within ~1e-9 of a boundary can go either way.
 */
import type { Geometry, Position } from 'geojson';

/** [minx, miny, maxx, maxy]. */
export type Bbox = [number, number, number, number];

interface Line {
  coords: Position[];
  segments: Segment[];
  bbox: Bbox;
}
interface Poly {
  rings: Position[][];
  /** The edges of every ring, holes included. */
  segments: Segment[];
  bbox: Bbox;
}
/** A geometry broken into its parts, each with its bounding box, ready for repeated tests. */
export interface PreparedGeometry {
  points: Position[];
  lines: Line[];
  polygons: Poly[];
  bbox: Bbox;
}
type Segment = [Position, Position];

/**
 * Decomposed geometries, by object: a filter's literal is tested against every feature, and a caller that keeps
 * its feature geometries gets them prepared once too. Geometries must not be mutated after their first test.
 */
const prepared = new WeakMap<Geometry, PreparedGeometry>();

/** Whether a and b share at least one point (boundaries included). */
export function geometriesIntersect(a: Geometry, b: Geometry): boolean {
  return preparedIntersect(prepareGeometry(a), prepareGeometry(b));
}

export function prepareGeometry(g: Geometry): PreparedGeometry {
  let p = prepared.get(g);
  if (!p) {
    p = { points: [], lines: [], polygons: [], bbox: emptyBbox() };
    addParts(g, p);
    prepared.set(g, p);
  }
  return p;
}

export function preparedIntersect(a: PreparedGeometry, b: PreparedGeometry): boolean {
  if (!bboxesIntersect(a.bbox, b.bbox)) return false;
  return (
    a.points.some((p) => pointHits(p, b)) ||
    b.points.some((p) => pointHits(p, a)) ||
    a.lines.some((l) => lineHits(l, b)) ||
    b.lines.some((l) => a.polygons.some((poly) => linePolygon(l, poly))) ||
    a.polygons.some((pa) => b.polygons.some((pb) => polygonPolygon(pa, pb)))
  );
}

/** The bounding box of any geometry. */
export function geometryBbox(g: Geometry): Bbox {
  return prepareGeometry(g).bbox;
}

/** Whether two closed boxes overlap or touch. */
export function bboxesIntersect(a: Bbox, b: Bbox): boolean {
  return a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];
}

/** Whether `inner` lies entirely within `outer`. */
export function bboxContains(outer: Bbox, inner: Bbox): boolean {
  return outer[0] <= inner[0] && outer[1] <= inner[1] && inner[2] <= outer[2] && inner[3] <= outer[3];
}

/**
 * Point in polygon by even–odd ray casting over all rings, so holes are outside; a point on any ring (outer or
 * hole edge) counts as inside, as Intersects wants.
 */
export function pointInPolygon(p: Position, rings: Position[][]): boolean {
  return pointInEdges(p, rings.flatMap(ringSegments));
}

/** Even–odd counting needs no ring structure: every edge of every ring flips the state once when crossed. */
function pointInEdges(p: Position, edges: Segment[]): boolean {
  let inside = false;
  for (const [a, b] of edges) {
    if (pointOnSegment(p, a, b)) return true;
    if (a[1] > p[1] !== b[1] > p[1] && p[0] < ((b[0] - a[0]) * (p[1] - a[1])) / (b[1] - a[1]) + a[0]) inside = !inside;
  }
  return inside;
}

/** Whether segments pq and rs share a point (crossing, touching, or collinear overlap). */
export function segmentsIntersect(p: Position, q: Position, r: Position, s: Position): boolean {
  const d1 = orient(r, s, p);
  const d2 = orient(r, s, q);
  const d3 = orient(p, q, r);
  const d4 = orient(p, q, s);
  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) return true;
  return (
    (d1 === 0 && withinBox(p, r, s)) ||
    (d2 === 0 && withinBox(q, r, s)) ||
    (d3 === 0 && withinBox(r, p, q)) ||
    (d4 === 0 && withinBox(s, p, q))
  );
}

function addParts(g: Geometry, out: PreparedGeometry): void {
  switch (g.type) {
    case 'Point':
      return addPoint(g.coordinates, out);
    case 'MultiPoint':
      return g.coordinates.forEach((c) => addPoint(c, out));
    case 'LineString':
      return addLine(g.coordinates, out);
    case 'MultiLineString':
      return g.coordinates.forEach((c) => addLine(c, out));
    case 'Polygon':
      return addPolygon(g.coordinates, out);
    case 'MultiPolygon':
      return g.coordinates.forEach((c) => addPolygon(c, out));
    case 'GeometryCollection':
      return g.geometries.forEach((m) => addParts(m, out));
  }
}

function addPoint(p: Position, out: PreparedGeometry): void {
  out.points.push(p);
  extend(out.bbox, coordsBbox([p]));
}

function addLine(coords: Position[], out: PreparedGeometry): void {
  if (coords.length === 0) return;
  // A one-point line is a point: keeps the segment loops below from seeing an empty edge list.
  if (coords.length === 1) return addPoint(coords[0], out);
  const line = { coords, segments: lineSegments(coords), bbox: coordsBbox(coords) };
  out.lines.push(line);
  extend(out.bbox, line.bbox);
}

function addPolygon(rings: Position[][], out: PreparedGeometry): void {
  if (rings.length === 0 || rings[0].length === 0) return;
  const poly = { rings, segments: rings.flatMap(ringSegments), bbox: coordsBbox(rings[0]) };
  out.polygons.push(poly);
  extend(out.bbox, poly.bbox);
}

/** A point of one geometry against every part of the other. */
function pointHits(p: Position, other: PreparedGeometry): boolean {
  if (!pointInBbox(p, other.bbox)) return false;
  return (
    other.points.some((q) => q[0] === p[0] && q[1] === p[1]) ||
    other.lines.some((l) => pointInBbox(p, l.bbox) && l.segments.some(([a, b]) => pointOnSegment(p, a, b))) ||
    other.polygons.some((poly) => pointInBbox(p, poly.bbox) && pointInEdges(p, poly.segments))
  );
}

/** A line of one geometry against the lines and polygons of the other. */
function lineHits(line: Line, other: PreparedGeometry): boolean {
  return (
    other.lines.some((l) => bboxesIntersect(line.bbox, l.bbox) && segmentSetsCross(line.segments, l.segments, l.bbox, line.bbox)) ||
    other.polygons.some((poly) => linePolygon(line, poly))
  );
}

/** A line meets a polygon if it crosses a ring, or else lies wholly inside (its first vertex tells). */
function linePolygon(line: Line, poly: Poly): boolean {
  if (!bboxesIntersect(line.bbox, poly.bbox)) return false;
  return segmentSetsCross(line.segments, poly.segments, poly.bbox, line.bbox) || pointInEdges(line.coords[0], poly.segments);
}

/** Two polygons meet if their boundaries cross, or else one contains the other (a vertex of it tells). */
function polygonPolygon(a: Poly, b: Poly): boolean {
  if (!bboxesIntersect(a.bbox, b.bbox)) return false;
  return (
    segmentSetsCross(a.segments, b.segments, b.bbox, a.bbox) ||
    pointInEdges(a.rings[0][0], b.segments) ||
    pointInEdges(b.rings[0][0], a.segments)
  );
}

/**
 * Whether any segment of `as` meets any of `bs`. Each side is first cut down to the segments that reach the other
 * side's box, which leaves few candidates when a small literal meets a detailed polygon.
 */
function segmentSetsCross(as: Segment[], bs: Segment[], bBox: Bbox, aBox: Bbox): boolean {
  const nearA = as.filter(([p, q]) => bboxesIntersect(segmentBbox(p, q), bBox));
  if (nearA.length === 0) return false;
  const nearB = bs.filter(([p, q]) => bboxesIntersect(segmentBbox(p, q), aBox));
  return nearA.some(([p, q]) => nearB.some(([r, s]) => segmentsIntersect(p, q, r, s)));
}

function lineSegments(coords: Position[]): Segment[] {
  const out: Segment[] = [];
  for (let i = 1; i < coords.length; i++) out.push([coords[i - 1], coords[i]]);
  return out;
}

/** A ring's edges, closing it if the last position does not repeat the first. */
function ringSegments(ring: Position[]): Segment[] {
  const out = lineSegments(ring);
  const first = ring[0];
  const last = ring[ring.length - 1];
  if (ring.length > 1 && (first[0] !== last[0] || first[1] !== last[1])) out.push([last, first]);
  return out;
}

/** Twice the signed area of triangle abc: > 0 if c is left of ab, 0 if collinear. */
function orient(a: Position, b: Position, c: Position): number {
  return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
}

function pointOnSegment(p: Position, a: Position, b: Position): boolean {
  return orient(a, b, p) === 0 && withinBox(p, a, b);
}

/** Whether p lies in the box spanned by a and b (for a point already known to be collinear with ab). */
function withinBox(p: Position, a: Position, b: Position): boolean {
  return Math.min(a[0], b[0]) <= p[0] && p[0] <= Math.max(a[0], b[0]) && Math.min(a[1], b[1]) <= p[1] && p[1] <= Math.max(a[1], b[1]);
}

function segmentBbox(a: Position, b: Position): Bbox {
  return [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[0], b[0]), Math.max(a[1], b[1])];
}

function pointInBbox(p: Position, b: Bbox): boolean {
  return b[0] <= p[0] && p[0] <= b[2] && b[1] <= p[1] && p[1] <= b[3];
}

function coordsBbox(coords: Position[]): Bbox {
  const b = emptyBbox();
  for (const c of coords) extend(b, [c[0], c[1], c[0], c[1]]);
  return b;
}

function emptyBbox(): Bbox {
  return [Infinity, Infinity, -Infinity, -Infinity];
}

function extend(b: Bbox, by: Bbox): void {
  b[0] = Math.min(b[0], by[0]);
  b[1] = Math.min(b[1], by[1]);
  b[2] = Math.max(b[2], by[2]);
  b[3] = Math.max(b[3], by[3]);
}
