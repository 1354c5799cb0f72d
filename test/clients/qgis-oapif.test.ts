/**
 * QGIS 3.22 (Debian's python3-qgis) headless as an OGC API – Features client of the national dataset, through its
 * OAPIF provider (test/clients/qgis/oapif_features.py), against a server that records every request QGIS makes.
 *
 * What QGIS 3.22 can do here, and what it cannot, is fixed by its source (src/providers/wfs/ in release-3_22; its
 * literals — "EPSG:4326", "?limit=10", "/items", "datetime=", "bbox=%1,%2,%3,%4", "application/geo+json" — are in
 * Debian's /usr/lib/qgis/plugins/libprovider_wfs.so, and "conformance", "storageCrs", "flatgeobuf", "filter-lang"
 * are not):
 *  - qgsoapifprovider.cpp: the constructor sets the layer CRS to EPSG:4326 unconditionally; init() requests the
 *    landing page, /api (page size: max(1000, limit default) clamped to the limit maximum), the collection and
 *    `items?limit=10` — never /conformance; computeServerFilter()/translateNodeToServer() turn only comparisons of a
 *    DateTime field into `datetime=`, every other filter stays on the client; the downloader sends `limit=`,
 *    `datetime=` and (with restrictToRequestBBOX) `bbox=` clamped to ±180/±90 — never `crs=`, `bbox-crs=`, `filter=`.
 *  - qgsoapifcollection.cpp: reads id, title, description, extent (spatial bbox + crs, temporal), links, license
 *    and keywords — not `storageCrs`, not `crs`.
 *  - qgsoapifitemsrequest.cpp: asks `Accept: application/geo+json, application/json`, parses the body with OGR as
 *    GeoJSON and follows `next` links of type application/geo+json only: no FlatGeobuf.
 * Part 2 (QGIS PRs #50468, #52366), CQL2 filters (#52775) and FlatGeobuf items came in later releases. So the tests
 * prove what 3.22 does: CRS84, client-side filters with the right results, bbox in CRS84, GeoJSON pages.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findCollection, type CollectionModel } from '../../data/features/collections.ts';
import { startLoggedNationalServer, pathOf, queryOf, type LoggedNationalServer, type LoggedRequest } from '../helpers/logged-server.ts';
import { hasQgis, runPyQgis } from '../helpers/pyqgis.ts';
import { rawGet } from '../helpers/raw-http.ts';

const SCRIPT = path.join(import.meta.dirname, 'qgis', 'oapif_features.py');
const TYPENAME = 'regso';
const AREAS = 3363;
/** The layer filter (QGIS expression; also valid CQL2 text, which the server is asked for the same answer). */
const FILTER = '"omradestyp" IN (1,2)';
const REQUEST_FILTER = '"omradestyp" = 1';
/** A map extent around Hjällbo and Angered, Göteborg (longitude, latitude). */
const BBOX = [11.95, 57.7, 12.05, 57.8] as const;
/** Every tenth area (by position) has its vertices compared. */
const SAMPLE_EVERY = 10;
const CM = 0.01;
const QGIS_TYPE: Record<string, string> = { string: 'String', integer: 'Integer', number: 'Real', boolean: 'Boolean' };

type Rings = number[][][][];

interface Phase {
  start: number;
  end: number;
}

interface QgisOapifResult {
  qgis: string;
  uri: string;
  messages: string[];
  phases: {
    open: Phase & { valid: boolean; provider: string; crs: string; crsIsGeographic: boolean; featureCount: number; wkbType: string; fields: [string, string][]; extent: number[] };
    all: Phase & { fields: string[]; features: (string | number | boolean | null)[][]; nullGeometries: number; geometries: Record<string, { layer: Rings; epsg3006: Rings }>; featureCountAfter: number };
    subset: Phase & { ok: boolean; subsetString: string; featureCount: number; codes: string[] };
    request: Phase & { codes: string[] };
    uri: Phase & { valid: boolean; uri: string; subsetString: string; featureCountBefore: number; featureCountAfter: number; codes: string[] };
    bbox: Phase & { valid: boolean; uri: string; codes: string[] };
  };
}

const HAS_QGIS = hasQgis();

let server: LoggedNationalServer;
let regso: CollectionModel;
let result: QgisOapifResult;
let seconds = 0;

/** QGIS's requests during a phase (the script reports each phase's start and end, on the same clock). */
function requestsIn(phase: Phase): LoggedRequest[] {
  return server.requests.filter((r) => r.userAgent.includes('QGIS') && r.at >= phase.start - 5 && r.at <= phase.end + 5);
}

const qgisRequests = () => server.requests.filter((r) => r.userAgent.includes('QGIS'));
const itemsRequests = (rs: LoggedRequest[]) => rs.filter((r) => pathOf(r) === `/collections/${TYPENAME}/items`);
const urls = (rs: LoggedRequest[]) => rs.map((r) => r.url);

/** Codes of the areas the server's own query answers (one page of up to 10,000). */
async function serverCodes(query: Record<string, string>): Promise<string[]> {
  const params = new URLSearchParams({ limit: '10000', properties: 'regsokod', ...query });
  const res = await rawGet(`${server.url}/collections/${TYPENAME}/items?${params}`);
  expect(res.status, res.body.toString()).toBe(200);
  const page = JSON.parse(res.body.toString()) as { features: { id: string }[]; numberMatched: number };
  expect(page.features).toHaveLength(page.numberMatched);
  return page.features.map((f) => f.id).sort();
}

describe.skipIf(!HAS_QGIS)('QGIS 3.22 headless: the OAPIF provider on the national regso collection', () => {
  beforeAll(async () => {
    server = await startLoggedNationalServer();
    regso = findCollection(server.dataset, 'public', TYPENAME)!;
    const sample = server.dataset.areas.filter((_, i) => i % SAMPLE_EVERY === 0).map((a) => a.regsokod);
    const run = await runPyQgis<QgisOapifResult>(SCRIPT, [
      '--base', server.url,
      '--typename', TYPENAME,
      '--sample', sample.join(','),
      '--filter', FILTER,
      '--request-filter', REQUEST_FILTER,
      '--bbox', BBOX.join(','),
    ], 180_000);
    result = run.result;
    seconds = run.seconds;
    console.log(`QGIS ${result.qgis}: ${seconds.toFixed(1)} s, ${qgisRequests().length} requests; URI ${result.uri}`);
    if (result.messages.length > 0) console.log(`QGIS message log:\n${result.messages.join('\n')}`);
  }, 240_000);
  afterAll(async () => {
    await server?.close();
  });

  it('opens regso from the URI the dialog stores (url, typename): valid, MultiPolygon, the published fields, 3,363 features before reading any', () => {
    const open = result.phases.open;
    expect(result.uri.trim()).toBe(`typename='${TYPENAME}' url='${server.url}'`);
    expect(open).toMatchObject({ valid: true, provider: 'OAPIF', wkbType: 'MultiPolygon', featureCount: AREAS });
    expect(open.fields).toEqual([['id', 'String'], ...regso.properties.map((p) => [p.name, QGIS_TYPE[p.type]])]);
    // The count is the first page's numberMatched: init() asks for the landing page, /api, the collection and
    // items?limit=10, and nothing else — no /conformance, no /queryables.
    expect(urls(requestsIn(open))).toEqual(['/', '/api', `/collections/${TYPENAME}`, `/collections/${TYPENAME}/items?limit=10`]);
    expect(requestsIn(open).every((r) => r.status === 200)).toBe(true);
  });

  it('reads the page size 1,000 from /api and follows the GeoJSON next links: all 3,363 areas, each once, with every published attribute', () => {
    const all = result.phases.all;
    const pages = itemsRequests(requestsIn(all)).map((r) => ({ limit: queryOf(r).get('limit'), offset: queryOf(r).get('offset') }));
    expect(pages).toEqual([
      { limit: '1000', offset: null },
      { limit: '1000', offset: '1000' },
      { limit: '1000', offset: '2000' },
      { limit: '1000', offset: '3000' },
    ]);
    expect(all.features).toHaveLength(AREAS);
    expect(all.featureCountAfter).toBe(AREAS);
    expect(all.nullGeometries).toBe(0);
    expect(all.fields).toEqual(['id', ...regso.properties.map((p) => p.name)]);
    const codes = all.features.map((f) => f[1] as string);
    expect(new Set(codes).size).toBe(AREAS);
    expect([...codes].sort()).toEqual(server.dataset.areas.map((a) => a.regsokod).sort());
    // Every attribute of every feature, as the server publishes it for the latest year (null where suppressed).
    const byCode = new Map(all.features.map((f) => [f[1] as string, f]));
    for (const f of regso.features(null)) expect(byCode.get(f.id), f.id).toEqual([f.id, ...regso.properties.map((p) => f.properties[p.name])]);
  });

  it('stays in CRS84 (EPSG:4326, longitude as x): 3.22 reads neither storageCrs nor /conformance, so Part 2 goes unused', () => {
    const open = result.phases.open;
    expect(open.crs).toBe('EPSG:4326');
    expect(open.crsIsGeographic).toBe(true);
    // The extent is the collection's CRS84 bbox, longitude first.
    const [w, s, e, n] = regso.bbox.wgs84;
    expect(open.extent[0]).toBeCloseTo(w, 6);
    expect(open.extent[1]).toBeCloseTo(s, 6);
    expect(open.extent[2]).toBeCloseTo(e, 6);
    expect(open.extent[3]).toBeCloseTo(n, 6);
    const all = qgisRequests();
    expect(all.filter((r) => pathOf(r) === '/conformance'), 'requests for /conformance').toEqual([]);
    expect(all.filter((r) => ['crs', 'bbox-crs', 'filter-crs'].some((p) => queryOf(r).has(p))).map((r) => r.url), 'requests with a CRS parameter').toEqual([]);
  });

  it(`puts the features where they belong: every ${SAMPLE_EVERY}th area's vertices equal the source in CRS84 and, through QGIS's own transform to EPSG:3006, dataset.areas[i].sweref99tm within 1 cm`, () => {
    const geometries = result.phases.all.geometries;
    const sample = server.dataset.areas.filter((_, i) => i % SAMPLE_EVERY === 0);
    expect(Object.keys(geometries).sort()).toEqual(sample.map((a) => a.regsokod).sort());
    let vertices = 0;
    let maxDegrees = 0;
    let maxMetres = 0;
    for (const area of sample) {
      const got = geometries[area.regsokod];
      const lonLat = polygonsOf(area.wgs84);
      const sweref = polygonsOf(area.sweref99tm);
      expect(shape(got.layer), area.regsokod).toEqual(shape(lonLat));
      expect(shape(got.epsg3006), area.regsokod).toEqual(shape(sweref));
      eachVertex(lonLat, got.layer, (a, b) => (maxDegrees = Math.max(maxDegrees, Math.abs(a[0] - b[0]), Math.abs(a[1] - b[1]))));
      eachVertex(sweref, got.epsg3006, (a, b) => {
        vertices++;
        maxMetres = Math.max(maxMetres, Math.hypot(a[0] - b[0], a[1] - b[1]));
      });
    }
    console.log(`QGIS: ${sample.length} areas, ${vertices} vertices; largest deviation ${maxDegrees.toExponential(1)}° in CRS84, ${(maxMetres * 1000).toFixed(2)} mm in EPSG:3006`);
    expect(maxDegrees).toBeLessThan(1e-9);
    expect(maxMetres).toBeLessThan(CM);
  });

  it('evaluates a layer filter (setSubsetString) on the client: exactly the areas of type 1 or 2, the server’s CQL2 answer — and the server never sees filter=', async () => {
    const subset = result.phases.subset;
    const expected = regso.features(null).filter((f) => f.properties.omradestyp === 1 || f.properties.omradestyp === 2).map((f) => f.id).sort();
    expect(expected.length).toBeGreaterThan(0);
    expect(subset).toMatchObject({ ok: true, subsetString: FILTER, featureCount: expected.length });
    expect([...subset.codes].sort()).toEqual(expected);
    expect(await serverCodes({ filter: 'omradestyp IN (1,2)' })).toEqual(expected);
    // 3.22 downloads the whole collection again (the filter is no part of the requests) and filters it itself.
    const items = itemsRequests(requestsIn(subset));
    expect(items.length).toBeGreaterThanOrEqual(4);
    for (const r of items) expect([...queryOf(r).keys()].filter((k) => !['limit', 'offset', 'f'].includes(k)), r.url).toEqual([]);
  });

  it('evaluates a QgsFeatureRequest expression on the client as well', () => {
    const request = result.phases.request;
    const expected = regso.features(null).filter((f) => f.properties.omradestyp === 1).map((f) => f.id).sort();
    expect([...request.codes].sort()).toEqual(expected);
    expect(requestsIn(request).filter((r) => queryOf(r).has('filter')).map((r) => r.url)).toEqual([]);
  });

  it('takes the URI’s filter parameter as the layer filter, also evaluated on the client: the right areas (featureCount() says 0, then 3,363)', () => {
    const uri = result.phases.uri;
    const expected = regso.features(null).filter((f) => f.properties.omradestyp === 1 || f.properties.omradestyp === 2).map((f) => f.id).sort();
    // A 3.22 quirk, not the server's: with a filter from the URI the provider does not take numberMatched as the
    // count (0 until read), and after reading it reports what it downloaded — every area, as the filter was not
    // sent — rather than what the filter lets through. setSubsetString() (above) counts by iterating instead.
    expect(uri).toMatchObject({ valid: true, subsetString: FILTER, featureCountBefore: 0, featureCountAfter: AREAS });
    expect(uri.uri).toContain(`filter='${FILTER}'`);
    expect([...uri.codes].sort()).toEqual(expected);
    expect(requestsIn(uri).filter((r) => queryOf(r).has('filter')).map((r) => r.url)).toEqual([]);
  });

  it('with "only request features overlapping the view extent", sends the extent as bbox= in CRS84 (longitude first) and gets the areas the server selects', async () => {
    const bbox = result.phases.bbox;
    expect(bbox.valid).toBe(true);
    expect(bbox.uri).toContain("restrictToRequestBBOX='1'");
    const withBbox = itemsRequests(requestsIn(bbox)).filter((r) => queryOf(r).has('bbox'));
    expect(withBbox.length, urls(requestsIn(bbox)).join('\n')).toBeGreaterThan(0);
    for (const r of withBbox) {
      expect(queryOf(r).get('bbox')!.split(',').map(Number), r.url).toEqual([...BBOX]);
      expect(queryOf(r).has('bbox-crs'), r.url).toBe(false);
    }
    const expected = await serverCodes({ bbox: BBOX.join(',') });
    expect(expected.length).toBeGreaterThan(10);
    expect([...bbox.codes].sort()).toEqual(expected);
  });

  it('asks for GeoJSON only — 3.22 has no FlatGeobuf support: every items request accepts application/geo+json, none asks for f=fgb', () => {
    const items = itemsRequests(qgisRequests());
    expect(items.length).toBeGreaterThan(0);
    for (const r of items) {
      expect(r.accept, r.url).toBe('application/geo+json, application/json');
      expect(queryOf(r).get('f') ?? 'json', r.url).toBe('json');
      expect(r.status, r.url).toBe(200);
    }
  });
});

type Position = number[];

function polygonsOf(g: { type: string; coordinates?: unknown }): Rings {
  if (g.type === 'Polygon') return [g.coordinates as Position[][]];
  if (g.type === 'MultiPolygon') return g.coordinates as Rings;
  throw new Error(`not a (multi)polygon: ${g.type}`);
}

/** Polygons → rings → vertex counts. */
function shape(polygons: Rings): number[][] {
  return polygons.map((p) => p.map((r) => r.length));
}

function eachVertex(a: Rings, b: Rings, visit: (p: Position, q: Position) => void): void {
  a.forEach((polygon, i) => polygon.forEach((ring, j) => ring.forEach((p, k) => visit(p, b[i][j][k]))));
}
