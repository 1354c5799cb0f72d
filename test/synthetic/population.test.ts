import { describe, expect, it } from 'vitest';
import { modelPopulation, POPULATION_MODEL } from '../../data/synthetic/population.ts';

/** 3,363 areas shaped like the real RegSO: 1,754 single-DeSO areas, the rest with 2–13 DeSO. */
const areas = Array.from({ length: 3363 }, (_, i) => ({ regsokod: `${String(i % 290).padStart(4, '0')}R${String(i).padStart(4, '0')}`, nDeso: i < 1754 ? 1 : 2 + (i % 12) }));
const years = [2020, 2021, 2022, 2023, 2024];
const population = modelPopulation(7, areas, years);

describe('modelPopulation', () => {
  it('gives every area a whole number of inhabitants within the real RegSO range, every year', () => {
    expect([...population.keys()]).toEqual(years);
    for (const byCode of population.values()) {
      expect([...byCode.keys()]).toEqual(areas.map((a) => a.regsokod));
      for (const value of byCode.values()) {
        expect(Number.isInteger(value)).toBe(true);
        expect(value).toBeGreaterThanOrEqual(663);
        expect(value).toBeLessThanOrEqual(22_622);
      }
    }
  });

  it('averages about 1,770 inhabitants per DeSO, more DeSO meaning more people', () => {
    const byCode = population.get(2023)!;
    const total = areas.reduce((s, a) => s + byCode.get(a.regsokod)!, 0);
    const deso = areas.reduce((s, a) => s + a.nDeso, 0);
    expect(Math.abs(total / deso / POPULATION_MODEL.perDeso - 1)).toBeLessThan(0.03);
    const meanFor = (n: number) => {
      const list = areas.filter((a) => a.nDeso === n).map((a) => byCode.get(a.regsokod)!);
      return list.reduce((s, v) => s + v, 0) / list.length;
    };
    expect(meanFor(1)).toBeGreaterThan(1600);
    expect(meanFor(1)).toBeLessThan(1950);
    expect(meanFor(6)).toBeGreaterThan(5 * meanFor(1));
  });

  it('varies between areas with the same number of DeSO', () => {
    const values = areas.filter((a) => a.nDeso === 1).map((a) => population.get(2023)!.get(a.regsokod)!);
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
    expect(sd / mean).toBeGreaterThan(0.15);
    expect(sd / mean).toBeLessThan(0.25);
  });

  it('changes by at most 2 % from one year to the next, and does change', () => {
    let changed = 0;
    for (const { regsokod } of areas) {
      for (let i = 1; i < years.length; i++) {
        const ratio = population.get(years[i])!.get(regsokod)! / population.get(years[i - 1])!.get(regsokod)!;
        expect(Math.abs(ratio - 1)).toBeLessThanOrEqual(0.02);
        if (ratio !== 1) changed++;
      }
    }
    expect(changed).toBeGreaterThan(0.9 * areas.length * (years.length - 1));
  });

  it('is deterministic, seed-dependent and independent of which areas and years are asked for', () => {
    expect(modelPopulation(7, areas, years)).toEqual(population);
    expect(modelPopulation(8, areas, years).get(2023)).not.toEqual(population.get(2023));
    const subset = modelPopulation(7, [areas[2000], areas[5]], [2022]);
    expect(subset.get(2022)!.get(areas[5].regsokod)).toBe(population.get(2022)!.get(areas[5].regsokod));
    expect(subset.get(2022)!.get(areas[2000].regsokod)).toBe(population.get(2022)!.get(areas[2000].regsokod));
  });

  it('rejects an area without DeSO', () => {
    expect(() => modelPopulation(7, [{ regsokod: '0114R001', nDeso: 0 }], [2023])).toThrow(RangeError);
  });
});
