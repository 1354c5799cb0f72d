import type { Position } from 'geojson';
import polygonClipping, { type MultiPolygon as ClipMultiPolygon } from 'polygon-clipping';
import { describe, expect, it } from 'vitest';
import { splitKommun, type AreaToSplit } from '../../data/synthetic/areas.ts';
import { loadKommun, perimeter, polygonsOf, selfCrossings, shapeArea, signedRingArea, type Shape } from './geometry-helpers.ts';

/** `n` areas of kommun `kod` with 1–13 DeSO in a fixed pattern (about as skewed as the real ones). */
function areasOf(kod: string, n: number): AreaToSplit[] {
  return Array.from({ length: n }, (_, i) => ({ regsokod: `${kod}R${String(i + 1).padStart(3, '0')}`, nDeso: 1 + ((i * 7) % 13) }));
}

/** Total length of piece edges that no other piece has in the opposite direction, i.e. not shared borders. */
function unsharedEdgeLength(pieces: readonly Shape[]): number {
  const key = (a: Position, b: Position) => `${a[0]},${a[1]};${b[0]},${b[1]}`;
  const owner = new Map<string, number>();
  pieces.forEach((piece, i) => {
    for (const ring of polygonsOf(piece).flat()) for (let k = 0; k + 1 < ring.length; k++) owner.set(key(ring[k], ring[k + 1]), i);
  });
  let length = 0;
  pieces.forEach((piece, i) => {
    for (const ring of polygonsOf(piece).flat()) {
      for (let k = 0; k + 1 < ring.length; k++) {
        const reverse = owner.get(key(ring[k + 1], ring[k]));
        if (reverse === undefined || reverse === i) length += Math.hypot(ring[k + 1][0] - ring[k][0], ring[k + 1][1] - ring[k][1]);
      }
    }
  });
  return length;
}

const cases = [
  { name: 'Sundbyberg (small)', kod: '0183', n: 12 },
  { name: 'Öckerö (islands)', kod: '1407', n: 5 },
  { name: 'Värmdö (archipelago)', kod: '0120', n: 19 },
  { name: 'Kiruna (large)', kod: '2584', n: 15 },
  { name: 'Göteborg (most RegSO)', kod: '1480', n: 147 },
];

describe.each(cases)('splitKommun: $name into $n', ({ kod, n }) => {
  const kommun = loadKommun(kod);
  const areas = areasOf(kod, n);
  const pieces = splitKommun(42, { kommunkod: kod, geometry: kommun }, areas);
  const shapes = [...pieces.values()];
  const kommunArea = shapeArea(kommun);

  it('gives every area, in input order, a non-empty piece', () => {
    expect([...pieces.keys()]).toEqual(areas.map((a) => a.regsokod));
    for (const shape of shapes) expect(shapeArea(shape)).toBeGreaterThan(0);
  });

  it('covers the kommun without overlap', () => {
    const total = shapes.reduce((s, shape) => s + shapeArea(shape), 0);
    expect(Math.abs(total / kommunArea - 1)).toBeLessThan(1e-3);
    const [first, ...rest] = shapes.map((s) => polygonsOf(s) as ClipMultiPolygon);
    const union = polygonClipping.union(first, ...rest);
    const unionArea = shapeArea({ type: 'MultiPolygon', coordinates: union });
    expect((total - unionArea) / kommunArea).toBeLessThan(1e-4);
  });

  it('has identical shared borders: only the kommun border is unshared', () => {
    expect(Math.abs(unsharedEdgeLength(shapes) / perimeter(kommun) - 1)).toBeLessThan(1e-3);
  });

  it('has valid rings: closed, counter-clockwise outside, 0.1 m coordinates, no repeats, spikes or crossings', () => {
    for (const shape of shapes) {
      for (const [outer, ...holes] of polygonsOf(shape)) {
        expect(signedRingArea(outer)).toBeGreaterThan(0);
        for (const hole of holes) expect(signedRingArea(hole)).toBeLessThan(0);
        for (const ring of [outer, ...holes]) {
          expect(ring.length).toBeGreaterThanOrEqual(4);
          expect(ring[0]).toEqual(ring[ring.length - 1]);
          for (let i = 0; i + 1 < ring.length; i++) {
            expect(ring[i]).not.toEqual(ring[i + 1]);
            if (i > 0) expect(ring[i - 1]).not.toEqual(ring[i + 1]);
            for (const v of ring[i]) expect(Math.round(v * 10) / 10).toBe(v);
          }
        }
      }
      expect(selfCrossings(shape)).toBe(0);
    }
  });
});

describe('splitKommun', () => {
  const kod = '2584';
  const kommun = { kommunkod: kod, geometry: loadKommun(kod) };
  const areas = areasOf(kod, 15);

  it('is deterministic for a seed and differs between seeds', () => {
    const once = splitKommun(1, kommun, areas);
    expect(JSON.stringify([...splitKommun(1, kommun, areas)])).toBe(JSON.stringify([...once]));
    expect(JSON.stringify([...splitKommun(2, kommun, areas)])).not.toBe(JSON.stringify([...once]));
  });

  it('does not depend on the order of the areas', () => {
    const forward = splitKommun(1, kommun, areas);
    const backward = splitKommun(1, kommun, [...areas].reverse());
    for (const a of areas) expect(backward.get(a.regsokod)).toEqual(forward.get(a.regsokod));
  });

  it('gives areas with more DeSO the smaller, central pieces', () => {
    const pieces = splitKommun(1, kommun, areas);
    const byDeso = [...areas].sort((a, b) => b.nDeso - a.nDeso);
    const medianArea = (list: AreaToSplit[]) => list.map((a) => shapeArea(pieces.get(a.regsokod)!)).sort((x, y) => x - y)[2];
    expect(medianArea(byDeso.slice(0, 5))).toBeLessThan(medianArea(byDeso.slice(-5)) / 3);
  });

  it('keeps a single area as the whole kommun', () => {
    const [piece] = splitKommun(1, { kommunkod: '1407', geometry: loadKommun('1407') }, [{ regsokod: '1407R001', nDeso: 3 }]).values();
    expect(shapeArea(piece) / shapeArea(loadKommun('1407'))).toBeCloseTo(1, 4);
  });

  it('rejects an empty list and duplicate codes', () => {
    expect(() => splitKommun(1, kommun, [])).toThrow(RangeError);
    expect(() => splitKommun(1, kommun, [areas[0], areas[0]])).toThrow(/duplicate/);
  });
});
