/**
 * GDAL's MVT driver (ogrinfo, Debian `gdal-bin`) reads SWEREF 99 TM tiles as served by OGC API – Tiles. GDAL has no
 * open option for a tile matrix set when reading one file, so the tile is laid out as the tileset directory GDAL
 * itself writes with `-dsco TILING_SCHEME=EPSG:3006,-1200000,8500000,4194304` ({z}/{x}/{y}.pbf and a metadata.json
 * with `crs`, `tile_origin_upper_left_x/y`, `tile_dimension_zoom_0`; GDAL 3.6 honours them only when the layers
 * declare fields). Checked: GDAL's own writer, given a source point of 1480R050, puts it in the very tile our grid
 * serves it in; reading our tile, GDAL reports SWEREF 99 TM, the feature counts @mapbox/vector-tile decodes, and
 * 1480R050 with the decoded polygon's area, every vertex within a tile unit (1 m at level 10) of the source boundary.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import polygonClipping from 'polygon-clipping';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AREA_LAYER } from '../../tiles/attributes.ts';
import { vectorLayers } from '../../tiles/tilejson.ts';
import { requireClient } from '../helpers/clients.ts';
import { distanceToRings } from '../helpers/geometry.ts';
import { decodeTile, layerFeatures, uncompressed } from '../helpers/mvt.ts';
import { startNationalServer, type NationalServer } from '../helpers/national.ts';
import { rawGet } from '../helpers/raw-http.ts';

const HAS_GDAL = requireClient('ogrinfo', 'GDAL ogrinfo');
const TILING_SCHEME = 'EPSG:3006,-1200000,8500000,4194304';
const HJALLBO = '1480R050';
const LEVEL = 10;

const run = promisify(execFile);
const gdal = async (tool: string, args: string[]) => (await run(tool, args, { encoding: 'utf8', timeout: 60_000 })).stdout;

let server: NationalServer;
let dir: string;

describe.skipIf(!HAS_GDAL)('GDAL (MVT driver) on SWEREF 99 TM tiles', () => {
  beforeAll(async () => {
    server = await startNationalServer();
    dir = await mkdtemp(path.join(tmpdir(), 'regso-gdal-3006-'));
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('finds the tile GDAL’s own writer uses, and reads our tile there in SWEREF 99 TM with the same features', async () => {
    const area = server.dataset.areas.find((a) => a.regsokod === HJALLBO)!;
    const [e, n] = area.sweref99tm.coordinates[0][0][0];
    await writeFile(path.join(dir, 'point.geojson'), JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { a: 1 }, geometry: { type: 'Point', coordinates: [e, n] } }] }));
    const written = path.join(dir, 'gdal');
    await gdal('ogr2ogr', ['-f', 'MVT', '-a_srs', 'EPSG:3006', '-dsco', `TILING_SCHEME=${TILING_SCHEME}`, '-dsco', `MINZOOM=${LEVEL}`, '-dsco', `MAXZOOM=${LEVEL}`, written, path.join(dir, 'point.geojson')]);
    const col = Number((await readdir(path.join(written, String(LEVEL))))[0]);
    const row = Number((await readdir(path.join(written, String(LEVEL), String(col))))[0].replace(/\.pbf$/, ''));

    const res = await rawGet(`${server.url}/tiles/SWEREF99TM/${LEVEL}/${row}/${col}`, { 'Accept-Encoding': 'gzip' });
    expect(res.status).toBe(200);
    const bytes = uncompressed(res.body, res.headers['content-encoding'] as string | undefined);
    const tile = decodeTile(bytes);
    const mine = layerFeatures(tile, AREA_LAYER).find((f) => f.properties.regsokod === HJALLBO);
    expect(mine, `${HJALLBO} in the tile GDAL chose`).toBeDefined();

    // Our tile in GDAL's tileset layout, the layers declared with their fields as TileJSON describes them.
    const set = path.join(dir, 'ours');
    await mkdir(path.join(set, String(LEVEL), String(col)), { recursive: true });
    await writeFile(path.join(set, String(LEVEL), String(col), `${row}.pbf`), bytes);
    const layers = vectorLayers(server.dataset, 2023, 'public').filter((l) => tile.layers[l.id]);
    const [originE, originN, side] = TILING_SCHEME.split(',').slice(1).map(Number);
    const vector_layers = layers.map((l) => ({ id: l.id, minzoom: LEVEL, maxzoom: LEVEL, fields: Object.fromEntries(Object.keys(l.fields).map((f) => [f, 'String'])) }));
    const metadata = { name: 'regso', format: 'pbf', minzoom: LEVEL, maxzoom: LEVEL, crs: 'EPSG:3006', tile_origin_upper_left_x: originE, tile_origin_upper_left_y: originN, tile_dimension_zoom_0: side, json: JSON.stringify({ vector_layers }) };
    await writeFile(path.join(set, 'metadata.json'), JSON.stringify(metadata));
    const summary = await gdal('ogrinfo', ['-ro', '-so', '-al', path.join(set, String(LEVEL))]);
    expect(summary).toMatch(/SWEREF99 TM/);
    for (const name of Object.keys(tile.layers)) {
      const count = Number(new RegExp(`Layer name: ${name}\\n[\\s\\S]*?Feature Count: (\\d+)`).exec(summary)?.[1]);
      expect(count, `GDAL's feature count of ${name}`).toBe(tile.layers[name].length);
    }

    // The same polygon where the source is: GDAL's area (it clips a tileset's features to the tile) equals the decoded
    // rings' area within the tile, in metres, and GDAL's vertices lie within a tile unit of the source boundary or on
    // the tile's edge (level 10 is about Web Mercator z12 in ground resolution: served unsimplified).
    const out = await gdal('ogrinfo', ['-ro', '-where', `regsokod = '${HJALLBO}'`, path.join(set, String(LEVEL)), AREA_LAYER]);
    expect(out).toContain(`regsokod (String) = ${HJALLBO}`);
    const wkt = /^ {2}((?:MULTI)?POLYGON \(.*\))\s*$/m.exec(out)![1];
    const unit = side / 2 ** LEVEL / 4096;
    const square: [number, number][][] = [[[0, 0], [4096, 0], [4096, 4096], [0, 4096], [0, 0]]];
    const clipped = polygonClipping.intersection(mine!.geometry.map((ring) => ring.map((p): [number, number] => [p.x, p.y])), square);
    const decodedArea = clipped.flat().reduce((sum, ring) => sum + Math.abs(shoelace(ring)), 0) * unit * unit;
    const points = [...wkt.matchAll(/(-?[\d.]+) (-?[\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
    const sql = await gdal('ogrinfo', ['-ro', '-sql', `SELECT OGR_GEOM_AREA AS area FROM ${AREA_LAYER} WHERE regsokod = '${HJALLBO}'`, path.join(set, String(LEVEL))]);
    expect(Number(/area \(Real\) = ([\d.e+]+)/.exec(sql)?.[1]) / decodedArea).toBeCloseTo(1, 4);
    const e0 = originE + col * side / 2 ** LEVEL, n0 = originN - row * side / 2 ** LEVEL, tileSide = side / 2 ** LEVEL;
    const onTileEdge = (x: number, y: number) => [x - e0, e0 + tileSide - x, n0 - y, y - (n0 - tileSide)].some((d) => Math.abs(d) < 1e-6);
    for (const [x, y] of points) if (!onTileEdge(x, y)) expect(distanceToRings(area.sweref99tm.coordinates.flat(), x, y)).toBeLessThanOrEqual(unit);
  }, 120_000);
});

function shoelace(ring: number[][]): number {
  let sum = 0;
  for (let i = 0; i + 1 < ring.length; i++) sum += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
  return sum / 2;
}

