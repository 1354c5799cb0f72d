/**
 * TileJSON 3.0.0 for a tileset: absolute tile URLs with the data version (so they can be cached forever), bounds,
 * zooms, attribution, and every layer with every field described.
 */
import type { Dataset } from '../data/dataset.ts';
import { visibleLayers, type Role } from '../data/disclosure.ts';
import { AREA_LAYER, DISSOLVE_BELOW_ZOOM, LABEL_LAYER, areaMetrics, kommunMetrics } from './attributes.ts';
import { MAX_ZOOM, MIN_ZOOM, type TilesetInfo } from './tilesets.ts';

export interface VectorLayer {
  id: string;
  description: string;
  minzoom: number;
  maxzoom: number;
  fields: Record<string, string>;
}

const AREA_FIELDS: Record<string, string> = {
  regsokod: 'RegSO code (4-digit kommun code, R, serial), e.g. 0114R001. Below zoom 7: absent (dissolved polygons)',
  regsonamn: 'RegSO name. Below zoom 7: absent',
  kommunkod: 'Kommun code (4 digits)',
  kommunnamn: 'Kommun name',
  lanskod: 'Län code (2 digits)',
  year: 'Year of the områdestyp and the figures',
  omradestyp: 'Områdestyp 1–5 (1 = major socioeconomic challenges … 5 = very good conditions), SCB/Delmos',
  geom_source: 'Where the polygon comes from: scb (SCB boundaries), derived (dissolved from SCB DeSO), synthetic (modelled, not real boundaries); mixed below zoom 7',
  n_areas: 'Below zoom 7 only: number of RegSO in the dissolved kommun × områdestyp polygon',
};

export function vectorLayers(dataset: Dataset, year: number, role: Role): VectorLayer[] {
  const fields = { ...AREA_FIELDS };
  for (const m of areaMetrics(dataset, role, year)) {
    const note = `${m.synthetic ? 'SYNTHETIC. ' : ''}${m.definition.en}`;
    fields[m.id] = `${m.label.en} (${m.unit.en}). ${note}${m.kind === 'count' ? ` Left out where suppressed (fewer than ${m.disclosure.minCount}).` : ''}`;
    if (m.kind === 'count') fields[`${m.id}_per_1000`] = `${m.label.en} per 1,000 inhabitants. Left out where the count is suppressed.`;
  }
  const layers: VectorLayer[] = [
    {
      id: AREA_LAYER,
      description: `RegSO areas with områdestyp and figures of the year; below zoom ${DISSOLVE_BELOW_ZOOM} dissolved by kommun and områdestyp (id = kommun code × 10 + type). Feature id from zoom ${DISSOLVE_BELOW_ZOOM}: kommun code × 1000 + RegSO serial.`,
      minzoom: MIN_ZOOM,
      maxzoom: MAX_ZOOM,
      fields,
    },
    {
      id: LABEL_LAYER,
      description: 'One label point per RegSO at its pole of inaccessibility; same id as the area',
      minzoom: DISSOLVE_BELOW_ZOOM,
      maxzoom: MAX_ZOOM,
      fields: { regsokod: AREA_FIELDS.regsokod, regsonamn: AREA_FIELDS.regsonamn, omradestyp: AREA_FIELDS.omradestyp },
    },
  ];
  for (const layer of visibleLayers(dataset, role)) {
    const names = layer.properties ? Object.keys(layer.properties) : Object.keys(layer.features[0]?.properties ?? {});
    const layerFields: Record<string, string> = Object.fromEntries(names.map((n) => [n, `${layer.title.en}: ${n}${layer.properties ? ` (source field ${layer.properties[n]})` : ''}`]));
    if (dataset.kommunLayer?.layer === layer.id) {
      for (const m of kommunMetrics(dataset, role)) for (const y of m.years) layerFields[`${m.id}_${y}`] = `${m.label.en}, ${y} (${m.unit.en}). ${m.definition.en}`;
    }
    layers.push({ id: layer.tileLayer, description: `${layer.title.en}. ${layer.attribution}`, minzoom: MIN_ZOOM, maxzoom: MAX_ZOOM, fields: layerFields });
  }
  return layers;
}

export function tileJson(dataset: Dataset, tileset: TilesetInfo, bounds: number[], baseUrl: string, role: Role, query = '') {
  const center = [Math.round(((bounds[0] + bounds[2]) / 2) * 1e4) / 1e4, Math.round(((bounds[1] + bounds[3]) / 2) * 1e4) / 1e4, 4];
  return {
    tilejson: '3.0.0',
    name: `${dataset.title.sv} – ${tileset.year}`,
    description: `Områdestyper ${tileset.year} per RegSO with police figures. ${dataset.title.en}`,
    version: '1.0.0',
    attribution: dataset.attribution,
    scheme: 'xyz',
    tiles: [`${baseUrl}/tiles/${tileset.id}/{z}/{x}/{y}.mvt?v=${dataset.id}${query}`],
    minzoom: MIN_ZOOM,
    maxzoom: MAX_ZOOM,
    bounds: bounds.map((b) => Math.round(b * 1e5) / 1e5),
    center,
    vector_layers: vectorLayers(dataset, tileset.year, role),
  };
}
