/** Checks of the benchmarks' command-line options, shared by bench:tiles and bench:features: clear errors naming the flag. */

export function positiveInt(name: string, s: string): number {
  if (!/^\d+$/.test(s) || Number(s) < 1) throw new Error(`--${name} ${s}: expected a positive integer`);
  return Number(s);
}

/** A wrk duration such as 10s or 1m. */
export function checkDuration(s: string): string {
  if (!/^\d+(\.\d+)?[smh]?$/.test(s)) throw new Error(`--duration ${s}: expected e.g. 10s, 1m`);
  return s;
}

/** The parts named by `--skip a,b` (each one of `parts`). */
export function parseSkip<P extends string>(value: string, parts: readonly P[]): Set<P> {
  const skip = new Set<P>();
  for (const s of value.split(',').map((p) => p.trim()).filter(Boolean)) {
    if (!(parts as readonly string[]).includes(s)) throw new Error(`--skip ${s}: expected any of ${parts.join(',')}`);
    skip.add(s as P);
  }
  return skip;
}
