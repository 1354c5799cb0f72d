import type { MultiPolygon, Polygon, Position } from 'geojson';
import { describe, expect, it } from 'vitest';
import { AreaIndex } from '../../data/incidents/area-index.ts';
import { type Areal, BruteForce, kommuner, mulberry32, regsoGr, rings, samplePoints } from './brute-force.ts';

const poly = (...rs: Position[][]): Polygon => ({ type: 'Polygon', coordinates: rs });
const multi = (...ps: Position[][][]): MultiPolygon => ({ type: 'MultiPolygon', coordinates: ps });
/** Closed counter-clockwise rectangle ring. */
const rect = (x0: number, y0: number, x1: number, y1: number): Position[] => [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]];
const indexOf = (...gs: Areal[]): AreaIndex => new AreaIndex(gs.map((geometry) => ({ geometry })));
const all = (idx: AreaIndex, x: number, y: number): number[] => {
  const out = [99, 98, 97]; // stale content must be replaced
  const n = idx.locateAll(x, y, out);
  expect(out).toHaveLength(n);
  return out;
};

describe('AreaIndex on hand-made geometry', () => {
  it('polygon with a hole: the hole is outside, the ring around it inside', () => {
    const idx = indexOf(poly(rect(0, 0, 10, 10), rect(3, 3, 7, 7).reverse()));
    expect(idx.locate(1, 1)).toBe(0);
    expect(idx.locate(8.5, 5)).toBe(0);
    expect(idx.locate(5, 5)).toBe(-1);
    expect(idx.locate(3.5, 6.9)).toBe(-1);
  });

  it('multipolygon: both parts belong to the area, the gap between them does not', () => {
    const idx = indexOf(multi([rect(0, 0, 1, 1)], [rect(5, 5, 6, 6)]));
    expect(idx.locate(0.5, 0.5)).toBe(0);
    expect(idx.locate(5.5, 5.5)).toBe(0);
    expect(idx.locate(3, 3)).toBe(-1); // inside the bbox, in no part
    expect(idx.locate(0.5, 5.5)).toBe(-1);
  });

  it('points outside every bbox, NaN, and an empty index give -1 / no hits', () => {
    const idx = indexOf(poly(rect(0, 0, 10, 10)));
    expect(idx.locate(-1, 5)).toBe(-1);
    expect(idx.locate(5, 1e9)).toBe(-1);
    expect(idx.locate(Number.NaN, 5)).toBe(-1);
    expect(all(idx, 20, 20)).toEqual([]);
    const empty = new AreaIndex([]);
    expect(empty.locate(0, 0)).toBe(-1);
    expect(all(empty, 0, 0)).toEqual([]);
  });

  it('overlapping squares: locate gives the lowest index, locateAll every area in ascending order', () => {
    // Index 2 overlaps 0 and 1; added last so that tree order and index order can differ.
    const idx = indexOf(poly(rect(0, 0, 10, 10)), poly(rect(20, 0, 30, 10)), poly(rect(5, 5, 25, 8)));
    expect(all(idx, 7, 6)).toEqual([0, 2]);
    expect(idx.locate(7, 6)).toBe(0);
    expect(all(idx, 22, 6)).toEqual([1, 2]);
    expect(idx.locate(15, 6)).toBe(2);
    expect(all(idx, 15, 2)).toEqual([]);
  });

  it('many overlapping areas come back in index order, whatever the tree order', () => {
    // 64 squares of side 20 around the origin, centres scattered so Flatbush's Hilbert sort reorders them.
    const rnd = mulberry32(3);
    const squares = Array.from({ length: 64 }, () => {
      const [cx, cy] = [-5 + 10 * rnd(), -5 + 10 * rnd()];
      return poly(rect(cx - 10, cy - 10, cx + 10, cy + 10));
    });
    const idx = indexOf(...squares);
    expect(all(idx, 0, 0)).toEqual(squares.map((_, i) => i));
    expect(idx.locate(0, 0)).toBe(0);
  });

  it('ray through a vertex where the boundary passes through is counted once', () => {
    // Triangle with its right vertex (4, 2) at the height of the query points.
    const idx = indexOf(poly([[0, 0], [4, 2], [0, 4], [0, 0]]));
    expect(idx.locate(1, 2)).toBe(0);
    expect(idx.locate(3.9, 2)).toBe(0);
    expect(idx.locate(4.1, 2)).toBe(-1);
  });

  it('ray touching a vertex (local min or max of the boundary) is counted 0 or 2 times', () => {
    // Square with a notch hanging down to (2, 2) from the top, and a roof peak at (2, 1) pushing up from below.
    const idx = indexOf(poly([[0, 0], [1, 0], [2, 1], [3, 0], [4, 0], [4, 4], [3, 4], [2, 2], [1, 4], [0, 4], [0, 0]]));
    for (const x of [0.5, 1.5, 2.5, 3.5]) {
      expect(idx.locate(x, 2), `(${x}, 2) below the notch tip`).toBe(0);
      expect(idx.locate(x, 1), `(${x}, 1) level with the peak`).toBe(0);
    }
    expect(idx.locate(2, 3)).toBe(-1); // inside the notch
    expect(idx.locate(2, 0.5)).toBe(-1); // under the peak
    expect(idx.locate(2, 1.5)).toBe(0);
  });

  it('boundary rule: left and bottom edges are inside, right and top edges are not', () => {
    const idx = indexOf(poly(rect(0, 0, 10, 10)));
    expect(idx.locate(0, 5)).toBe(0);
    expect(idx.locate(5, 0)).toBe(0);
    expect(idx.locate(0, 0)).toBe(0);
    expect(idx.locate(10, 5)).toBe(-1);
    expect(idx.locate(5, 10)).toBe(-1);
    expect(idx.locate(10, 0)).toBe(-1);
    expect(idx.locate(0, 10)).toBe(-1);
    expect(idx.locate(10, 10)).toBe(-1);
  });

  it('a point on a border shared by neighbours is in exactly one of them', () => {
    // Four unit squares meeting at (1, 1), rings in both orientations; plus a sloping shared edge.
    const idx = indexOf(
      poly(rect(0, 0, 1, 1)),
      poly(rect(1, 0, 2, 1).reverse()),
      poly(rect(0, 1, 1, 2)),
      poly(rect(1, 1, 2, 2).reverse()),
      poly([[2, 0], [3.3, 0.7], [3, 2], [2, 2], [2, 0]]),
      poly([[2, 0], [4, 0], [4, 2], [3, 2], [3.3, 0.7], [2, 0]].reverse()),
    );
    expect(all(idx, 1, 1)).toEqual([3]); // the square right of and above the corner
    expect(all(idx, 1, 0.5)).toEqual([1]);
    expect(all(idx, 0.5, 1)).toEqual([2]);
    const rnd = mulberry32(1);
    for (let i = 0; i < 200; i++) {
      const t = rnd();
      const [x, y] = [2 + 1.3 * t, 0.7 * t];
      expect(all(idx, x, y), `(${x}, ${y}) on the sloping edge`).toHaveLength(1);
    }
  });

  it('ring orientation and explicit closing do not matter', () => {
    const open: Position[] = [[0, 0], [6, 1], [5, 5], [3, 2.5], [1, 6]];
    const variants = [poly([...open, open[0]]), poly(open), poly([...open].reverse())];
    const idx = indexOf(...variants);
    const rnd = mulberry32(2);
    for (let i = 0; i < 2000; i++) {
      const [x, y] = [-1 + 8 * rnd(), -1 + 8 * rnd()];
      const hits = all(idx, x, y);
      expect(hits.length === 0 || hits.length === 3, `(${x}, ${y}) → ${hits}`).toBe(true);
    }
  });

  it('rejects geometry it cannot index', () => {
    expect(() => indexOf(poly([[0, 0], [1, Number.NaN], [1, 1], [0, 0]]))).toThrow(/non-finite/);
    expect(() => indexOf({ type: 'Point', coordinates: [0, 0] } as unknown as Polygon)).toThrow(/Polygon/);
  });
});

describe.each([
  ['290 kommuner (MultiPolygon, generalised)', kommuner, 11],
  ['300 GR RegSO (detailed Polygons with holes)', regsoGr, 12],
])('AreaIndex against brute force on %s', (_name, load, seed) => {
  const polygons = load();
  const idx = indexOf(...polygons);
  const brute = new BruteForce(polygons);

  it('gives the same containing areas for 24,000 sample points (random, inside, exact vertices, near edges)', () => {
    const { xs, ys } = samplePoints(polygons, 24_000, seed);
    const out: number[] = [];
    const mismatches: string[] = [];
    let inside = 0;
    let outside = 0;
    for (let i = 0; i < xs.length; i++) {
      const want = brute.all(xs[i], ys[i]);
      const n = idx.locateAll(xs[i], ys[i], out);
      const first = idx.locate(xs[i], ys[i]);
      if (n !== want.length || out.some((a, k) => a !== want[k]) || first !== (want[0] ?? -1)) {
        mismatches.push(`(${xs[i]}, ${ys[i]}): index ${out} / ${first}, brute force ${want}`);
      }
      if (want.length > 0) inside++;
      else outside++;
    }
    expect(mismatches.slice(0, 10)).toEqual([]);
    // The sample must exercise both outcomes for the comparison to mean anything.
    expect(inside).toBeGreaterThan(xs.length / 4);
    expect(outside).toBeGreaterThan(xs.length / 20);
  });

  it('puts every vertex shared by neighbours, and every point on a shared edge, in exactly one area', () => {
    // Only where the union surrounds the point (all 8 points 1 mm around it are in some area, by brute force).
    const surrounded = (x: number, y: number): boolean => {
      for (const [dx, dy] of [[1, 0], [1, 1], [0, 1], [-1, 1], [-1, 0], [-1, -1], [0, -1], [1, -1]]) {
        if (brute.all(x + dx * 1e-3, y + dy * 1e-3).length === 0) return false;
      }
      return true;
    };
    const owners = new Map<string, Set<number>>();
    polygons.forEach((g, i) => {
      for (const r of rings(g)) for (const p of r) owners.set(`${p[0]},${p[1]}`, (owners.get(`${p[0]},${p[1]}`) ?? new Set()).add(i));
    });
    const rnd = mulberry32(seed);
    const shared = [...owners].filter(([, s]) => s.size > 1).map(([k]) => k.split(',').map(Number));
    const wrong: string[] = [];
    let tested = 0;
    for (let i = 0; i < 3000; i++) {
      const [x, y] = shared[Math.floor(rnd() * shared.length)];
      if (!surrounded(x, y)) continue;
      tested++;
      const n = idx.locateAll(x, y, []);
      if (n !== 1) wrong.push(`vertex (${x}, ${y}) in ${n} areas`);
    }
    // Points along edges whose both ends are shared (exactly on the line up to rounding).
    for (let i = 0; i < 3000; i++) {
      const ring = rings(polygons[Math.floor(rnd() * polygons.length)])[0];
      const k = Math.floor(rnd() * (ring.length - 1));
      const [a, b] = [ring[k], ring[k + 1]];
      if ((owners.get(`${a[0]},${a[1]}`)?.size ?? 0) < 2 || (owners.get(`${b[0]},${b[1]}`)?.size ?? 0) < 2) continue;
      const t = rnd();
      const [x, y] = [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
      if (!surrounded(x, y)) continue;
      tested++;
      const n = idx.locateAll(x, y, []);
      if (n !== 1) wrong.push(`edge point (${x}, ${y}) in ${n} areas`);
    }
    expect(wrong.slice(0, 10)).toEqual([]);
    expect(tested).toBeGreaterThan(1000);
  });
});
