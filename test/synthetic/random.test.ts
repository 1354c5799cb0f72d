import { describe, expect, it } from 'vitest';
import { deriveRng, type Rng } from '../../data/synthetic/random.ts';

function draw(rng: Rng, n: number, f: (r: Rng) => number): number[] {
  return Array.from({ length: n }, () => f(rng));
}

function meanAndVariance(values: readonly number[]): [number, number] {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  return [mean, values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1)];
}

describe('deriveRng', () => {
  it('gives the same stream for the same seed and key', () => {
    expect(draw(deriveRng(7, 'a'), 50, (r) => r.nextUint32())).toEqual(draw(deriveRng(7, 'a'), 50, (r) => r.nextUint32()));
  });

  it('gives unrelated streams for another key or seed', () => {
    const base = draw(deriveRng(7, 'area:0114R001'), 50, (r) => r.nextUint32());
    for (const other of [deriveRng(7, 'area:0114R002'), deriveRng(8, 'area:0114R001')]) {
      const values = draw(other, 50, (r) => r.nextUint32());
      expect(values.filter((v, i) => v === base[i]).length).toBe(0);
    }
  });

  it('rejects seeds that are not safe integers', () => {
    expect(() => deriveRng(1.5, 'x')).toThrow(RangeError);
  });
});

describe('Rng distributions', () => {
  const n = 100_000;

  it('next is uniform on [0, 1)', () => {
    const values = draw(deriveRng(1, 'uniform'), n, (r) => r.next());
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const [mean, variance] = meanAndVariance(values);
    expect(mean).toBeCloseTo(0.5, 2);
    expect(variance).toBeCloseTo(1 / 12, 3);
    const deciles = new Array(10).fill(0);
    for (const v of values) deciles[Math.floor(v * 10)]++;
    for (const count of deciles) expect(Math.abs(count - n / 10)).toBeLessThan(0.05 * (n / 10));
  });

  it('int covers [0, n) evenly', () => {
    const counts = new Array(6).fill(0);
    for (const v of draw(deriveRng(1, 'int'), 60_000, (r) => r.int(6))) counts[v]++;
    for (const count of counts) expect(Math.abs(count - 10_000)).toBeLessThan(500);
  });

  it('normal has the requested mean and sd, with gaussian tails', () => {
    const values = draw(deriveRng(1, 'normal'), n, (r) => r.normal(10, 3));
    const [mean, variance] = meanAndVariance(values);
    expect(mean).toBeCloseTo(10, 1);
    expect(Math.sqrt(variance)).toBeCloseTo(3, 1);
    const beyond2sd = values.filter((v) => Math.abs(v - 10) > 6).length / n;
    expect(beyond2sd).toBeGreaterThan(0.04);
    expect(beyond2sd).toBeLessThan(0.051);
  });

  it('lognormalFactor has mean 1', () => {
    const [mean] = meanAndVariance(draw(deriveRng(1, 'lognormal'), n, (r) => r.lognormalFactor(0.3)));
    expect(mean).toBeCloseTo(1, 2);
  });

  it.each([0.03, 3, 9.9, 10, 50, 2_000])('poisson(%s) has mean and variance λ', (lambda) => {
    const values = draw(deriveRng(1, `poisson:${lambda}`), n, (r) => r.poisson(lambda));
    expect(values.every((v) => Number.isInteger(v) && v >= 0)).toBe(true);
    const [mean, variance] = meanAndVariance(values);
    // Standard error of the mean is √(λ/n); allow 5 of them. The variance is checked to 5 %.
    expect(Math.abs(mean - lambda)).toBeLessThan(5 * Math.sqrt(lambda / n));
    expect(Math.abs(variance / lambda - 1)).toBeLessThan(0.05);
  });

  it.each([4, 20, 200])('poisson(%s) follows the Poisson probabilities, not just their moments', (lambda) => {
    const values = draw(deriveRng(1, `poisson-pmf:${lambda}`), n, (r) => r.poisson(lambda));
    const logFactorial = (k: number) => Array.from({ length: k }, (_, i) => Math.log(i + 1)).reduce((s, v) => s + v, 0);
    for (const k of [0.5, 0.8, 1, 1.2, 1.5].map((f) => Math.round(f * lambda))) {
      const expected = Math.exp(-lambda + k * Math.log(lambda) - logFactorial(k));
      const observed = values.filter((v) => v === k).length / n;
      expect(Math.abs(observed - expected)).toBeLessThan(5 * Math.sqrt(expected / n) + 1e-4);
    }
  });

  it('poisson of zero or a negative mean is 0', () => {
    const rng = deriveRng(1, 'poisson-none');
    expect([rng.poisson(0), rng.poisson(-1), rng.poisson(Number.NaN)]).toEqual([0, 0, 0]);
  });
});
