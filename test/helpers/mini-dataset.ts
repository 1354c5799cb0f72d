/**
 * A tiny dataset written by the tests — SYNTHETIC TEST FIXTURE, not real data: one kommun (0114) of four
 * square RegSO in SWEREF 99 TM, its key, types, a DeSO-keyed metric table and incident points. Each test
 * writes it to a temp folder, breaks one thing, and checks the build names that thing.
 */
import { mkdtemp, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Lower-left corners of the four 1 km squares: a 2 × 2 block near Upplands Väsby. */
export const SQUARES: Record<string, [number, number]> = {
  '0114R001': [660_000, 6_600_000],
  '0114R002': [661_000, 6_600_000],
  '0114R003': [660_000, 6_601_000],
  '0114R004': [661_000, 6_601_000],
};

export function square([x, y]: [number, number], size = 1000): number[][][] {
  return [[[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]];
}

export function areasGeojson(squares = SQUARES): object {
  return {
    type: 'FeatureCollection',
    crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::3006' } },
    features: Object.entries(squares).map(([code, corner], i) => ({
      type: 'Feature',
      properties: { regsokod: code, regsonamn: `Testområde ${i + 1}`, kommunkod: '0114', kommunnamn: 'Upplands Väsby', lanskod: '01', note: 'SYNTHETIC TEST FIXTURE' },
      geometry: { type: 'Polygon', coordinates: square(corner) },
    })),
  };
}

/** The areas with one area's geometry (and properties) replaced: how tests break a single feature. */
export function withArea(code: string, geometry: object, props: object = {}): object {
  const fc = areasGeojson() as { features: { properties: Record<string, unknown>; geometry: object }[] };
  const f = fc.features.find((x) => x.properties.regsokod === code)!;
  f.geometry = geometry;
  Object.assign(f.properties, props);
  return fc;
}

export const KEY_CSV = [
  '\uFEFFKommun,Kommunnamn,DeSO_2018,RegSO_2020,RegSOkod_2020',
  '0114,Upplands Väsby,0114C1010,Testområde 1,0114R001',
  '0114,Upplands Väsby,0114C1020,Testområde 1,0114R001',
  '0114,Upplands Väsby,0114C1030,Testområde 2,0114R002',
  '0114,Upplands Väsby,0114C1040,Testområde 3,0114R003',
  '0114,Upplands Väsby,0114C1050,Testområde 4,0114R004',
].join('\r\n');

export const TYPES_SCB_2023 = [
  '\uFEFF,2023',
  'Upplands Väsby (Testområde 1),1',
  'Upplands Väsby (Testområde 2),3',
  'Upplands Väsby (Testområde 3),4',
  'Upplands Väsby (Testområde 4),5',
  ',',
  'Databas:,',
  'Statistikdatabasen ,',
].join('\r\n');

export const TYPES_CSV = ['regsokod,typ_2022', '0114R001,2', '0114R002,3', '0114R003,4', '0114R004,5'].join('\n');

export const METRICS_DESO_CSV = ['deso,ar,invanare', '0114C1010,2023,1000', '0114C1020,2023,900', '0114C1030,2023,1700', '0114C1040,2023,2100', '0114C1050,2023,1500'].join('\n');

/** Incidents: 3 in square 1, 1 in square 4, 1 outside every square. */
export const INCIDENTS_CSV = [
  'x,y,datum,kategori',
  '660100,6600100,2023-01-05,stold',
  '660200,6600200,2023-02-05,stold',
  '660300,6600300,2023-03-05,valdsbrott',
  '661500,6601500,2023-04-05,stold',
  '670000,6700000,2023-05-05,stold',
].join('\n');

export function kommunGeojson(): object {
  return {
    type: 'FeatureCollection',
    crs: { type: 'name', properties: { name: 'EPSG:3006' } },
    features: [{ type: 'Feature', properties: { kod: '0114', namn: 'Upplands Väsby' }, geometry: { type: 'Polygon', coordinates: square([660_000, 6_600_000], 2000) } }],
  };
}

const metric = (sv: string, en: string, extra: object = {}) => ({
  label: { sv, en },
  unit: { sv: 'antal', en: 'count' },
  definition: { sv: `${sv} (testdata)`, en: `${en} (test data)` },
  source: 'SYNTHETIC TEST FIXTURE',
  synthetic: true,
  ...extra,
});

export function manifest(): Record<string, any> {
  return {
    name: 'mini',
    title: { sv: 'Testdata (syntetiska)', en: 'Test data (synthetic)' },
    attribution: 'SYNTHETIC TEST FIXTURE',
    regsoKey: {
      file: 'key.csv',
      vintage: 'RegSO 2020',
      columns: { desokod: 'DeSO_2018', regsokod: 'RegSOkod_2020', regsonamn: 'RegSO_2020', kommunkod: 'Kommun', kommunnamn: 'Kommunnamn' },
    },
    areas: [{ file: 'areas.geojson', vintage: 'RegSO 2020', geomSource: 'scb' }],
    areaTypes: [
      { file: 'types.csv', format: 'csv', vintage: 'RegSO 2020', codeColumn: 'regsokod', years: { '2022': 'typ_2022' } },
      { file: 'types-2023.csv', format: 'scb-export', vintage: 'RegSO 2020', year: 2023 },
    ],
    metrics: [{ file: 'metrics.csv', key: 'deso', vintage: 'RegSO 2020', codeColumn: 'deso', yearColumn: 'ar', columns: { befolkning: 'invanare' } }],
    incidents: [{ file: 'incidents.csv', format: 'csv', crs: 'EPSG:3006', columns: { x: 'x', y: 'y', date: 'datum', category: 'kategori' }, categories: { stold: 'stold' }, otherMetric: 'ovriga', totalMetric: 'totalt' }],
    layers: [{ id: 'kommuner', file: 'kommuner.geojson', title: { sv: 'Kommuner', en: 'Municipalities' }, attribution: 'SYNTHETIC TEST FIXTURE', idField: 'kod', nameField: 'namn' }],
    catalog: {
      befolkning: metric('Befolkning', 'Population', { kind: 'population', disclosure: { minCount: 0 } }),
      stold: metric('Stöld', 'Theft'),
      ovriga: metric('Övriga', 'Other'),
      totalt: metric('Totalt', 'Total'),
    },
  };
}

export interface MiniDataset {
  dir: string;
  manifestFile: string;
}

/** The mini dataset's files by name (objects are written as JSON). */
export function miniFiles(): Record<string, string | object> {
  return {
    'manifest.json': manifest(),
    'key.csv': KEY_CSV,
    'areas.geojson': areasGeojson(),
    'types.csv': TYPES_CSV,
    'types-2023.csv': TYPES_SCB_2023,
    'metrics.csv': METRICS_DESO_CSV,
    'incidents.csv': INCIDENTS_CSV,
    'kommuner.geojson': kommunGeojson(),
  };
}

/** Writes the mini dataset; `override` replaces whole files by name (a string or bytes are written as they are). */
export async function writeMiniDataset(override: Record<string, string | Uint8Array | object> = {}): Promise<MiniDataset> {
  const dir = await mkdtemp(path.join(tmpdir(), 'regso-mini-'));
  await writeMiniFiles(dir, { ...miniFiles(), ...override });
  return { dir, manifestFile: path.join(dir, 'manifest.json') };
}

/** Writes files into a mini dataset's folder, by name (an object as JSON). */
export async function writeMiniFiles(dir: string, files: Record<string, string | Uint8Array | object>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), typeof content === 'string' || content instanceof Uint8Array ? content : JSON.stringify(content));
  }
}
