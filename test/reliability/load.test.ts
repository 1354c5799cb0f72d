/**
 * Load and reload under load, against the server process over the national dataset (`npm start` with a private
 * copy of the build): a mix of tiles, features, statistics and metadata at 128 keep-alive connections.
 * - load: 60 s → no failed request; the latency table is printed.
 * - reload under load: 10 reloads (POST /admin/reload, alternating between the bundled manifest and a copy with
 *   another title: two builds with different ids) while the load runs → no failed request, and every response
 *   carries one data version, the one its body names.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MANIFEST } from '../../data/build/build.ts';
import { deriveRng } from '../../data/synthetic/random.ts';
import { latencyTable, runLoad, type LoadResponse } from '../helpers/load.ts';
import { copyOfNationalBuild, startServerProcess, TEST_ADMIN_KEY, type ServerProcess } from '../helpers/server-process.ts';
import { discover, requestMix, versionInBody } from './mix.ts';

const SECONDS = Number(process.env.RELIABILITY_LOAD_SECONDS ?? 60);
const CONNECTIONS = Number(process.env.RELIABILITY_CONNECTIONS ?? 128);
const RELOADS = Number(process.env.RELIABILITY_RELOADS ?? 10);
/** Precompute of each reloaded version: z0–8 keeps ten national rebuilds within the suite's time. */
const RELOAD_PRECOMPUTE = process.env.RELIABILITY_RELOAD_PRECOMPUTE ?? '0-8';

describe('load', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServerProcess({ BUILD_DIR: await copyOfNationalBuild(), WATCH_SOURCES: 'false', LOG_LEVEL: 'warn' });
  });
  afterAll(() => server?.stop());

  it(`serves ${SECONDS} s at ${CONNECTIONS} connections without a failed request`, { timeout: SECONDS * 1000 + 120_000 }, async () => {
    const catalogue = await discover(server.url);
    const report = await runLoad({ url: server.url, connections: CONNECTIONS, seconds: SECONDS, next: requestMix(catalogue, deriveRng(1, 'load')) });
    console.log(`load: ${CONNECTIONS} connections, ${SECONDS} s\n${latencyTable(report)}`);
    expect(report.failures, report.failures.join("\n")).toEqual([]);
    expect(report.requests).toBeGreaterThan(SECONDS * 100);
    expect(server.child.exitCode).toBeNull();
  });
});

/** The bundled manifest with absolute paths (so that a copy elsewhere reads the same sources), title suffixed. */
async function manifestVariant(suffix: string): Promise<string> {
  const m = JSON.parse(await readFile(DEFAULT_MANIFEST, 'utf8'));
  const absolute = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(absolute);
    else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (k === 'file' && typeof v === 'string') (node as Record<string, unknown>)[k] = path.resolve(path.dirname(DEFAULT_MANIFEST), v);
        else absolute(v);
      }
    }
  };
  absolute(m);
  m.title.en += suffix;
  return JSON.stringify(m, null, 2);
}

describe('reload under load', () => {
  let server: ServerProcess;
  let manifest: string;
  const variants: string[] = [];
  beforeAll(async () => {
    manifest = path.join(await mkdtemp(path.join(tmpdir(), 'regso-reload-manifest-')), 'manifest.json');
    variants.push(await manifestVariant(''), await manifestVariant(' (reload test)'));
    await writeFile(manifest, variants[0]);
    server = await startServerProcess({ BUILD_DIR: await copyOfNationalBuild(), MANIFEST: manifest, PRECOMPUTE_ZOOMS: RELOAD_PRECOMPUTE, WATCH_SOURCES: 'false', LOG_LEVEL: 'warn' });
  });
  afterAll(() => server?.stop());

  it(`swaps ${RELOADS} times under load without a failed request or a mixed response`, { timeout: 900_000 }, async () => {
    const catalogue = await discover(server.url);
    const first = (await (await fetch(`${server.url}/dataset`)).json()) as { id: string };
    const served = new Set([first.id]);
    const headerVersions = new Set<string>();
    const check = (r: LoadResponse): string | undefined => {
      if (r.status >= 400) return `${r.request.path}: ${r.status}`;
      const header = r.headers['x-data-version'] as string | undefined;
      if (!header) return `${r.request.path}: no X-Data-Version`;
      headerVersions.add(header);
      const inBody = versionInBody(r.request.path, r.body);
      if (inBody !== undefined && inBody !== header) return `${r.request.path}: header ${header}, body ${inBody}`;
      return undefined;
    };
    let done = false;
    const results: { state: string; buildId: string; seconds: number }[] = [];
    const reloads = (async () => {
      try {
        for (let i = 0; i < RELOADS; i++) {
          // The first reload builds from the copied manifest (other source paths in the provenance: a new id), then
          // the two variants alternate.
          await writeFile(manifest, variants[(i + 1) % 2]);
          const res = await fetch(`${server.url}/admin/reload?wait=1`, { method: 'POST', headers: { 'X-API-Key': TEST_ADMIN_KEY } });
          const body = (await res.json()) as { state: string; buildId: string; seconds: number };
          results.push(body);
          served.add(body.buildId);
        }
      } finally {
        done = true;
      }
    })();
    const report = await runLoad({ url: server.url, connections: CONNECTIONS, seconds: 900, until: () => done, next: requestMix(catalogue, deriveRng(2, 'reload')), check });
    await reloads;
    console.log(`reload under load: ${results.length} reloads (${results.map((r) => `${r.state} ${r.seconds.toFixed(1)} s`).join(', ')})\n${latencyTable(report)}`);
    expect(results.map((r) => r.state)).toEqual(Array(RELOADS).fill('swapped'));
    expect(new Set(results.map((r) => r.buildId)).size).toBe(Math.min(RELOADS, 2));
    expect(report.failures, report.failures.join("\n")).toEqual([]);
    // Every version a response named was one the server swapped in, and the load saw the swaps.
    expect([...headerVersions].filter((v) => !served.has(v))).toEqual([]);
    expect(headerVersions.size).toBe(Math.min(RELOADS, 2) + 1);
    expect(server.child.exitCode).toBeNull();
  });
});
