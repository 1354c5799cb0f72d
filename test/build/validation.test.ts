/**
 * Each validation error, on the mini dataset (SYNTHETIC TEST FIXTURE) with one thing broken: the build fails,
 * and the message names the file, the feature or line, the field and what was expected.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildDataset } from '../../data/build/pipeline.ts';
import { DataError, formatProblem } from '../../data/report.ts';
import { areasGeojson, manifest, withArea, writeMiniDataset, SQUARES, square, type MiniDataset } from '../helpers/mini-dataset.ts';

let mini: MiniDataset | undefined;
const written: string[] = [];
afterEach(async () => {
  for (const dir of written.splice(0)) await rm(dir, { recursive: true, force: true });
  mini = undefined;
});

async function build(override: Record<string, string | object> = {}) {
  mini = await writeMiniDataset(override);
  written.push(mini.dir);
  return buildDataset(mini.manifestFile, { workDir: path.join(mini.dir, '.work') });
}

/** Builds and returns the formatted error messages (fails the test if the build succeeds). */
async function buildErrors(override: Record<string, string | object>): Promise<string[]> {
  try {
    await build(override);
  } catch (err) {
    if (err instanceof DataError) return err.problems.map(formatProblem);
    throw err;
  }
  expect.fail('the build should have failed');
}

describe('the mini dataset', () => {
  it('builds, joins and aggregates', async () => {
    const { dataset, report } = await build();
    expect(dataset.areas.map((a) => a.regsokod)).toEqual(Object.keys(SQUARES));
    expect(dataset.years).toEqual([2022, 2023]);
    expect(dataset.areaTypes.get(2023)!.get('0114R001')).toBe(1);
    expect(dataset.areaTypes.get(2022)!.get('0114R004')).toBe(5);
    // DeSO 0114C1010 (1000) + 0114C1020 (900) roll up to RegSO 0114R001.
    expect(dataset.metrics.get('befolkning')!.get(2023)!.get('0114R001')).toBe(1900);
    expect(dataset.metrics.get('stold')!.get(2023)!.get('0114R001')).toBe(2);
    expect(dataset.metrics.get('ovriga')!.get(2023)!.get('0114R001')).toBe(1);
    expect(dataset.metrics.get('totalt')!.get(2023)!.get('0114R004')).toBe(1);
    expect(dataset.metrics.get('totalt')!.get(2023)!.get('0114R002')).toBe(0);
    expect(dataset.provenance.incidents[0]).toMatchObject({ total: 5, outside: 1 });
    expect(report.warnings.map(formatProblem).join('\n')).toMatch(/incidents\.csv: 1 of 5 incidents lie in no area, e\.g\. \[670000, 6700000\] \(line 6\)/);
    expect(dataset.areas[0].wgs84.coordinates[0][0][0][0]).toBeCloseTo(18.0, 0);
  });

  it('leaves a restricted metric out of a public total, and says so (else total − public parts = the restricted count)', async () => {
    const m = manifest();
    m.incidents[0].categories.valdsbrott = 'valdsbrott';
    m.catalog.valdsbrott = { ...m.catalog.stold, label: { sv: 'Våld', en: 'Violence' }, access: 'restricted' };
    const sum = (metric: string, d: Awaited<ReturnType<typeof build>>['dataset']) => [...d.metrics.get(metric)!.get(2023)!.values()].reduce((a, b) => a + b, 0);
    const { dataset, report } = await build({ 'manifest.json': m });
    expect(sum('valdsbrott', dataset)).toBe(1);
    expect(sum('totalt', dataset)).toBe(sum('stold', dataset));
    expect(report.warnings.map(formatProblem).join('\n')).toMatch(/totalMetric.*"totalt" is public and does not count "valdsbrott", which is restricted/);
    m.catalog.totalt.access = 'restricted';
    const restricted = (await build({ 'manifest.json': m })).dataset;
    expect(sum('totalt', restricted)).toBe(sum('stold', restricted) + sum('valdsbrott', restricted));
  });
});

describe('validation', () => {
  it('reports an unreadable file by name', async () => {
    const m = manifest();
    m.areas[0].file = 'missing.geojson';
    const errors = await buildErrors({ 'manifest.json': m });
    expect(errors.join('\n')).toMatch(/missing\.geojson: cannot read the file/);
  });

  it('reports an invalid manifest with the key at fault', async () => {
    const m = manifest();
    m.areaTypes[0].vintage = '2020';
    m.metrics[0].key = 'kommun';
    let errors = (await buildErrors({ 'manifest.json': m })).join('\n');
    expect(errors).toMatch(/manifest\.json, field "areaTypes\.0\.vintage": .*vintage such as "RegSO 2020"/);
    expect(errors).toMatch(/manifest\.json, field "metrics\.0(\.key)?": /);
    const unknownMetric = manifest();
    delete unknownMetric.catalog.stold;
    errors = (await buildErrors({ 'manifest.json': unknownMetric })).join('\n');
    expect(errors).toMatch(/manifest\.json, field "incidents\.0\.categories\.stold": metric "stold" is not in the catalog/);
  });

  it('rejects an unknown CRS', async () => {
    const fc = { ...areasGeojson(), crs: { type: 'name', properties: { name: 'EPSG:2400' } } };
    expect((await buildErrors({ 'areas.geojson': fc })).join('\n')).toMatch(/areas\.geojson, field "crs": unknown CRS "EPSG:2400"/);
  });

  it('catches swapped axes', async () => {
    const swapped = square(SQUARES['0114R002']).map((ring) => ring.map(([x, y]) => [y, x]));
    const errors = await buildErrors({ 'areas.geojson': withArea('0114R002', { type: 'Polygon', coordinates: swapped }) });
    expect(errors.join('\n')).toMatch(/areas\.geojson, feature 1, field "geometry": exterior ring has position \[6600000, 661000\] outside Sweden in EPSG:3006: the axes look swapped/);
  });

  it('catches a wrong CRS (degrees declared as SWEREF 99 TM)', async () => {
    const degrees = [[[18, 59.5], [18.01, 59.5], [18.01, 59.51], [18, 59.5]]];
    const errors = await buildErrors({ 'areas.geojson': withArea('0114R003', { type: 'Polygon', coordinates: degrees }) });
    expect(errors.join('\n')).toMatch(/feature 2, field "geometry": .*look like EPSG:4326, not EPSG:3006/);
  });

  it('rejects an unclosed ring and a too-short ring', async () => {
    const open = square(SQUARES['0114R001'])[0].slice(0, 4);
    let errors = await buildErrors({ 'areas.geojson': withArea('0114R001', { type: 'Polygon', coordinates: [open] }) });
    expect(errors.join('\n')).toMatch(/feature 0, field "geometry": exterior ring is not closed/);
    const [x, y] = SQUARES['0114R001'];
    errors = await buildErrors({ 'areas.geojson': withArea('0114R001', { type: 'Polygon', coordinates: [[[x, y], [x + 1, y], [x, y]]] }) });
    expect(errors.join('\n')).toMatch(/feature 0, field "geometry": exterior ring has 3 positions; a ring needs at least 4/);
  });

  it('refuses a self-intersection that cannot be repaired without changing the area', async () => {
    const [x, y] = SQUARES['0114R004'];
    // Crosses itself at (x + 333.3, y + 333.3): two lobes of different size, so the ring has an area.
    const bowtie = [[[x, y], [x + 1000, y + 1000], [x + 1000, y], [x, y + 500], [x, y]]];
    const errors = await buildErrors({ 'areas.geojson': withArea('0114R004', { type: 'Polygon', coordinates: bowtie }) });
    expect(errors.join('\n')).toMatch(/feature 3, field "geometry": the polygon intersects itself near \[661333\.3\d*, 6601333\.3\d*\]/);
  });

  it('repairs repeated points and wrong winding, and says so', async () => {
    const ring = square(SQUARES['0114R001'])[0];
    const messy = [[ring[0], ring[0], ...ring.slice(1)].reverse()];
    const { dataset, report } = await build({ 'areas.geojson': withArea('0114R001', { type: 'Polygon', coordinates: messy }) });
    expect(report.warnings.map(formatProblem).join('\n')).toMatch(/feature 0, field "geometry": repaired: removed repeated consecutive positions/);
    const stored = dataset.areas[0].sweref99tm.coordinates[0][0];
    expect(stored).toHaveLength(5);
    // RFC 7946: exterior ring counter-clockwise (positive shoelace sum).
    let sum = 0;
    for (let i = 0; i + 1 < stored.length; i++) sum += stored[i][0] * stored[i + 1][1] - stored[i + 1][0] * stored[i][1];
    expect(sum).toBeGreaterThan(0);
  });

  it('rejects malformed and duplicate codes', async () => {
    const fc = areasGeojson() as { features: { properties: Record<string, unknown> }[] };
    fc.features[1].properties.regsokod = '114R2';
    fc.features[2].properties.regsokod = '0114R001';
    const errors = (await buildErrors({ 'areas.geojson': fc })).join('\n');
    expect(errors).toMatch(/feature 1, field "regsokod": expected a RegSO code like 0114R001, found "114R2"/);
    expect(errors).toMatch(/areas\.geojson, field "regsokod": RegSO 0114R001 has a polygon already in areas\.geojson/);
  });

  it('rejects a malformed DeSO code in the key', async () => {
    const key = (await import('../helpers/mini-dataset.ts')).KEY_CSV.replace('0114C1030', '0114X1030');
    expect((await buildErrors({ 'key.csv': key })).join('\n')).toMatch(/key\.csv, line 4, field "DeSO_2018": expected a DeSO code like 0180C1010, found "0114X1030"/);
  });

  it('rejects områdestyp outside 1–5', async () => {
    const errors = await buildErrors({ 'types.csv': 'regsokod,typ_2022\n0114R001,6\n0114R002,3\n0114R003,4\n0114R004,5' });
    expect(errors.join('\n')).toMatch(/types\.csv, line 2, field "typ_2022": expected områdestyp 1–5, found "6"/);
  });

  it('resolves SCB labels and rejects an unknown one, a wrong year and data after the footnotes', async () => {
    const scb = (await import('../helpers/mini-dataset.ts')).TYPES_SCB_2023;
    let errors = await buildErrors({ 'types-2023.csv': scb.replace('(Testområde 2)', '(Okänt område)') });
    expect(errors.join('\n')).toMatch(/types-2023\.csv, line 3, field "Område": "Upplands Väsby \(Okänt område\)" matches no "Kommunnamn \(RegSO-namn\)"/);
    errors = await buildErrors({ 'types-2023.csv': scb.replace(',2023', ',2022') });
    expect(errors.join('\n')).toMatch(/types-2023\.csv, line 1, field "year": expected the year 2023/);
    errors = await buildErrors({ 'types-2023.csv': `${scb}\r\nUpplands Väsby (Testområde 4),5` });
    expect(errors.join('\n')).toMatch(/line 9, field "2023": a data row after the footnotes that start on line 6/);
  });

  it('rejects non-numeric and negative counts', async () => {
    const bad = 'deso,ar,invanare\n0114C1010,2023,many\n0114C1020,2023,-4\n';
    const errors = (await buildErrors({ 'metrics.csv': bad })).join('\n');
    expect(errors).toMatch(/metrics\.csv, line 2, field "invanare": expected a count \(a number ≥ 0\), found "many"/);
    expect(errors).toMatch(/metrics\.csv, line 3, field "invanare": expected a count \(a number ≥ 0\), found "-4"/);
  });

  it('lists codes that do not join', async () => {
    const errors = await buildErrors({ 'types.csv': 'regsokod,typ_2022\n0114R001,2\n0114R002,3\n0114R003,4\n0114R004,5\n0114R099,3' });
    expect(errors.join('\n')).toMatch(/types\.csv, field "regsokod": 1 codes join no area: 0114R099/);
  });

  it('rejects years without boundaries of the right vintage', async () => {
    const m = manifest();
    m.areas[0].vintage = 'RegSO 2025';
    let errors = (await buildErrors({ 'manifest.json': m })).join('\n');
    expect(errors).toMatch(/statistics of RegSO 2020 would be joined to 4 areas with RegSO 2025 boundaries/);
    m.vintageSubstitutes = [{ statistics: 'RegSO 2020', boundaries: 'RegSO 2025', reason: 'test: codes kept' }];
    const { dataset } = await build({ 'manifest.json': m });
    expect(dataset.provenance.vintageSubstitutes).toEqual([{ statistics: 'RegSO 2020', boundaries: 'RegSO 2025', reason: 'test: codes kept', areas: 4 }]);
  });

  it('reports every problem of a run at once', async () => {
    const errors = await buildErrors({
      'types.csv': 'regsokod,typ_2022\n0114R001,9\n0114R002,3\n0114R003,4\n0114R004,5',
      'metrics.csv': 'deso,ar,invanare\n0114C1010,2023,x\n',
    });
    expect(errors.some((e) => e.includes('types.csv'))).toBe(true);
    expect(errors.some((e) => e.includes('metrics.csv'))).toBe(true);
  });
});

describe('incident and metric formats', () => {
  it('reads incidents as GeoJSON points and as lon/lat CSV, into the same counts', async () => {
    const { toWgs84 } = await import('../../data/crs.ts');
    const rows = (await import('../helpers/mini-dataset.ts')).INCIDENTS_CSV.split('\n').slice(1).map((l) => l.split(','));
    const lonlat = ['lon,lat,datum,kategori', ...rows.map(([x, y, d, c]) => [...toWgs84([Number(x), Number(y)]).map((v) => v.toFixed(8)), d, c].join(','))].join('\n');
    const points = {
      type: 'FeatureCollection',
      crs: { type: 'name', properties: { name: 'EPSG:3006' } },
      features: rows.map(([x, y, d, c]) => ({ type: 'Feature', properties: { when: d, what: c }, geometry: { type: 'Point', coordinates: [Number(x), Number(y)] } })),
    };
    const csvCounts = (await build()).dataset.metrics.get('totalt')!.get(2023)!;
    const m = manifest();
    m.incidents = [
      { ...m.incidents[0], file: 'incidents-lonlat.csv', crs: 'EPSG:4326', columns: { x: 'lon', y: 'lat', date: 'datum', category: 'kategori' } },
      { file: 'incidents.geojson', format: 'geojson', properties: { date: 'when', category: 'what' }, categories: { stold: 'stold' }, otherMetric: 'ovriga', totalMetric: 'totalt' },
    ];
    const { dataset } = await build({ 'manifest.json': m, 'incidents-lonlat.csv': lonlat, 'incidents.geojson': points });
    const both = dataset.metrics.get('totalt')!.get(2023)!;
    for (const [code, n] of csvCounts) expect(both.get(code), code).toBe(2 * n);
    expect(dataset.provenance.incidents.map((s) => [s.total, s.outside])).toEqual([[5, 1], [5, 1]]);
  });

  it('rejects an incident without a usable date or coordinates', async () => {
    const errors = (await buildErrors({ 'incidents.csv': 'x,y,datum,kategori\n660100,6600100,05/01/2023,stold\n,6600100,2023-01-05,stold' })).join('\n');
    expect(errors).toMatch(/incidents\.csv, line 2, field "datum": expected a date like 2023-04-05, found "05\/01\/2023"/);
    expect(errors).toMatch(/incidents\.csv, line 3, field "x": expected coordinates/);
  });

  it('sums months into the year and rejects a repeated row', async () => {
    const m = manifest();
    m.metrics.push({ file: 'monthly.csv', key: 'regso', vintage: 'RegSO 2020', codeColumn: 'kod', yearColumn: 'ar', monthColumn: 'man', columns: { stold: 'n' } });
    const monthly = 'kod,ar,man,n\n0114R002,2022,1,3\n0114R002,2022,2,4\n';
    const { dataset } = await build({ 'manifest.json': m, 'monthly.csv': monthly });
    expect(dataset.metrics.get('stold')!.get(2022)!.get('0114R002')).toBe(7);
    const errors = (await buildErrors({ 'manifest.json': m, 'monthly.csv': `${monthly}0114R002,2022,2,4\n` })).join('\n');
    expect(errors).toMatch(/monthly\.csv, line 4, field "kod": 0114R002 2022-2 is given on line 3 already/);
  });
});
