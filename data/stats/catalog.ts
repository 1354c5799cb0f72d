/**
 * /catalog: the metric catalogue as a role sees it — what each metric means, where it comes from, whether it is
 * synthetic, its years, access level and disclosure rule — and what /stats can group and filter by.
 */
import { OMRADESTYP_NAMES } from '../area-types.ts';
import type { Dataset } from '../dataset.ts';
import { DISCLOSURE_METHOD, canSee, controlled, type Role } from '../disclosure.ts';
import { LAN_NAMES, POLICE_REGIONS } from '../police-regions.ts';
import { TABLE_DISCLOSURE_RULE } from './cells.ts';
import { utsattaLayer } from './overlaps.ts';
import { GROUP_BY } from './query.ts';

/** The rule for a population metric: the denominator is never suppressed. */
const POPULATION_RULE = {
  sv: 'Visas alltid: nämnaren för andelar per 1 000 invånare.',
  en: 'Always shown: the denominator of rates per 1,000 inhabitants.',
} as const;

export function catalogDocument(dataset: Dataset, role: Role) {
  const kommuner = new Map(dataset.areas.map((a) => [a.kommunkod, a.kommunnamn]));
  const lan = [...new Set(dataset.areas.map((a) => a.lanskod))].sort();
  return {
    dataset: { id: dataset.id, name: dataset.name, title: dataset.title, attribution: dataset.attribution },
    synthetic: dataset.catalog.some((m) => canSee(role, m) && m.synthetic),
    /** Years with områdestyp. */
    years: dataset.years,
    omradestyper: ([1, 2, 3, 4, 5] as const).map((typ) => ({ id: typ, name: OMRADESTYP_NAMES[typ] })),
    disclosure: { method: DISCLOSURE_METHOD, tables: TABLE_DISCLOSURE_RULE },
    groupBy: GROUP_BY.filter((g) => g !== 'utsatt-omrade' || utsattaLayer(dataset, role)),
    filters: {
      kommun: [...kommuner].sort(([a], [b]) => (a < b ? -1 : 1)).map(([id, name]) => ({ id, name })),
      lan: lan.map((id) => ({ id, name: LAN_NAMES[id] ?? id })),
      polisregion: POLICE_REGIONS.map((r) => ({ id: r.id, name: r.name, lan: r.lan })),
      omradestyp: [1, 2, 3, 4, 5],
    },
    metrics: dataset.catalog
      .filter((m) => canSee(role, m))
      .map((m) => ({
        id: m.id,
        label: m.label,
        unit: m.unit,
        definition: m.definition,
        source: m.source,
        synthetic: m.synthetic,
        years: m.years,
        access: m.access,
        kind: m.kind,
        level: m.level,
        /** Whether /stats accepts it: RegSO-level counts. */
        stats: m.level === 'regso' && m.kind === 'count',
        disclosure: {
          minCount: m.disclosure.minCount,
          roundTo: m.disclosure.roundTo ?? null,
          /** Whether the rule applies to this role (cleared roles see every value). */
          applied: controlled(m, role),
          method: m.kind === 'population' ? POPULATION_RULE : DISCLOSURE_METHOD,
        },
      })),
  };
}
