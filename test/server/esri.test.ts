/**
 * The Esri VectorTileServer over the mini dataset (SYNTHETIC TEST FIXTURE), for every tile grid of TILE_MATRIX_SETS:
 * the documents (every field ArcGIS and QGIS read, consistent with the grid and the data), the tiles (row before
 * column, the same bytes as the tile service makes, empty/out-of-range/malformed answers), the style (the MapLibre
 * style's layers on the `esri` source), and the request sequences of ArcGIS Online and ArcGIS Pro
 * (../shared/docs/clients.md) replayed with the URLs resolved the way those clients resolve them.
 */
import proj4 from 'proj4';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { toWgs84 } from '../../data/crs.ts';
import { TILE_MATRIX_SETS, type TileMatrixSet } from '../../tiles/grid.ts';
import { OMRADESTYP_COLORS } from '../../tiles/style/palette.ts';
import { MAX_ZOOM } from '../../tiles/tilesets.ts';
import { decodeTile, layerFeatures, uncompressed } from '../helpers/mvt.ts';
import { serveMini } from '../helpers/mini-server.ts';
import { rawGet } from '../helpers/raw-http.ts';

const served = serveMini();

const TILESETS = ['omradestyper-2022', 'omradestyper-2023', 'omradestyper'];
/** The centre of the mini dataset's 2 × 2 km block, EPSG:3006. */
const BLOCK = [661_000, 6_601_000];

/** Esri's published constants of its Web Mercator tiling scheme for 512-px vector tiles (clients.md). */
const ESRI_3857_LEVEL0 = { resolution: 78271.516964, scale: 295828763.7957775 };

const serviceName = (tileset: string, grid: TileMatrixSet) => (grid.epsg === 3857 ? tileset : `${tileset}-${grid.epsg}`);
const servicePath = (tileset: string, grid: TileMatrixSet) => `/arcgis/rest/services/${serviceName(tileset, grid)}/VectorTileServer`;

/**
 * A point of the grid's CRS from an EPSG:3006 point, by an independent route: proj4 from WGS84 for other CRSs,
 * the point itself for EPSG:3006.
 */
function inGridCrs(grid: TileMatrixSet, p3006: number[]): [number, number] {
  if (grid.epsg === 3006) return [p3006[0], p3006[1]];
  return proj4('EPSG:4326', `EPSG:${grid.epsg}`, toWgs84(p3006)) as [number, number];
}

/** The tile of level z holding a point: columns from the origin eastwards, rows from the origin southwards. */
function tileAt(grid: TileMatrixSet, z: number, p3006: number[]): { z: number; x: number; y: number } {
  const [e, n] = inGridCrs(grid, p3006);
  const side = grid.span0 / 2 ** z;
  return { z, x: Math.floor((e - grid.origin[0]) / side), y: Math.floor((grid.origin[1] - n) / side) };
}

async function serviceJson(tileset: string, grid: TileMatrixSet) {
  return (await request(served.mini.handler).get(`${servicePath(tileset, grid)}?f=json`).expect(200)).body;
}

describe('the services', () => {
  it('are every tileset in every tile grid, listed in the services directory', async () => {
    const res = await request(served.mini.handler).get('/arcgis/rest/services?f=json').expect(200);
    expect(res.body.folders).toEqual([]);
    const expected = TILE_MATRIX_SETS.flatMap((g) => TILESETS.map((t) => ({ name: serviceName(t, g), type: 'VectorTileServer' })));
    expect(res.body.services).toEqual(expected);
    expect(new Set(expected.map((s) => s.name)).size).toBe(expected.length);
    const html = await request(served.mini.handler).get('/arcgis/rest/services').set('Accept', 'text/html').expect(200).expect('Content-Type', /text\/html/);
    for (const s of expected) expect(html.text).toContain(`href="/arcgis/rest/services/${s.name}/VectorTileServer?f=html"`);
  });

  it('answer /arcgis/rest/info without token security', async () => {
    const res = await request(served.mini.handler).get('/arcgis/rest/info?f=json').expect(200);
    expect(res.body).toMatchObject({ currentVersion: expect.any(Number), fullVersion: expect.stringMatching(/^\d+\.\d+/), authInfo: { isTokenBasedSecurity: false } });
  });

  it('answer an unknown service or format with a JSON error', async () => {
    const unknown = await request(served.mini.handler).get('/arcgis/rest/services/nosuch/VectorTileServer?f=json').expect(404);
    expect(unknown.body.error).toEqual(expect.any(String));
    const format = await request(served.mini.handler).get('/arcgis/rest/services/omradestyper/VectorTileServer?f=xml').expect(400);
    expect(format.body.error).toMatch(/f=xml/);
  });
});

for (const grid of TILE_MATRIX_SETS) {
  describe(`VectorTileServer in ${grid.id} (EPSG:${grid.epsg})`, () => {
    it('has every field ArcGIS and QGIS read', async () => {
      for (const tileset of TILESETS) {
        const doc = await serviceJson(tileset, grid);
        expect(doc, tileset).toMatchObject({
          currentVersion: expect.any(Number),
          name: serviceName(tileset, grid),
          copyrightText: 'SYNTHETIC TEST FIXTURE',
          capabilities: 'TilesOnly',
          type: 'indexedVector',
          defaultStyles: 'resources/styles',
          tiles: ['tile/{z}/{y}/{x}.pbf'],
          exportTilesAllowed: false,
          maxScale: 0,
          tileInfo: { rows: 512, cols: 512, dpi: 96, format: 'pbf' },
          minLOD: 0,
          maxLOD: MAX_ZOOM,
          maxzoom: MAX_ZOOM,
          resourceInfo: { styleVersion: 8, tileCompression: 'gzip', cacheInfo: { storageInfo: { packetSize: 128, storageFormat: 'compactV2' } } },
        });
        // No tilemap is served, so none may be announced.
        expect(doc.tileMap).toBeUndefined();
      }
    });

    it('describes the grid: origin, spatial reference and 512-px levels of detail that halve from one root tile', async () => {
      const { tileInfo, minScale } = await serviceJson('omradestyper', grid);
      expect(tileInfo.origin).toEqual({ x: grid.origin[0], y: grid.origin[1] });
      expect(tileInfo.spatialReference).toEqual(grid.epsg === 3857 ? { wkid: 102100, latestWkid: 3857 } : { wkid: grid.epsg, latestWkid: grid.epsg });
      expect(tileInfo.lods.map((l: { level: number }) => l.level)).toEqual(Array.from({ length: MAX_ZOOM + 1 }, (_, i) => i));
      // Level 0 is one 512-px tile over the grid's root tile; the scale is the resolution at 96 dpi, with Esri's
      // 39.37 inches to the metre (its published Web Mercator scales, checked below, are made so).
      expect(tileInfo.lods[0].resolution * 512).toBeCloseTo(grid.span0, 6);
      for (const [i, lod] of tileInfo.lods.entries()) {
        expect(lod.scale / (lod.resolution * 96 * 39.37), `level ${i} scale`).toBeCloseTo(1, 12);
        if (i > 0) expect(lod.resolution / tileInfo.lods[i - 1].resolution, `level ${i}`).toBeCloseTo(0.5, 12);
      }
      expect(minScale).toBe(tileInfo.lods[0].scale);
      if (grid.epsg === 3857) {
        expect(tileInfo.lods[0].resolution).toBeCloseTo(ESRI_3857_LEVEL0.resolution, 6);
        expect(tileInfo.lods[0].scale / ESRI_3857_LEVEL0.scale).toBeCloseTo(1, 9);
      }
    });

    it('gives full and initial extents in the grid CRS that hold every vertex of the data, inside the root tile', async () => {
      const { fullExtent, initialExtent, tileInfo } = await serviceJson('omradestyper', grid);
      expect(initialExtent).toEqual(fullExtent);
      expect(fullExtent.spatialReference).toEqual(tileInfo.spatialReference);
      let vertices = 0;
      for (const area of served.mini.dataset.areas) {
        for (const polygon of area.sweref99tm.coordinates) {
          for (const p of polygon[0]) {
            const [x, y] = inGridCrs(grid, p);
            vertices++;
            expect(x).toBeGreaterThanOrEqual(fullExtent.xmin);
            expect(x).toBeLessThanOrEqual(fullExtent.xmax);
            expect(y).toBeGreaterThanOrEqual(fullExtent.ymin);
            expect(y).toBeLessThanOrEqual(fullExtent.ymax);
          }
        }
      }
      expect(vertices).toBeGreaterThan(0);
      expect(fullExtent.xmin).toBeGreaterThanOrEqual(grid.origin[0]);
      expect(fullExtent.xmax).toBeLessThanOrEqual(grid.origin[0] + grid.span0);
      expect(fullExtent.ymax).toBeLessThanOrEqual(grid.origin[1]);
      expect(fullExtent.ymin).toBeGreaterThanOrEqual(grid.origin[1] - grid.span0);
    });

    it('serves the tiles of the template, row before column, as the tile service makes them in this grid', async () => {
      const service = servicePath('omradestyper-2023', grid);
      for (const z of [10, 12]) {
        const t = tileAt(grid, z, BLOCK);
        const res = await rawGet(`${served.base}${service}/tile/${t.z}/${t.y}/${t.x}.pbf`, { 'Accept-Encoding': 'gzip' });
        expect(res.status, `${z}/${t.y}/${t.x}`).toBe(200);
        expect(res.headers['content-type']).toBe('application/vnd.mapbox-vector-tile');
        expect(res.headers['content-encoding']).toBe('gzip');
        const bytes = uncompressed(res.body, 'gzip');
        const tileset = served.mini.store.current.tiles.tileset('omradestyper-2023')!;
        const made = served.mini.store.current.tiles.get(tileset, t, 'public', grid);
        expect(made.status).toBe('ok');
        expect(res.headers.etag).toBe(made.status === 'ok' ? made.tile.etag : '');
        const areas = layerFeatures(decodeTile(bytes), 'regso');
        expect(areas.map((f) => f.properties.regsokod).sort()).toEqual(['0114R001', '0114R002', '0114R003', '0114R004']);
        // Row and column swapped names another tile (the block is not on the diagonal).
        expect(t.x).not.toBe(t.y);
      }
    });

    it('negotiates the encoding, revalidates by ETag, and answers empty, outside and malformed tiles', async () => {
      const service = servicePath('omradestyper', grid);
      const t = tileAt(grid, 12, BLOCK);
      const path = `${served.base}${service}/tile/${t.z}/${t.y}/${t.x}.pbf`;
      const identity = await rawGet(path, { 'Accept-Encoding': 'identity' });
      expect(identity.headers['content-encoding']).toBeUndefined();
      expect(decodeTile(identity.body).layers.regso.length).toBe(4);
      expect(identity.headers.vary).toBe('Accept-Encoding');
      expect((await rawGet(path, { 'If-None-Match': identity.headers.etag! })).status).toBe(304);

      // A tile of the grid away from the data: 200 with an empty body (ArcGIS Online rejects 204).
      const corner = Math.max(0, t.x - 8);
      const empty = await rawGet(`${served.base}${service}/tile/12/${corner}/${corner}.pbf`, { 'Accept-Encoding': 'gzip' });
      expect(empty.status).toBe(200);
      expect(empty.body.length).toBe(0);
      for (const [tile, status] of [
        [`1/0/2.pbf`, 404],
        [`1/2/0.pbf`, 404],
        [`${MAX_ZOOM + 1}/0/0.pbf`, 404],
        [`a/0/0.pbf`, 400],
        [`3/-1/0.pbf`, 400],
        [`3/0/0.mvt`, 400],
      ] as const) {
        const res = await request(served.mini.handler).get(`${service}/tile/${tile}`);
        expect(res.status, tile).toBe(status);
        expect(res.body.error, tile).toEqual(expect.any(String));
      }
    });

    it('serves the MapLibre style’s layers and colours on the esri source at every style URL', async () => {
      for (const tileset of ['omradestyper', 'omradestyper-2022']) {
        const service = servicePath(tileset, grid);
        const bodies = [];
        for (const path of ['resources/styles', 'resources/styles/', 'resources/styles/?f=json', 'resources/styles/root.json']) {
          bodies.push((await request(served.mini.handler).get(`${service}/${path}`).expect(200).expect('Content-Type', /json/)).body);
        }
        for (const body of bodies.slice(1)) expect(body).toEqual(bodies[0]);
        const style = bodies[0];
        expect(style.version).toBe(8);
        expect(style.sources).toEqual({ esri: { type: 'vector', url: '../../', attribution: 'SYNTHETIC TEST FIXTURE' } });
        const maplibre = (await request(served.mini.handler).get(`/styles/${tileset}.json`).expect(200)).body;
        expect(style.layers).toEqual(maplibre.layers.map((l: { source: string }) => ({ ...l, source: 'esri' })));
        const fills = style.layers.filter((l: { type: string }) => l.type === 'fill');
        expect(fills.map((l: { paint: Record<string, string> }) => l.paint['fill-color'])).toEqual([1, 2, 3, 4, 5].map((t) => OMRADESTYP_COLORS[t as 1]));
        expect(new Set(style.layers.map((l: { 'source-layer': string }) => l['source-layer']))).toEqual(new Set(['regso', 'kommuner']));
      }
    });

    it('answers f=json, f=pjson (indented) and f=html, by query or form-encoded POST; without f browsers get HTML', async () => {
      const service = servicePath('omradestyper-2022', grid);
      const json = await request(served.mini.handler).get(`${service}?f=json`).expect(200);
      const pjson = await request(served.mini.handler).get(`${service}?f=pjson`).expect(200).expect('Content-Type', /json/);
      expect(pjson.text).toContain('\n  "currentVersion"');
      expect(JSON.parse(pjson.text)).toEqual(json.body);
      const posted = await request(served.mini.handler).post(service).type('form').send({ f: 'pjson' }).expect(200);
      expect(JSON.parse(posted.text)).toEqual(json.body);
      expect((await request(served.mini.handler).post(service).type('form').send({ f: 'json' }).expect(200)).body).toEqual(json.body);
      expect((await request(served.mini.handler).get(service).set('Accept', 'application/json')).body).toEqual(json.body);
      expect((await request(served.mini.handler).get(`${service}/`)).body).toEqual(json.body);

      const html = await request(served.mini.handler).get(service).set('Accept', 'text/html,application/xhtml+xml,*/*;q=0.8').set('Host', 'maps.example.se').expect(200).expect('Content-Type', /text\/html/);
      const url = `http://maps.example.se${service}`;
      expect(html.text).toContain(`<code>${url}</code>`);
      expect(html.text).toContain(`<code>${url}/resources/styles/root.json</code>`);
      expect(html.text).not.toMatch(/<script/i);
      expect(html.text).toContain(`<strong>${serviceName('omradestyper-2022', grid)}</strong>`);
      for (const text of ['ArcGIS Pro', 'Data From Path', 'Add layer from URL', 'ArcGIS Vector Tile Service', '<code>regso</code>', '<code>kommuner</code>', '2022', '2023', `EPSG:${grid.epsg}`]) expect(html.text).toContain(text);
      expect((await request(served.mini.handler).get(`${service}?f=html`).set('Host', 'maps.example.se').expect(200)).text).toBe(html.text);
    });
  });
}

/**
 * The request sequences of ArcGIS Online (the JS API's VectorTileLayer) and ArcGIS Pro, with relative URLs resolved
 * as those clients do (against the document they came from) and the headers a browser or Pro sends.
 */
describe('ArcGIS request sequences', () => {
  async function get(url: string, headers: Record<string, string> = {}) {
    return rawGet(url, { Origin: 'https://www.arcgis.com', 'Accept-Encoding': 'gzip, deflate, br', ...headers });
  }
  const json = (res: { body: Buffer }) => JSON.parse(res.body.toString('utf8'));

  for (const grid of TILE_MATRIX_SETS) {
    it(`ArcGIS Online adds omradestyper from its URL (${grid.id}): info, service, root.json, its source, tiles`, async () => {
      const serviceUrl = `${served.base}${servicePath('omradestyper', grid)}`;
      const info = await get(`${served.base}/arcgis/rest/info?f=json`);
      expect(info.status).toBe(200);
      expect(json(info).currentVersion).toEqual(expect.any(Number));

      const service = await get(`${serviceUrl}?f=json`);
      expect(service.status).toBe(200);
      expect(service.headers['access-control-allow-origin']).toBe('*');
      const doc = json(service);
      const styleUrl = new URL(`${doc.defaultStyles}/root.json`, `${serviceUrl}/`).href;
      const style = await get(styleUrl);
      expect(style.status).toBe(200);
      const sourceUrl = new URL(json(style).sources.esri.url, styleUrl);
      expect(sourceUrl.pathname).toBe(`${servicePath('omradestyper', grid)}/`);
      sourceUrl.searchParams.set('f', 'json');
      const source = await get(sourceUrl.href);
      expect(source.status).toBe(200);
      expect(json(source)).toEqual(doc);

      const t = tileAt(grid, 11, BLOCK);
      const tileUrl = (z: number, y: number, x: number) => new URL(doc.tiles[0].replace('{z}', z).replace('{y}', y).replace('{x}', x), `${serviceUrl}/`).href;
      const tile = await get(tileUrl(t.z, t.y, t.x));
      expect(tile.status).toBe(200);
      expect(tile.headers['access-control-allow-origin']).toBe('*');
      expect(decodeTile(uncompressed(tile.body, tile.headers['content-encoding'] as string)).layers.regso.length).toBe(4);
      const empty = await get(tileUrl(t.z, 0, 0));
      expect(empty.status).toBe(200);
      expect(empty.body.length).toBe(0);
    });

    it(`ArcGIS Pro adds omradestyper-2022 from a path (${grid.id}): POST f=json, resources/styles/?f=json, tiles`, async () => {
      const path = servicePath('omradestyper-2022', grid);
      const posted = await request(served.mini.handler).post(path).set('Content-Type', 'application/x-www-form-urlencoded').send('f=json').expect(200);
      expect(posted.body.name).toBe(serviceName('omradestyper-2022', grid));
      const style = await request(served.mini.handler).get(`${path}/resources/styles/?f=json`).expect(200);
      expect(style.body.layers.length).toBeGreaterThan(5);
      const t = tileAt(grid, 13, BLOCK);
      const tile = await rawGet(`${served.base}${path}/${posted.body.tiles[0].replace('{z}', t.z).replace('{y}', t.y).replace('{x}', t.x)}`, { 'Accept-Encoding': 'gzip' });
      expect(tile.status).toBe(200);
      const types = layerFeatures(decodeTile(uncompressed(tile.body, tile.headers['content-encoding'] as string)), 'regso').map((f) => f.properties.omradestyp);
      // 2022's types, not 2023's: the mini dataset's 0114R001 is type 2 in 2022 (1 in 2023).
      const first = layerFeatures(decodeTile(uncompressed(tile.body, tile.headers['content-encoding'] as string)), 'regso').find((f) => f.properties.regsokod === '0114R001');
      expect(first?.properties.omradestyp).toBe(2);
      expect(types).toHaveLength(4);
    });
  }
});
