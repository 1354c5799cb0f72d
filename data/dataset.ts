/**
 * The data model every protocol serves: one immutable object per build, swapped whole when data changes.
 */
import type { Area } from './areas.ts';
import type { AreaTypes } from './area-types.ts';
import type { Layer } from './layers.ts';
import type { License, MetricDefinition } from './manifest.ts';
import type { MetricValues } from './metric-tables.ts';
import type { Problem } from './report.ts';

export interface CatalogEntry extends Omit<MetricDefinition, 'disclosure'> {
  id: string;
  /** As the catalogue states it, or with the build's default minimum count where it does not. */
  disclosure: DisclosureRule;
  /** Years with values. */
  years: number[];
}

export interface DisclosureRule {
  minCount: number;
  roundTo?: number;
}

export interface SourceRecord {
  /** What the file is for: areas, regsoKey, areaTypes, metrics, incidents, layer. */
  role: string;
  file: string;
  sha256: string;
  bytes: number;
  vintage?: string;
}

export interface IncidentSummary {
  file: string;
  /** Points read. */
  total: number;
  /** Points in no area: counted and reported, never silently dropped. */
  outside: number;
  /** Points in two or more overlapping areas (counted once, in the area with the lowest code). */
  ambiguous: number;
  /** Points whose category maps to no metric and no otherMetric. */
  unmapped: number;
  /** Events located only by län (Polisen's events API): not attributed to a kommun. */
  lanOnly?: number;
}

export interface Provenance {
  /** Version of the build format, bumped when files change shape. */
  format: number;
  sources: SourceRecord[];
  warnings: Problem[];
  incidents: IncidentSummary[];
  vintageSubstitutes: { statistics: string; boundaries: string; reason: string; areas: number }[];
}

export interface Dataset {
  /** Content hash of the build: changes whenever any served byte would change. */
  id: string;
  name: string;
  title: { sv: string; en: string };
  attribution: string;
  license: License | null;
  /** Sorted by regsokod. */
  areas: Area[];
  /** Years that have områdestyp, ascending. */
  years: number[];
  areaTypes: AreaTypes;
  /** RegSO-level metrics. */
  metrics: MetricValues;
  /** Kommun-level metrics, keyed by kommun code. */
  kommunMetrics: MetricValues;
  catalog: CatalogEntry[];
  layers: Layer[];
  /** Which layer holds kommun polygons, and its code and name properties (kommun-level metrics are keyed by that code). */
  kommunLayer: { layer: string; codeField: string; nameField: string } | null;
  provenance: Provenance;
}

/** [west, south, east, north] of the areas in degrees: what TileJSON, exports and collection extents give. */
export function datasetBounds(dataset: Dataset): [number, number, number, number] {
  const b: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const a of dataset.areas) {
    for (const polygon of a.wgs84.coordinates) {
      for (const [lon, lat] of polygon[0]) {
        if (lon < b[0]) b[0] = lon;
        if (lat < b[1]) b[1] = lat;
        if (lon > b[2]) b[2] = lon;
        if (lat > b[3]) b[3] = lat;
      }
    }
  }
  return b;
}
