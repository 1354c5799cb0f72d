import Database from 'better-sqlite3';
import { copyFileSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readFeatureFile } from '../../data/readers/features.ts';
import { expectProblem, fixture, regsoFeatures, scratchDir } from './helpers.ts';

const write = scratchDir();

describe('GeoPackage reader', () => {
  it('reads the only layer: properties without fid and geometry, geometry, and srs 3006', async () => {
    const file = fixture('areas.gpkg');
    const source = await readFeatureFile(file);
    expect(source).toMatchObject({ file, layer: 'regso', crsName: 'EPSG:3006', crs: 'EPSG:3006' });
    expect(source.features).toStrictEqual(regsoFeatures);
  });

  it('reads the layer asked for, decoding every WKB type and dropping Z and M', async () => {
    const source = await readFeatureFile(fixture('layers.gpkg'), { layer: 'shapes' });
    expect(source.layer).toBe('shapes');
    expect(source.crs).toBe('EPSG:3006');
    const byName = Object.fromEntries(source.features.map((f) => [f.properties.name, f.geometry]));
    expect(Object.keys(source.features[0].properties)).toEqual(['name']);
    expect(byName).toStrictEqual({
      point: { type: 'Point', coordinates: [320000, 6405000] },
      line_z: { type: 'LineString', coordinates: [[320000, 6405000], [320100, 6405100]] },
      polygon_m: { type: 'Polygon', coordinates: [[[320000, 6405000], [320100, 6405000], [320100, 6405100], [320000, 6405000]]] },
      multipoint_zm: { type: 'MultiPoint', coordinates: [[320000, 6405000], [320100, 6405100]] },
      multiline: {
        type: 'MultiLineString',
        coordinates: [[[320000, 6405000], [320100, 6405100]], [[320200, 6405200], [320300, 6405300]]],
      },
      multipolygon_z: { type: 'MultiPolygon', coordinates: [[[[320000, 6405000], [320100, 6405000], [320100, 6405100], [320000, 6405000]]]] },
      collection: {
        type: 'GeometryCollection',
        geometries: [
          { type: 'Point', coordinates: [320000, 6405000] },
          { type: 'LineString', coordinates: [[320000, 6405000], [320100, 6405100]] },
        ],
      },
      polygon_empty: null, // GDAL stores an empty geometry read from CSV as NULL
    });
  });

  it('reads .gpkg.gz', async () => {
    const source = await readFeatureFile(write('areas.gpkg.gz', gzipSync(readFileSync(fixture('areas.gpkg')))));
    expect(source).toMatchObject({ layer: 'regso', crs: 'EPSG:3006' });
    expect(source.features).toStrictEqual(regsoFeatures);
  });

  it('reads a .gpkg.gz saved in WAL mode, as QGIS leaves GeoPackages', async () => {
    const copy = write('wal.gpkg', '');
    copyFileSync(fixture('areas.gpkg'), copy);
    const db = new Database(copy);
    db.pragma('journal_mode = WAL');
    db.close();
    const bytes = readFileSync(copy);
    expect([bytes[18], bytes[19]]).toEqual([2, 2]);
    const source = await readFeatureFile(write('wal.gpkg.gz', gzipSync(bytes)));
    expect(source.features).toStrictEqual(regsoFeatures);
  });

  it('reports several layers when no layer is named, listing them', async () => {
    const file = fixture('layers.gpkg');
    await expectProblem(readFeatureFile(file), { file, field: 'layer' }, /^the GeoPackage has 2 feature layers \("regso", "shapes"\): name the one to read with "layer"$/);
  });

  it('reports a layer that is not there, listing the layers', async () => {
    const file = fixture('layers.gpkg');
    await expectProblem(readFeatureFile(file, { layer: 'deso' }), { file, field: 'layer' }, /^no feature layer "deso"; the layers are: "regso", "shapes"$/);
  });

  it('reports a truncated GeoPackage', async () => {
    const file = fixture('truncated.gpkg');
    await expectProblem(readFeatureFile(file), { file }, /^not a readable GeoPackage: database disk image is malformed$/);
  });

  it('reports a truncated .gpkg.gz', async () => {
    const file = write('truncated.gpkg.gz', gzipSync(readFileSync(fixture('truncated.gpkg'))));
    await expectProblem(readFeatureFile(file), { file }, /^not a readable GeoPackage: database disk image is malformed$/);
  });

  it('reports a file that is not SQLite', async () => {
    const file = write('text.gpkg', 'regsokod,regsonamn\n0114R001,Bollstanäs\n'.repeat(20));
    await expectProblem(readFeatureFile(file), { file }, /^not a readable GeoPackage: file is not a database$/);
  });

  it('reports an SQLite database that is not a GeoPackage', async () => {
    const file = write('plain.gpkg', '');
    const db = new Database(file);
    db.exec('CREATE TABLE t (a INTEGER)');
    db.close();
    await expectProblem(readFeatureFile(file), { file }, /^not a readable GeoPackage: no such table: gpkg_contents$/);
  });

  it('leaves the CRS null for the undefined srs_id 0 of the specification', async () => {
    const file = write('undefined-srs.gpkg', '');
    copyFileSync(fixture('areas.gpkg'), file);
    const db = new Database(file);
    db.exec('UPDATE gpkg_geometry_columns SET srs_id = 0; UPDATE gpkg_contents SET srs_id = 0');
    db.close();
    const source = await readFeatureFile(file);
    expect(source).toMatchObject({ crsName: null, crs: null });
    expect(source.features).toHaveLength(3);
  });

  it('reports an unknown CRS', async () => {
    const file = write('rt90.gpkg', '');
    copyFileSync(fixture('areas.gpkg'), file);
    const db = new Database(file);
    db.exec(`INSERT INTO gpkg_spatial_ref_sys VALUES ('RT90 2.5 gon V', 3021, 'EPSG', 3021, 'PROJCS[]', NULL);
      UPDATE gpkg_geometry_columns SET srs_id = 3021; UPDATE gpkg_contents SET srs_id = 3021`);
    db.close();
    await expectProblem(readFeatureFile(file), { file, field: 'crs' }, /^unknown CRS "EPSG:3021": expected EPSG:3006, EPSG:4326\/CRS84 or EPSG:3857$/);
  });

  it('reports a geometry blob that cannot be decoded, by feature and column', async () => {
    const file = write('bad-blob.gpkg', '');
    copyFileSync(fixture('areas.gpkg'), file);
    const db = new Database(file);
    db.prepare('UPDATE regso SET geom = substr(geom, 1, 30) WHERE fid = 2').run();
    db.close();
    await expectProblem(readFeatureFile(file), { file, feature: 1, field: 'geom' }, /^unreadable geometry: truncated WKB/);
  });

  it('reports a missing file', async () => {
    const file = fixture('missing.gpkg');
    await expectProblem(readFeatureFile(file), { file }, /^cannot read the file: no such file$/);
  });
});
