/**
 * The groups of a /stats table: the selected areas of a year cut by områdestyp, kommun, län or police region, or
 * weighted into the utsatta områden they overlap.
 */
import type { Area } from '../areas.ts';
import { OMRADESTYP_NAMES } from '../area-types.ts';
import type { Dataset } from '../dataset.ts';
import { LAN_NAMES, policeRegionOf } from '../police-regions.ts';
import { utsattOverlaps } from './overlaps.ts';
import type { Members } from './cells.ts';
import type { GroupBy } from './query.ts';

export interface Group {
  id: string;
  name: { sv: string; en: string };
  members: Members;
}

/** Metadata of a group as responses list it. */
export interface GroupInfo {
  id: string;
  name: { sv: string; en: string };
  /** utsatt område: kategori, ort, polisomrade, region, … as Polisen publishes them. */
  properties?: Record<string, unknown>;
}

export function groupAreas(dataset: Dataset, year: number, groupBy: GroupBy, selected: readonly Area[]): Group[] {
  if (groupBy === 'utsatt-omrade') return utsattGroups(dataset, selected);
  if (groupBy === 'omradestyp') {
    // All five types always, so that bars and trends line up even where a filter holds no area of a type.
    const types = dataset.areaTypes.get(year);
    return ([1, 2, 3, 4, 5] as const).map((typ) => ({ id: String(typ), name: OMRADESTYP_NAMES[typ], members: whole(selected.filter((a) => types?.get(a.regsokod) === typ)) }));
  }
  const keyOf = (a: Area) => (groupBy === 'kommun' ? a.kommunkod : groupBy === 'lan' ? a.lanskod : (policeRegionOf(a.lanskod)?.id ?? 'okand'));
  const byKey = new Map<string, Area[]>();
  for (const a of selected) {
    const list = byKey.get(keyOf(a));
    if (list) list.push(a);
    else byKey.set(keyOf(a), [a]);
  }
  return [...byKey].sort(([a], [b]) => (a < b ? -1 : 1)).map(([id, areas]) => ({ id, name: nameOf(groupBy, id, areas[0]), members: whole(areas) }));
}

/** The selection as one set: the total row of a table (for utsatta områden, the weighted union). */
export function totalMembers(groups: readonly Group[]): Members {
  const total = new Map<string, number>();
  for (const g of groups) for (const [code, w] of g.members) total.set(code, Math.min(1, (total.get(code) ?? 0) + w));
  return total;
}

export function groupInfo(dataset: Dataset, groupBy: GroupBy, group: Group): GroupInfo {
  if (groupBy !== 'utsatt-omrade') return { id: group.id, name: group.name };
  const overlap = utsattOverlaps(dataset)?.find((o) => o.feature.id === group.id);
  return { id: group.id, name: group.name, properties: overlap?.properties };
}

function whole(areas: readonly Area[]): Members {
  return new Map(areas.map((a) => [a.regsokod, 1]));
}

function nameOf(groupBy: GroupBy, id: string, first: Area): { sv: string; en: string } {
  if (groupBy === 'kommun') return { sv: first.kommunnamn, en: first.kommunnamn };
  if (groupBy === 'lan') return { sv: LAN_NAMES[id] ?? `Län ${id}`, en: LAN_NAMES[id] ?? `County ${id}` };
  const region = policeRegionOf(first.lanskod);
  return region ? { sv: `Polisregion ${region.name}`, en: `Police region ${region.name}` } : { sv: 'Okänd polisregion', en: 'Unknown police region' };
}

function utsattGroups(dataset: Dataset, selected: readonly Area[]): Group[] {
  const codes = new Set(selected.map((a) => a.regsokod));
  const groups: Group[] = [];
  for (const o of utsattOverlaps(dataset) ?? []) {
    const members = new Map([...o.shares].filter(([code]) => codes.has(code)));
    if (members.size > 0) groups.push({ id: o.feature.id, name: { sv: o.feature.name, en: o.feature.name }, members });
  }
  return groups.sort((a, b) => a.name.sv.localeCompare(b.name.sv, 'sv') || (a.id < b.id ? -1 : 1));
}
