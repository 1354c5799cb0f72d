/**
 * Summary of a V8 .cpuprofile (node --cpu-prof): self time by function and by module (node_modules package, node
 * internals, our files), and inclusive time of chosen functions — where a request's CPU goes.
 *
 *   node --import tsx bench/cpuprofile.ts FILE.cpuprofile [TOP]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  totalMs: number;
  /** Everything but (idle): time the process was on the CPU (as sampled). */
  busyMs: number;
  byFunction: { name: string; ms: number }[];
  byModule: { name: string; ms: number }[];
}

const ROOT = path.resolve(import.meta.dirname, '..');

/** Where a frame comes from: a node_modules package, a node internal area, our file, or a V8 pseudo-frame. */
export function moduleOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1];
  if (url.startsWith('node:')) {
    const m = /^node:(internal\/)?([^/]+(?:\/[^/]+)?)/.exec(url);
    return `node:${m?.[2] ?? url.slice(5)}`;
  }
  const file = url.startsWith('file://') ? new URL(url).pathname : url;
  return path.relative(ROOT, file) || file;
}

/**
 * `window`: only samples taken within [from, to], in µs of the profile's clock (V8 takes CLOCK_MONOTONIC on Linux, as
 * process.hrtime does); a window that misses the profile entirely is an error.
 */
export function summarizeProfile(file: string, top = 25, window?: [number, number]): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  if (window && (window[1] < p.startTime || window[0] > p.endTime)) {
    throw new Error(`window ${window[0]}–${window[1]} µs is outside the profile (${p.startTime}–${p.endTime} µs): not the same clock?`);
  }
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let at = p.startTime;
  for (let i = 0; i < p.samples.length; i++) {
    const delta = p.timeDeltas[i] ?? 0;
    at += delta;
    if (window && (at < window[0] || at > window[1])) continue;
    self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + delta);
  }
  const fn = new Map<string, number>();
  const mod = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of self) {
    const n = byId.get(id)!;
    const { functionName, url, lineNumber } = n.callFrame;
    total += us;
    if (functionName === '(idle)') idle += us;
    const m = moduleOf(url, functionName);
    const name = `${functionName || '(anonymous)'} ${url ? `${m}:${lineNumber + 1}` : ''}`.trim();
    fn.set(name, (fn.get(name) ?? 0) + us);
    mod.set(m, (mod.get(m) ?? 0) + us);
  }
  const sorted = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: us / 1000 }));
  return { totalMs: total / 1000, busyMs: (total - idle) / 1000, byFunction: sorted(fn), byModule: sorted(mod) };
}

/** With `requests` (served within the profile or window), also CPU µs per request. */
export function formatSummary(s: ProfileSummary, requests?: number): string {
  const perReq = (ms: number) => (requests ? `  ${((1000 * ms) / requests).toFixed(1).padStart(5)} µs/req` : '');
  const pct = (ms: number) => `${((100 * ms) / s.busyMs).toFixed(1).padStart(5)} %${perReq(ms)}`;
  const lines = [
    `profile: ${(s.totalMs / 1000).toFixed(1)} s sampled, ${(s.busyMs / 1000).toFixed(1)} s busy (not idle)${requests ? `, ${requests.toLocaleString('en-US')} requests: ${((1000 * s.busyMs) / requests).toFixed(1)} µs busy per request (sampled wall time on the CPU thread, time descheduled inside a call included)` : ''}; shares of busy time:`,
    '  self time by module:',
  ];
  for (const m of s.byModule) if (m.name !== '(idle)') lines.push(`    ${pct(m.ms)}  ${m.name}`);
  lines.push('  self time by function:');
  for (const f of s.byFunction) if (!f.name.startsWith('(idle)')) lines.push(`    ${pct(f.ms)}  ${f.name}`);
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const [file, top] = process.argv.slice(2);
  if (!file) throw new Error('usage: cpuprofile.ts FILE.cpuprofile [TOP]');
  console.log(formatSummary(summarizeProfile(file, Number(top ?? 25))));
}
