/**
 * Seeded synthetic incident points for the ingest benchmark: same seed, same points, on any machine.
 * ~90 % are aimed inside areas (an area drawn uniformly — RegSO are built to have similar populations, so this is
 * roughly population-weighted — then rejection-sampled in its bbox), ~10 % fall anywhere in Sweden's bbox, so some
 * land outside every area (sea, neighbouring countries, gaps in the area set).
 */
import type { AreaIndex } from '../data/incidents/area-index.ts';

/** Sweden in EPSG:3006 (the kommun polygons span 277 248–917 271 E, 6 133 891–7 669 870 N), with a margin. */
export const SWEDEN_BBOX_3006 = [265_000, 6_130_000, 925_000, 7_680_000] as const;
export const CATEGORIES = ['valdsbrott', 'stold', 'skadegorelse', 'narkotikabrott', 'bedrageri', 'ovrigt', 'skjutning'] as const;
export const YEARS = [2020, 2021, 2022, 2023, 2024] as const;
const INSIDE_SHARE = 0.9;
/** Rejection tries per point before keeping the last candidate (thin or island-scattered areas fill little of their bbox). */
const MAX_TRIES = 1000;

export interface SyntheticPoints {
  n: number;
  xs: Float64Array;
  ys: Float64Array;
  /** Index into YEARS / CATEGORIES. */
  year: Uint8Array;
  category: Uint8Array;
  /** Points aimed inside an area, and how many of those gave up after MAX_TRIES (kept anyway). */
  aimedInside: number;
  gaveUp: number;
}

/** mulberry32 (public domain, Tommy Ettinger): 32-bit state, uniform in [0, 1). Plenty for a benchmark. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function syntheticPoints(index: AreaIndex, n: number, seed: number, progress?: (done: number) => void): SyntheticPoints {
  const rnd = mulberry32(seed);
  const xs = new Float64Array(n), ys = new Float64Array(n);
  const year = new Uint8Array(n), category = new Uint8Array(n);
  const [sx0, sy0, sx1, sy1] = SWEDEN_BBOX_3006;
  let aimedInside = 0, gaveUp = 0;
  for (let i = 0; i < n; i++) {
    if (progress !== undefined && i % 500_000 === 0 && i > 0) progress(i);
    year[i] = Math.floor(rnd() * YEARS.length);
    category[i] = Math.floor(rnd() * CATEGORIES.length);
    if (index.size === 0 || rnd() >= INSIDE_SHARE) {
      xs[i] = sx0 + rnd() * (sx1 - sx0);
      ys[i] = sy0 + rnd() * (sy1 - sy0);
      continue;
    }
    aimedInside++;
    const area = Math.floor(rnd() * index.size);
    const [x0, y0, x1, y1] = index.bboxOf(area);
    let x = 0, y = 0, tries = 0;
    do {
      x = x0 + rnd() * (x1 - x0);
      y = y0 + rnd() * (y1 - y0);
    } while (!index.contains(area, x, y) && ++tries < MAX_TRIES);
    if (tries === MAX_TRIES) gaveUp++;
    xs[i] = x;
    ys[i] = y;
  }
  return { n, xs, ys, year, category, aimedInside, gaveUp };
}
