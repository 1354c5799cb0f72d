import type { MultiPolygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import { PolygonSampler } from '../../data/synthetic/polygon-sampler.ts';
import { deriveRng } from '../../data/synthetic/random.ts';
import { distanceToBoundary, insideBruteForce, loadKommun, shapeArea } from './geometry-helpers.ts';

/** A 100 × 100 square with a 40 × 40 hole, plus a separate triangle island of area 200 (total 8,600). */
const squareWithHoleAndIsland: MultiPolygon = {
  type: 'MultiPolygon',
  coordinates: [
    [
      [[0, 0], [100, 0], [100, 100], [0, 100], [0, 0]],
      [[30, 30], [30, 70], [70, 70], [70, 30], [30, 30]],
    ],
    [[[200, 0], [220, 0], [200, 20], [200, 0]]],
  ],
};

describe('PolygonSampler', () => {
  it('measures the area with holes and islands', () => {
    expect(new PolygonSampler(squareWithHoleAndIsland).area).toBeCloseTo(8600, 6);
    const varmdo = loadKommun('0120');
    expect(new PolygonSampler(varmdo).area / shapeArea(varmdo)).toBeCloseTo(1, 9);
  });

  it('draws points inside only, spread in proportion to area', () => {
    const sampler = new PolygonSampler(squareWithHoleAndIsland);
    const rng = deriveRng(1, 'sampler');
    const n = 86_000;
    let island = 0;
    let leftHalfOfSquare = 0;
    for (let i = 0; i < n; i++) {
      const [x, y] = sampler.sample(rng);
      expect(insideBruteForce(squareWithHoleAndIsland, x, y)).toBe(true);
      if (x >= 200) island++;
      else if (x < 50) leftHalfOfSquare++;
    }
    // 10 points per unit of area: 2,000 on the island, 42,000 in the square's left half; ± 5 standard errors.
    expect(Math.abs(island - 2000)).toBeLessThan(5 * Math.sqrt(2000));
    expect(Math.abs(leftHalfOfSquare - 42_000)).toBeLessThan(5 * Math.sqrt(42_000));
  });

  it('contains agrees with brute force, and keeps off borders and vertex heights', () => {
    const varmdo = loadKommun('0120');
    const sampler = new PolygonSampler(varmdo);
    const points = (varmdo as MultiPolygon).coordinates.flat(2);
    const [minX, maxX] = [Math.min(...points.map((p) => p[0])), Math.max(...points.map((p) => p[0]))];
    const [minY, maxY] = [Math.min(...points.map((p) => p[1])), Math.max(...points.map((p) => p[1]))];
    const rng = deriveRng(2, 'contains');
    let inside = 0;
    for (let i = 0; i < 20_000; i++) {
      const x = rng.uniform(minX, maxX);
      const y = rng.uniform(minY, maxY);
      if (distanceToBoundary(varmdo, x, y) < 1e-3) continue;
      expect(sampler.contains(x, y)).toBe(insideBruteForce(varmdo, x, y));
      if (sampler.contains(x, y)) inside++;
    }
    expect(inside).toBeGreaterThan(1000);
    const [vx, vy] = (varmdo as MultiPolygon).coordinates[0][0][0];
    expect(sampler.contains(vx, vy)).toBe(false);
    expect(sampler.contains(50, 10)).toBe(false); // outside the shape's y range
    const square = new PolygonSampler(squareWithHoleAndIsland);
    expect(square.contains(50, 50)).toBe(false); // in the hole
    expect(square.contains(0, 50)).toBe(false); // on the border
    expect(square.contains(10, 30)).toBe(false); // at a vertex height
    expect(square.contains(10, 30.5)).toBe(true);
  });

  it('refuses to sample a shape without area', () => {
    const flat = new PolygonSampler({ type: 'Polygon', coordinates: [[[0, 0], [1, 0], [2, 0], [0, 0]]] });
    expect(flat.area).toBe(0);
    expect(() => flat.sample(deriveRng(1, 'flat'))).toThrow(RangeError);
  });
});
