/**
 * GDAL's OAPIF driver (Debian's gdal-bin, GDAL 3.6) as an OGC API – Features client of the national dataset,
 * against a server that records every request: `ogrinfo` lists the collections and summarises regso (3,363
 * features, the published fields, WGS 84), and `ogr2ogr` copies regso to a GeoPackage in EPSG:3006 keeping every
 * feature and attribute, with every vertex within 1 cm of the stored SWEREF 99 TM geometry (read back with
 * data/readers/geopackage.ts). GDAL 3.6 predates Part 2 (GDAL 3.7): its driver has no CRS open option and gives
 * every layer WGS 84, so EPSG:3006 comes from `-t_srs`. Nor does it read the page size from /api: it pages by 10
 * unless given `-oo PAGE_SIZE` — both are shown, from the requests it makes (source: ogroapifdriver.cpp of 3.6,
 * `m_nPageSize = 10`, changed only by the PAGE_SIZE open option; the layer SRS is SRS_WKT_WGS84_LAT_LONG and the
 * collection's `crs` array is ignored). It does push `-where` on a queryable (a Part 1 `name=value` filter found in
 * /api) and `-spat` (bbox= in CRS84) to the server. Finally GDAL's FlatGeobuf driver reads the FlatGeobuf pages,
 * followed by their `Link: rel="next"` headers as newer QGIS does: every area, once.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectionsOf, findCollection, type CollectionModel } from '../../data/features/collections.ts';
import { readGeoPackage } from '../../data/readers/geopackage.ts';
import { requireClient } from '../helpers/clients.ts';
import { startLoggedNationalServer, pathOf, queryOf, type LoggedNationalServer, type LoggedRequest } from '../helpers/logged-server.ts';
import { rawGet } from '../helpers/raw-http.ts';

const HAS_GDAL = requireClient('ogrinfo', 'GDAL ogrinfo') && requireClient('ogr2ogr', 'GDAL ogr2ogr');
const AREAS = 3363;
const CM = 0.01;
/** OGR's names of the GeoJSON geometry types. */
const OGR_GEOMETRY: Record<string, string> = {
  Point: 'Point',
  MultiPoint: 'Multi Point',
  LineString: 'Line String',
  MultiLineString: 'Multi Line String',
  Polygon: 'Polygon',
  MultiPolygon: 'Multi Polygon',
  Geometry: 'Unknown (any)',
};
const OGR_TYPE: Record<string, string> = { string: 'String', integer: 'Integer', number: 'Real', boolean: 'Integer(Boolean)' };

type Position = number[];
type Rings = Position[][][];

let server: LoggedNationalServer;
let regso: CollectionModel;
let dir: string;
let gdalVersion: [number, number];

const run = promisify(execFile);
const gdal = async (command: string, args: string[]) => (await run(command, args, { encoding: 'utf8', timeout: 120_000, maxBuffer: 256 * 1024 * 1024 })).stdout;

/** Runs a command and returns its output with the requests the server got meanwhile. */
async function logged(command: string, args: string[]): Promise<{ out: string; requests: LoggedRequest[]; seconds: number }> {
  const from = server.requests.length;
  const started = performance.now();
  const out = await gdal(command, args);
  return { out, requests: server.requests.slice(from), seconds: (performance.now() - started) / 1000 };
}

const itemsOf = (rs: LoggedRequest[]) => rs.filter((r) => pathOf(r) === '/collections/regso/items');

describe.skipIf(!HAS_GDAL)('GDAL 3.6 OAPIF driver (ogrinfo, ogr2ogr) on the national dataset', () => {
  beforeAll(async () => {
    server = await startLoggedNationalServer();
    regso = findCollection(server.dataset, 'public', 'regso')!;
    dir = await mkdtemp(path.join(tmpdir(), 'regso-gdal-oapif-'));
    const version = /GDAL (\d+)\.(\d+)/.exec(await gdal('ogrinfo', ['--version']))!;
    gdalVersion = [Number(version[1]), Number(version[2])];
  });
  afterAll(async () => {
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('ogrinfo OAPIF:{url}/ lists the collections with their titles and geometry types', async () => {
    const { out } = await logged('ogrinfo', ['-ro', `OAPIF:${server.url}/`]);
    expect(out).toContain("using driver `OAPIF' successful");
    const listed = [...out.matchAll(/^\d+: (\S+) \(title: (.*)\) \((.*)\)$/gm)].map((m) => ({ id: m[1], title: m[2], geometry: m[3] }));
    expect(listed).toEqual(collectionsOf(server.dataset, 'public').map((c) => ({ id: c.id, title: c.title, geometry: OGR_GEOMETRY[c.geometryType] })));
  });

  it('ogrinfo -so regso: 3,363 features, every published field, WGS 84 longitude/latitude — paging by 10, /api never read', async () => {
    const { out, requests } = await logged('ogrinfo', ['-ro', '-so', `OAPIF:${server.url}/`, 'regso']);
    expect(/^Feature Count: (\d+)$/m.exec(out)?.[1]).toBe(String(AREAS));
    expect(/^Geometry: (.*)$/m.exec(out)?.[1]).toBe('Multi Polygon');
    const fields = [...out.matchAll(/^(\w+): (\w+(?:\(\w+\))?) \(\d+\.\d+\)$/gm)].map((m) => [m[1], m[2]]);
    expect(fields).toEqual([['id', 'String'], ...regso.properties.map((p) => [p.name, OGR_TYPE[p.type]])]);
    // The layer CRS is WGS 84 with GIS axis order, whatever storageCrs says.
    expect(out).toMatch(/ID\["EPSG",4326\]\]\s*Data axis to CRS axis mapping: 2,1/);
    // The count is numberMatched of the first page, which GDAL 3.6 asks with limit=10: /api is not consulted.
    expect(requests.map((r) => r.url)).toEqual(['/collections', '/collections/regso/items?f=json&limit=10']);
  });

  it('GDAL 3.6 offers no open option to ask for EPSG:3006 (Part 2 came with GDAL 3.7): EPSG:3006 comes from -t_srs', async () => {
    const out = await gdal('ogrinfo', ['--format', 'OAPIF']);
    const options = [...out.matchAll(/<Option name="([^"]+)"/g)].map((m) => m[1]);
    console.log(`GDAL ${gdalVersion.join('.')} OAPIF open options: ${options.join(', ')}`);
    if (gdalVersion[0] === 3 && gdalVersion[1] < 7) {
      expect(options).toEqual(['URL', 'PAGE_SIZE', 'USERPWD', 'IGNORE_SCHEMA']);
    } else {
      expect(options).toContain('CRS');
    }
  });

  it('ogr2ogr -oo PAGE_SIZE=1000 -t_srs EPSG:3006 to a GeoPackage keeps every feature and attribute, every vertex within 1 cm of dataset.areas[i].sweref99tm', async () => {
    const gpkg = path.join(dir, 'regso-1000.gpkg');
    const { requests, seconds } = await logged('ogr2ogr', ['-f', 'GPKG', gpkg, '-oo', 'PAGE_SIZE=1000', '-t_srs', 'EPSG:3006', `OAPIF:${server.url}/`, 'regso']);
    // One page for the schema, then the four pages of 1,000 through the next links; never a crs= parameter.
    const pages = itemsOf(requests).map((r) => ({ limit: queryOf(r).get('limit'), offset: queryOf(r).get('offset') }));
    expect(pages).toEqual([
      { limit: '1000', offset: null },
      { limit: '1000', offset: null },
      { limit: '1000', offset: '1000' },
      { limit: '1000', offset: '2000' },
      { limit: '1000', offset: '3000' },
    ]);
    expect(requests.filter((r) => queryOf(r).has('crs'))).toEqual([]);

    const read = await readGeoPackage(gpkg);
    expect(read.layer).toBe('regso');
    expect(read.crsName).toBe('EPSG:3006');
    expectAttributes(read.features.map((f) => f.properties));

    const byCode = new Map(read.features.map((f) => [f.properties.regsokod as string, f.geometry]));
    let vertices = 0;
    let max = 0;
    for (const area of server.dataset.areas) {
      const got = polygonsOf(byCode.get(area.regsokod)!);
      const source = polygonsOf(area.sweref99tm);
      expect(shape(got), area.regsokod).toEqual(shape(source));
      source.forEach((polygon, i) =>
        polygon.forEach((ring, j) =>
          ring.forEach((p, k) => {
            vertices++;
            max = Math.max(max, Math.hypot(p[0] - got[i][j][k][0], p[1] - got[i][j][k][1]));
          }),
        ),
      );
    }
    console.log(`GDAL ogr2ogr (PAGE_SIZE=1000, -t_srs EPSG:3006): ${seconds.toFixed(1)} s, ${requests.length} requests; ${server.dataset.areas.length} areas, ${vertices} vertices, largest deviation ${(max * 1000).toFixed(2)} mm`);
    expect(max).toBeLessThan(CM);
  });

  it('ogr2ogr without PAGE_SIZE pages by 10 through 337 next links (no /api) and still keeps every feature and attribute', async () => {
    const gpkg = path.join(dir, 'regso-10.gpkg');
    const { requests, seconds } = await logged('ogr2ogr', ['-f', 'GPKG', gpkg, `OAPIF:${server.url}/`, 'regso']);
    console.log(`GDAL ogr2ogr (default page size): ${seconds.toFixed(1)} s, ${requests.length} requests`);
    expect(requests.filter((r) => pathOf(r) === '/api')).toEqual([]);
    const items = itemsOf(requests);
    expect(items.every((r) => queryOf(r).get('limit') === '10')).toBe(true);
    // The schema page, then ⌈3363 / 10⌉ pages.
    expect(items).toHaveLength(1 + Math.ceil(AREAS / 10));
    const read = await readGeoPackage(gpkg);
    expect(read.crsName).toBe('EPSG:4326');
    expectAttributes(read.features.map((f) => f.properties));
  });

  it('sends -where on a queryable as a Part 1 property filter (kommunkod=1480, from /api) and -spat as bbox= in CRS84; evaluates IN itself: the counts the data gives', async () => {
    const features = regso.features(null);
    const count = async (args: string[]) => {
      const { out, requests } = await logged('ogrinfo', ['-ro', '-so', '-oo', 'PAGE_SIZE=1000', `OAPIF:${server.url}/`, 'regso', ...args]);
      return { count: Number(/^Feature Count: (\d+)$/m.exec(out)?.[1]), items: itemsOf(requests).map((r) => queryOf(r)) };
    };

    const kommun = await count(['-where', "kommunkod = '1480'"]);
    expect(kommun.count).toBe(features.filter((f) => f.properties.kommunkod === '1480').length);
    expect(kommun.items.some((q) => q.get('kommunkod') === '1480')).toBe(true);

    const bbox = [11.95, 57.7, 12.05, 57.8];
    const spat = await count(['-spat', ...bbox.map(String)]);
    const sent = spat.items.filter((q) => q.has('bbox'));
    expect(sent.length).toBeGreaterThan(0);
    for (const q of sent) {
      q.get('bbox')!.split(',').forEach((v, i) => expect(Number(v)).toBeCloseTo(bbox[i], 9));
      expect(q.has('bbox-crs')).toBe(false);
    }
    const res = await rawGet(`${server.url}/collections/regso/items?bbox=${bbox.join(',')}&limit=10000&properties=`);
    expect(spat.count).toBe(Number(res.headers['ogc-numbermatched']));

    // GDAL 3.6 knows no CQL2 (it predates Part 3): an IN list is filtered on the client, after paging through all.
    const types = await count(['-where', 'omradestyp IN (1,2)']);
    expect(types.count).toBe(features.filter((f) => f.properties.omradestyp === 1 || f.properties.omradestyp === 2).length);
    expect(types.items.every((q) => !q.has('filter') && !q.has('omradestyp'))).toBe(true);
  });

  it('GDAL’s FlatGeobuf driver reads the FlatGeobuf pages followed by their Link headers: every area once, the page counts as OGC-NumberReturned says', async () => {
    let url: string | undefined = `${server.url}/collections/regso/items?f=fgb&limit=1000`;
    const ids: string[] = [];
    let page = 0;
    while (url) {
      const res = await rawGet(url);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/flatgeobuf');
      expect(res.headers['ogc-numbermatched']).toBe(String(AREAS));
      const file = path.join(dir, `page-${page++}.fgb`);
      await writeFile(file, res.body);
      const out = await gdal('ogrinfo', ['-ro', '-al', '-geom=NO', file]);
      expect(out).toContain("using driver `FlatGeobuf' successful");
      const got = [...out.matchAll(/^ {2}id \(String\) = (.*)$/gm)].map((m) => m[1]);
      expect(/^Feature Count: (\d+)$/m.exec(out)?.[1]).toBe(res.headers['ogc-numberreturned']);
      expect(got).toHaveLength(Number(res.headers['ogc-numberreturned']));
      ids.push(...got);
      url = /<([^>]+)>; rel="next"; type="application\/flatgeobuf"/.exec(String(res.headers.link ?? ''))?.[1];
    }
    expect(page).toBe(Math.ceil(AREAS / 1000));
    expect(new Set(ids).size).toBe(AREAS);
    expect([...ids].sort()).toEqual(server.dataset.areas.map((a) => a.regsokod).sort());
  });
});

/** Every feature once, with `id` = the RegSO code and every property as the server publishes it (latest year). */
function expectAttributes(rows: Record<string, unknown>[]): void {
  expect(rows).toHaveLength(AREAS);
  const byId = new Map(rows.map((r) => [r.id as string, r]));
  expect(byId.size).toBe(AREAS);
  for (const f of regso.features(null)) {
    const row = byId.get(f.id);
    expect(row, f.id).toBeDefined();
    expect(row, f.id).toEqual({ id: f.id, ...f.properties });
  }
}

function polygonsOf(g: { type: string; coordinates?: unknown } | null): Rings {
  if (g?.type === 'Polygon') return [g.coordinates as Position[][]];
  if (g?.type === 'MultiPolygon') return g.coordinates as Rings;
  throw new Error(`not a (multi)polygon: ${g?.type}`);
}

/** Polygons → rings → vertex counts. */
function shape(polygons: Rings): number[][] {
  return polygons.map((p) => p.map((r) => r.length));
}
