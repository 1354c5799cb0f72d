import { serialize } from 'flatgeobuf/lib/mjs/geojson.js';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readFeatureFile } from '../../data/readers/features.ts';
import { readFlatGeobuf } from '../../data/readers/flatgeobuf.ts';
import { DataError } from '../../data/report.ts';
import { expectProblem, fixture, regsoFeatures, scratchDir } from './helpers.ts';

const write = scratchDir();
const areas = readFileSync(fixture('areas.fgb'));

describe('FlatGeobuf reader', () => {
  it('reads properties, geometry and the CRS from the header', async () => {
    const file = fixture('areas.fgb');
    const source = await readFeatureFile(file);
    expect(source).toMatchObject({ file, layer: null, crsName: 'EPSG:3006', crs: 'EPSG:3006' });
    // GDAL's FlatGeobuf writer drops the source's third feature, which has no geometry.
    expect(source.features).toHaveLength(2);
    expect(source.features[0]).toEqual(regsoFeatures[0]);
    expect(source.features[1].index).toBe(1);
    expect(source.features[1].properties.regsonamn).toBe('Hjällbo västra');
    expect(source.features[1].geometry).toEqual(regsoFeatures[1].geometry);
  });

  it('leaves the CRS null when the header has none', async () => {
    const source = await readFeatureFile(fixture('nocrs.fgb'));
    expect(source.crsName).toBeNull();
    expect(source.crs).toBeNull();
    expect(source.features).toEqual([{ index: 0, properties: { name: 'ett' }, geometry: { type: 'Point', coordinates: [320000, 6405000] } }]);
  });

  it('reads a bare CRS code as EPSG, as the specification says (the flatgeobuf package writes them)', async () => {
    const point: GeoJSON.FeatureCollection = {
      type: 'FeatureCollection',
      features: [{ type: 'Feature', properties: { namn: 'Hjällbo' }, geometry: { type: 'Point', coordinates: [320000, 6405000] } }],
    };
    const source = await readFeatureFile(write('bare-code.fgb', serialize(point, 3006)));
    expect(source).toMatchObject({ crsName: 'EPSG:3006', crs: 'EPSG:3006' });
    expect(source.features).toEqual([{ index: 0, properties: { namn: 'Hjällbo' }, geometry: point.features[0].geometry }]);
  });

  it('reads .fgb.gz', async () => {
    const source = await readFeatureFile(write('areas.fgb.gz', gzipSync(areas)));
    expect(source.crs).toBe('EPSG:3006');
    expect(source.features.map((f) => f.properties.regsokod)).toEqual(['1480R050', '1480R049']);
  });

  it('reports an unknown CRS (RT90) from the header', async () => {
    const file = fixture('rt90.fgb');
    await expectProblem(readFeatureFile(file), { file, field: 'crs' }, /^unknown CRS "EPSG:3021": expected EPSG:3006, EPSG:4326\/CRS84 or EPSG:3857$/);
  });

  it('reports a CRS given as WKT without a code, as GDAL writes OGC:CRS84', async () => {
    const file = fixture('crs84.fgb');
    await expectProblem(readFeatureFile(file), { file, field: 'crs' }, /"WGS 84" by WKT only, without a code: .*ogr2ogr -a_srs EPSG:4326/);
  });

  it('reports garbage', async () => {
    const file = write('garbage.fgb', 'PK\u0003\u0004 this is a zip file, not FlatGeobuf');
    await expectProblem(readFeatureFile(file), { file }, /^not a FlatGeobuf file: it does not start with "fgb"$/);
  });

  it('reports a file cut in the header', async () => {
    const file = write('cut-header.fgb', areas.subarray(0, 100));
    await expectProblem(readFeatureFile(file), { file }, /^not a readable FlatGeobuf file: the header needs \d+ bytes, the file has 100/);
  });

  it('reports a file cut after the first feature', async () => {
    // The header's own length, the index of 2 features (3 nodes of 40 bytes), then the first length-prefixed feature.
    const firstFeature = 12 + areas.readUInt32LE(8) + 3 * 40;
    const cut = firstFeature + 4 + areas.readUInt32LE(firstFeature);
    const file = write('cut-feature.fgb', areas.subarray(0, cut));
    await expectProblem(readFeatureFile(file), { file }, /^not a readable FlatGeobuf file: 1 complete features; the header counts 2/);
  });

  it('reports an index over an unknown (0) feature count instead of sizing it forever', async () => {
    // Set features_count (Header field 8) to 0 in a copy, through the flatbuffers vtable of the size-prefixed header.
    const bytes = Buffer.from(readFileSync(fixture('nocrs.fgb')));
    const table = 12 + bytes.readUInt32LE(12);
    const vtable = table - bytes.readInt32LE(table);
    const field = bytes.readUInt16LE(vtable + 4 + 8 * 2);
    expect(field).toBeGreaterThan(0);
    bytes.writeBigUInt64LE(0n, table + field);
    const file = write('zero-count.fgb', bytes);
    await expectProblem(readFeatureFile(file), { file }, /^not a readable FlatGeobuf file: an index over 0 features$/);
  });

  it('reports every truncation of a valid file, without hanging', async () => {
    const file = 'areas-cut.fgb';
    for (let length = 0; length < areas.length; length++) {
      const err = await readFlatGeobuf(file, areas.subarray(0, length)).catch((e: unknown) => e);
      expect(err, `cut at ${length} bytes`).toBeInstanceOf(DataError);
      expect((err as DataError).problems[0]).toMatchObject({ file, message: expect.stringMatching(/FlatGeobuf file/) });
    }
  });

  it('reports a missing file', async () => {
    const file = fixture('missing.fgb');
    await expectProblem(readFeatureFile(file), { file }, /^cannot read the file: no such file$/);
  });
});
