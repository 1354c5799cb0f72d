/**
 * Seeded pseudo-random numbers for the synthetic data. Every consumer derives its own stream from
 * (seed, key), e.g. one per area and year, so a value never depends on what else was generated before it
 * or in which order: adding, removing or reordering areas leaves every other area's output unchanged.
 */

/**
 * cyrb128 (public-domain string hash by bryc): four well-mixed 32-bit words from a string, enough to seed
 * sfc32's 128-bit state so that keys differing in one character give unrelated streams.
 */
function cyrb128(text: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

/** Coefficients of the Stirling series for ln Γ (as in NumPy's `loggam`), used by the PTRS acceptance test. */
const STIRLING = [
  8.333333333333333e-2, -2.777777777777778e-3, 7.936507936507937e-4, -5.952380952380952e-4, 8.417508417508418e-4,
  -1.917526917526918e-3, 6.41025641025641e-3, -2.955065359477124e-2, 1.796443723688307e-1, -1.3924322169059,
];

/** ln Γ(x) for x ≥ 1: shift x up to ≥ 7 where the Stirling series is exact to double precision, then shift back. */
function logGamma(x: number): number {
  if (x === 1 || x === 2) return 0;
  const shift = x < 7 ? Math.floor(7 - x) : 0;
  let x0 = x + shift;
  const inv2 = 1 / (x0 * x0);
  let series = STIRLING[STIRLING.length - 1];
  for (let k = STIRLING.length - 2; k >= 0; k--) series = series * inv2 + STIRLING[k];
  let result = series / x0 + 0.5 * Math.log(2 * Math.PI) + (x0 - 0.5) * Math.log(x0) - x0;
  for (let k = 0; k < shift; k++) {
    x0 -= 1;
    result -= Math.log(x0);
  }
  return result;
}

/** Below this mean Knuth's product method is fast (≈ λ uniforms per draw); above it PTRS is used. */
const KNUTH_MAX_LAMBDA = 10;

/** sfc32 (Chris Doty-Humphrey's Small Fast Counting generator): 128-bit state, passes PractRand, no BigInt needed. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  /** Box–Muller yields normals in pairs; the second is kept for the next call instead of being wasted. */
  private spareNormal: number | undefined;

  constructor(state: readonly [number, number, number, number]) {
    [this.a, this.b, this.c, this.d] = state;
    // The first outputs of a freshly seeded sfc32 are still correlated with the seed words.
    for (let i = 0; i < 15; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform in [min, max). */
  uniform(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Normal deviate (Box–Muller). */
  normal(mean = 0, sd = 1): number {
    if (this.spareNormal !== undefined) {
      const z = this.spareNormal;
      this.spareNormal = undefined;
      return mean + sd * z;
    }
    const radius = Math.sqrt(-2 * Math.log(1 - this.next())); // 1 − u ∈ (0, 1]: log never sees 0
    const angle = 2 * Math.PI * this.next();
    this.spareNormal = radius * Math.sin(angle);
    return mean + sd * radius * Math.cos(angle);
  }

  /** Lognormal factor with mean exactly 1: multiplicative noise that does not bias totals. */
  lognormalFactor(sd: number): number {
    return Math.exp(this.normal(-(sd * sd) / 2, sd));
  }

  /** Poisson deviate: Knuth's method for small λ, Hörmann's PTRS (transformed rejection, exact) for large λ. */
  poisson(lambda: number): number {
    if (!(lambda > 0)) return 0;
    return lambda < KNUTH_MAX_LAMBDA ? this.poissonKnuth(lambda) : this.poissonPtrs(lambda);
  }

  private poissonKnuth(lambda: number): number {
    const limit = Math.exp(-lambda);
    let k = 0;
    let product = this.next();
    while (product > limit) {
      k++;
      product *= this.next();
    }
    return k;
  }

  /** W. Hörmann (1993), "The transformed rejection method for generating Poisson random variables", as in NumPy. */
  private poissonPtrs(lambda: number): number {
    const logLambda = Math.log(lambda);
    const b = 0.931 + 2.53 * Math.sqrt(lambda);
    const a = -0.059 + 0.02483 * b;
    const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
    const vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
      const u = this.next() - 0.5;
      const v = this.next();
      const us = 0.5 - Math.abs(u);
      const k = Math.floor(((2 * a) / us + b) * u + lambda + 0.43);
      if (us >= 0.07 && v <= vr) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      const lhs = Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b);
      if (lhs <= -lambda + k * logLambda - logGamma(k + 1)) return k;
    }
  }
}

/**
 * The stream for `key` under `seed`. The seed is part of the hashed text, so different seeds give unrelated
 * streams for the same key, and the same (seed, key) always gives the same stream.
 */
export function deriveRng(seed: number, key: string): Rng {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
  return new Rng(cyrb128(`${seed}\u0000${key}`));
}
