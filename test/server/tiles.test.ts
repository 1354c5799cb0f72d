/**
 * XYZ tiles, TileJSON and styles over the mini dataset (SYNTHETIC TEST FIXTURE): MVT 2.1 layers, numeric ids,
 * compression negotiation, ETag/304, cache headers, empty and out-of-range tiles, and the cached-tile fast path
 * answering XYZ, Esri and OGC tiles exactly as the app does.
 */
import { Writable } from 'node:stream';
import { pointToTile } from '@mapbox/tilebelt';
import pino from 'pino';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { toWgs84 } from '../../data/crs.ts';
import { createHandler } from '../../server/app.ts';
import { SWEREF99_TM } from '../../tiles/grid.ts';
import { decodeTile, layerFeatures, uncompressed } from '../helpers/mvt.ts';
import { serveMini } from '../helpers/mini-server.ts';
import { listen, rawGet } from '../helpers/raw-http.ts';

const served = serveMini();

/** Column and row of the SWEREF 99 TM tile at level z holding the centre of the block, from the grid's origin and side. */
function swerefTile(z: number): [number, number] {
  const side = SWEREF99_TM.span0 / 2 ** z;
  return [Math.floor((661_000 - SWEREF99_TM.origin[0]) / side), Math.floor((SWEREF99_TM.origin[1] - 6_601_000) / side)];
}

/** The tile at zoom z holding the centre of the mini dataset's 2 × 2 km block (661000, 6601000). */
function blockTile(z: number): [number, number, number] {
  const [lon, lat] = toWgs84([661_000, 6_601_000]);
  const [x, y] = pointToTile(lon, lat, z);
  return [z, x, y];
}

function binary(path: string, headers: Record<string, string> = {}) {
  return rawGet(`${served.base}${path}`, headers);
}

async function getTile(path: string, encoding = 'gzip') {
  const res = await binary(path, { 'Accept-Encoding': encoding });
  return { res, tile: res.status === 200 && res.body.length > 0 ? decodeTile(uncompressed(res.body, res.headers['content-encoding'] as string | undefined)) : null };
}

describe('vector tiles', () => {
  it('serve the areas with their type and figures, labels and extra layers, as MVT 2', async () => {
    const [z, x, y] = blockTile(10);
    const { res, tile } = await getTile(`/tiles/omradestyper-2023/${z}/${x}/${y}.mvt`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.mapbox-vector-tile');
    expect(Object.keys(tile!.layers).sort()).toEqual(['kommuner', 'regso', 'regso_label']);
    for (const layer of Object.values(tile!.layers)) {
      expect(layer.version).toBe(2);
      expect(layer.extent).toBe(4096);
    }
    const areas = layerFeatures(tile!, 'regso');
    expect(areas.map((f) => f.id).sort()).toEqual([114001, 114002, 114003, 114004]);
    const first = areas.find((f) => f.id === 114001)!;
    expect(first.properties).toMatchObject({ regsokod: '0114R001', regsonamn: 'Testområde 1', omradestyp: 1, year: 2023, geom_source: 'scb', befolkning: 1900 });
    expect(layerFeatures(tile!, 'regso_label')).toHaveLength(4);
  });

  it('give each year its own types and the alias the latest year', async () => {
    const [z, x, y] = blockTile(12);
    const typeOf = async (tileset: string) => layerFeatures((await getTile(`/tiles/${tileset}/${z}/${x}/${y}.mvt`)).tile!, 'regso').find((f) => f.id === 114001)!.properties.omradestyp;
    expect(await typeOf('omradestyper-2022')).toBe(2);
    expect(await typeOf('omradestyper-2023')).toBe(1);
    expect(await typeOf('omradestyper')).toBe(1);
  });

  it('suppress small counts for the public, with complementary suppression', async () => {
    const [z, x, y] = blockTile(12);
    const props = layerFeatures((await getTile(`/tiles/omradestyper-2023/${z}/${x}/${y}.mvt`)).tile!, 'regso').map((f) => f.properties);
    // 0114R001 has 2 thefts (< 5): suppressed, and so must be one more area of the kommun; zero counts stay.
    const stold = props.map((p) => p.stold);
    expect(stold.filter((v) => v === undefined).length).toBeGreaterThanOrEqual(2);
    expect(props.find((p) => p.regsokod === '0114R001')!.stold).toBeUndefined();
    expect(props.find((p) => p.regsokod === '0114R001')!.stold_per_1000).toBeUndefined();
  });

  it('negotiate br, gzip and identity, and never compress without saying so', async () => {
    const [z, x, y] = blockTile(12);
    const path = `/tiles/omradestyper-2023/${z}/${x}/${y}.mvt`;
    const br = await binary(path, { 'Accept-Encoding': 'gzip, deflate, br' });
    const gz = await binary(path, { 'Accept-Encoding': 'gzip;q=1, br;q=0' });
    const id = await binary(path, { 'Accept-Encoding': 'identity' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(id.headers['content-encoding']).toBeUndefined();
    for (const res of [br, gz, id]) expect(res.headers.vary).toMatch(/Accept-Encoding/);
    const raw = id.body as Buffer;
    expect(uncompressed(br.body, 'br').equals(raw)).toBe(true);
    expect(uncompressed(gz.body, 'gzip').equals(raw)).toBe(true);
    expect(raw[0]).toBe(0x1a); // field 3 (layers), wire type 2: an uncompressed MVT
  });

  it('answer If-None-Match with 304 and cache versioned URLs forever', async () => {
    const [z, x, y] = blockTile(11);
    const path = `/tiles/omradestyper-2023/${z}/${x}/${y}.mvt`;
    const first = await binary(`${path}?v=${served.mini.dataset.id}`);
    expect(first.headers.etag).toMatch(/^"[\w-]+"$/);
    expect(first.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const unversioned = await binary(path);
    expect(unversioned.headers['cache-control']).toBe('public, max-age=60');
    expect(unversioned.headers.etag).toBe(first.headers.etag);
    expect((await binary(path, { 'If-None-Match': first.headers.etag! })).status).toBe(304);
  });

  it('send the same headers and bytes from the fast path (cached) as from the app (first request), 304s too: XYZ, Esri and OGC tiles in both grids', async () => {
    // A handler over the same store that logs: the app logs a request at info, the fast path at debug.
    const lines: { level: number; requestId: string; route: string }[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(JSON.parse(chunk.toString()));
        done();
      },
    });
    const logged = await listen(createHandler(served.mini.store, { log: pino({ level: 'debug' }, sink) }));
    const [, x9, y9] = blockTile(9);
    const [, x13, y13] = blockTile(13);
    const [col7, row7] = swerefTile(7);
    const [col8, row8] = swerefTile(8);
    const v = served.mini.dataset.id;
    const esri = '/arcgis/rest/services/:name/VectorTileServer/tile/:z/:y/:file';
    const ogc = '/tiles/:tileMatrixSetId/:tileMatrix/:tileRow/:tileCol';
    // Each a tile no other test asks for (the alias and its year share cache entries).
    const cases = [
      [`/tiles/omradestyper-2022/9/${x9}/${y9}.mvt?v=${v}`, '/tiles/:tileset/:z/:x/:file'],
      [`/arcgis/rest/services/omradestyper-2023/VectorTileServer/tile/9/${y9}/${x9}.pbf`, esri],
      [`/arcgis/rest/services/omradestyper-2022-3006/VectorTileServer/tile/7/${row7}/${col7}.pbf`, esri],
      [`/tiles/WebMercatorQuad/13/${y13}/${x13}?v=${v}`, ogc],
      [`/tiles/SWEREF99TM/8/${row8}/${col8}`, ogc],
    ];
    // X-Request-Id differs by design: one per request.
    const strip = (h: Record<string, unknown>) => Object.fromEntries(Object.entries(h).filter(([k]) => !['date', 'connection', 'keep-alive', 'x-request-id'].includes(k)));
    try {
      for (const [i, [path, route]] of cases.entries()) {
        const made = await rawGet(`${logged.url}${path}`, { 'Accept-Encoding': 'br', 'X-Request-Id': `made-${i}` });
        const cached = await rawGet(`${logged.url}${path}`, { 'Accept-Encoding': 'br', 'X-Request-Id': `cached-${i}` });
        expect(made.status, path).toBe(200);
        expect(made.body.length, path).toBeGreaterThan(0);
        expect(strip(cached.headers), path).toEqual(strip(made.headers));
        expect(cached.body.equals(made.body), path).toBe(true);
        expect(lines.find((l) => l.requestId === `made-${i}`), path).toMatchObject({ level: 30, route });
        expect(lines.find((l) => l.requestId === `cached-${i}`), path).toMatchObject({ level: 20, route });
        // Revalidation: the app's 304 (the tile made again after a purge), then the fast path's.
        served.mini.store.cache.clear();
        const revalidate = { 'Accept-Encoding': 'br', 'If-None-Match': made.headers.etag! };
        const made304 = await rawGet(`${logged.url}${path}`, { ...revalidate, 'X-Request-Id': `made304-${i}` });
        const cached304 = await rawGet(`${logged.url}${path}`, { ...revalidate, 'X-Request-Id': `cached304-${i}` });
        expect([made304.status, cached304.status], path).toEqual([304, 304]);
        expect(strip(cached304.headers), path).toEqual(strip(made304.headers));
        expect(lines.find((l) => l.requestId === `cached304-${i}`), path).toMatchObject({ level: 20, route });
      }
      // What the OGC route must check goes to the app even when the tile is cached: datetime, f.
      const [path] = cases[3];
      await rawGet(`${logged.url}${path}`);
      for (const query of ['datetime=2023', 'f=mvt']) {
        const res = await rawGet(`${logged.url}${path}&${query}`, { 'Accept-Encoding': 'br', 'X-Request-Id': `app-${query.replace('=', '.')}` });
        expect(res.status, query).toBe(200);
        expect(lines.find((l) => l.requestId === `app-${query.replace('=', '.')}`), query).toMatchObject({ level: 30, route: ogc });
      }
    } finally {
      await logged.close();
    }
  });

  it('answer an empty tile inside the matrix with 200 and an empty body', async () => {
    const res = await binary('/tiles/omradestyper/12/0/0.mvt');
    expect(res.status).toBe(200);
    expect(res.body.length).toBe(0);
    expect(res.headers['content-encoding']).toBeUndefined();
  });

  it('reject bad and out-of-range addresses with JSON errors', async () => {
    for (const [path, status] of [
      ['/tiles/omradestyper/3/-1/0.mvt', 400],
      ['/tiles/omradestyper/a/0/0.mvt', 400],
      ['/tiles/omradestyper/3/0/0.png', 400],
      ['/tiles/omradestyper/3/8/0.mvt', 404],
      ['/tiles/omradestyper/15/0/0.mvt', 404],
      ['/tiles/omradestyper/99999999999999999999/0/0.mvt', 404],
      ['/tiles/nosuch/3/0/0.mvt', 404],
    ] as const) {
      const res = await request(served.mini.handler).get(path);
      expect(res.status, path).toBe(status);
      expect(res.body.error, path).toEqual(expect.any(String));
    }
  });
});

describe('TileJSON and styles', () => {
  it('describe every layer and field with absolute, versioned URLs', async () => {
    const res = await request(served.mini.handler).get('/tiles/omradestyper-2023.json').set('X-Forwarded-Proto', 'https').set('X-Forwarded-Host', 'maps.example.se').expect(200);
    expect(res.body).toMatchObject({ tilejson: '3.0.0', minzoom: 0, maxzoom: 14, attribution: 'SYNTHETIC TEST FIXTURE' });
    expect(res.body.tiles).toEqual([`https://maps.example.se/tiles/omradestyper-2023/{z}/{x}/{y}.mvt?v=${served.mini.dataset.id}`]);
    const layers = Object.fromEntries(res.body.vector_layers.map((l: { id: string }) => [l.id, l]));
    expect(Object.keys(layers).sort()).toEqual(['kommuner', 'regso', 'regso_label']);
    expect(Object.keys(layers.regso.fields)).toEqual(expect.arrayContaining(['regsokod', 'omradestyp', 'befolkning', 'stold', 'stold_per_1000', 'geom_source']));
    expect(res.body.bounds[0]).toBeLessThan(res.body.bounds[2]);
  });

  it('list tilesets and styles', async () => {
    const tilesets = await request(served.mini.handler).get('/tiles').expect(200);
    // The XYZ (Web Mercator) tilesets; the SWEREF 99 TM ones follow (test/ogc/tiles.test.ts).
    const xyz = tilesets.body.tilesets.filter((t: { tileMatrixSetId: string }) => t.tileMatrixSetId === 'WebMercatorQuad');
    expect(xyz.map((t: { id: string }) => t.id)).toEqual(['omradestyper-2022', 'omradestyper-2023', 'omradestyper']);
    const styles = await request(served.mini.handler).get('/styles').expect(200);
    expect(styles.body.styles.map((s: { id: string }) => s.id)).toEqual(expect.arrayContaining(['omradestyper', 'omradestyper-2022', 'stold', 'befolkning-2023']));
  });

  it('serve the områdestyp style with one filtered layer per type and the tileset as source', async () => {
    const res = await request(served.mini.handler).get('/styles/omradestyper-2022.json').set('Host', 'localhost:1234').expect(200);
    expect(res.body.version).toBe(8);
    expect(res.body.sources.regso.url).toBe('http://localhost:1234/tiles/omradestyper-2022.json');
    const fills = res.body.layers.filter((l: { type: string }) => l.type === 'fill');
    expect(fills.map((l: { filter: unknown }) => l.filter)).toEqual([1, 2, 3, 4, 5].map((t) => ['==', ['get', 'omradestyp'], t]));
    expect(new Set(fills.map((l: { paint: Record<string, string> }) => l.paint['fill-color'])).size).toBe(5);
    await request(served.mini.handler).get('/styles/omradestyper-1999.json').expect(404);
    await request(served.mini.handler).get('/styles/nosuch.json').expect(404);
  });
});

describe('CORS', () => {
  it('lets web maps on other origins read tiles, TileJSON and styles, and answers preflights', async () => {
    for (const path of ['/tiles/omradestyper.json', '/styles/omradestyper.json', '/tiles/omradestyper/0/0/0.mvt']) {
      const res = await request(served.mini.handler).get(path).set('Origin', 'https://kartor.example.se');
      expect(res.headers['access-control-allow-origin'], path).toBe('*');
    }
    const pre = await request(served.mini.handler).options('/tiles/omradestyper/0/0/0.mvt').set('Origin', 'https://kartor.example.se').set('Access-Control-Request-Method', 'GET');
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-methods']).toMatch(/GET/);
  });
});
