/**
 * The synthetic parts of the bundled dataset, from the real sources: areas for kommuner without real RegSO
 * polygons, modelled population, and police incidents written to a CSV that the ordinary incident pipeline reads.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import Flatbush from 'flatbush';
import polygonClipping from 'polygon-clipping';
import type { MultiPolygon, Polygon, Position } from 'geojson';
import type { Area } from '../areas.ts';
import { bothCrs } from '../areas.ts';
import { areaId, lanskodOf } from '../codes.ts';
import type { Layer } from '../layers.ts';
import type { MetricValues } from '../metric-tables.ts';
import { addValue } from '../metric-tables.ts';
import type { Report } from '../report.ts';
import type { RegsoKey } from '../regso-key.ts';
import type { PolygonRings } from '../validate/geometry.ts';
import { splitKommun } from './areas.ts';
import { generateIncidents, type IncidentArea } from './incidents.ts';
import { modelPopulation } from './population.ts';

/**
 * Areas of the key that no area file covers, drawn inside their kommun's polygon less the real areas that overlap
 * it: the national kommun layer is generalised, SCB's RegSO are not, and the partition must not overlap itself.
 */
export function syntheticAreas(
  seed: number,
  key: RegsoKey,
  real: readonly Area[],
  kommuner: Layer,
  vintage: string,
  report: Report,
): Area[] {
  const covered = new Set(real.map((a) => a.regsokod));
  const realIndex = boxIndex(real.map((a) => a.sweref99tm));
  const missing = new Map<string, { regsokod: string; nDeso: number }[]>();
  for (const entry of key.regso.values()) {
    if (covered.has(entry.regsokod)) continue;
    const list = missing.get(entry.kommunkod) ?? [];
    list.push({ regsokod: entry.regsokod, nDeso: entry.deso.length });
    missing.set(entry.kommunkod, list);
  }
  const shapes = new Map(kommuner.features.map((f) => [f.id, f.sweref99tm]));
  const areas: Area[] = [];
  for (const [kommunkod, toSplit] of missing) {
    const shape = shapes.get(kommunkod);
    if (shape === undefined || (shape.type !== 'Polygon' && shape.type !== 'MultiPolygon')) {
      report.error({ file: `layer ${kommuner.id}`, field: kommuner.idField }, `no polygon for kommun ${kommunkod}, needed for ${toSplit.length} synthetic areas`);
      continue;
    }
    const pieces = splitKommun(seed, { kommunkod, geometry: withoutOverlaps(shape, real, realIndex) }, toSplit);
    for (const { regsokod } of toSplit) {
      const piece = pieces.get(regsokod)!;
      const polygons = (piece.type === 'Polygon' ? [piece.coordinates] : piece.coordinates) as PolygonRings[];
      const [sweref99tm, wgs84] = bothCrs(polygons, 'EPSG:3006');
      const entry = key.regso.get(regsokod)!;
      areas.push({
        id: areaId(regsokod),
        regsokod,
        regsonamn: entry.regsonamn,
        kommunkod,
        kommunnamn: entry.kommunnamn,
        lanskod: lanskodOf(kommunkod),
        geomSource: 'synthetic',
        vintage,
        sweref99tm,
        wgs84,
      });
    }
  }
  return areas;
}

function boxIndex(geometries: readonly MultiPolygon[]): Flatbush | null {
  if (geometries.length === 0) return null;
  const index = new Flatbush(geometries.length);
  for (const g of geometries) index.add(...bbox(g.coordinates));
  index.finish();
  return index;
}

function bbox(polygons: Position[][][]): [number, number, number, number] {
  const b: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const rings of polygons) {
    for (const [x, y] of rings[0]) {
      b[0] = Math.min(b[0], x);
      b[1] = Math.min(b[1], y);
      b[2] = Math.max(b[2], x);
      b[3] = Math.max(b[3], y);
    }
  }
  return b;
}

/** The kommun shape minus the real areas whose boxes touch it. */
function withoutOverlaps(shape: Polygon | MultiPolygon, real: readonly Area[], index: Flatbush | null): Polygon | MultiPolygon {
  const polygons = (shape.type === 'Polygon' ? [shape.coordinates] : shape.coordinates) as Position[][][];
  const near = index ? index.search(...bbox(polygons)) : [];
  if (near.length === 0) return shape;
  const rest = polygonClipping.difference(polygons as polygonClipping.Geom, ...near.map((i) => real[i].sweref99tm.coordinates as polygonClipping.Geom));
  return rest.length === 0 ? shape : { type: 'MultiPolygon', coordinates: rest };
}

/** Modelled population of every area, from its number of DeSO in the key. */
export function syntheticPopulation(seed: number, key: RegsoKey, areas: readonly Area[], metric: string, years: number[], into: MetricValues): void {
  const input = areas.map((a) => ({ regsokod: a.regsokod, nDeso: key.regso.get(a.regsokod)?.deso.length ?? 1 }));
  for (const [year, byCode] of modelPopulation(seed, input, years)) {
    for (const [code, value] of byCode) addValue(into, metric, year, code, value);
  }
}

/** Writes synthetic incidents as `x,y,datum,kategori` (EPSG:3006) — the format a police extract would come in. */
export async function writeSyntheticIncidents(file: string, seed: number, areas: readonly IncidentArea[], years: number[]): Promise<number> {
  const out = createWriteStream(file);
  let buffer = 'x,y,datum,kategori\n';
  let count = 0;
  for (const p of generateIncidents(seed, areas, years)) {
    buffer += `${p.x},${p.y},${p.date},${p.category}\n`;
    count++;
    if (buffer.length > 1 << 16) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  out.end(buffer);
  await once(out, 'finish');
  return count;
}

/** Incident CSV columns written above, for the manifest-free synthetic source. */
export const SYNTHETIC_INCIDENT_COLUMNS = { x: 'x', y: 'y', date: 'datum', category: 'kategori' } as const;
