/**
 * Brute-force geometry for checking the synthetic generators: slow, obvious implementations that share no
 * code with the modules under test.
 */
import { readFileSync } from 'node:fs';
import type { MultiPolygon, Polygon, Position } from 'geojson';
import { distanceToRings } from '../helpers/geometry.ts';

export type Shape = Polygon | MultiPolygon;

let kommuner: Map<string, Shape> | undefined;

/** A kommun polygon (EPSG:3006) from the bundled national kommun layer. */
export function loadKommun(kommunkod: string): Shape {
  kommuner ??= new Map(
    JSON.parse(readFileSync(new URL('../../data/sources/kommuner/kommuner.geojson', import.meta.url), 'utf8')).features.map(
      (f: { properties: { kommun_kod: string }; geometry: Shape }) => [f.properties.kommun_kod, f.geometry],
    ),
  );
  const shape = kommuner.get(kommunkod);
  if (shape === undefined) throw new Error(`no kommun ${kommunkod}`);
  return shape;
}

export function polygonsOf(shape: Shape): Position[][][] {
  return shape.type === 'Polygon' ? [shape.coordinates] : shape.coordinates;
}

export function signedRingArea(ring: readonly Position[]): number {
  let sum = 0;
  for (let i = 0; i + 1 < ring.length; i++) sum += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
  return sum / 2;
}

/** Area of outer rings minus holes, whatever the ring orientation. */
export function shapeArea(shape: Shape): number {
  return polygonsOf(shape).reduce(
    (sum, [outer, ...holes]) => sum + Math.abs(signedRingArea(outer)) - holes.reduce((h, ring) => h + Math.abs(signedRingArea(ring)), 0),
    0,
  );
}

export function perimeter(shape: Shape): number {
  let sum = 0;
  for (const ring of polygonsOf(shape).flat()) {
    for (let i = 0; i + 1 < ring.length; i++) sum += Math.hypot(ring[i + 1][0] - ring[i][0], ring[i + 1][1] - ring[i][1]);
  }
  return sum;
}

/** Even–odd ray casting over every ring. */
export function insideBruteForce(shape: Shape, x: number, y: number): boolean {
  let inside = false;
  for (const ring of polygonsOf(shape).flat()) {
    for (let i = 0; i + 1 < ring.length; i++) {
      const [ax, ay] = ring[i];
      const [bx, by] = ring[i + 1];
      if (ay > y !== by > y && x < ax + ((y - ay) * (bx - ax)) / (by - ay)) inside = !inside;
    }
  }
  return inside;
}

export function distanceToBoundary(shape: Shape, x: number, y: number): number {
  return distanceToRings(polygonsOf(shape).flat(), x, y);
}

/** True if two segments share a point other than a common endpoint (touching at an endpoint is allowed). */
function segmentsCross(a: Position, b: Position, c: Position, d: Position): boolean {
  const orient = (p: Position, q: Position, r: Position) => Math.sign((q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0]));
  const same = (p: Position, q: Position) => p[0] === q[0] && p[1] === q[1];
  if (same(a, c) || same(a, d) || same(b, c) || same(b, d)) return false;
  const o1 = orient(a, b, c);
  const o2 = orient(a, b, d);
  const o3 = orient(c, d, a);
  const o4 = orient(c, d, b);
  if (o1 !== o2 && o3 !== o4) return true;
  const onSegment = (p: Position, q: Position, r: Position) =>
    Math.min(p[0], q[0]) <= r[0] && r[0] <= Math.max(p[0], q[0]) && Math.min(p[1], q[1]) <= r[1] && r[1] <= Math.max(p[1], q[1]);
  return (o1 === 0 && onSegment(a, b, c)) || (o2 === 0 && onSegment(a, b, d)) || (o3 === 0 && onSegment(c, d, a)) || (o4 === 0 && onSegment(c, d, b));
}

/** Number of crossing pairs among all edges of the shape (0 for a simple, valid geometry). O(edges²). */
export function selfCrossings(shape: Shape): number {
  const edges: [Position, Position][] = [];
  for (const ring of polygonsOf(shape).flat()) for (let i = 0; i + 1 < ring.length; i++) edges.push([ring[i], ring[i + 1]]);
  let count = 0;
  for (let i = 0; i < edges.length; i++) {
    for (let j = i + 1; j < edges.length; j++) if (segmentsCross(edges[i][0], edges[i][1], edges[j][0], edges[j][1])) count++;
  }
  return count;
}
