/**
 * GET /metrics over the mini dataset (SYNTHETIC TEST FIXTURE): the Prometheus exposition parsed line by line —
 * requests counted once each by route template (fast path, Koa, unknown paths), method, status and client family;
 * latency histograms; the tile cache counters equal to the cache's own figures; tile generation times; the data
 * version before and after a swap; precompute progress; the optional role; one registry per app.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandler } from '../../server/app.ts';
import type { AuditEntry } from '../../server/audit.ts';
import { sha256Hex } from '../../server/auth.ts';
import { configSchema } from '../../server/config.ts';
import { SWEREF99_TM } from '../../tiles/grid.ts';
import { startMiniServer, type MiniServer } from '../helpers/mini-server.ts';

let mini: MiniServer;
beforeAll(async () => {
  mini = await startMiniServer();
});
afterAll(() => mini.close());

const QGIS = 'Mozilla/5.0 QGIS/32216/Debian GNU/Linux 12 (bookworm)';
const GDAL = 'GDAL/3.6.2';
const CURL = 'curl/7.88.1';
const PROMETHEUS = 'Prometheus/2.53.0';

const XYZ_TILE = '/tiles/:tileset/:z/:x/:file';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

interface Exposition {
  types: Map<string, string>;
  samples: Sample[];
}

/** A number as the format writes it (`+Inf`, `-Inf`, `NaN` included). */
const promNumber = (s: string) => (s === '+Inf' ? Infinity : s === '-Inf' ? -Infinity : Number(s));

/** The text exposition format 0.0.4: `# TYPE name type` and `name{label="value",…} value` lines. */
function parseExposition(text: string): Exposition {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) types.set(type[1], type[2]);
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, name, value] of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[name] = value.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    samples.push({ name: m[1], labels, value: promNumber(m[3]) });
  }
  return { types, samples };
}

/** The sum of the samples of `name` whose labels include `labels`. */
function valueOf({ samples }: Exposition, name: string, labels: Record<string, string> = {}): number {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((sum, s) => sum + s.value, 0);
}

async function scrape(handler = mini.handler, headers: Record<string, string> = {}): Promise<Exposition> {
  const res = await request(handler).get('/metrics').set('User-Agent', PROMETHEUS).set(headers).expect(200);
  return parseExposition(res.text);
}

/** The request counter as a map from its label values to its count. */
function requestCounts(e: Exposition): Map<string, number> {
  const key = (l: Record<string, string>) => JSON.stringify([l.route, l.method, l.status, l.client]);
  return new Map(e.samples.filter((s) => s.name === 'regso_tiles_http_requests_total').map((s) => [key(s.labels), s.value]));
}

function increases(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  const diff = new Map<string, number>();
  for (const [k, v] of after) if (v !== (before.get(k) ?? 0)) diff.set(k, v - (before.get(k) ?? 0));
  return diff;
}

const get = (path: string, userAgent: string) => request(mini.handler).get(path).set('User-Agent', userAgent);

describe('GET /metrics', () => {
  it('answers the Prometheus text format 0.0.4, uncached, with the process metrics', async () => {
    const res = await request(mini.handler).get('/metrics').expect(200);
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    const { types } = parseExposition(res.text);
    expect(types.get('process_cpu_user_seconds_total')).toBe('counter');
    expect(types.get('nodejs_heap_size_used_bytes')).toBe('gauge');
    expect(types.get('regso_tiles_http_requests_total')).toBe('counter');
    expect(types.get('regso_tiles_http_request_duration_seconds')).toBe('histogram');
    expect(types.get('regso_tiles_tile_generation_seconds')).toBe('histogram');
    expect(types.get('regso_tiles_tile_cache_hits_total')).toBe('counter');
  });

  it('counts each request once by route template, method, status and client family: fast path, Koa, 404s', async () => {
    const tile = '/tiles/omradestyper-2023/10/553/297.mvt';
    const before = await scrape();
    const cacheBefore = mini.store.cache.stats();
    await get(tile, QGIS).expect(200); // made through Koa
    await get(tile, QGIS).expect(200); // cached: the fast path
    await get('/tiles/omradestyper/15/0/0.mvt', QGIS).expect(404);
    await get('/collections/regso/items?limit=1', GDAL).expect(200);
    await get('/nothing/here', CURL).expect(404);
    const after = await scrape();
    const cacheAfter = mini.store.cache.stats();

    const row = (route: string, status: number, client: string) => JSON.stringify([route, 'GET', String(status), client]);
    expect(increases(requestCounts(before), requestCounts(after))).toEqual(
      new Map([
        [row('/metrics', 200, 'other'), 1], // the first scrape, counted when it finished
        [row(XYZ_TILE, 200, 'qgis'), 2],
        [row(XYZ_TILE, 404, 'qgis'), 1],
        [row('/collections/:collectionId/items', 200, 'gdal'), 1],
        [row('unmatched', 404, 'curl'), 1],
      ]),
    );
    // Templates only: no label holds a path that was asked for, or a query.
    const routes = new Set(after.samples.filter((s) => s.name === 'regso_tiles_http_requests_total').map((s) => s.labels.route));
    for (const route of routes) expect(route === 'unmatched' || (route.startsWith('/') && !route.includes('?') && !/\/\d/.test(route)), route).toBe(true);

    const latency = 'regso_tiles_http_request_duration_seconds';
    expect(valueOf(after, `${latency}_count`, { route: XYZ_TILE }) - valueOf(before, `${latency}_count`, { route: XYZ_TILE })).toBe(3);
    expect(valueOf(after, `${latency}_count`, { route: 'unmatched' }) - valueOf(before, `${latency}_count`, { route: 'unmatched' })).toBe(1);
    const buckets = after.samples.filter((s) => s.name === `${latency}_bucket` && s.labels.route === XYZ_TILE);
    const bounds = buckets.map((b) => promNumber(b.labels.le));
    expect(bounds[0]).toBe(0.0001);
    expect(bounds.at(-2)).toBe(10);
    expect(bounds.at(-1)).toBe(Infinity);
    for (let i = 1; i < buckets.length; i++) expect(buckets[i].value).toBeGreaterThanOrEqual(buckets[i - 1].value);
    expect(buckets.at(-1)!.value).toBe(valueOf(after, `${latency}_count`, { route: XYZ_TILE }));

    // The cache figures are the cache's own, read when scraped: one hit (the fast path's) in between.
    expect(valueOf(after, 'regso_tiles_tile_cache_hits_total')).toBe(cacheAfter.hits);
    expect(valueOf(after, 'regso_tiles_tile_cache_misses_total')).toBe(cacheAfter.misses);
    expect(valueOf(after, 'regso_tiles_tile_cache_evictions_total')).toBe(cacheAfter.evictions);
    expect(valueOf(after, 'regso_tiles_tile_cache_entries')).toBe(cacheAfter.entries);
    expect(valueOf(after, 'regso_tiles_tile_cache_bytes')).toBe(cacheAfter.bytes);
    expect(valueOf(after, 'regso_tiles_tile_cache_max_bytes')).toBe(16 * 1024 * 1024);
    expect(valueOf(after, 'regso_tiles_tile_cache_hits_total') - valueOf(before, 'regso_tiles_tile_cache_hits_total')).toBe(cacheAfter.hits - cacheBefore.hits);
    expect(cacheAfter.hits - cacheBefore.hits).toBe(1);
  });

  it('times every tile made, by grid and zoom level, and none served from the cache', async () => {
    // A SWEREF 99 TM tile of the data at level 8 (row before column), from the grid's origin and root tile side.
    const side = SWEREF99_TM.span0 / 2 ** 8;
    const [col, row] = [Math.floor((661_000 - SWEREF99_TM.origin[0]) / side), Math.floor((SWEREF99_TM.origin[1] - 6_601_000) / side)];
    const esri = `/arcgis/rest/services/omradestyper-2022-3006/VectorTileServer/tile/8/${row}/${col}.pbf`;
    const generation = 'regso_tiles_tile_generation_seconds_count';
    const before = await scrape();
    const entries = mini.store.cache.stats().entries;
    await get('/tiles/omradestyper-2022/11/1106/594.mvt', QGIS).expect(200);
    await get('/tiles/omradestyper-2022/11/1106/594.mvt', QGIS).expect(200);
    await get(esri, 'ArcGIS Pro 3.3.0 (00000000000) - ArcGISPro').expect(200);
    const after = await scrape();
    const made = (labels: Record<string, string>) => valueOf(after, generation, labels) - valueOf(before, generation, labels);
    expect(made({ grid: 'WebMercatorQuad', zoom: '11' })).toBe(1);
    expect(made({ grid: 'SWEREF99TM', zoom: '8' })).toBe(1);
    expect(made({})).toBe(mini.store.cache.stats().entries - entries);
    expect(valueOf(after, 'regso_tiles_tile_generation_seconds_sum', { grid: 'SWEREF99TM', zoom: '8' })).toBeGreaterThan(0);
    const row2 = JSON.stringify(['/arcgis/rest/services/:name/VectorTileServer/tile/:z/:y/:file', 'GET', '200', 'arcgis-pro']);
    expect(increases(requestCounts(before), requestCounts(after)).get(row2)).toBe(1);
  });

  it('reports precompute progress of the version served', async () => {
    const idle = await scrape();
    expect(valueOf(idle, 'regso_tiles_precompute_state', { state: 'idle' })).toBe(1);
    expect(valueOf(idle, 'regso_tiles_precompute_ratio')).toBe(0);
    const entries = mini.store.cache.stats().entries;
    const progress = await mini.store.current.tiles.precompute(0, 2);
    const done = await scrape();
    expect(progress.total).toBeGreaterThan(0);
    expect(valueOf(done, 'regso_tiles_precompute_ratio')).toBe(1);
    expect(Object.fromEntries(done.samples.filter((s) => s.name === 'regso_tiles_precompute_state').map((s) => [s.labels.state, s.value]))).toEqual({ idle: 0, running: 0, done: 1, stopped: 0 });
    // Every precomputed tile was made (none of z0–2 was asked for before) and timed; hits and misses count requests.
    const generation = 'regso_tiles_tile_generation_seconds_count';
    for (const counter of ['regso_tiles_tile_cache_hits_total', 'regso_tiles_tile_cache_misses_total']) expect(valueOf(done, counter), counter).toBe(valueOf(idle, counter));
    expect(valueOf(done, generation) - valueOf(idle, generation)).toBe(mini.store.cache.stats().entries - entries);
    expect(valueOf(done, generation, { zoom: '3' }) - valueOf(idle, generation, { zoom: '3' })).toBe(0);
  });

  it('names the data version served, and the next one after a swap', async () => {
    const first = mini.store.current;
    const before = await scrape();
    const info = (e: Exposition) => e.samples.filter((s) => s.name === 'regso_tiles_data_info');
    expect(info(before)).toEqual([{ name: 'regso_tiles_data_info', labels: { version: mini.dataset.id }, value: 1 }]);
    expect(valueOf(before, 'regso_tiles_data_generation')).toBe(first.generation);
    mini.store.swap({ ...mini.dataset, id: 'test-metrics-swap' });
    try {
      const after = await scrape();
      expect(info(after)).toEqual([{ name: 'regso_tiles_data_info', labels: { version: 'test-metrics-swap' }, value: 1 }]);
      expect(valueOf(after, 'regso_tiles_data_generation')).toBe(first.generation + 1);
      // The new version has not precomputed anything.
      expect(valueOf(after, 'regso_tiles_precompute_state', { state: 'idle' })).toBe(1);
    } finally {
      mini.store.swap(mini.dataset);
    }
  });
});

describe('access and isolation', () => {
  it('is open by default; metrics.requireRole asks for a key of that role, and scrapes are not audited', async () => {
    expect(configSchema.parse({}).metrics).toEqual({ requireRole: 'public' });
    expect(configSchema.safeParse({ metrics: { requireRole: 'root' } }).success).toBe(false);
    const [ops, alice] = ['ops-key-SYNTHETIC', 'alice-key-SYNTHETIC'];
    const audit: AuditEntry[] = [];
    const handler = createHandler(mini.store, {
      metricsRole: 'admin',
      keys: [
        { id: 'ops', role: 'admin', sha256: sha256Hex(ops) },
        { id: 'alice', role: 'analyst', sha256: sha256Hex(alice) },
      ],
      audit: { write: (entry) => audit.push(entry), flush: async () => {} },
    });
    const anonymous = await request(handler).get('/metrics');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toMatchObject({ status: 401 });
    expect((await request(handler).get('/metrics').set('X-API-Key', alice)).status).toBe(403);
    const scraped = await scrape(handler, { Authorization: `Bearer ${ops}` });
    expect(valueOf(scraped, 'regso_tiles_http_requests_total', { route: '/metrics', status: '401' })).toBe(1);
    expect(audit.map((e) => [e.route, e.status, e.keyId])).toEqual([
      ['/metrics', 401, null],
      ['/metrics', 403, 'alice'],
    ]);
  });

  it('gives each app its own registry: two apps over one store count their own requests', async () => {
    const [a, b] = [createHandler(mini.store), createHandler(mini.store)];
    await request(a).get('/health').set('User-Agent', CURL).expect(200);
    await request(a).get('/health').set('User-Agent', CURL).expect(200);
    await request(b).get('/health').set('User-Agent', CURL).expect(200);
    const health = { route: '/health', client: 'curl' };
    expect(valueOf(await scrape(a), 'regso_tiles_http_requests_total', health)).toBe(2);
    expect(valueOf(await scrape(b), 'regso_tiles_http_requests_total', health)).toBe(1);
  });
});
