/**
 * A restricted extra layer (manifest `access: "restricted"`; here the SYNTHETIC TEST FIXTURE's utsatta områden)
 * exists only for analysts and admins, in every output: tiles, TileJSON, styles, the Esri style, OGC API collections
 * and tiles, /dataset, and the statistics' grouping by utsatt område. The public sees no trace of it.
 */
import { pointToTile } from '@mapbox/tilebelt';
import { describe, expect, it } from 'vitest';
import { toWgs84 } from '../../data/crs.ts';
import { sha256Hex } from '../../server/auth.ts';
import { serveMini, startMiniServer } from '../helpers/mini-server.ts';
import { decodeTile, uncompressed } from '../helpers/mvt.ts';
import { rawGet } from '../helpers/raw-http.ts';
import { ogcManifest, usoGeojson } from '../ogc/helpers.ts';

const ANALYST_KEY = 'analyst-key-SYNTHETIC-restricted-layer';
const LAYER = 'utsatta-omraden';
const TILE_LAYER = 'utsatta_omraden';

const served = serveMini(() => {
  const m = ogcManifest();
  m.layers.find((l: { id: string }) => l.id === LAYER).access = 'restricted';
  return startMiniServer({ 'manifest.json': m, 'uso.geojson': usoGeojson() }, { keys: [{ id: 'alice', role: 'analyst', sha256: sha256Hex(ANALYST_KEY) }] });
});

/** GET as the public (no key) or as the analyst; JSON bodies parsed. */
async function get(path: string, analyst: boolean) {
  const res = await rawGet(`${served.base}${path}`, { 'Accept-Encoding': 'identity', ...(analyst ? { 'X-API-Key': ANALYST_KEY } : {}) });
  return { status: res.status, body: res.body, json: () => JSON.parse(String(res.body)) };
}

/** The z12 tile over the fixture's utsatt område (centre 661 500, 6 601 500). */
function tilePath(): string {
  const [lon, lat] = toWgs84([661_500, 6_601_500]);
  const [x, y] = pointToTile(lon, lat, 12);
  return `/tiles/omradestyper-2023/12/${x}/${y}.mvt`;
}

describe('a restricted layer', () => {
  for (const analyst of [false, true]) {
    const who = analyst ? 'the analyst' : 'the public';
    const present = (found: boolean) => expect(found, who).toBe(analyst);

    it(`is ${analyst ? '' : 'not '}in the tiles of ${who}`, async () => {
      const res = await get(tilePath(), analyst);
      expect(res.status).toBe(200);
      const layers = Object.keys(decodeTile(uncompressed(res.body, undefined)).layers);
      expect(layers).toContain('regso');
      present(layers.includes(TILE_LAYER));
    });

    it(`is ${analyst ? '' : 'not '}described in TileJSON, styles and the Esri style for ${who}`, async () => {
      present((await get('/tiles/omradestyper.json', analyst)).json().vector_layers.some((l: { id: string }) => l.id === TILE_LAYER));
      present((await get('/styles/omradestyper.json', analyst)).json().layers.some((l: { 'source-layer'?: string }) => l['source-layer'] === TILE_LAYER));
      const esri = (await get('/arcgis/rest/services/omradestyper/VectorTileServer/resources/styles/root.json', analyst)).json();
      present(esri.layers.some((l: { 'source-layer'?: string }) => l['source-layer'] === TILE_LAYER));
    });

    it(`is ${analyst ? 'a' : 'no'} collection, OGC tileset layer or /dataset layer for ${who}`, async () => {
      present((await get('/collections', analyst)).json().collections.some((c: { id: string }) => c.id === LAYER));
      expect((await get(`/collections/${LAYER}/items`, analyst)).status).toBe(analyst ? 200 : 404);
      expect((await get(`/collections/${LAYER}/tiles`, analyst)).status).toBe(analyst ? 200 : 404);
      const tileset = (await get('/tiles/WebMercatorQuad', analyst)).json();
      present(tileset.layers.some((l: { id: string }) => l.id === TILE_LAYER));
      present((await get('/dataset', analyst)).json().layers.some((l: { id: string }) => l.id === LAYER));
    });

    it(`is ${analyst ? '' : 'not '}a grouping of the statistics for ${who}`, async () => {
      present((await get('/catalog', analyst)).json().groupBy.includes('utsatt-omrade'));
      expect((await get('/stats?metric=totalt&groupBy=utsatt-omrade', analyst)).status).toBe(analyst ? 200 : 400);
    });
  }
});
