/**
 * API keys and roles over the mini dataset (SYNTHETIC TEST FIXTURE) with `stold` marked restricted: every route
 * family with no key, a wrong key, a key of too low a role and a key in each accepted place; the restricted metric
 * and unsuppressed small counts only for analysts, in tiles, TileJSON, styles and OGC API; the key carried into the
 * URLs handed out; the audit log.
 */
import { pointToTile } from '@mapbox/tilebelt';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toWgs84 } from '../../data/crs.ts';
import { auditFile, type AuditLog } from '../../server/audit.ts';
import { sha256Hex } from '../../server/auth.ts';
import { INCIDENTS_CSV, manifest, SQUARES } from '../helpers/mini-dataset.ts';
import { startMiniServer, type MiniServer } from '../helpers/mini-server.ts';
import { decodeTile, layerFeatures, uncompressed } from '../helpers/mvt.ts';
import { listen, rawGet, type RawResponse } from '../helpers/raw-http.ts';

const ANALYST_KEY = 'analyst-key-SYNTHETIC-0123456789';
const ADMIN_KEY = 'admin-key-SYNTHETIC-9876543210';
const WRONG_KEY = 'not-a-key-of-this-server';

/**
 * Expected figures, counted from the fixture's incident rows independently of the build. `stold` is made restricted
 * below, so the public total `totalt` leaves it out (a public total never counts a restricted metric).
 */
function expectedCounts(): { stold: Record<string, number>; totalt: Record<string, number> } {
  const stold: Record<string, number> = {};
  const totalt: Record<string, number> = {};
  for (const line of INCIDENTS_CSV.split('\n').slice(1)) {
    const [x, y, , category] = line.split(',');
    const code = Object.entries(SQUARES).find(([, [x0, y0]]) => +x >= x0 && +x < x0 + 1000 && +y >= y0 && +y < y0 + 1000)?.[0];
    if (!code) continue;
    if (category === 'stold') stold[code] = (stold[code] ?? 0) + 1;
    else totalt[code] = (totalt[code] ?? 0) + 1;
  }
  return { stold, totalt };
}
const expected = expectedCounts();

let mini: MiniServer;
let base: string;
let stop: () => Promise<void>;
let auditDir: string;
let audit: AuditLog;

beforeAll(async () => {
  const m = manifest();
  m.catalog.stold.access = 'restricted';
  auditDir = await mkdtemp(path.join(tmpdir(), 'regso-audit-'));
  audit = auditFile(path.join(auditDir, 'audit.jsonl'));
  mini = await startMiniServer(
    { 'manifest.json': m },
    {
      keys: [
        { id: 'alice', role: 'analyst', sha256: sha256Hex(ANALYST_KEY) },
        { id: 'ops', role: 'admin', sha256: sha256Hex(ADMIN_KEY) },
      ],
      audit,
    },
  );
  ({ url: base, close: stop } = await listen(mini.handler));
});
afterAll(async () => {
  await stop();
  await mini.close();
  await rm(auditDir, { recursive: true, force: true });
});

type Place = 'bearer' | 'x-api-key' | 'apikey' | 'token';
const PLACES: Place[] = ['bearer', 'x-api-key', 'apikey', 'token'];

/** A request with `key` presented in `place`. */
function send(method: string, url: string, key?: string, place: Place = 'bearer', headers: Record<string, string> = {}): Promise<RawResponse> {
  const h: Record<string, string> = { 'Accept-Encoding': 'identity', ...headers };
  let target = url;
  if (key !== undefined) {
    if (place === 'bearer') h.Authorization = `Bearer ${key}`;
    else if (place === 'x-api-key') h['X-API-Key'] = key;
    else target += `${url.includes('?') ? '&' : '?'}${place}=${encodeURIComponent(key)}`;
  }
  if (method === 'GET') return rawGet(`${base}${target}`, h);
  return new Promise((resolve, reject) => {
    fetch(`${base}${target}`, { method, headers: h })
      .then(async (res) => resolve({ status: res.status, headers: Object.fromEntries(res.headers), body: Buffer.from(await res.arrayBuffer()) }))
      .catch(reject);
  });
}

const json = (res: RawResponse) => JSON.parse(res.body.toString('utf8'));

function blockTile(z: number): string {
  const [lon, lat] = toWgs84([661_000, 6_601_000]);
  const [x, y] = pointToTile(lon, lat, z);
  return `/tiles/omradestyper-2023/${z}/${x}/${y}.mvt`;
}

/** Every route family, each with one representative request. */
const DATA_ROUTES = [
  '/tiles',
  '/tiles/omradestyper-2023.json',
  blockTile(12),
  '/styles',
  '/styles/omradestyper.json',
  '/',
  '/conformance',
  '/api',
  '/collections',
  '/collections/regso',
  '/collections/regso/items?limit=2',
  '/collections/regso/items/0114R001',
  '/collections/regso/queryables',
  '/collections/kommuner/items',
  '/dataset',
  '/health',
  '/ready',
];

describe('the auth matrix', () => {
  it('serves every data route without a key, and refuses a wrong key in every place with a JSON 401', async () => {
    for (const route of DATA_ROUTES) {
      expect((await send('GET', route)).status, route).toBe(200);
      for (const place of PLACES) {
        const res = await send('GET', route, WRONG_KEY, place);
        expect(res.status, `${route} with a wrong key in ${place}`).toBe(401);
        expect(res.headers['www-authenticate']).toMatch(/^Bearer /);
        expect(json(res)).toEqual({ status: 401, error: 'unknown API key' });
      }
    }
  });

  it('serves every data route with a valid key in each place', async () => {
    for (const route of DATA_ROUTES) for (const place of PLACES) expect((await send('GET', route, ANALYST_KEY, place)).status, `${route} (${place})`).toBe(200);
  });

  it('guards the admin route: 401 without a key, 403 for an analyst, 200 for an admin, in every place', async () => {
    expect((await send('POST', '/admin/cache/purge')).status).toBe(401);
    for (const place of PLACES) {
      const analyst = await send('POST', '/admin/cache/purge', ANALYST_KEY, place);
      expect(analyst.status, place).toBe(403);
      expect(json(analyst).error).toMatch(/"alice" has role "analyst"/);
      const admin = await send('POST', '/admin/cache/purge', ADMIN_KEY, place);
      expect(admin.status, place).toBe(200);
      expect(json(admin).cache.entries).toBe(0);
    }
  });

  it('refuses an Authorization header that is not a bearer key, and two different keys at once', async () => {
    expect((await send('GET', '/collections', undefined, 'bearer', { Authorization: 'Basic dXNlcjpwYXNz' })).status).toBe(401);
    const res = await send('GET', `/collections?apikey=${ANALYST_KEY}`, ADMIN_KEY, 'x-api-key');
    expect(res.status).toBe(401);
    expect(json(res).error).toMatch(/two different API keys/);
  });
});

async function tileAreas(key?: string, place: Place = 'bearer') {
  const res = await send('GET', blockTile(12), key, place);
  expect(res.status).toBe(200);
  return { res, areas: layerFeatures(decodeTile(uncompressed(res.body, res.headers['content-encoding'] as string | undefined)), 'regso') };
}

describe('restricted metrics and small counts', () => {
  it('are absent from public tiles and present, unsuppressed, in analyst tiles — whichever is cached first', async () => {
    for (const order of [['public', 'analyst'], ['analyst', 'public']] as const) {
      await send('POST', '/admin/cache/purge', ADMIN_KEY);
      for (const who of order) {
        const { res, areas } = await tileAreas(who === 'analyst' ? ANALYST_KEY : undefined);
        const r001 = areas.find((f) => f.properties.regsokod === '0114R001')!.properties;
        if (who === 'public') {
          for (const f of areas) expect(f.properties).not.toHaveProperty('stold');
          // 3 incidents in area 1: below the minimum of 5, suppressed (left out) for the public.
          expect(expected.totalt['0114R001']).toBeLessThan(5);
          expect(r001).not.toHaveProperty('totalt');
          expect(res.headers['cache-control']).toMatch(/^public/);
        } else {
          expect(r001.stold).toBe(expected.stold['0114R001']);
          expect(r001.totalt).toBe(expected.totalt['0114R001']);
          expect(res.headers['cache-control']).toMatch(/^private/);
        }
      }
    }
  });

  it('never come from the fast path: a cached analyst tile is not served to a request without a key', async () => {
    await send('POST', '/admin/cache/purge', ADMIN_KEY);
    await tileAreas(ANALYST_KEY, 'apikey');
    const again = await tileAreas();
    for (const f of again.areas) expect(f.properties).not.toHaveProperty('stold');
  });

  it('are described in TileJSON only for analysts, whose tile URLs carry the key they sent in the URL', async () => {
    const pub = json(await send('GET', '/tiles/omradestyper-2023.json'));
    const regso = (doc: any) => doc.vector_layers.find((l: any) => l.id === 'regso').fields;
    expect(regso(pub)).not.toHaveProperty('stold');
    expect(pub.tiles[0]).not.toMatch(/apikey|token/);
    const viaQuery = json(await send('GET', '/tiles/omradestyper-2023.json', ANALYST_KEY, 'token'));
    expect(regso(viaQuery)).toHaveProperty('stold');
    expect(new URL(viaQuery.tiles[0].replace(/[{}]/g, '')).searchParams.get('apikey')).toBe(ANALYST_KEY);
    // A key sent in a header stays out of URLs: the client sends its header again.
    const viaHeader = json(await send('GET', '/tiles/omradestyper-2023.json', ANALYST_KEY, 'x-api-key'));
    expect(regso(viaHeader)).toHaveProperty('stold');
    expect(viaHeader.tiles[0]).not.toMatch(/apikey/);
  });

  it('have styles only for analysts, whose style sources carry the key', async () => {
    expect(json(await send('GET', '/styles')).styles.map((s: any) => s.id)).not.toContain('stold');
    expect((await send('GET', '/styles/stold.json')).status).toBe(404);
    const list = json(await send('GET', '/styles', ANALYST_KEY, 'apikey'));
    expect(list.styles.map((s: any) => s.id)).toContain('stold');
    for (const s of list.styles) expect(new URL(s.href).searchParams.get('apikey')).toBe(ANALYST_KEY);
    const style = json(await send('GET', '/styles/stold.json', ANALYST_KEY, 'apikey'));
    expect(new URL(style.sources[Object.keys(style.sources)[0]].url).searchParams.get('apikey')).toBe(ANALYST_KEY);
  });

  it('are in OGC API items, queryables and /dataset only for analysts; next/alternate links carry the key', async () => {
    const pub = json(await send('GET', '/collections/regso/items?datetime=2023'));
    for (const f of pub.features) expect(f.properties).not.toHaveProperty('stold');
    expect(pub.features.find((f: any) => f.id === '0114R001').properties.totalt).toBeNull();
    expect(json(await send('GET', '/collections/regso/queryables')).properties).not.toHaveProperty('stold');
    expect(json(await send('GET', '/dataset')).metrics.map((m: any) => m.id)).not.toContain('stold');

    const analyst = json(await send('GET', '/collections/regso/items?datetime=2023&limit=1', ANALYST_KEY, 'apikey'));
    expect(analyst.features[0].properties.stold).toBe(expected.stold['0114R001']);
    expect(analyst.features[0].properties.totalt).toBe(expected.totalt['0114R001']);
    for (const rel of ['self', 'next', 'alternate']) {
      const link = analyst.links.find((l: any) => l.rel === rel);
      const params = new URL(link.href).searchParams;
      expect(params.get('apikey'), rel).toBe(ANALYST_KEY);
      expect(params.has('token'), rel).toBe(false);
    }
    const next = analyst.links.find((l: any) => l.rel === 'next').href.replace(/^https?:\/\/[^/]+/, '');
    const page2 = await send('GET', next);
    expect(page2.status).toBe(200);
    expect(json(page2).features[0].properties).toHaveProperty('stold');
    expect(json(await send('GET', '/collections/regso/queryables', ANALYST_KEY)).properties).toHaveProperty('stold');
    expect(json(await send('GET', '/dataset', ANALYST_KEY)).metrics.map((m: any) => m.id)).toContain('stold');
  });
});

describe('the audit log', () => {
  it('has a line per restricted access and admin action — key id, never the key — and none for the public', async () => {
    await send('GET', '/health', ANALYST_KEY);
    await send('GET', '/collections/regso/items/0114R002', ANALYST_KEY, 'token');
    await send('GET', '/collections/regso/items/0114R003');
    await send('POST', '/admin/cache/purge', ANALYST_KEY);
    await audit.flush();
    const text = await readFile(path.join(auditDir, 'audit.jsonl'), 'utf8');
    for (const key of [ANALYST_KEY, ADMIN_KEY, WRONG_KEY]) expect(text).not.toContain(key);
    const lines = text.trim().split('\n').map((l) => JSON.parse(l));
    const item = lines.find((l) => l.path === '/collections/regso/items/0114R002');
    expect(item).toMatchObject({ keyId: 'alice', role: 'analyst', method: 'GET', route: '/collections/:collectionId/items/:featureId', status: 200 });
    expect(Date.parse(item.time)).toBeGreaterThan(Date.now() - 60_000);
    expect(lines.some((l) => l.path === '/collections/regso/items/0114R003')).toBe(false);
    // Probes are no data access (the refused keys of the matrix above are logged as 401s, though).
    expect(lines.some((l) => l.path === '/health' && l.status === 200)).toBe(false);
    expect(lines).toContainEqual(expect.objectContaining({ keyId: 'alice', route: '/admin/cache/purge', status: 403 }));
    expect(lines).toContainEqual(expect.objectContaining({ keyId: 'ops', role: 'admin', route: '/admin/cache/purge', status: 200 }));
    expect(lines).toContainEqual(expect.objectContaining({ keyId: null, status: 401 }));
  });
});
