import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readFeatureFile } from '../../data/readers/features.ts';
import { expectProblem, fixture, scratchDir } from './helpers.ts';

const write = scratchDir();

const point = (props: string) => `{"type":"Feature","properties":${props},"geometry":{"type":"Point","coordinates":[12.02,57.76]}}`;
const collection = (...features: string[]) => `{"type":"FeatureCollection","features":[${features.join(',')}]}`;

describe('GeoJSON reader', () => {
  it('reads properties, geometry and the legacy crs member', async () => {
    const file = fixture('areas.geojson');
    const source = await readFeatureFile(file);
    expect(source).toMatchObject({ file, layer: null, crsName: 'urn:ogc:def:crs:EPSG::3006', crs: 'EPSG:3006' });
    expect(source.features.map((f) => f.index)).toEqual([0, 1, 2]);
    expect(source.features[0].properties).toStrictEqual({ regsokod: '1480R050', regsonamn: 'Hjällbo östra', n_deso: 3, andel: 0.25 });
    expect(source.features[1].properties.andel).toBeNull();
    expect(source.features[0].geometry).toEqual({
      type: 'Polygon',
      coordinates: [
        [[322000, 6405000], [323000, 6405000], [323000, 6406000], [322000, 6406000], [322000, 6405000]],
        [[322200, 6405200], [322200, 6405400], [322400, 6405400], [322200, 6405200]],
      ],
    });
    expect(source.features[1].geometry?.type).toBe('MultiPolygon');
    expect(source.features[2].geometry).toBeNull();
  });

  it('leaves the CRS null when the file names none (RFC 7946: CRS84 implied, the manifest decides)', async () => {
    const source = await readFeatureFile(write('lonlat.geojson', collection(point('{"namn":"Hjällbo"}'))));
    expect(source.crsName).toBeNull();
    expect(source.crs).toBeNull();
    expect(source.features).toEqual([{ index: 0, properties: { namn: 'Hjällbo' }, geometry: { type: 'Point', coordinates: [12.02, 57.76] } }]);
  });

  it('reads a CRS84 crs member as EPSG:4326', async () => {
    const text = `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}},"features":[]}`;
    const source = await readFeatureFile(write('crs84.geojson', text));
    expect(source).toMatchObject({ crsName: 'urn:ogc:def:crs:OGC:1.3:CRS84', crs: 'EPSG:4326', features: [] });
  });

  it('reads a single Feature, a .json file, null properties, a missing geometry and a BOM', async () => {
    const single = await readFeatureFile(write('one.geojson', point('{"a":1}')));
    expect(single.features).toEqual([{ index: 0, properties: { a: 1 }, geometry: { type: 'Point', coordinates: [12.02, 57.76] } }]);
    const json = await readFeatureFile(write('areas.json', collection('{"type":"Feature","properties":null}')));
    expect(json.features).toEqual([{ index: 0, properties: {}, geometry: null }]);
    const bom = await readFeatureFile(write('bom.geojson', '\uFEFF' + collection(point('{"a":2}'))));
    expect(bom.features[0].properties).toEqual({ a: 2 });
  });

  it('reads .geojson.gz', async () => {
    const file = write('areas.geojson.gz', gzipSync(readFileSync(fixture('areas.geojson'))));
    const source = await readFeatureFile(file);
    expect(source.crs).toBe('EPSG:3006');
    expect(source.features.map((f) => f.properties.regsokod)).toEqual(['1480R050', '1480R049', '1480R999']);
  });

  it('reports a missing file', async () => {
    const file = fixture('missing.geojson');
    await expectProblem(readFeatureFile(file), { file }, /^cannot read the file: no such file$/);
  });

  it('reports broken JSON with the line', async () => {
    const file = write('broken.geojson', '{"type": "FeatureCollection",\n "features": [\n  {"type": "Feature",, "properties": {}}\n]}');
    await expectProblem(readFeatureFile(file), { file, line: 3 }, /^not valid JSON: /);
  });

  it('reports a cut-off file at its last line', async () => {
    const file = write('cut.geojson', '{"type": "FeatureCollection",\n "features": [\n  {"type": "Feature"},');
    await expectProblem(readFeatureFile(file), { file, line: 3 }, /^not valid JSON: .*end of JSON input/);
  });

  it('reports a file that is not UTF-8', async () => {
    const file = write('latin1.geojson', Buffer.from(collection(point('{"namn":"Hjällbo"}')), 'latin1'));
    await expectProblem(readFeatureFile(file), { file }, /not valid UTF-8/);
  });

  it.each([
    ['an array', '[{"id": 1}]', /found an array$/],
    ['a geometry', '{"type": "Point", "coordinates": [1, 2]}', /found type "Point"$/],
    ['a number', '42', /found a number$/],
  ])('reports %s instead of a FeatureCollection', async (_, text, found) => {
    const file = write('not-fc.geojson', text);
    await expectProblem(readFeatureFile(file), { file }, /^expected a GeoJSON FeatureCollection/);
    await expectProblem(readFeatureFile(file), { file }, found);
  });

  it('reports a FeatureCollection without a features array', async () => {
    const file = write('no-features.geojson', '{"type":"FeatureCollection","features":{}}');
    await expectProblem(readFeatureFile(file), { file, field: 'features' }, /expected "features" to be an array, found an object/);
  });

  it('reports a feature without type "Feature", by index', async () => {
    const file = write('bad-feature.geojson', collection(point('{}'), '{"properties":{},"geometry":null}'));
    await expectProblem(readFeatureFile(file), { file, feature: 1 }, /expected a GeoJSON Feature \(type "Feature"\), found an object without "type"/);
  });

  it('reports properties that are not an object, by index and field', async () => {
    const file = write('bad-props.geojson', collection(point('{}'), point('{}'), point('["a","b"]')));
    await expectProblem(readFeatureFile(file), { file, feature: 2, field: 'properties' }, /expected "properties" to be an object or null, found an array/);
  });

  it('reports an unknown CRS', async () => {
    const text = '{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:2400"}},"features":[]}';
    const file = write('rt90.geojson', text);
    await expectProblem(readFeatureFile(file), { file, field: 'crs' }, /^unknown CRS "EPSG:2400": expected EPSG:3006, EPSG:4326\/CRS84 or EPSG:3857$/);
  });

  it('reports a crs member that is not a named CRS', async () => {
    const text = '{"type":"FeatureCollection","crs":{"type":"link","properties":{"href":"x.prj"}},"features":[]}';
    const file = write('link-crs.geojson', text);
    await expectProblem(readFeatureFile(file), { file, field: 'crs' }, /expected a named CRS .* found \{"type":"link"/);
  });

  it('refuses a layer name, which only a GeoPackage has', async () => {
    const file = fixture('areas.geojson');
    await expectProblem(readFeatureFile(file, { layer: 'regso' }), { file, field: 'layer' }, /only be chosen in a GeoPackage; this is geojson/);
  });
});
