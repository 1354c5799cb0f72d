/**
 * A prepared build on disk: FlatGeobuf for geometry (both CRS), JSON for tables and metadata, in a folder named
 * by the content hash. `current.json` points at the build to serve and is replaced atomically (rename), so a
 * failed build never touches the last good one and a reader never sees half a build.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Feature, FeatureCollection, Geometry } from 'geojson';
import { deserialize, serialize } from 'flatgeobuf/lib/mjs/geojson.js';
import type { Area, GeomSource } from '../areas.ts';
import type { AreaTypes } from '../area-types.ts';
import type { Dataset } from '../dataset.ts';
import type { Layer } from '../layers.ts';
import type { MetricValues } from '../metric-tables.ts';

export const BUILD_FORMAT = 1;
const CRS_FILES = { sweref99tm: { suffix: '3006', epsg: 3006 }, wgs84: { suffix: '4326', epsg: 4326 } } as const;
type CrsKey = keyof typeof CRS_FILES;

interface BuildMeta extends Omit<Dataset, 'areas' | 'areaTypes' | 'metrics' | 'kommunMetrics' | 'layers'> {
  layers: Omit<Layer, 'features'>[];
}

interface Tables {
  areaTypes: Record<string, Record<string, number>>;
  metrics: Record<string, Record<string, Record<string, number>>>;
  kommunMetrics: Record<string, Record<string, Record<string, number>>>;
}

/** Writes the dataset as a new build under `root` and makes it current. Returns the build's folder. */
export async function writeBuild(root: string, dataset: Omit<Dataset, 'id'>): Promise<{ id: string; dir: string }> {
  const files = encodeBuild(dataset);
  const metadata = meta(dataset);
  const id = contentId(files, metadata);
  files.set('build.json', json({ ...metadata, id }));
  await mkdir(root, { recursive: true });
  const tmp = path.join(root, `.tmp-${randomBytes(6).toString('hex')}`);
  try {
    for (const [name, bytes] of files) {
      await mkdir(path.dirname(path.join(tmp, name)), { recursive: true });
      await writeFile(path.join(tmp, name), bytes);
    }
    const dir = path.join(root, id);
    if (await exists(dir)) await rm(tmp, { recursive: true });
    else await rename(tmp, dir);
    await writeFile(path.join(root, 'current.json.tmp'), json({ id }));
    await rename(path.join(root, 'current.json.tmp'), path.join(root, 'current.json'));
    return { id, dir };
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

/** The id of the current build, or null if there is none. */
export async function currentBuildId(root: string): Promise<string | null> {
  try {
    return (JSON.parse(await readFile(path.join(root, 'current.json'), 'utf8')) as { id: string }).id;
  } catch {
    return null;
  }
}

export async function readBuild(root: string, id: string): Promise<Dataset> {
  const dir = path.join(root, id);
  const metadata = JSON.parse(await readFile(path.join(dir, 'build.json'), 'utf8')) as BuildMeta;
  if (metadata.provenance.format !== BUILD_FORMAT) throw new Error(`build ${id} has format ${metadata.provenance.format}, expected ${BUILD_FORMAT}: rebuild`);
  const tables = JSON.parse(await readFile(path.join(dir, 'tables.json'), 'utf8')) as Tables;
  const [areas3006, areas4326] = await Promise.all([readFgb(dir, 'areas', 'sweref99tm'), readFgb(dir, 'areas', 'wgs84')]);
  const layers = await Promise.all(metadata.layers.map((l) => readLayerFiles(dir, l)));
  return {
    ...metadata,
    areas: areas3006.map((f, i) => toArea(f, areas4326[i])),
    areaTypes: mapsOf(tables.areaTypes),
    metrics: metricMaps(tables.metrics),
    kommunMetrics: metricMaps(tables.kommunMetrics),
    layers,
  };
}

function encodeBuild(d: Omit<Dataset, 'id'>): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  for (const crs of Object.keys(CRS_FILES) as CrsKey[]) {
    files.set(`areas.${CRS_FILES[crs].suffix}.fgb`, fgb(d.areas.map((a) => areaFeature(a, crs)), crs));
    for (const layer of d.layers) {
      const features = layer.features.map((f): Feature => ({ type: 'Feature', properties: f.properties as Feature['properties'], geometry: f[crs] }));
      files.set(`layers/${layer.id}.${CRS_FILES[crs].suffix}.fgb`, fgb(features, crs));
    }
  }
  const tables: Tables = { areaTypes: objectOf(d.areaTypes), metrics: metricObjects(d.metrics), kommunMetrics: metricObjects(d.kommunMetrics) };
  files.set('tables.json', json(tables));
  return files;
}

function meta(d: Omit<Dataset, 'id'>): Omit<BuildMeta, 'id'> {
  const { areas: _a, areaTypes: _t, metrics: _m, kommunMetrics: _k, layers, ...rest } = d;
  return { ...rest, layers: layers.map(({ features: _f, ...layer }) => layer) };
}

/**
 * Hash of every data file, in name order, and of the metadata clients are served (titles, attribution, catalogue,
 * layers: a changed title is a new version too). Warnings count by number only: their wording names files relative
 * to the working directory, which must not change the id. Equal content, equal id.
 */
function contentId(files: Map<string, Uint8Array>, metadata: Omit<BuildMeta, 'id'>): string {
  const hash = createHash('sha256');
  for (const name of [...files.keys()].sort()) hash.update(name).update(files.get(name)!);
  const { warnings, ...provenance } = metadata.provenance;
  hash.update('build.json').update(json({ ...metadata, provenance: { ...provenance, warnings: warnings.length } }));
  return hash.digest('hex').slice(0, 16);
}

function areaFeature(a: Area, crs: CrsKey): Feature {
  return {
    type: 'Feature',
    properties: {
      id: a.id,
      regsokod: a.regsokod,
      regsonamn: a.regsonamn,
      kommunkod: a.kommunkod,
      kommunnamn: a.kommunnamn,
      lanskod: a.lanskod,
      geom_source: a.geomSource,
      geom_vintage: a.vintage,
    },
    geometry: a[crs],
  };
}

function toArea(f3006: Feature, f4326: Feature): Area {
  const p = f3006.properties!;
  return {
    id: p.id,
    regsokod: p.regsokod,
    regsonamn: p.regsonamn,
    kommunkod: p.kommunkod,
    kommunnamn: p.kommunnamn,
    lanskod: p.lanskod,
    geomSource: p.geom_source as GeomSource,
    vintage: p.geom_vintage,
    sweref99tm: f3006.geometry as Area['sweref99tm'],
    wgs84: f4326.geometry as Area['wgs84'],
  };
}

async function readLayerFiles(dir: string, layer: Omit<Layer, 'features'>): Promise<Layer> {
  const [f3006, f4326] = await Promise.all([readFgb(dir, `layers/${layer.id}`, 'sweref99tm'), readFgb(dir, `layers/${layer.id}`, 'wgs84')]);
  const features = f3006.map((f, i) => ({
    id: String(f.properties![layer.idField]),
    name: String(f.properties![layer.nameField] ?? ''),
    properties: f.properties!,
    sweref99tm: f.geometry as Geometry,
    wgs84: f4326[i].geometry as Geometry,
  }));
  return { ...layer, features };
}

function fgb(features: Feature[], crs: CrsKey): Uint8Array {
  const collection: FeatureCollection = { type: 'FeatureCollection', features };
  return serialize(collection, CRS_FILES[crs].epsg);
}

async function readFgb(dir: string, name: string, crs: CrsKey): Promise<Feature[]> {
  const bytes = new Uint8Array(await readFile(path.join(dir, `${name}.${CRS_FILES[crs].suffix}.fgb`)));
  const features: Feature[] = [];
  for await (const f of deserialize(bytes)) features.push(f as Feature);
  return features;
}

function json(value: unknown): Uint8Array {
  return Buffer.from(JSON.stringify(value));
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

/** Map<number, Map<string, number>> ⇄ plain objects with sorted keys (stable bytes). */
function objectOf(m: Map<number, Map<string, number>>): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const year of [...m.keys()].sort()) {
    const byCode = m.get(year)!;
    out[year] = Object.fromEntries([...byCode.keys()].sort().map((code) => [code, byCode.get(code)!]));
  }
  return out;
}

function mapsOf(o: Record<string, Record<string, number>>): AreaTypes {
  return new Map(Object.entries(o).map(([year, byCode]) => [Number(year), new Map(Object.entries(byCode))]));
}

function metricObjects(m: MetricValues): Tables['metrics'] {
  return Object.fromEntries([...m.keys()].sort().map((id) => [id, objectOf(m.get(id)!)]));
}

function metricMaps(o: Tables['metrics']): MetricValues {
  return new Map(Object.entries(o).map(([id, byYear]) => [id, mapsOf(byYear)]));
}
