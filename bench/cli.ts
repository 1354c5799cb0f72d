/** The benchmarks' command-line inputs, shared by bench:tiles, bench:features and bench:core-spike: clear errors naming the flag or line. */
import { readFileSync } from 'node:fs';
import type { TileAddress } from '../tiles/grid.ts';

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

/** A tile list: one z/x/y per line. */
export function readTileList(file: string): TileAddress[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l, i) => {
      const m = /^(\d+)\/(\d+)\/(\d+)$/.exec(l);
      if (!m) throw new Error(`${file}:${i + 1}: expected z/x/y, got "${l}"`);
      return { z: Number(m[1]), x: Number(m[2]), y: Number(m[3]) };
    });
}
