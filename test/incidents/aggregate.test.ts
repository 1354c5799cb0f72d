import type { Polygon, Position } from 'geojson';
import { describe, expect, it } from 'vitest';
import { IncidentAggregator, OUTSIDE_SAMPLES } from '../../data/incidents/aggregate.ts';
import { AreaIndex } from '../../data/incidents/area-index.ts';
import { BruteForce, kommuner, mulberry32, samplePoints } from './brute-force.ts';

const rect = (x0: number, y0: number, x1: number, y1: number): Polygon => ({
  type: 'Polygon',
  coordinates: [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]] as Position[]],
});

describe('IncidentAggregator on hand-made geometry', () => {
  // Areas 0 and 1 overlap on 5 ≤ x < 10; area 2 is apart.
  const index = new AreaIndex([rect(0, 0, 10, 10), rect(5, 0, 15, 10), rect(20, 0, 30, 10)].map((geometry) => ({ geometry })));

  it('counts per category, year and area; overlaps as ambiguous in the lowest area; outside points with samples', () => {
    const agg = new IncidentAggregator(index);
    agg.add(1, 1, 2023, 'stold', 2);
    agg.add(2, 2, 2023, 'stold', 3);
    agg.add(7, 7, 2023, 'stold', 4); // in 0 and 1
    agg.add(12, 1, 2024, 'stold', 5);
    agg.add(25, 5, 2024, 'rån', 6);
    agg.addPoint({ x: 26, y: 5, year: 2024, category: 'rån' });
    agg.add(17, 5, 2024, 'rån', 8); // between areas
    agg.add(-5, 5, 2023, 'stold'); // no line given
    const r = agg.result();
    expect(r.total).toBe(8);
    expect(r.outside).toBe(2);
    expect(r.ambiguous).toBe(1);
    expect(r.outsideSamples).toEqual([{ x: 17, y: 5, line: 8 }, { x: -5, y: 5 }]);
    expect([...r.counts.keys()].sort()).toEqual(['rån', 'stold']);
    expect([...r.counts.get('stold')!.get(2023)!]).toEqual([3, 0, 0]);
    expect([...r.counts.get('stold')!.get(2024)!]).toEqual([0, 1, 0]);
    expect([...r.counts.get('rån')!.get(2024)!]).toEqual([0, 0, 2]);
    expect(r.counts.get('rån')!.has(2023)).toBe(false);
  });

  it('keeps only the first samples of outside points but counts them all', () => {
    const agg = new IncidentAggregator(index);
    for (let i = 0; i < 3 * OUTSIDE_SAMPLES; i++) agg.add(100 + i, 100, 2024, 'x', i + 1);
    const r = agg.result();
    expect(r.outside).toBe(3 * OUTSIDE_SAMPLES);
    expect(r.outsideSamples.map((s) => s.line)).toEqual(Array.from({ length: OUTSIDE_SAMPLES }, (_, i) => i + 1));
    expect(r.counts.size).toBe(0);
  });

  it('rejects a non-integer year without counting the point', () => {
    const agg = new IncidentAggregator(index);
    agg.add(1, 1, 2024, 'stold');
    expect(() => agg.add(1, 1, 2024.5, 'stold')).toThrow(/year/);
    expect(() => agg.add(1, 1, Number.NaN, 'stold')).toThrow(/year/);
    expect(agg.result().total).toBe(1);
  });
});

describe('IncidentAggregator against brute force on the 290 kommuner', () => {
  it('tallies 20,000 mixed points exactly as a brute-force scan does', () => {
    const polygons = kommuner();
    const brute = new BruteForce(polygons);
    const agg = new IncidentAggregator(new AreaIndex(polygons.map((geometry) => ({ geometry }))));
    const { xs, ys } = samplePoints(polygons, 20_000, 21);
    const rnd = mulberry32(22);
    const categories = ['stold', 'valdsbrott', 'skadegorelse'];
    const want = new Map<string, Float64Array>();
    let outside = 0;
    let ambiguous = 0;
    for (let i = 0; i < xs.length; i++) {
      const year = 2020 + Math.floor(rnd() * 5);
      const category = categories[Math.floor(rnd() * categories.length)];
      agg.add(xs[i], ys[i], year, category, i + 1);
      const hits = brute.all(xs[i], ys[i]);
      if (hits.length === 0) {
        outside++;
        continue;
      }
      if (hits.length > 1) ambiguous++;
      const key = `${category}/${year}`;
      if (!want.has(key)) want.set(key, new Float64Array(polygons.length));
      want.get(key)![hits[0]]++;
    }
    const r = agg.result();
    expect(r.total).toBe(xs.length);
    expect(r.outside).toBe(outside);
    expect(r.ambiguous).toBe(ambiguous);
    const got = new Map<string, Float64Array>();
    for (const [category, byYear] of r.counts) for (const [year, counts] of byYear) got.set(`${category}/${year}`, counts);
    expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
    for (const [key, counts] of want) expect([...got.get(key)!], key).toEqual([...counts]);
    let counted = 0;
    for (const counts of got.values()) for (const c of counts) counted += c;
    expect(counted + r.outside).toBe(r.total);
    expect(outside).toBeGreaterThan(0);
  });
});
