/**
 * The areas the ingest benchmark aggregates into. The real job uses the national RegSO polygons of the current
 * build; until a build exists, a stand-in partition from bundled sources is used. Switch sets here only.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Feature, FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import { deserialize } from 'flatgeobuf/lib/mjs/geojson.js';
import type { HeaderMeta } from 'flatgeobuf/lib/mjs/header-meta.js';

export interface BenchArea {
  id: string;
  /** EPSG:3006 metres. */
  geometry: Polygon | MultiPolygon;
}

export interface AreaSet {
  /** What was loaded, for the report. */
  label: string;
  areas: BenchArea[];
}

const ROOT = path.resolve(import.meta.dirname, '..');

/** The current build's areas if `buildRoot` (default: the repo's build/) has a current.json, else the fallback. */
export async function loadBenchAreas(buildRoot = path.join(ROOT, 'build')): Promise<AreaSet> {
  const current = path.join(buildRoot, 'current.json');
  if (existsSync(current)) {
    const { id } = JSON.parse(readFileSync(current, 'utf8')) as { id: string };
    const file = path.join(buildRoot, id, 'areas.3006.fgb');
    return { label: `national build ${id} (${path.relative(ROOT, file)})`, areas: await readFgbAreas(file) };
  }
  return fallbackAreas(ROOT, current);
}

/** One MultiPolygon per RegSO with property `regsokod`, EPSG:3006. */
async function readFgbAreas(file: string): Promise<BenchArea[]> {
  let header: HeaderMeta | undefined;
  const areas: BenchArea[] = [];
  for await (const f of deserialize(new Uint8Array(readFileSync(file)), { headerMetaFn: (h: HeaderMeta) => (header = h) })) {
    const g = (f as Feature).geometry;
    if (g.type !== 'Polygon' && g.type !== 'MultiPolygon') throw new Error(`${file}: feature ${areas.length} is a ${g.type}`);
    areas.push({ id: String((f as Feature).properties?.regsokod ?? areas.length), geometry: g });
  }
  const code = header?.crs?.code;
  if (code !== undefined && code !== 3006) throw new Error(`${file}: CRS is EPSG:${code}, expected EPSG:3006`);
  return areas;
}

/**
 * The national kommun polygons, with the 13 Göteborgsregionen kommuner replaced by their 300 detailed RegSO: a
 * near-partition of Sweden (the generalised kommun borders and the detailed GR borders do not match exactly, so a
 * few points along the GR boundary fall in two areas or none).
 */
function fallbackAreas(root: string, missing: string): AreaSet {
  const sources = path.join(root, 'data', 'sources');
  const kommuner = readCollection(path.join(sources, 'kommuner', 'kommuner.geojson'));
  const gr = readCollection(path.join(sources, 'scb-regso-goteborgsregionen', 'regso_gr_original.geojson.gz'));
  const grKommuner = new Set(gr.features.map((f) => String(f.properties?.kommunkod)));
  const areas: BenchArea[] = [];
  for (const f of kommuner.features) {
    const kod = String(f.properties?.kommun_kod);
    if (!grKommuner.has(kod)) areas.push({ id: `kommun ${kod}`, geometry: areal(f) });
  }
  const nKommuner = areas.length;
  for (const f of gr.features) areas.push({ id: String(f.properties?.regsokod), geometry: areal(f) });
  return {
    label: `fallback (no ${path.relative(root, missing)}): ${nKommuner} kommuner + ${gr.features.length} GR RegSO replacing ${grKommuner.size} GR kommuner`,
    areas,
  };
}

function readCollection(file: string): FeatureCollection {
  let bytes = readFileSync(file);
  if (file.endsWith('.gz')) bytes = gunzipSync(bytes);
  const fc = JSON.parse(bytes.toString('utf8')) as FeatureCollection & { crs?: { properties?: { name?: string } } };
  const crs = fc.crs?.properties?.name ?? '';
  if (!/(^|:)3006$/.test(crs)) throw new Error(`${file}: expected an EPSG:3006 crs member, found "${crs}"`);
  return fc;
}

function areal(f: Feature): Polygon | MultiPolygon {
  if (f.geometry.type !== 'Polygon' && f.geometry.type !== 'MultiPolygon') throw new Error(`unexpected ${f.geometry.type}`);
  return f.geometry;
}
