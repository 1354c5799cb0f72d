/** A compact description of a dataset: what the server has loaded, for people and for monitoring. */
import type { Dataset } from './dataset.ts';
import { canSee, DISCLOSURE_METHOD, visibleLayers, type Role } from './disclosure.ts';
import { publishedName } from './layers.ts';

function countBy<T>(items: readonly T[], key: (item: T) => string | number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

/** Restricted metrics are listed only for roles that may see them. */
export function summarize(d: Dataset, role: Role) {
  return {
    id: d.id,
    name: d.name,
    title: d.title,
    attribution: d.attribution,
    years: d.years,
    areas: {
      total: d.areas.length,
      byGeomSource: countBy(d.areas, (a) => a.geomSource),
      byVintage: countBy(d.areas, (a) => a.vintage),
      kommuner: new Set(d.areas.map((a) => a.kommunkod)).size,
    },
    omradestyp: Object.fromEntries(d.years.map((y) => [y, countBy([...d.areaTypes.get(y)!.values()], (t) => t)])),
    metrics: d.catalog.filter((m) => canSee(role, m)).map((m) => ({ id: m.id, label: m.label, unit: m.unit, kind: m.kind, level: m.level, years: m.years, synthetic: m.synthetic, access: m.access })),
    layers: visibleLayers(d, role).map((l) => ({ id: l.id, title: l.title, features: l.features.length })),
    kommunLayer: kommunLayerSummary(d, role),
    disclosure: DISCLOSURE_METHOD,
    provenance: {
      sources: d.provenance.sources,
      incidents: d.provenance.incidents,
      vintageSubstitutes: d.provenance.vintageSubstitutes,
      warnings: d.provenance.warnings.length,
    },
  };
}

/** The kommun layer (a collection of the OGC API) with the published names of its code and name properties. */
function kommunLayerSummary(d: Dataset, role: Role) {
  const layer = visibleLayers(d, role).find((l) => l.id === d.kommunLayer?.layer);
  if (!d.kommunLayer || !layer) return null;
  return { layer: layer.id, codeField: publishedName(layer, d.kommunLayer.codeField), nameField: publishedName(layer, d.kommunLayer.nameField) };
}
