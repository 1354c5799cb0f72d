/**
 * Exact (Garwood) confidence intervals for a Poisson count, from the quantiles of the gamma distribution:
 * lower = Γ⁻¹(α/2; k), upper = Γ⁻¹(1 − α/2; k + 1) with scale 1 — the same as χ²(α/2; 2k)/2 and χ²(1 − α/2; 2k + 2)/2.
 * A small self-contained implementation (Lanczos log-gamma, Numerical Recipes' incomplete gamma, safeguarded Newton)
 * rather than a statistics library for two functions.
 */

const LANCZOS = [676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];

/** ln Γ(x) for x > 0 (Lanczos, g = 7: about 15 significant digits). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = 0.99999999999980993;
  for (let i = 0; i < LANCZOS.length; i++) a += LANCZOS[i] / (z + i + 1);
  const t = z + LANCZOS.length - 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

const EPS = 1e-15;
const MAX_TERMS = 100_000;

/** The regularized lower incomplete gamma function P(a, x) = γ(a, x) / Γ(a), for a > 0, x ≥ 0. */
export function gammaP(a: number, x: number): number {
  if (x <= 0) return 0;
  const logPrefix = a * Math.log(x) - x - logGamma(a);
  if (x < a + 1) {
    // Series: converges fast below the mode.
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < MAX_TERMS && Math.abs(term) > Math.abs(sum) * EPS; n++) {
      term *= x / (a + n);
      sum += term;
    }
    return Math.min(1, sum * Math.exp(logPrefix));
  }
  // Continued fraction for Q(a, x) (modified Lentz): converges fast above the mode.
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_TERMS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return Math.max(0, 1 - Math.exp(logPrefix) * h);
}

/** The p-quantile of the gamma distribution with shape a > 0 and scale 1. */
export function gammaQuantile(p: number, a: number): number {
  if (p <= 0) return 0;
  if (p >= 1) return Infinity;
  // Bracket, then Newton steps that fall back to bisection whenever they leave the bracket.
  let lo = 0;
  let hi = a + 10 * Math.sqrt(a) + 40;
  while (gammaP(a, hi) < p) hi *= 2;
  let x = Math.max(EPS, Math.min(hi, wilsonHilferty(p, a)));
  for (let i = 0; i < 200; i++) {
    const f = gammaP(a, x) - p;
    if (f < 0) lo = x;
    else hi = x;
    const density = Math.exp((a - 1) * Math.log(x) - x - logGamma(a));
    let next = density > 0 ? x - f / density : NaN;
    if (!(next > lo && next < hi)) next = (lo + hi) / 2;
    if (Math.abs(next - x) <= 1e-12 * Math.max(1, x)) return next;
    x = next;
  }
  return x;
}

/** A starting point for Newton: the Wilson–Hilferty approximation (within a few percent except for tiny shapes). */
function wilsonHilferty(p: number, a: number): number {
  const v = 1 / (9 * a);
  return a * Math.max(0, 1 - v + normalQuantile(p) * Math.sqrt(v)) ** 3 || a;
}

/** The standard normal p-quantile, Abramowitz & Stegun 26.2.23 (error below 4.5e-4: a starting point only). */
function normalQuantile(p: number): number {
  const q = Math.min(p, 1 - p);
  const t = Math.sqrt(-2 * Math.log(q));
  const z = t - (2.515517 + 0.802853 * t + 0.010328 * t * t) / (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t);
  return p < 0.5 ? -z : z;
}

/** The exact two-sided (1 − alpha) interval for the mean of a Poisson count (a non-integer count is accepted). */
export function poissonInterval(count: number, alpha = 0.05): [number, number] {
  const lower = count > 0 ? gammaQuantile(alpha / 2, count) : 0;
  return [lower, gammaQuantile(1 - alpha / 2, count + 1)];
}
