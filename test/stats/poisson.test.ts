/** The exact Poisson interval against published reference values (Garwood 1936; tables in Ulm 1990, Sahai & Khurshid 1993). */
import { describe, expect, it } from 'vitest';
import { gammaP, gammaQuantile, logGamma, poissonInterval } from '../../data/stats/poisson.ts';

describe('exact Poisson interval', () => {
  it.each([
    // count, lower, upper: 95 % exact limits as tabulated (3–4 significant digits)
    [0, 0, 3.689],
    [1, 0.0253, 5.572],
    [2, 0.2422, 7.225],
    [5, 1.6235, 11.668],
    [10, 4.795, 18.39],
    [20, 12.217, 30.889],
    [100, 81.364, 121.627],
  ])('count %i → [%f, %f]', (count, lower, upper) => {
    const [lo, hi] = poissonInterval(count);
    expect(lo).toBeCloseTo(lower, lower < 1 ? 3 : 2);
    expect(hi).toBeCloseTo(upper, 2);
  });

  it('holds for large counts: close to the normal approximation', () => {
    const n = 100_000;
    const [lo, hi] = poissonInterval(n);
    expect(Math.abs(lo - (n - 1.96 * Math.sqrt(n)))).toBeLessThan(2);
    expect(Math.abs(hi - (n + 1.96 * Math.sqrt(n)))).toBeLessThan(2);
  });

  it('inverts the incomplete gamma function it is built on', () => {
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
    // P(1, x) = 1 − e^−x
    for (const x of [0.1, 1, 5, 30]) expect(gammaP(1, x)).toBeCloseTo(1 - Math.exp(-x), 12);
    for (const a of [0.5, 3, 47.5, 2000]) for (const p of [0.025, 0.5, 0.975]) expect(gammaP(a, gammaQuantile(p, a))).toBeCloseTo(p, 10);
  });
});
