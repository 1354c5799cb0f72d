/**
 * Item pages joined from kept encodings (server/ogc/chunks.ts; mini dataset, SYNTHETIC TEST FIXTURE, with `stold`
 * restricted to analysts): the bytes are the same cold and warm, in gzip and identity, and the same as an encoding
 * that keeps nothing — GeoJSON as JSON.stringify of the feature objects, FlatGeobuf as the page with every property
 * named in `properties` (which is encoded afresh). A role never gets another role's kept features, whichever asks
 * first.
 */
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findCollection } from '../../data/features/collections.ts';
import { parseItemsQuery } from '../../data/features/query.ts';
import { selectFeatures } from '../../data/features/select.ts';
import type { Role } from '../../data/disclosure.ts';
import { sha256Hex } from '../../server/auth.ts';
import { geoJsonFeature } from '../../server/ogc/geojson.ts';
import { startMiniServer, type MiniServer } from '../helpers/mini-server.ts';
import { listen, rawGet } from '../helpers/raw-http.ts';
import { EPSG3006, EPSG3857, ogcManifest, usoGeojson } from './helpers.ts';

const ANALYST_KEY = 'analyst-key-SYNTHETIC-kept-encodings';

/** Item requests covering the kept and the fresh paths: every CRS, bbox, filters, subsets, paging, layers. */
const REQUESTS = [
  '/collections/regso/items',
  '/collections/regso/items?datetime=2022',
  '/collections/regso/items?bbox=6601400,661400,6601600,661600&bbox-crs=' + encodeURIComponent(EPSG3006),
  '/collections/regso/items?filter=' + encodeURIComponent('omradestyp IN (1,2) OR befolkning > 1600'),
  '/collections/regso/items?properties=regsokod,omradestyp,befolkning',
  '/collections/regso/items?properties=befolkning',
  '/collections/regso/items?crs=' + encodeURIComponent(EPSG3006),
  '/collections/regso/items?crs=' + encodeURIComponent(EPSG3857),
  '/collections/regso/items?limit=2&offset=1&sortby=-regsokod',
  '/collections/regso/items?f=fgb',
  '/collections/regso/items?f=fgb&crs=' + encodeURIComponent(EPSG3006),
  '/collections/regso/items?f=fgb&datetime=2022&limit=3',
  '/collections/regso/items?f=fgb&properties=regsokod,befolkning',
  '/collections/regso/items?f=csv',
  '/collections/kommuner/items',
  '/collections/kommuner/items?f=fgb&crs=' + encodeURIComponent(EPSG3857),
  '/collections/utsatta-omraden/items?crs=' + encodeURIComponent(EPSG3006),
  '/collections/utsatta-omraden/items?f=fgb',
];

const ROLES: Role[] = ['public', 'analyst'];

async function startServer(): Promise<{ mini: MiniServer; base: string; stop: () => Promise<void> }> {
  const m = ogcManifest();
  m.catalog.stold.access = 'restricted';
  const mini = await startMiniServer({ 'manifest.json': m, 'uso.geojson': usoGeojson() }, { keys: [{ id: 'alice', role: 'analyst', sha256: sha256Hex(ANALYST_KEY) }] });
  const { url, close } = await listen(mini.handler);
  return { mini, base: url, stop: close };
}

/** The decoded body of a request as `role`, gzip or identity; the page's timeStamp blanked (it is the clock). */
async function body(base: string, path: string, role: Role, encoding: 'gzip' | 'identity'): Promise<Buffer> {
  const headers: Record<string, string> = { 'Accept-Encoding': encoding, ...(role === 'analyst' ? { Authorization: `Bearer ${ANALYST_KEY}` } : {}) };
  const res = await rawGet(`${base}${path}`, headers);
  expect(res.status, path).toBe(200);
  const bytes = res.headers['content-encoding'] === 'gzip' ? gunzipSync(res.body) : res.body;
  return path.includes('f=') ? bytes : Buffer.from(bytes.toString('utf8').replace(/"timeStamp":"[^"]*"/, '"timeStamp":""'));
}

/** Every response of REQUESTS as a role, both encodings. */
async function bodies(base: string, role: Role): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const path of REQUESTS) for (const encoding of ['gzip', 'identity'] as const) out.set(`${encoding} ${path}`, await body(base, path, role, encoding));
  return out;
}

/** A GeoJSON page as the encoder that keeps nothing writes it: JSON.stringify of the feature objects. */
function geoJsonReference(mini: MiniServer, path: string, role: Role, served: Buffer): string {
  const url = new URL(path, 'http://x');
  const c = findCollection(mini.dataset, role, url.pathname.split('/')[2])!;
  const q = parseItemsQuery(c, Object.fromEntries(url.searchParams));
  const { type, numberMatched, numberReturned, timeStamp, links } = JSON.parse(served.toString('utf8'));
  const features = selectFeatures(c, q).features.map((f) => geoJsonFeature(f, q.crs, q.properties));
  return JSON.stringify({ type, numberMatched, numberReturned, timeStamp, links, features });
}

/** The same FlatGeobuf page with every property named, which the encoder does not keep. */
function withEveryProperty(mini: MiniServer, path: string, role: Role): string {
  const url = new URL(path, 'http://x');
  const c = findCollection(mini.dataset, role, url.pathname.split('/')[2])!;
  url.searchParams.set('properties', c.properties.map((p) => p.name).join(','));
  return url.pathname + url.search;
}

describe.each([ROLES, [...ROLES].reverse()])('kept encodings, %s asking first', (first, second) => {
  let server: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server.stop();
    await server.mini.close();
  });

  it('give the same bytes cold and warm, and the bytes of an encoding that keeps nothing, for each role', async () => {
    const cold = new Map<Role, Map<string, Buffer>>();
    for (const role of [first, second]) cold.set(role, await bodies(server.base, role));
    for (const role of [first, second]) {
      const warm = await bodies(server.base, role);
      for (const [key, bytes] of warm) expect(bytes.equals(cold.get(role)!.get(key)!), `${role} ${key}`).toBe(true);
      for (const path of REQUESTS) {
        const served = warm.get(`identity ${path}`)!;
        if (path.includes('f=csv')) continue;
        if (path.includes('f=fgb')) {
          if (path.includes('properties=')) continue;
          const reference = await body(server.base, withEveryProperty(server.mini, path, role), role, 'identity');
          expect(served.equals(reference), `${role} ${path}`).toBe(true);
        } else {
          expect(served.toString('utf8'), `${role} ${path}`).toBe(geoJsonReference(server.mini, path, role, served));
        }
      }
    }
  });

  it('never give the restricted metric to the public, nor leave it out for the analyst', async () => {
    for (const role of [first, second]) {
      const page = JSON.parse((await body(server.base, '/collections/regso/items?datetime=2023', role, 'gzip')).toString('utf8'));
      const fgb = await body(server.base, '/collections/regso/items?f=fgb&datetime=2023', role, 'identity');
      expect(page.features.length).toBe(4);
      for (const f of page.features) expect('stold' in f.properties, `${role} ${f.id}`).toBe(role === 'analyst');
      expect(fgb.includes(Buffer.from('stold')), role).toBe(role === 'analyst');
    }
  });
});
