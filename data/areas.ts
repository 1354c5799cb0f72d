/**
 * The RegSO boundaries: read from each area source, checked, joined to the key, and kept in both SWEREF 99 TM
 * and WGS84. Coordinates in the source CRS are kept as they are; the other CRS is computed once here.
 */
import type { MultiPolygon } from 'geojson';
import { parseCrs, toSweref99tm, toWgs84, type CrsCode } from './crs.ts';
import { KOMMUN_CODE, REGSO_CODE, areaId, kommunkodOf, lanskodOf } from './codes.ts';
import { DEFAULT_AREA_FIELDS, type AreaFileSource } from './manifest.ts';
import { readFeatureFile, type FeatureSource } from './readers/features.ts';
import type { Report } from './report.ts';
import type { RegsoKey } from './regso-key.ts';
import { checkAreaGeometry, toMultiPolygon, type PolygonRings } from './validate/geometry.ts';

/** Where an area's polygon comes from: SCB as published, derived from SCB data, or drawn by our model. */
export type GeomSource = 'scb' | 'derived' | 'synthetic';

export interface Area {
  /** Stable numeric id (see codes.ts areaId). */
  id: number;
  regsokod: string;
  regsonamn: string;
  kommunkod: string;
  kommunnamn: string;
  lanskod: string;
  geomSource: GeomSource;
  /** Boundary vintage, e.g. "RegSO 2025". */
  vintage: string;
  sweref99tm: MultiPolygon;
  wgs84: MultiPolygon;
}

/** Rounding of stored coordinates: 1 mm in SWEREF 99 TM, about 1 mm in degrees. */
const DECIMALS: Record<'EPSG:3006' | 'EPSG:4326', number> = { 'EPSG:3006': 3, 'EPSG:4326': 8 };

/** Reprojects and rounds polygons; returns [sweref99tm, wgs84]. */
export function bothCrs(polygons: PolygonRings[], crs: CrsCode): [MultiPolygon, MultiPolygon] {
  const sweref = DECIMALS['EPSG:3006'];
  const degrees = DECIMALS['EPSG:4326'];
  if (crs === 'EPSG:3006') return [roundPolygons(polygons, sweref), roundPolygons(mapPolygons(polygons, toWgs84), degrees)];
  if (crs === 'EPSG:4326') return [roundPolygons(mapPolygons(polygons, toSweref99tm), sweref), roundPolygons(polygons, degrees)];
  throw new Error(`area geometry must be in EPSG:3006 or EPSG:4326, not ${crs}`);
}

function mapPolygons(polygons: PolygonRings[], f: (p: number[]) => [number, number]): PolygonRings[] {
  return polygons.map((rings) => rings.map((ring) => ring.map(f)));
}

/**
 * Rounds coordinates, then removes what rounding made degenerate: repeated points, and rings (or whole parts) with
 * fewer than 4 positions — a sliver a few millimetres wide in one CRS can collapse in the other.
 */
function roundPolygons(polygons: PolygonRings[], decimals: number): MultiPolygon {
  const k = 10 ** decimals;
  const parts: PolygonRings[] = [];
  for (const rings of polygons) {
    const kept: PolygonRings = [];
    for (const [i, ring] of rings.entries()) {
      const rounded: number[][] = [];
      for (const [x, y] of ring) {
        const p = [Math.round(x * k) / k, Math.round(y * k) / k];
        const last = rounded[rounded.length - 1];
        if (!last || last[0] !== p[0] || last[1] !== p[1]) rounded.push(p);
      }
      if (rounded.length >= 4) kept.push(rounded);
      else if (i === 0) break; // the exterior collapsed: drop the part with its holes
    }
    if (kept.length > 0) parts.push(kept);
  }
  return toMultiPolygon(parts);
}

/** The CRS of a feature source: what the file says, else what the manifest declares, else GeoJSON's CRS84. */
export function sourceCrs(source: FeatureSource, declared: string | undefined, report: Report): CrsCode | null {
  const fromManifest = declared === undefined ? null : parseCrs(declared);
  if (declared !== undefined && fromManifest === null) {
    report.error({ file: source.file, field: 'crs' }, `unknown CRS "${declared}" in the manifest: expected EPSG:3006 or EPSG:4326`);
    return null;
  }
  if (source.crs !== null && fromManifest !== null && source.crs !== fromManifest) {
    report.error({ file: source.file, field: 'crs' }, `the file says ${source.crsName}, the manifest says ${declared}`);
    return null;
  }
  const crs = source.crs ?? fromManifest ?? (/\.(geo)?json(\.gz)?$/i.test(source.file) ? 'EPSG:4326' : null);
  if (crs === null) {
    report.error({ file: source.file, field: 'crs' }, 'the file names no CRS: declare "crs" in the manifest');
    return null;
  }
  if (crs === 'EPSG:3857') {
    report.error({ file: source.file, field: 'crs' }, 'areas in EPSG:3857 are not accepted: use EPSG:3006 or EPSG:4326');
    return null;
  }
  return crs;
}

/** Reads one area file. Codes not in the key are errors: they would join to nothing. */
export async function readAreaFile(
  source: AreaFileSource,
  file: string,
  key: RegsoKey | undefined,
  report: Report,
): Promise<Area[]> {
  const features = await readFeatureFile(file, { layer: source.layer });
  const crs = sourceCrs(features, source.crs, report);
  if (crs === null) return [];
  const fields = { ...DEFAULT_AREA_FIELDS, ...source.fields };
  const areas: Area[] = [];
  for (const feature of features.features) {
    const at = { file, feature: feature.index };
    const props = feature.properties;
    const regsokod = String(props[fields.regsokod] ?? '');
    if (!REGSO_CODE.test(regsokod)) {
      report.error({ ...at, field: fields.regsokod }, `expected a RegSO code like 0114R001, found "${regsokod}"`);
      continue;
    }
    const entry = key?.regso.get(regsokod);
    if (key && !entry) {
      report.error({ ...at, field: fields.regsokod }, `RegSO ${regsokod} is not in the DeSO→RegSO key (${key.vintage})`);
      continue;
    }
    const kommunkod = String(props[fields.kommunkod] ?? kommunkodOf(regsokod));
    if (!KOMMUN_CODE.test(kommunkod) || kommunkod !== kommunkodOf(regsokod)) {
      report.error({ ...at, field: fields.kommunkod }, `expected kommun code ${kommunkodOf(regsokod)} (from ${regsokod}), found "${kommunkod}"`);
      continue;
    }
    const lanskod = String(props[fields.lanskod] ?? lanskodOf(kommunkod));
    if (lanskod !== lanskodOf(kommunkod)) {
      report.error({ ...at, field: fields.lanskod }, `expected län code ${lanskodOf(kommunkod)} (from ${kommunkod}), found "${lanskod}"`);
      continue;
    }
    const polygons = checkAreaGeometry(feature.geometry, crs, at, report);
    if (polygons === null) continue;
    const [sweref99tm, wgs84] = bothCrs(polygons, crs);
    areas.push({
      id: areaId(regsokod),
      regsokod,
      regsonamn: String(props[fields.regsonamn] ?? entry?.regsonamn ?? ''),
      kommunkod,
      kommunnamn: String(props[fields.kommunnamn] ?? entry?.kommunnamn ?? ''),
      lanskod,
      geomSource: source.geomSource,
      vintage: source.vintage,
      sweref99tm,
      wgs84,
    });
  }
  return areas;
}

/** Merges the areas of all sources; a code in two sources (or twice in one) is an error naming both places. */
export function mergeAreas(sources: { file: string; areas: Area[] }[], report: Report): Area[] {
  const seen = new Map<string, string>();
  const merged: Area[] = [];
  for (const { file, areas } of sources) {
    for (const area of areas) {
      const first = seen.get(area.regsokod);
      if (first !== undefined) {
        report.error({ file, field: 'regsokod' }, `RegSO ${area.regsokod} has a polygon already in ${first}`);
        continue;
      }
      seen.set(area.regsokod, file);
      merged.push(area);
    }
  }
  return merged.sort((a, b) => (a.regsokod < b.regsokod ? -1 : a.regsokod > b.regsokod ? 1 : 0));
}
