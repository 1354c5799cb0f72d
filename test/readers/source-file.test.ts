import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../data/report.ts';
import { formatOf, readSourceBytes } from '../../data/readers/source-file.ts';
import { expectProblem, fixture, scratchDir } from './helpers.ts';

const write = scratchDir();

describe('formatOf', () => {
  it.each([
    ['areas.geojson', 'geojson'],
    ['events.json', 'json'],
    ['areas.fgb', 'flatgeobuf'],
    ['areas.gpkg', 'geopackage'],
    ['koppling.csv', 'csv'],
    ['dir.v2/areas.GeoJSON.gz', 'geojson'],
    ['areas.gpkg.gz', 'geopackage'],
    ['events.csv.GZ', 'csv'],
  ])('%s is %s', (file, format) => {
    expect(formatOf(file)).toBe(format);
  });

  it.each(['areas.shp', 'areas.gz', 'README'])('rejects %s, naming the file', (file) => {
    expect(() => formatOf(file)).toThrow(DataError);
    expect(() => formatOf(file)).toThrow(new RegExp(`^${file}: unsupported file type .*\\.geojson, \\.json, \\.fgb, \\.gpkg, \\.csv`));
  });
});

describe('readSourceBytes', () => {
  it('reads a plain file as is', async () => {
    const file = fixture('areas.geojson');
    expect(Buffer.from(await readSourceBytes(file)).equals(readFileSync(file))).toBe(true);
  });

  it('gunzips a .gz file', async () => {
    const text = '{"type":"FeatureCollection","features":[]}';
    const file = write('empty.geojson.gz', gzipSync(text));
    expect(Buffer.from(await readSourceBytes(file)).toString('utf8')).toBe(text);
  });

  it('reports a missing file', async () => {
    const file = fixture('no-such-file.geojson');
    await expectProblem(readSourceBytes(file), { file }, /^cannot read the file: no such file$/);
  });

  it('reports a directory', async () => {
    const file = dirname(fixture('areas.geojson'));
    await expectProblem(readSourceBytes(file), { file }, /^cannot read the file: it is a directory$/);
  });

  it('reports a .gz file that is not gzip', async () => {
    const file = write('plain.geojson.gz', '{"type":"FeatureCollection","features":[]}');
    await expectProblem(readSourceBytes(file), { file }, /ends in \.gz but the content is not valid gzip data \(incorrect header check\)/);
  });

  it('reports a truncated .gz file', async () => {
    const file = write('cut.geojson.gz', gzipSync('x'.repeat(10_000)).subarray(0, 20));
    await expectProblem(readSourceBytes(file), { file }, /not valid gzip data \(unexpected end of file\)/);
  });
});
