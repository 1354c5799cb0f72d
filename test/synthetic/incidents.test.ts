import type { Polygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import { splitKommun } from '../../data/synthetic/areas.ts';
import {
  generateIncidents,
  INCIDENT_CATEGORIES,
  INCIDENT_MODEL,
  modelRate,
  type Incident,
  type IncidentArea,
  type IncidentCategory,
} from '../../data/synthetic/incidents.ts';
import { distanceToBoundary, insideBruteForce, loadKommun } from './geometry-helpers.ts';

/** Areas of each områdestyp in 2023 (types 1…5), the weights the model is calibrated on. */
const TYPE_COUNTS_2023 = [162, 293, 835, 1781, 292];
const NATIONAL_RATE = 138;

function square(x: number, y: number, size: number): Polygon {
  return { type: 'Polygon', coordinates: [[[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]] };
}

/** Square areas on a grid, `counts[t]` of områdestyp t + 1, all with the same population and type every year. */
function syntheticAreas(counts: readonly number[], population: number, years: readonly number[]): IncidentArea[] {
  return counts.flatMap((count, t) =>
    Array.from({ length: count }, (_, i) => ({
      regsokod: `9${t}00R${String(i).padStart(3, '0')}`,
      geometry: square(500_000 + 3000 * i, 6_500_000 + 3000 * t, 2000),
      populationByYear: new Map(years.map((y) => [y, population])),
      omradestypByYear: new Map(years.map((y) => [y, t + 1])),
    })),
  );
}

/** Counts by year, områdestyp and category (each area keeps its type every year). */
function tally(seed: number, areas: readonly IncidentArea[], years: readonly number[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const area of areas) {
    for (const incident of generateIncidents(seed, [area], years)) {
      const key = `${incident.date.slice(0, 4)}:${area.omradestypByYear.get(2022)}:${incident.category}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return counts;
}

function sumOf(counts: Map<string, number>, year: number, types: readonly number[], categories: readonly IncidentCategory[]): number {
  let sum = 0;
  for (const t of types) for (const c of categories) sum += counts.get(`${year}:${t}:${c}`) ?? 0;
  return sum;
}

describe('INCIDENT_MODEL', () => {
  const weights = TYPE_COUNTS_2023.map((n) => n / 3363);
  const allCrime = (typ: number) => INCIDENT_CATEGORIES.reduce((s, c) => s + modelRate(c, typ, INCIDENT_MODEL.referenceYear), 0);

  it('covers exactly the CSV categories', () => {
    expect(Object.keys(INCIDENT_MODEL.categories)).toEqual([...INCIDENT_CATEGORIES]);
  });

  it.each(INCIDENT_CATEGORIES)('%s: multipliers average 1 over the 2023 type distribution and fall from type 1 to 5', (category) => {
    const m = INCIDENT_MODEL.categories[category].byOmradestyp;
    expect(Math.abs(m.reduce((s, v, i) => s + v * weights[i], 0) - 1)).toBeLessThan(0.005);
    for (let t = 1; t < 5; t++) expect(m[t]).toBeLessThan(m[t - 1]);
  });

  it('sums to the national 138 reported crimes per 1,000 inhabitants', () => {
    const national = [1, 2, 3, 4, 5].reduce((s, t) => s + weights[t - 1] * allCrime(t), 0);
    expect(Math.abs(national / NATIONAL_RATE - 1)).toBeLessThan(0.01);
  });

  it('has 2–3 times more crime in type 1 than in type 5, and about 9 times more shootings', () => {
    expect(allCrime(1) / allCrime(5)).toBeGreaterThan(2);
    expect(allCrime(1) / allCrime(5)).toBeLessThan(3);
    const shootings = INCIDENT_MODEL.categories.skjutning;
    expect(shootings.byOmradestyp[0] / shootings.byOmradestyp[4]).toBeCloseTo(9, 0);
    expect(shootings.ratePer1000).toBeGreaterThan(0.03);
    expect(shootings.ratePer1000).toBeLessThan(0.04);
  });

  it('applies the yearly trend', () => {
    for (const c of INCIDENT_CATEGORIES) {
      expect(modelRate(c, 3, 2023) / modelRate(c, 3, 2022)).toBeCloseTo(1 + INCIDENT_MODEL.categories[c].trendPerYear, 10);
    }
    expect(() => modelRate('stold', 6, 2022)).toThrow(RangeError);
  });
});

describe('generateIncidents: rates', () => {
  // A tenth of Sweden's areas, in the 2023 proportions of types, 3,150 inhabitants each (the real mean).
  const years = [2022, 2023];
  const areas = syntheticAreas(TYPE_COUNTS_2023.map((n) => Math.round(n / 10)), 3150, years);
  const counts = tally(11, areas, years);
  const types = [1, 2, 3, 4, 5];
  const perThousand = (year: number, ts: number[], categories: readonly IncidentCategory[]) => {
    const population = areas.filter((a) => ts.includes(a.omradestypByYear.get(year)!)).length * 3.15;
    return sumOf(counts, year, ts, categories) / population;
  };

  it('reproduces the national rate of 138 per 1,000 within 5 %', () => {
    expect(Math.abs(perThousand(2022, types, INCIDENT_CATEGORIES) / NATIONAL_RATE - 1)).toBeLessThan(0.05);
  });

  it.each(INCIDENT_CATEGORIES.filter((c) => c !== 'skjutning'))('reproduces the national %s rate within 8 %', (category) => {
    const expected = types.reduce((s, t) => s + perThousandModel(category, t, areas), 0);
    expect(Math.abs(perThousand(2022, types, [category]) / expected - 1)).toBeLessThan(0.08);
  });

  it('has 2–3 times the all-crime rate in type 1 as in type 5', () => {
    const ratio = perThousand(2022, [1], INCIDENT_CATEGORIES) / perThousand(2022, [5], INCIDENT_CATEGORIES);
    expect(ratio).toBeGreaterThan(2);
    expect(ratio).toBeLessThan(3);
  });

  it('is a few per cent lower in 2023 than in 2022', () => {
    const change = sumOf(counts, 2023, types, INCIDENT_CATEGORIES) / sumOf(counts, 2022, types, INCIDENT_CATEGORIES) - 1;
    expect(change).toBeLessThan(-0.01);
    expect(change).toBeGreaterThan(-0.05);
  });

  it('has about 9 times more shootings per inhabitant in type 1 than in type 5', () => {
    // Shootings are rare: 100 areas of 20,000 inhabitants per type over two years give ~80 in type 5.
    const big = syntheticAreas([100, 0, 0, 0, 100], 20_000, years);
    const shootings = tally(12, big, years);
    const ratio = (sumOf(shootings, 2022, [1], ['skjutning']) + sumOf(shootings, 2023, [1], ['skjutning'])) /
      (sumOf(shootings, 2022, [5], ['skjutning']) + sumOf(shootings, 2023, [5], ['skjutning']));
    expect(ratio).toBeGreaterThan(6);
    expect(ratio).toBeLessThan(13);
  });
});

/** The model's expected count per 1,000 inhabitants, as a share of the whole set, from areas of type t. */
function perThousandModel(category: IncidentCategory, t: number, areas: readonly IncidentArea[]): number {
  const share = areas.filter((a) => a.omradestypByYear.get(2022) === t).length / areas.length;
  return share * modelRate(category, t, 2022);
}

describe('generateIncidents: points and dates', () => {
  const years = [2023, 2024];
  const kommuner = [
    { kod: '1407', n: 5 },
    { kod: '0120', n: 19 },
  ];
  const areas: IncidentArea[] = kommuner.flatMap(({ kod, n }) => {
    const codes = Array.from({ length: n }, (_, i) => ({ regsokod: `${kod}R${String(i + 1).padStart(3, '0')}`, nDeso: 1 + (i % 4) }));
    return [...splitKommun(3, { kommunkod: kod, geometry: loadKommun(kod) }, codes)].map(([regsokod, geometry], i) => ({
      regsokod,
      geometry,
      populationByYear: new Map(years.map((y) => [y, 4000])),
      omradestypByYear: new Map(years.map((y) => [y, 1 + (i % 5)])),
    }));
  });
  const perArea = areas.map((area) => [...generateIncidents(5, [area], years)]);

  it('puts every point, in whole metres, strictly inside its own area', () => {
    let checked = 0;
    areas.forEach((area, i) => {
      for (const { x, y } of perArea[i]) {
        expect(Number.isInteger(x) && Number.isInteger(y)).toBe(true);
        expect(insideBruteForce(area.geometry, x, y)).toBe(true);
        expect(distanceToBoundary(area.geometry, x, y)).toBeGreaterThan(0);
        checked++;
      }
    });
    expect(checked).toBeGreaterThan(20_000);
  });

  it('gives the same incidents whether areas are generated together or one by one', () => {
    expect([...generateIncidents(5, areas, years)]).toEqual(perArea.flat());
  });

  it('is deterministic and seed-dependent', () => {
    const once = [...generateIncidents(5, [areas[0]], years)];
    expect(once).toEqual(perArea[0]);
    expect([...generateIncidents(6, [areas[0]], years)]).not.toEqual(once);
  });

  it('dates every incident on a real day of its year, spread over the months', () => {
    const all: Incident[] = perArea.flat();
    const days = new Set(all.map((p) => p.date));
    expect(days.has('2024-02-29')).toBe(true);
    expect(days.has('2023-02-29')).toBe(false);
    for (const p of all) {
      expect(p.date).toMatch(/^(2023|2024)-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/);
      expect(INCIDENT_CATEGORIES).toContain(p.category);
    }
    for (const year of years) {
      const inYear = all.filter((p) => p.date.startsWith(`${year}-`));
      const months = new Array(12).fill(0);
      for (const p of inYear) months[Number(p.date.slice(5, 7)) - 1]++;
      const daysInMonth = [31, year === 2024 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
      months.forEach((count, m) => expect(Math.abs(count / ((inYear.length * daysInMonth[m]) / (year === 2024 ? 366 : 365)) - 1)).toBeLessThan(0.1));
    }
  });

  it('rejects an area without population or områdestyp for a year', () => {
    const noPopulation = { ...areas[0], populationByYear: new Map() };
    expect(() => [...generateIncidents(1, [noPopulation], [2023])]).toThrow(/population/);
    const badType = { ...areas[0], omradestypByYear: new Map([[2023, 7]]) };
    expect(() => [...generateIncidents(1, [badType], [2023])]).toThrow(RangeError);
  });
});

describe('generateIncidents: clustering', () => {
  // One 10 × 10 km type-1 area of 20,000 inhabitants: ~5,500 incidents a year.
  const area: IncidentArea = {
    regsokod: '9999R001',
    geometry: square(600_000, 6_600_000, 10_000),
    populationByYear: new Map([[2023, 20_000]]),
    omradestypByYear: new Map([[2023, 1]]),
  };
  const points = [...generateIncidents(21, [area], [2023])];

  const countsPerCell = (size: number) => {
    const counts = new Map<string, number>();
    for (const p of points) {
      const key = `${Math.floor((p.x - 600_000) / size)},${Math.floor((p.y - 6_600_000) / size)}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts;
  };

  it('clusters points around hotspots: the densest 5 % of 500 m cells hold far more than 5 %', () => {
    // Uniform points would put ~7 % there (the top 20 of 400 cells by chance); hotspots put ~40 %.
    const top = [...countsPerCell(500).values()].sort((a, b) => b - a).slice(0, 20);
    expect(top.reduce((s, v) => s + v, 0) / points.length).toBeGreaterThan(0.25);
  });

  it('keeps a uniform background: nearly every square kilometre has incidents', () => {
    expect(countsPerCell(1000).size).toBeGreaterThanOrEqual(98);
  });
});
