/**
 * OGC API – Tiles and the tile matrix sets over the mini dataset (SYNTHETIC TEST FIXTURE): the TileMatrixSet 2.0
 * documents (checked against the grid constants written out here, and Lantmäteriet's published values), the tileset
 * lists and metadata of the dataset and each collection, tiles by tileMatrix/tileRow/tileCol in both grids (the
 * SWEREF 99 TM tile of a known point, found with the grid's arithmetic here, holds the area there), `datetime`, and
 * the 400s and 404s.
 */
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { toWgs84 } from '../../data/crs.ts';
import { decodeTile, layerFeatures, uncompressed } from '../helpers/mvt.ts';
import { serveMini } from '../helpers/mini-server.ts';
import { rawGet } from '../helpers/raw-http.ts';
import { startOgcMini } from './helpers.ts';

const served = serveMini(startOgcMini);

const get = (path: string) => request(served.mini.handler).get(path);
const TILES = 'http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf';
const MVT = 'application/vnd.mapbox-vector-tile';

/** Lantmäteriet's "3006" set (WMTS capabilities): TopLeftCorner N 8 500 000, E −1 200 000; level n: 4096 / 2^n m per pixel. */
const LM_ORIGIN_NE = [8_500_000, -1_200_000];
const lmCellSize = (n: number) => 4096 / 2 ** n;

/** Row and column of the SWEREF 99 TM tile holding (E, N) at our level z, from the grid's definition (root tile 2^22 m). */
function swerefTile(e: number, n: number, z: number): { row: number; col: number } {
  const side = 2 ** 22 / 2 ** z;
  return { row: Math.floor((LM_ORIGIN_NE[0] - n) / side), col: Math.floor((e - LM_ORIGIN_NE[1]) / side) };
}

async function tileAt(path: string) {
  const res = await rawGet(`${served.base}${path}`, { 'Accept-Encoding': 'gzip' });
  return { res, tile: res.status === 200 && res.body.length > 0 ? decodeTile(uncompressed(res.body, res.headers['content-encoding'] as string | undefined)) : null };
}

describe('tile matrix sets', () => {
  it('lists WebMercatorQuad and SWEREF99TM with links to their documents', async () => {
    const res = await get('/tileMatrixSets').expect(200);
    expect(res.body.tileMatrixSets.map((t: { id: string }) => t.id)).toEqual(['WebMercatorQuad', 'SWEREF99TM']);
    for (const t of res.body.tileMatrixSets) expect(t.links.find((l: { rel: string }) => l.rel === 'self').href).toMatch(new RegExp(`/tileMatrixSets/${t.id}$`));
  });

  it('describes WebMercatorQuad as the OGC registry does', async () => {
    const { body } = await get('/tileMatrixSets/WebMercatorQuad').expect(200);
    expect(body).toMatchObject({ id: 'WebMercatorQuad', uri: 'http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad', crs: 'http://www.opengis.net/def/crs/EPSG/0/3857', orderedAxes: ['X', 'Y'] });
    expect(body.tileMatrices).toHaveLength(25);
    // The registry's level 0: scale 1:559,082,264.028717, cell size 156,543.033928041 m, origin ±20,037,508.3427892.
    expect(body.tileMatrices[0].scaleDenominator).toBeCloseTo(559082264.028717, 3);
    expect(body.tileMatrices[0].cellSize).toBeCloseTo(156543.033928041, 6);
    expect(body.tileMatrices[0].pointOfOrigin[0]).toBeCloseTo(-20037508.3427892, 4);
    expect(body.tileMatrices[0].pointOfOrigin[1]).toBeCloseTo(20037508.3427892, 4);
    expect(body.tileMatrices[18]).toMatchObject({ id: '18', matrixWidth: 2 ** 18, matrixHeight: 2 ** 18, tileWidth: 256, tileHeight: 256, cornerOfOrigin: 'topLeft' });
  });

  it('describes SWEREF99TM northing first, one root tile, and every level from 2 on equal to Lantmäteriet’s level − 2', async () => {
    const { body } = await get('/tileMatrixSets/SWEREF99TM').expect(200);
    expect(body).toMatchObject({ id: 'SWEREF99TM', crs: 'http://www.opengis.net/def/crs/EPSG/0/3006', orderedAxes: ['N', 'E'] });
    expect(body.tileMatrices[0]).toMatchObject({ id: '0', matrixWidth: 1, matrixHeight: 1, pointOfOrigin: LM_ORIGIN_NE });
    for (const [z, m] of (body.tileMatrices as { cellSize: number; scaleDenominator: number; pointOfOrigin: number[]; matrixWidth: number }[]).entries()) {
      expect(m.pointOfOrigin).toEqual(LM_ORIGIN_NE);
      expect(m.matrixWidth).toBe(2 ** z);
      expect(m.cellSize).toBe(lmCellSize(z - 2));
      expect(m.scaleDenominator).toBeCloseTo(lmCellSize(z - 2) / 0.00028, 6);
    }
    // Lantmäteriet's level 0, 1:14,628,571.43, is our level 2; our root tile reaches from Skåne to Lapland.
    expect(body.tileMatrices[2].scaleDenominator).toBeCloseTo(14628571.4285714, 4);
    const side = body.tileMatrices[0].cellSize * 256;
    expect(LM_ORIGIN_NE[0] - side).toBeLessThan(6_100_000);
    expect(LM_ORIGIN_NE[1] + side).toBeGreaterThan(920_000);
  });

  it('answers 404 with JSON for an unknown set, 400 for an unknown parameter', async () => {
    expect((await get('/tileMatrixSets/EPSG3006').expect(404)).body.error).toMatch(/no tile matrix set/);
    expect((await get('/tileMatrixSets/SWEREF99TM?zoom=1').expect(400)).body.parameter).toBe('zoom');
  });
});

describe('conformance and the API definition', () => {
  it('declares the Tiles classes', async () => {
    const { body } = await get('/conformance').expect(200);
    for (const c of ['core', 'tileset', 'tilesets-list', 'geodata-tilesets', 'dataset-tilesets', 'datetime', 'mvt', 'oas30', 'tmxs']) expect(body.conformsTo).toContain(`${TILES}/${c}`);
    expect(body.conformsTo).toContain('http://www.opengis.net/spec/tms/2.0/conf/tilematrixset');
  });

  it('has every tiles path in /api', async () => {
    const { body } = await get('/api').expect(200);
    for (const p of [
      '/tileMatrixSets',
      '/tileMatrixSets/{tileMatrixSetId}',
      '/tiles',
      '/tiles/{tileMatrixSetId}',
      '/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}',
      '/collections/regso/tiles',
      '/collections/regso/tiles/{tileMatrixSetId}',
      '/collections/regso/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}',
      '/collections/kommuner/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}',
    ]) {
      expect(body.paths[p]?.get, p).toBeDefined();
    }
  });
});

describe('tilesets', () => {
  it('lists the dataset’s tilesets at /tiles: the XYZ ones as before, each an OGC tileset entry, and the same in SWEREF99TM', async () => {
    const { body } = await get('/tiles').expect(200);
    const byGrid = (id: string) => body.tilesets.filter((t: { tileMatrixSetId: string }) => t.tileMatrixSetId === id);
    expect(byGrid('WebMercatorQuad').map((t: { id: string }) => t.id)).toEqual(['omradestyper-2022', 'omradestyper-2023', 'omradestyper']);
    expect(byGrid('SWEREF99TM').map((t: { id: string }) => t.id)).toEqual(['omradestyper-2022-3006', 'omradestyper-2023-3006', 'omradestyper-3006']);
    for (const t of body.tilesets) {
      expect(t).toMatchObject({ dataType: 'vector', crs: expect.stringMatching(/EPSG\/0\/(3857|3006)$/) });
      expect(t.links.map((l: { rel: string }) => l.rel)).toEqual(expect.arrayContaining(['self', 'item', 'http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme']));
    }
    const self = byGrid('SWEREF99TM')[0].links.find((l: { rel: string }) => l.rel === 'self').href;
    expect(new URL(self).pathname + new URL(self).search).toBe('/tiles/SWEREF99TM?datetime=2022');
  });

  it('describes a dataset tileset: CRS, limits over the data, layers, templated item link, TileJSON alternate in Web Mercator', async () => {
    const { body } = await get('/tiles/WebMercatorQuad').expect(200);
    expect(body).toMatchObject({ dataType: 'vector', crs: 'http://www.opengis.net/def/crs/EPSG/0/3857', tileMatrixSetURI: 'http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad' });
    const item = body.links.find((l: { rel: string }) => l.rel === 'item');
    expect(item).toMatchObject({ type: MVT, templated: true });
    expect(item.href).toMatch(/\/tiles\/WebMercatorQuad\/\{tileMatrix\}\/\{tileRow\}\/\{tileCol\}\?v=/);
    expect(body.links.find((l: { rel: string }) => l.rel === 'alternate').href).toMatch(/\/tiles\/omradestyper-2023\.json$/);
    expect(body.layers.map((l: { id: string }) => l.id)).toEqual(['regso', 'regso_label', 'kommuner', 'utsatta_omraden']);
    expect(body.tileMatrixSetLimits).toHaveLength(15);
    const sweref = (await get('/tiles/SWEREF99TM').expect(200)).body;
    expect(sweref.tileMatrixSetURI).toBeUndefined();
    expect(sweref.links.find((l: { rel: string }) => l.rel === 'alternate')).toBeUndefined();
    // The limits hold the block's tile at every level (the mini data is one 2 × 2 km block at E 660–662 km, N 6600–6602 km).
    for (const limit of sweref.tileMatrixSetLimits) {
      const { row, col } = swerefTile(661_000, 6_601_000, Number(limit.tileMatrix));
      expect(row).toBeGreaterThanOrEqual(limit.minTileRow);
      expect(row).toBeLessThanOrEqual(limit.maxTileRow);
      expect(col).toBeGreaterThanOrEqual(limit.minTileCol);
      expect(col).toBeLessThanOrEqual(limit.maxTileCol);
    }
    // The label layer starts at the level of about Web Mercator zoom 7's ground resolution: SWEREF99TM level 5.
    expect(sweref.layers.find((l: { id: string }) => l.id === 'regso_label').minTileMatrix).toBe('5');
  });

  it('gives each collection its tilesets, with only its own layers', async () => {
    const list = (await get('/collections/regso/tiles').expect(200)).body;
    expect(list.tilesets.map((t: { crs: string }) => t.crs)).toEqual(['http://www.opengis.net/def/crs/EPSG/0/3857', 'http://www.opengis.net/def/crs/EPSG/0/3006']);
    const regso = (await get('/collections/regso/tiles/SWEREF99TM?datetime=2022').expect(200)).body;
    expect(regso.layers.map((l: { id: string }) => l.id)).toEqual(['regso', 'regso_label']);
    expect(regso.links.find((l: { rel: string }) => l.rel === 'item').href).toMatch(/\/collections\/regso\/tiles\/SWEREF99TM\/\{tileMatrix\}\/\{tileRow\}\/\{tileCol\}\?datetime=2022&v=/);
    // The mini dataset's kommun layer has no tileLayer set: its tile layer is its id.
    const kommuner = (await get('/collections/kommuner/tiles/SWEREF99TM').expect(200)).body;
    expect(kommuner.layers.map((l: { id: string }) => l.id)).toEqual(['kommuner']);
    await get('/collections/nope/tiles').expect(404);
    await get('/collections/regso/tiles/EPSG3006').expect(404);
  });
});

describe('tiles', () => {
  it('serves the SWEREF 99 TM tile holding a known point with the area there, row before column', async () => {
    const z = 10;
    const { row, col } = swerefTile(660_500, 6_600_500, z); // the centre of 0114R001 (synthetic)
    const { res, tile } = await tileAt(`/tiles/SWEREF99TM/${z}/${row}/${col}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(MVT);
    expect(Object.keys(tile!.layers).sort()).toEqual(['kommuner', 'regso', 'regso_label', 'utsatta_omraden']);
    expect(layerFeatures(tile!, 'regso').map((f) => f.properties.regsokod)).toContain('0114R001');
    // Swapped row and column name another, empty tile.
    const swapped = await tileAt(`/tiles/SWEREF99TM/${z}/${col}/${row}`);
    expect(swapped.res.status).toBe(200);
    expect(swapped.tile).toBeNull();
  });

  it('serves a collection’s tiles with its layers only, and the year datetime chooses', async () => {
    const z = 12;
    const { row, col } = swerefTile(660_500, 6_600_500, z);
    const a = (await tileAt(`/collections/regso/tiles/SWEREF99TM/${z}/${row}/${col}?datetime=2022`)).tile!;
    expect(Object.keys(a.layers).sort()).toEqual(['regso', 'regso_label']);
    expect(new Set(layerFeatures(a, 'regso').map((f) => f.properties.year))).toEqual(new Set([2022]));
    const b = (await tileAt(`/collections/regso/tiles/SWEREF99TM/${z}/${row}/${col}`)).tile!;
    expect(new Set(layerFeatures(b, 'regso').map((f) => f.properties.year))).toEqual(new Set([2023]));
    const k = (await tileAt(`/collections/kommuner/tiles/SWEREF99TM/${z}/${row}/${col}?datetime=2022`)).tile!;
    expect(Object.keys(k.layers)).toEqual(['kommuner']);
  });

  it('serves Web Mercator tiles under the OGC path identical to the XYZ tiles', async () => {
    const [lon, lat] = toWgs84([660_500, 6_600_500]);
    const z = 11;
    const x = Math.floor(((lon + 180) / 360) * 2 ** z);
    const y = Math.floor(((1 - Math.log(Math.tan((lat * Math.PI) / 180) + 1 / Math.cos((lat * Math.PI) / 180)) / Math.PI) / 2) * 2 ** z);
    const ogc = await tileAt(`/tiles/WebMercatorQuad/${z}/${y}/${x}`);
    const xyz = await tileAt(`/tiles/omradestyper/${z}/${x}/${y}.mvt`);
    expect(ogc.res.headers.etag).toBe(xyz.res.headers.etag);
    expect(layerFeatures(ogc.tile!, 'regso').length).toBe(4);
  });

  it('answers 400 for a malformed address or parameter, 404 outside the matrix, beyond the deepest level or for a year without data', async () => {
    expect((await get('/tiles/SWEREF99TM/3/a/1').expect(400)).body.error).toMatch(/row before column/);
    expect((await get('/tiles/SWEREF99TM/3/1/1?zoom=2').expect(400)).body.parameter).toBe('zoom');
    expect((await get('/tiles/SWEREF99TM/3/1/1?datetime=yesterday').expect(400)).body.parameter).toBe('datetime');
    expect((await get('/tiles/SWEREF99TM/3/8/1').expect(404)).body.error).toMatch(/not a tile of SWEREF99TM/);
    expect((await get('/tiles/SWEREF99TM/15/0/0').expect(404)).body.error).toMatch(/maxzoom/);
    expect((await get('/tiles/SWEREF99TM/17/0/0').expect(404)).body.error).toMatch(/not a tile/);
    expect((await get('/tiles/SWEREF99TM/3/1/1?datetime=2019').expect(404)).body.parameter).toBe('datetime');
    // The XYZ routes are unaffected.
    await get('/tiles/omradestyper.json').expect(200);
    await get('/tiles/nope.json').expect(404);
  });
});
