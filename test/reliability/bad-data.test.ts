/**
 * Bad data: malformed sources, each given to a running server's reload (POST /admin/reload?wait=1), over the mini
 * dataset (SYNTHETIC TEST FIXTURE): every one is refused with a message naming the file, the feature or line and the
 * field, and the previous version is still served — a tile and /dataset checked after each.
 */
import { readFileSync } from 'node:fs';
import { pointToTile } from '@mapbox/tilebelt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toWgs84 } from '../../data/crs.ts';
import { createHandler } from '../../server/app.ts';
import { sha256Hex } from '../../server/auth.ts';
import { Reloader } from '../../server/reload.ts';
import { KEY_CSV, SQUARES, TYPES_SCB_2023, areasGeojson, manifest, miniFiles, square, withArea, writeMiniFiles } from '../helpers/mini-dataset.ts';
import { startMiniServer, type MiniServer } from '../helpers/mini-server.ts';
import { TEST_ADMIN_KEY } from '../helpers/server-process.ts';
import { listen, rawGet } from '../helpers/raw-http.ts';
import { fixture } from '../readers/helpers.ts';

let mini: MiniServer;
let base: string;
let stop: () => Promise<void>;
beforeAll(async () => {
  mini = await startMiniServer();
  const reloader = new Reloader(mini.store, { manifest: mini.manifestFile, buildRoot: mini.buildRoot, precompute: 'off' });
  const keys = [{ id: 'test-admin', role: 'admin' as const, sha256: sha256Hex(TEST_ADMIN_KEY) }];
  ({ url: base, close: stop } = await listen(createHandler(mini.store, { reloader, keys })));
});
afterAll(async () => {
  await stop();
  await mini.close();
});

const [x0, y0] = SQUARES['0114R004'];
const areasWith = (edit: (fc: { crs?: object; features: { properties: Record<string, unknown>; geometry: object | null }[] }) => void) => {
  const fc = areasGeojson() as Parameters<typeof edit>[0];
  edit(fc);
  return fc;
};
const manifestWith = (edit: (m: Record<string, any>) => void) => {
  const m = manifest();
  edit(m);
  return m;
};
const half = (name: string) => {
  const bytes = readFileSync(fixture(name));
  return bytes.subarray(0, bytes.length >> 1);
};

/** Each case: the files written over the mini dataset, and what the refusal must say. */
const CASES: [string, Record<string, string | Uint8Array | object>, RegExp][] = [
  ['broken JSON', { 'areas.geojson': '{"type": "FeatureCollection", "features": [{"type": "Feat' }, /areas\.geojson, line 1: not valid JSON: Unterminated string/],
  ['an empty boundary file', { 'areas.geojson': '' }, /areas\.geojson, line 1: not valid JSON: Unexpected end of JSON input/],
  ['an empty table', { 'types.csv': '' }, /types\.csv/],
  ['an unknown CRS', { 'areas.geojson': { ...areasGeojson(), crs: { type: 'name', properties: { name: 'EPSG:2400' } } } }, /areas\.geojson, field "crs": unknown CRS "EPSG:2400"/],
  ['swapped axes', { 'areas.geojson': withArea('0114R002', { type: 'Polygon', coordinates: square(SQUARES['0114R002']).map((r) => r.map(([x, y]) => [y, x])) }) }, /areas\.geojson, feature 1, field "geometry": .*the axes look swapped/],
  ['degrees declared as SWEREF 99 TM (wrong CRS)', { 'areas.geojson': withArea('0114R003', { type: 'Polygon', coordinates: [[[18, 59.5], [18.01, 59.5], [18.01, 59.51], [18, 59.5]]] }) }, /areas\.geojson, feature 2, field "geometry": .*look like EPSG:4326/],
  ['a self-intersection', { 'areas.geojson': withArea('0114R004', { type: 'Polygon', coordinates: [[[x0, y0], [x0 + 1000, y0 + 1000], [x0 + 1000, y0], [x0, y0 + 500], [x0, y0]]] }) }, /areas\.geojson, feature 3, field "geometry": the polygon intersects itself/],
  ['an unclosed ring', { 'areas.geojson': withArea('0114R001', { type: 'Polygon', coordinates: [square(SQUARES['0114R001'])[0].slice(0, 4)] }) }, /areas\.geojson, feature 0, field "geometry": exterior ring is not closed/],
  ['a feature without geometry', { 'areas.geojson': areasWith((fc) => (fc.features[2].geometry = null)) }, /areas\.geojson, feature 2, field "geometry"/],
  ['a malformed code', { 'areas.geojson': areasWith((fc) => (fc.features[1].properties.regsokod = '114R2')) }, /areas\.geojson, feature 1, field "regsokod": expected a RegSO code like 0114R001, found "114R2"/],
  ['duplicate codes', { 'areas.geojson': areasWith((fc) => (fc.features[2].properties.regsokod = '0114R001')) }, /areas\.geojson, field "regsokod": RegSO 0114R001 has a polygon already/],
  ['a non-numeric count', { 'metrics.csv': 'deso,ar,invanare\n0114C1010,2023,many\n' }, /metrics\.csv, line 2, field "invanare": expected a count \(a number ≥ 0\), found "many"/],
  ['a negative count', { 'metrics.csv': 'deso,ar,invanare\n0114C1010,2023,-4\n' }, /metrics\.csv, line 2, field "invanare": expected a count \(a number ≥ 0\), found "-4"/],
  ['områdestyp outside 1–5', { 'types.csv': 'regsokod,typ_2022\n0114R001,6\n0114R002,3\n0114R003,4\n0114R004,5' }, /types\.csv, line 2, field "typ_2022": expected områdestyp 1–5, found "6"/],
  ['codes that join nothing', { 'types.csv': 'regsokod,typ_2022\n0114R001,2\n0114R002,3\n0114R003,4\n0114R004,5\n0114R099,3' }, /types\.csv, field "regsokod": 1 codes join no area: 0114R099/],
  ['a malformed DeSO code in the key', { 'key.csv': KEY_CSV.replace('0114C1030', '0114X1030') }, /key\.csv, line 4, field "DeSO_2018": expected a DeSO code like 0180C1010, found "0114X1030"/],
  ['an unknown label in SCB’s export', { 'types-2023.csv': TYPES_SCB_2023.replace('(Testområde 2)', '(Okänt område)') }, /types-2023\.csv, line 3, field "Område": .*matches no "Kommunnamn \(RegSO-namn\)"/],
  ['an incident with a bad date', { 'incidents.csv': 'x,y,datum,kategori\n660100,6600100,05/01/2023,stold' }, /incidents\.csv, line 2, field "datum": expected a date like 2023-04-05, found "05\/01\/2023"/],
  ['an incident without coordinates', { 'incidents.csv': 'x,y,datum,kategori\n,6600100,2023-01-05,stold' }, /incidents\.csv, line 2, field "x": expected coordinates/],
  ['a truncated GeoPackage', { 'areas.gpkg': half('areas.gpkg'), 'manifest.json': manifestWith((m) => (m.areas[0].file = 'areas.gpkg')) }, /areas\.gpkg: not a readable GeoPackage: database disk image is malformed/],
  ['a truncated FlatGeobuf', { 'areas.fgb': half('areas.fgb'), 'manifest.json': manifestWith((m) => (m.areas[0].file = 'areas.fgb')) }, /areas\.fgb: /],
  ['a broken kommun layer', { 'kommuner.geojson': '{"type":"FeatureCollection","features":[' }, /kommuner\.geojson, line 1: not valid JSON: Unexpected end of JSON input/],
  ['a manifest that is not JSON', { 'manifest.json': '{"name": "mini",' }, /manifest\.json: the manifest is not valid JSON/],
  ['a manifest key of the wrong form', { 'manifest.json': manifestWith((m) => (m.areaTypes[0].vintage = '2020')) }, /manifest\.json, field "areaTypes\.0\.vintage": .*vintage such as "RegSO 2020"/],
  ['a source file that is missing', { 'manifest.json': manifestWith((m) => (m.areas[0].file = 'missing.geojson')) }, /missing\.geojson: cannot read the file/],
  ['statistics joined to boundaries of another vintage', { 'manifest.json': manifestWith((m) => (m.areas[0].vintage = 'RegSO 2025')) }, /statistics of RegSO 2020 would be joined to 4 areas with RegSO 2025 boundaries/],
];

describe('bad data', () => {
  it(`refuses ${CASES.length} malformed sources, each with a clear message, and keeps serving the previous version`, async () => {
    const served = mini.store.current.dataset;
    const [lon, lat] = toWgs84([660_500, 6_600_500]);
    const [x, y] = pointToTile(lon, lat, 12);
    const tile = `/tiles/omradestyper/12/${x}/${y}.mvt`;
    const goodTile = await rawGet(`${base}${tile}`);
    expect(goodTile.status).toBe(200);
    const refusals: string[] = [];
    for (const [name, files, expected] of CASES) {
      await writeMiniFiles(mini.manifestFile.replace(/manifest\.json$/, ''), { ...miniFiles(), ...files });
      const res = await fetch(`${base}/admin/reload?wait=1`, { method: 'POST', headers: { 'X-API-Key': TEST_ADMIN_KEY } });
      const body = (await res.json()) as { reload: { state: string; problems: string[] } };
      expect(res.status, name).toBe(422);
      expect(body.reload.state, name).toBe('failed');
      expect(body.reload.problems.join('\n'), name).toMatch(expected);
      refusals.push(`${name}: ${body.reload.problems[0]}`);
      // Still the previous version: the tile (same bytes) and the dataset summary.
      const after = await rawGet(`${base}${tile}`);
      expect([after.status, after.headers['x-data-version'], after.headers.etag], name).toEqual([200, served.id, goodTile.headers.etag]);
      const dataset = (await (await fetch(`${base}/dataset`)).json()) as { id: string };
      expect(dataset.id, name).toBe(served.id);
    }
    console.log(`bad data: ${CASES.length} sources refused:\n  ${refusals.join('\n  ')}`);
    // The good sources back: nothing to swap.
    await writeMiniFiles(mini.manifestFile.replace(/manifest\.json$/, ''), miniFiles());
    const back = (await (await fetch(`${base}/admin/reload?wait=1`, { method: 'POST', headers: { 'X-API-Key': TEST_ADMIN_KEY } })).json()) as { state: string };
    expect(back.state).toBe('unchanged');
    expect(mini.store.current.dataset).toBe(served);
  });
});
