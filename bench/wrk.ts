/**
 * wrk over the tile list (bench/wrk-tiles.lua): keep-alive, Accept-Encoding: gzip, every request a different tile.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { runChild } from './children.ts';

export const WRK_SCRIPT = path.join(import.meta.dirname, 'wrk-tiles.lua');

export interface WrkOptions {
  threads: number;
  connections: number;
  /** wrk's -d, e.g. "20s". */
  duration: string;
  /** CPUs to run wrk on (taskset -c), e.g. "1"; any if unset. */
  cpus?: string;
}

export interface WrkResult {
  requests: number;
  seconds: number;
  rps: number;
  bytes: number;
  /** Socket errors and non-2xx/3xx responses. */
  errors: { connect: number; read: number; write: number; status: number; timeout: number };
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  command: string;
}

export function wrkVersion(): string | null {
  const r = spawnSync('wrk', ['-v'], { encoding: 'utf8' });
  if (r.error) return null;
  return /wrk\s+(\S+)/.exec(`${r.stdout}${r.stderr}`)?.[1] ?? 'unknown';
}

/** GET `${origin}${prefix}${z/x/y}${suffix}` for every line of `list`, round robin. */
export async function runWrk(origin: string, list: string, prefix: string, suffix: string, o: WrkOptions, log: string): Promise<WrkResult> {
  const args = [`-t${o.threads}`, `-c${o.connections}`, `-d${o.duration}`, '--timeout', '10s', '-s', WRK_SCRIPT, origin, '--', list, prefix, suffix, String(o.threads)];
  const out = o.cpus === undefined ? await runChild('wrk', 'wrk', args, log) : await runChild('wrk', 'taskset', ['-c', o.cpus, 'wrk', ...args], log);
  const json = /^WRK_JSON (.+)$/m.exec(out)?.[1];
  if (!json) throw new Error(`no WRK_JSON line in wrk's output:\n${out}`);
  const r = JSON.parse(json) as {
    requests: number;
    duration_us: number;
    bytes: number;
    errors: WrkResult['errors'];
    latency_us: { p50: number; p90: number; p99: number; max: number; mean: number };
  };
  const seconds = r.duration_us / 1e6;
  const ms = (us: number): number => us / 1000;
  return {
    requests: r.requests,
    seconds,
    rps: r.requests / seconds,
    bytes: r.bytes,
    errors: r.errors,
    latencyMs: { p50: ms(r.latency_us.p50), p90: ms(r.latency_us.p90), p99: ms(r.latency_us.p99), max: ms(r.latency_us.max), mean: ms(r.latency_us.mean) },
    command: `wrk ${args.map((a) => (a.includes(' ') ? `'${a}'` : a)).join(' ')}`,
  };
}
