/**
 * Modelled population per RegSO and year. The real figures are not bundled; the number of DeSO is a good
 * proxy, since SCB cut DeSO to 700–2,700 inhabitants each.
 */
import { deriveRng } from './random.ts';

export const POPULATION_MODEL = {
  /** 5,984 DeSO hold Sweden's ~10.6 million inhabitants: about 1,770 each. */
  perDeso: 1770,
  /** Lognormal spread of an area's population around perDeso × nDeso (mean-preserving). */
  areaSpread: 0.2,
  /** The RegSO range at creation: no modelled area goes outside it. */
  min: 663,
  max: 22622,
  /** The year whose population is the base; other years drift from it. */
  baseYear: 2023,
  /**
   * Per-area growth per year and per-year wobble, both uniform in ±bound. Their sum keeps every change between
   * consecutive years within ±2 % (1.012 × 1.0025 / 0.9975 < 1.017, leaving room for rounding to whole people).
   */
  maxGrowth: 0.012,
  maxWobble: 0.0025,
} as const;

function clamp(value: number): number {
  return Math.min(POPULATION_MODEL.max, Math.max(POPULATION_MODEL.min, value));
}

/**
 * Population by year, then by regsokod (in the order of `years` and `areas`). Each area's and each year's
 * values come from their own random streams, so they do not depend on which other areas or years are asked for.
 */
export function modelPopulation(
  seed: number,
  areas: readonly { regsokod: string; nDeso: number }[],
  years: readonly number[],
): Map<number, Map<string, number>> {
  const m = POPULATION_MODEL;
  const result = new Map<number, Map<string, number>>(years.map((year) => [year, new Map()]));
  for (const { regsokod, nDeso } of areas) {
    if (!(Number.isInteger(nDeso) && nDeso >= 1)) throw new RangeError(`${regsokod}: nDeso must be a positive integer, got ${nDeso}`);
    const rng = deriveRng(seed, `population:${regsokod}`);
    const base = m.perDeso * nDeso * rng.lognormalFactor(m.areaSpread);
    const growth = rng.uniform(-m.maxGrowth, m.maxGrowth);
    for (const year of years) {
      const wobble = deriveRng(seed, `population:${regsokod}:${year}`).uniform(-m.maxWobble, m.maxWobble);
      const value = base * (1 + growth) ** (year - m.baseYear) * (1 + wobble);
      result.get(year)!.set(regsokod, Math.round(clamp(value)));
    }
  }
  return result;
}
