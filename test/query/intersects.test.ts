/**
 * The exact intersection helper behind S_INTERSECTS, on synthetic shapes: hand-made cases with known answers
 * (holes, edge crossings without vertices inside, containment either way, touching), then random polygons
 * checked against polygon-clipping, which shares no code with it.
 */
import type { Geometry, MultiPolygon, Polygon, Position } from 'geojson';
import polygonClipping from 'polygon-clipping';
import { describe, expect, it } from 'vitest';
import { box } from '../helpers/geometry.ts';
import { geometriesIntersect, geometryBbox, pointInPolygon, segmentsIntersect } from '../../data/query/intersects.ts';


/** Synthetic area: the square 0…10 with a square hole 4…6. */
const HOLED: Polygon = { type: 'Polygon', coordinates: [box(0, 0, 10, 10), box(4, 4, 6, 6)] };
const point = (x: number, y: number): Geometry => ({ type: 'Point', coordinates: [x, y] });
const line = (...coords: Position[]): Geometry => ({ type: 'LineString', coordinates: coords });
const polygon = (...rings: Position[][]): Polygon => ({ type: 'Polygon', coordinates: rings });

describe('point against a polygon with a hole', () => {
  it.each([
    ['inside the ring', 2, 2, true],
    ['inside the hole', 5, 5, false],
    ['on the hole boundary', 4, 5, true],
    ['on a hole corner', 6, 6, true],
    ['on the outer boundary', 10, 5, true],
    ['outside', 11, 5, false],
    ['outside, level with the hole', -1, 5, false],
  ])('%s', (_, x, y, expected) => {
    expect(geometriesIntersect(HOLED, point(x, y))).toBe(expected);
    expect(geometriesIntersect(point(x, y), HOLED)).toBe(expected);
    expect(pointInPolygon([x, y], HOLED.coordinates)).toBe(expected);
  });
});

describe('bbox literal against a polygon', () => {
  it('a strip crossing the box with no vertex of either inside the other intersects', () => {
    const strip = polygon(box(-5, 4, 15, 6));
    expect(geometriesIntersect(strip, polygon(box(0, 0, 10, 10)))).toBe(true);
  });

  it('a box overlapping a corner intersects', () => {
    expect(geometriesIntersect(HOLED, polygon(box(8, 8, 12, 12)))).toBe(true);
  });

  it('a box inside the hole does not intersect; one straddling the hole edge does', () => {
    expect(geometriesIntersect(HOLED, polygon(box(4.5, 4.5, 5.5, 5.5)))).toBe(false);
    expect(geometriesIntersect(HOLED, polygon(box(5, 5, 7, 5.5)))).toBe(true);
  });

  it('a box whose bbox overlaps but whose shape misses a concave polygon does not intersect', () => {
    // An L: the box sits in the notch, inside the L's bbox.
    const ell = polygon([
      [0, 0],
      [10, 0],
      [10, 2],
      [2, 2],
      [2, 10],
      [0, 10],
      [0, 0],
    ]);
    expect(geometriesIntersect(ell, polygon(box(4, 4, 8, 8)))).toBe(false);
    expect(geometriesIntersect(ell, polygon(box(1.5, 4, 8, 8)))).toBe(true);
  });

  it('boxes touching at one corner intersect (boundaries count)', () => {
    expect(geometriesIntersect(polygon(box(0, 0, 1, 1)), polygon(box(1, 1, 2, 2)))).toBe(true);
    expect(geometriesIntersect(polygon(box(0, 0, 1, 1)), polygon(box(1.000001, 1, 2, 2)))).toBe(false);
  });
});

describe('line against a polygon', () => {
  it('a line crossing the polygon intersects', () => {
    expect(geometriesIntersect(HOLED, line([-1, 5], [11, 5]))).toBe(true);
    expect(geometriesIntersect(HOLED, line([-1, -1], [11, 11]))).toBe(true);
  });

  it('a line wholly inside the ring intersects; one wholly inside the hole does not', () => {
    expect(geometriesIntersect(HOLED, line([1, 1], [2, 3]))).toBe(true);
    expect(geometriesIntersect(HOLED, line([4.5, 5], [5.5, 5]))).toBe(false);
  });

  it('a line passing by does not intersect', () => {
    expect(geometriesIntersect(HOLED, line([-1, -1], [-1, 11], [11, 11.5]))).toBe(false);
  });

  it('lines crossing each other intersect, parallel ones do not', () => {
    expect(geometriesIntersect(line([0, 0], [2, 2]), line([0, 2], [2, 0]))).toBe(true);
    expect(geometriesIntersect(line([0, 0], [2, 0]), line([0, 1], [2, 1]))).toBe(false);
    expect(geometriesIntersect(line([0, 0], [2, 0]), line([1, 0], [3, 0]))).toBe(true); // collinear overlap
  });
});

describe('polygon against polygon', () => {
  it('a polygon containing the other intersects, in either order', () => {
    const big = polygon(box(-10, -10, 20, 20));
    const small = polygon(box(1, 1, 2, 2));
    expect(geometriesIntersect(big, HOLED)).toBe(true);
    expect(geometriesIntersect(HOLED, big)).toBe(true);
    expect(geometriesIntersect(HOLED, small)).toBe(true);
    expect(geometriesIntersect(small, HOLED)).toBe(true);
  });

  it('a polygon in the hole does not intersect, in either order', () => {
    const inHole = polygon(box(4.5, 4.5, 5.5, 5.5));
    expect(geometriesIntersect(inHole, HOLED)).toBe(false);
    expect(geometriesIntersect(HOLED, inHole)).toBe(false);
  });

  it('a multipolygon intersects if any of its parts does', () => {
    const parts: MultiPolygon = { type: 'MultiPolygon', coordinates: [[box(20, 20, 21, 21)], [box(9, 9, 12, 12)]] };
    expect(geometriesIntersect(parts, HOLED)).toBe(true);
    expect(geometriesIntersect({ type: 'MultiPolygon', coordinates: [[box(20, 20, 21, 21)]] }, HOLED)).toBe(false);
  });

  it('a geometry collection intersects if any member does', () => {
    const collection: Geometry = { type: 'GeometryCollection', geometries: [point(50, 50), point(5, 5), line([20, 0], [20, 5])] };
    expect(geometriesIntersect(HOLED, collection)).toBe(false);
    expect(geometriesIntersect(HOLED, { ...collection, geometries: [...collection.geometries, point(1, 1)] })).toBe(true);
  });

  it('multipoints intersect if any point hits', () => {
    expect(geometriesIntersect(HOLED, { type: 'MultiPoint', coordinates: [[5, 5], [30, 30]] })).toBe(false);
    expect(geometriesIntersect(HOLED, { type: 'MultiPoint', coordinates: [[5, 5], [9, 9]] })).toBe(true);
  });
});

describe('primitives', () => {
  it('segments: crossing, touching at an end, disjoint', () => {
    expect(segmentsIntersect([0, 0], [2, 2], [0, 2], [2, 0])).toBe(true);
    expect(segmentsIntersect([0, 0], [1, 1], [1, 1], [2, 0])).toBe(true);
    expect(segmentsIntersect([0, 0], [1, 1], [1.1, 1.1], [2, 2])).toBe(false);
  });

  it('bbox of a geometry collection', () => {
    expect(geometryBbox({ type: 'GeometryCollection', geometries: [point(-3, 4), HOLED] })).toEqual([-3, 0, 10, 10]);
  });
});

describe('agrees with polygon-clipping on random polygons (synthetic)', () => {
  /**
   * A star-shaped (so simple) polygon around (cx, cy): at least 5 vertices, one per equal angular sector, so no
   * gap between neighbours reaches 144° and the polygon holds a disc of 0.3 × its smallest radius around the
   * centre; half of them get a square hole of 0.25 × that radius, which therefore lies inside.
   */
  function star(random: () => number, cx: number, cy: number): Polygon {
    const n = 5 + Math.floor(random() * 8);
    const angles = Array.from({ length: n }, (_, k) => ((k + random() * 0.8) * 2 * Math.PI) / n);
    const radii = angles.map(() => 0.5 + random() * 3);
    const ring = angles.map((a, k) => [cx + radii[k] * Math.cos(a), cy + radii[k] * Math.sin(a)]);
    ring.push(ring[0]);
    if (random() < 0.5) return polygon(ring);
    const r = Math.min(...radii) * 0.25;
    const hole = [0, 1, 2, 3].map((k) => [cx + r * Math.cos((k * Math.PI) / 2 + 0.3), cy + r * Math.sin((k * Math.PI) / 2 + 0.3)]);
    hole.push(hole[0]);
    return polygon(ring, hole);
  }

  function mulberry32(seed: number): () => number {
    return () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  it('400 random pairs', () => {
    const random = mulberry32(20240601);
    let hits = 0;
    for (let k = 0; k < 400; k++) {
      const a = star(random, random() * 10, random() * 10);
      const b = star(random, random() * 10, random() * 10);
      const expected = polygonClipping.intersection(a.coordinates as never, b.coordinates as never).length > 0;
      expect(geometriesIntersect(a, b), `pair ${k}: ${JSON.stringify([a, b])}`).toBe(expected);
      if (expected) hits++;
    }
    // Both answers must be well represented, or the comparison proves little.
    expect(hits).toBeGreaterThan(80);
    expect(hits).toBeLessThan(320);
  });
});
