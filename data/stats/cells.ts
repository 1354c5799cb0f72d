/**
 * Disclosure control for the cells of /stats tables. A cell is the sum of a metric over a set of RegSO (weighted
 * for utsatta områden). Its value is computed from the raw counts, and published only when it tells nothing that
 * is not already public:
 *
 * - tiles and features publish the area figures and the kommun × områdestyp block totals (each with complementary
 *   suppression); on top of those, the margins of the block table — national type totals, the national total, each
 *   kommun's total, each type's total within a police region and a län — are released where an audit shows they
 *   determine no suppressed value (audit.ts);
 * - a cell is published when it can be cut into published pieces: whole kommuner, whole types (in the country, a
 *   police region or a län) whose margins are released, the whole country, whole published blocks, and published
 *   single areas. Everything a response
 *   publishes is then a sum of released figures, so no combination of responses — differencing groups, totals,
 *   filters, years — recovers a suppressed value;
 * - a cell below the metric's minimum (and above zero) is suppressed as a small count; one that cannot be cut into
 *   published pieces is suppressed as complementary. Within each table, if the total is published and exactly one
 *   group is suppressed, one more group is suppressed too (defence in depth: the rule above already implies it).
 *
 * Cleared roles see every cell.
 */
import type { CatalogEntry, Dataset } from '../dataset.ts';
import { areaGroups, blockGroups, blockKey, blockRules, blockTotals, controlled, publishCounts, type PublishedValues, type Role, type SuppressionReason } from '../disclosure.ts';
import { kommunkodOf, lanskodOf } from '../codes.ts';
import { policeRegionOf } from '../police-regions.ts';
import { releasableMargins, typeWithin, type ReleasedMargins } from './audit.ts';

/** The rule as published in /catalog and every /stats response. */
export const TABLE_DISCLOSURE_RULE = {
  sv: 'Summor för grupper (områdestyp, kommun, län, polisregion, utsatt område) räknas från områdenas verkliga antal men visas bara om de kan delas upp i publicerade delar: enskilda områden och kommun × områdestyp (som i kartan), samt hela kommuner, hela områdestyper i riket, i en polisregion eller ett län och riket, när en granskning (Gausselimination) visar att dessa summor inte låter något dolt värde räknas fram. Annars döljs summan (sekundärt), liksom summor under tröskeln. Varje publicerad siffra är därmed en summa av publicerade delar, så inget dolt värde kan räknas fram genom differenser mellan grupper, totaler, filter eller år.',
  en: 'Group figures (by områdestyp, kommun, län, police region, utsatt område) are computed from the areas\' true counts but shown only when they can be cut into published pieces: single areas and kommun × områdestyp blocks (as on the map), and whole kommuner, whole områdestyper across the country, a police region or a län, and the country, where an audit (Gaussian elimination) shows that those totals let no suppressed value be solved for. Otherwise the figure is suppressed (complementary), as are figures below the threshold. Every published figure is thus a sum of published pieces, so no suppressed value can be derived by differencing groups, totals, filters or years.',
} as const;

/** RegSO code → weight (1 for whole areas; the share of the area for utsatta områden). */
export type Members = ReadonlyMap<string, number>;

export interface Cell {
  /** The sum over the members from the raw counts: never leaves the server for an uncleared role unless published. */
  raw: number;
  /** The published value, or null. */
  value: number | null;
  reason?: SuppressionReason;
}

/** What it takes to publish any cell of one metric in one year for one role. */
export interface CellContext {
  metric: CatalogEntry;
  controlled: boolean;
  raw: ReadonlyMap<string, number>;
  /** The area figures, exactly as tiles and features publish them. */
  areas: PublishedValues;
  /** The kommun × områdestyp blocks, exactly as low-zoom tiles publish them. */
  blocks: PublishedValues;
  blockOf: ReadonlyMap<string, string>;
  /** Number of areas per block, kommun and type. */
  blockSize: ReadonlyMap<string, number>;
  kommunSize: ReadonlyMap<string, number>;
  typeOf: ReadonlyMap<string, number>;
  typeSize: ReadonlyMap<number, number>;
  /** Number of areas of a type within a region or län, keyed by typeWithin. */
  typeWithinSize: ReadonlyMap<string, number>;
  /** Number of areas in the dataset. */
  areaCount: number;
  /** Released margins; null for a role that sees every value. */
  margins: ReleasedMargins | null;
}

const contexts = new WeakMap<Dataset, Map<string, CellContext>>();

/** The cell context of a metric and year (cached per dataset). */
export function cellContext(dataset: Dataset, metric: CatalogEntry, year: number, role: Role): CellContext {
  let cache = contexts.get(dataset);
  if (!cache) contexts.set(dataset, (cache = new Map()));
  const key = `${metric.id}|${year}|${role}`;
  let context = cache.get(key);
  if (!context) cache.set(key, (context = buildContext(dataset, metric, year, role)));
  return context;
}

function buildContext(dataset: Dataset, metric: CatalogEntry, year: number, role: Role): CellContext {
  const raw = dataset.metrics.get(metric.id)?.get(year) ?? new Map<string, number>();
  const types = dataset.areaTypes.get(year) ?? new Map<string, number>();
  const blockOf = new Map<string, string>();
  const blockSize = new Map<string, number>();
  const kommunSize = new Map<string, number>();
  const typeSize = new Map<number, number>();
  const typeWithinSize = new Map<string, number>();
  for (const a of dataset.areas) {
    add(kommunSize, a.kommunkod, 1);
    const typ = types.get(a.regsokod);
    if (typ === undefined) continue;
    blockOf.set(a.regsokod, blockKey(a.kommunkod, typ));
    add(blockSize, blockKey(a.kommunkod, typ), 1);
    add(typeSize, typ, 1);
    for (const place of placesOf(a.regsokod)) add(typeWithinSize, typeWithin(place, typ), 1);
  }
  const control = controlled(metric, role);
  const areas = publishCounts(raw, metric, role, areaGroups(dataset, year));
  const blocks = publishCounts(blockTotals(dataset, year, raw), metric, role, blockGroups, blockRules(dataset, year, areas));
  const margins = control ? releasableMargins(dataset, year, raw, areas, blocks, metric.disclosure.minCount) : null;
  return { metric, controlled: control, raw, areas, blocks, blockOf, blockSize, kommunSize, typeOf: types, typeSize, typeWithinSize, areaCount: dataset.areas.length, margins };
}

/** The police region and the län of an area, as keys of typeWithin. */
function placesOf(regsokod: string): [string, string] {
  const lanskod = lanskodOf(kommunkodOf(regsokod));
  return [policeRegionOf(lanskod)?.id ?? '', lanskod];
}

function add<K>(map: Map<K, number>, key: K, value: number): void {
  map.set(key, (map.get(key) ?? 0) + value);
}

function isSmall(value: number, metric: CatalogEntry): boolean {
  return value > 0 && value < metric.disclosure.minCount;
}

/** The published cell over the members. */
export function publishCell(context: CellContext, members: Members): Cell {
  let raw = 0;
  let weighted = false;
  for (const [code, weight] of members) {
    raw += weight * (context.raw.get(code) ?? 0);
    if (weight !== 1) weighted = true;
  }
  if (!context.controlled) return { raw, value: weighted ? round(raw, 1) : raw };
  if (isSmall(raw, context.metric)) return { raw, value: null, reason: 'small-count' };
  if (!fromPublishedPieces(context, members, weighted)) return { raw, value: null, reason: 'complementary' };
  const { roundTo } = context.metric.disclosure;
  return { raw, value: roundTo ? Math.round(raw / roundTo) * roundTo : weighted ? round(raw, 1) : raw };
}

/** Whether the members can be cut into published pieces (see the module comment). */
function fromPublishedPieces(context: CellContext, members: Members, weighted: boolean): boolean {
  const published = (code: string) => context.areas.values.get(code) !== null;
  // A weighted sum of areas is a sum of published figures only if each area with a weight is published.
  if (weighted) return [...members].every(([code, w]) => w === 0 || published(code));
  const codes = [...members.keys()];
  const margins = context.margins!;
  if (margins.national && codes.length === context.areaCount) return true;
  const perType = countBy(codes, (c) => context.typeOf.get(c) ?? 0);
  if ([...perType].every(([typ, n]) => margins.types.has(typ) && n === context.typeSize.get(typ))) return true;
  // Whole kommuner first, or whole types within regions and län first: either cut will do.
  return cutsIntoPieces(context, codes, true) || cutsIntoPieces(context, codes, false);
}

function cutsIntoPieces(context: CellContext, codes: string[], kommunerFirst: boolean): boolean {
  const margins = context.margins!;
  let rest = codes;
  const wholeKommuner = () => {
    rest = [...groupBy(rest, (c) => c.slice(0, 4))].flatMap(([kommunkod, inKommun]) => (margins.kommuner.has(kommunkod) && inKommun.length === context.kommunSize.get(kommunkod) ? [] : inKommun));
  };
  const wholeTypesWithin = () => {
    for (const [scope, released] of [[0, margins.regionTypes], [1, margins.lanTypes]] as const) {
      const keyOf = (c: string) => typeWithin(placesOf(c)[scope], context.typeOf.get(c) ?? 0);
      rest = [...groupBy(rest, keyOf)].flatMap(([key, inside]) => (released.has(key) && inside.length === context.typeWithinSize.get(key) ? [] : inside));
    }
  };
  if (kommunerFirst) wholeKommuner();
  wholeTypesWithin();
  if (!kommunerFirst) wholeKommuner();
  const published = (code: string) => context.areas.values.get(code) !== null;
  for (const [block, inBlock] of groupBy(rest, (c) => context.blockOf.get(c) ?? c)) {
    const whole = inBlock.length === context.blockSize.get(block) && context.blocks.values.get(block) !== null;
    if (!whole && !inBlock.every(published)) return false;
  }
  return true;
}

function countBy<K>(items: readonly string[], key: (item: string) => K): Map<K, number> {
  const counts = new Map<K, number>();
  for (const item of items) add(counts, key(item), 1);
  return counts;
}

function groupBy<K>(items: readonly string[], key: (item: string) => K): Map<K, string[]> {
  const groups = new Map<K, string[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/**
 * Complementary suppression within one table: while the total is published and exactly one group is suppressed,
 * suppress the smallest published non-zero group (or, if there is none, the total).
 */
export function protectTable(groups: Cell[], total: Cell): void {
  for (;;) {
    if (total.value === null) return;
    if (groups.filter((g) => g.value === null).length !== 1) return;
    const candidates = groups.filter((g) => g.value !== null && g.raw > 0);
    const target = candidates.length > 0 ? candidates.reduce((a, b) => (b.raw < a.raw ? b : a)) : total;
    target.value = null;
    target.reason = 'complementary';
  }
}

export function round(value: number, decimals: number): number {
  const k = 10 ** decimals;
  return Math.round(value * k) / k;
}
