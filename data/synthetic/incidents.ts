/**
 * Synthetic police incidents (reported crimes) as points with a date and category, calibrated to the national
 * figures in docs/domain.md: 138 reported crimes per 1,000 inhabitants a year, two to three times more in
 * områdestyp 1 than in type 5, shootings about nine times more. Counts are Poisson around the model rate;
 * points fall strictly inside their area, about half of them clustered around a few hotspots per area.
 */
import type { MultiPolygon, Polygon } from 'geojson';
import { PolygonSampler } from './polygon-sampler.ts';
import { deriveRng, type Rng } from './random.ts';

export const INCIDENT_CATEGORIES = ['valdsbrott', 'stold', 'skadegorelse', 'narkotikabrott', 'bedrageri', 'ovrigt', 'skjutning'] as const;
export type IncidentCategory = (typeof INCIDENT_CATEGORIES)[number];

export interface CategoryModel {
  /** National reported crimes per 1,000 inhabitants and year, in the model's reference year. */
  ratePer1000: number;
  /**
   * Rate multipliers for områdestyp 1…5. Their mean weighted by the number of areas of each type in 2023
   * (162 / 293 / 835 / 1,781 / 292) is 1 (± 0.3 %, from rounding), so ratePer1000 stays the national rate.
   */
  byOmradestyp: readonly [number, number, number, number, number];
  /** Relative change per year after the reference year (2023 vs 2022 in Brå's figures, roughly). */
  trendPerYear: number;
}

/**
 * The synthetic incident model. Rates split Brå's ~1.5 million reported crimes (2022–2023) roughly by
 * chapter; `ovrigt` takes the rest so that all categories sum to the national 138 per 1,000 (2022).
 * Shootings: ~350–390 a year, 0.035 per 1,000. Resulting all-crime rate per type (per 1,000, reference year):
 * 272.6 / 198.0 / 143.8 / 119.6 / 100.5, type 1 : type 5 = 2.71; shootings type 1 : type 5 = 9.0.
 */
export const INCIDENT_MODEL = {
  referenceYear: 2022,
  /** Lognormal spread of an area's own level per category (persistent over years), mean-preserving. */
  areaSpread: 0.25,
  /** Share of points drawn around the area's hotspots rather than uniformly over it. */
  hotspotShare: 0.5,
  categories: {
    valdsbrott: { ratePer1000: 20, byOmradestyp: [2.94, 1.84, 1.06, 0.73, 0.55], trendPerYear: -0.02 },
    stold: { ratePer1000: 45, byOmradestyp: [1.48, 1.23, 1.04, 0.94, 0.79], trendPerYear: -0.04 },
    skadegorelse: { ratePer1000: 15, byOmradestyp: [2.25, 1.5, 1.03, 0.84, 0.66], trendPerYear: -0.03 },
    narkotikabrott: { ratePer1000: 9.5, byOmradestyp: [3.35, 1.95, 1.02, 0.7, 0.51], trendPerYear: 0.03 },
    bedrageri: { ratePer1000: 21, byOmradestyp: [1.3, 1.15, 1.0, 0.97, 0.9], trendPerYear: -0.05 },
    ovrigt: { ratePer1000: 27.465, byOmradestyp: [1.97, 1.48, 1.08, 0.84, 0.74], trendPerYear: 0 },
    skjutning: { ratePer1000: 0.035, byOmradestyp: [5.13, 1.99, 0.8, 0.63, 0.57], trendPerYear: -0.07 },
  } satisfies Record<IncidentCategory, CategoryModel>,
} as const;

/** Hotspot count per area (2–4) and spread: relative to the area's size, within street-to-village scale. */
const MIN_HOTSPOTS = 2;
const MAX_HOTSPOTS = 4;
const HOTSPOT_SPREAD = 0.08;
const MIN_HOTSPOT_SPREAD_M = 30;
const MAX_HOTSPOT_SPREAD_M = 400;
/** Tries to find a whole-metre point inside; only an area of a few m² can exhaust them. */
const MAX_POINT_TRIES = 10_000;

export interface IncidentArea {
  regsokod: string;
  /** EPSG:3006. */
  geometry: Polygon | MultiPolygon;
  populationByYear: Map<number, number>;
  omradestypByYear: Map<number, number>;
}

export interface Incident {
  /** EPSG:3006, whole metres. */
  x: number;
  y: number;
  /** YYYY-MM-DD. */
  date: string;
  category: IncidentCategory;
}

/** Expected reported crimes per 1,000 inhabitants and year for a category, områdestyp (1–5) and year. */
export function modelRate(category: IncidentCategory, omradestyp: number, year: number): number {
  const c: CategoryModel = INCIDENT_MODEL.categories[category];
  const multiplier = c.byOmradestyp[omradestyp - 1];
  if (multiplier === undefined || !Number.isInteger(omradestyp)) throw new RangeError(`områdestyp must be 1–5, got ${omradestyp}`);
  return c.ratePer1000 * multiplier * (1 + c.trendPerYear) ** (year - INCIDENT_MODEL.referenceYear);
}

interface Hotspot {
  x: number;
  y: number;
  spread: number;
}

/** Hotspots are the area's own and fixed over years and categories, like a square or a station would be. */
function hotspotsOf(seed: number, regsokod: string, sampler: PolygonSampler): Hotspot[] {
  const rng = deriveRng(seed, `hotspots:${regsokod}`);
  const spread = Math.min(MAX_HOTSPOT_SPREAD_M, Math.max(MIN_HOTSPOT_SPREAD_M, HOTSPOT_SPREAD * Math.sqrt(sampler.area)));
  return Array.from({ length: MIN_HOTSPOTS + rng.int(MAX_HOTSPOTS - MIN_HOTSPOTS + 1) }, () => {
    const [x, y] = sampler.sample(rng);
    return { x, y, spread };
  });
}

/** A whole-metre point strictly inside: rounding can push a point out, so the rounded point is tested. */
function drawPoint(rng: Rng, sampler: PolygonSampler, hotspots: readonly Hotspot[], regsokod: string): [number, number] {
  for (let i = 0; i < MAX_POINT_TRIES; i++) {
    let x: number;
    let y: number;
    if (rng.next() < INCIDENT_MODEL.hotspotShare) {
      const h = hotspots[rng.int(hotspots.length)];
      x = Math.round(rng.normal(h.x, h.spread));
      y = Math.round(rng.normal(h.y, h.spread));
    } else {
      const p = sampler.sample(rng);
      x = Math.round(p[0]);
      y = Math.round(p[1]);
    }
    if (sampler.contains(x, y)) return [x, y];
  }
  throw new Error(`${regsokod}: no whole-metre point found inside the area (is it degenerate?)`);
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Every day of the year as YYYY-MM-DD, built by counting rather than through Date and its time zones. */
function daysOf(year: number): string[] {
  const lengths = [31, isLeapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  const pad = (v: number) => String(v).padStart(2, '0');
  return lengths.flatMap((length, month) => Array.from({ length }, (_, d) => `${year}-${pad(month + 1)}-${pad(d + 1)}`));
}

function required(map: Map<number, number>, year: number, what: string, regsokod: string): number {
  const value = map.get(year);
  if (value === undefined || !Number.isFinite(value)) throw new RangeError(`${regsokod}: no ${what} for ${year}`);
  return value;
}

/**
 * Incidents area by area (in the order given), year by year, category by category. Every (area, year,
 * category) has its own random stream and every area its own level and hotspots, so an area's incidents are
 * the same whatever other areas or years are generated with it.
 */
export function* generateIncidents(seed: number, areas: readonly IncidentArea[], years: readonly number[]): Generator<Incident> {
  const days = new Map(years.map((year) => [year, daysOf(year)]));
  for (const area of areas) {
    const sampler = new PolygonSampler(area.geometry);
    const hotspots = hotspotsOf(seed, area.regsokod, sampler);
    const levelRng = deriveRng(seed, `incident-level:${area.regsokod}`);
    const levels = INCIDENT_CATEGORIES.map(() => levelRng.lognormalFactor(INCIDENT_MODEL.areaSpread));
    for (const year of years) {
      const population = required(area.populationByYear, year, 'population', area.regsokod);
      const typ = required(area.omradestypByYear, year, 'områdestyp', area.regsokod);
      const dates = days.get(year)!;
      for (const [c, category] of INCIDENT_CATEGORIES.entries()) {
        const rng = deriveRng(seed, `incidents:${area.regsokod}:${year}:${category}`);
        const count = rng.poisson((modelRate(category, typ, year) * population * levels[c]) / 1000);
        for (let i = 0; i < count; i++) {
          const [x, y] = drawPoint(rng, sampler, hotspots, area.regsokod);
          yield { x, y, date: dates[rng.int(dates.length)], category };
        }
      }
    }
  }
}
