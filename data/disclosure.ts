/**
 * Statistical disclosure control: which published figures a role may see. A count below the metric's minimum
 * (but above zero: zero is a figure) is suppressed for users without clearance, its rate with it; counts may be
 * rounded to a base; and complementary suppression makes sure no suppressed cell can be recovered by subtracting
 * the published cells of a group (a kommun, an områdestyp, a kommun × områdestyp) from the group's total.
 */
import type { CatalogEntry, Dataset } from './dataset.ts';
import type { Layer } from './layers.ts';

/** The roles, each with every clearance of the ones before it. */
export const ROLES = ['public', 'analyst', 'admin'] as const;

export type Role = (typeof ROLES)[number];

/** Whether `role` has at least the clearance of `required`. */
export function hasRole(role: Role, required: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(required);
}

export type SuppressionReason = 'small-count' | 'complementary';

/** A metric's values for one year after disclosure control: value, or null with the reason. */
export interface PublishedValues {
  values: Map<string, number | null>;
  reasons: Map<string, SuppressionReason>;
}

export const DISCLOSURE_METHOD = {
  sv: 'Antal under tröskeln (standard 5, per mått) döljs, liksom deras andelar per 1 000 invånare; noll visas. Sekundär röjandekontroll: i varje kommun, varje områdestyp och varje kommun × områdestyp döljs ytterligare minst ett värde när endast ett är dolt, så att inget dolt värde kan räknas fram ur summor. En summa för kommun × områdestyp döljs också när den bara innehåller ett dolt område.',
  en: 'Counts below the threshold (default 5, per metric) are suppressed, with their rates per 1,000 inhabitants; zero is shown. Complementary suppression: in every kommun, every områdestyp and every kommun × områdestyp at least one more value is suppressed where only one is, so that no suppressed value can be derived from totals. A kommun × områdestyp total is also suppressed when it holds a single suppressed area.',
} as const;

/** Whether a role may see a metric or a layer at all (restricted ones need clearance). */
export function canSee(role: Role, item: { access: 'public' | 'restricted' }): boolean {
  return item.access === 'public' || hasRole(role, 'analyst');
}

/** The extra layers a role may see, in manifest order: the only list any output takes its layers from. */
export function visibleLayers(dataset: Dataset, role: Role): Layer[] {
  return dataset.layers.filter((l) => canSee(role, l));
}

/** Whether a role sees the metric's values unsuppressed. */
function cleared(role: Role): boolean {
  return hasRole(role, 'analyst');
}

/** Whether a metric's values are under disclosure control for a role: counts, for roles without clearance. */
export function controlled(metric: CatalogEntry, role: Role): boolean {
  return metric.kind === 'count' && !cleared(role);
}

/** Groups for complementary suppression of RegSO cells: kommun, områdestyp of the year, kommun × områdestyp. */
export function areaGroups(dataset: Dataset, year: number): GroupOf[] {
  const types = dataset.areaTypes.get(year);
  return [(code) => code.slice(0, 4), (code) => `typ${types?.get(code) ?? 0}`, (code) => `${code.slice(0, 4)}-${types?.get(code) ?? 0}`];
}

/**
 * Kommun × områdestyp blocks: the dissolved polygons of low-zoom tiles and the building blocks of /stats tables.
 * Their totals are one table with complementary suppression across the kommun and across the type, so every
 * output that publishes block totals must key and group them the same way.
 */
export function blockKey(kommunkod: string, omradestyp: number): string {
  return `${kommunkod}-${omradestyp}`;
}

export const blockGroups: GroupOf[] = [(key) => key.slice(0, 4), (key) => key.slice(5)];

/** A metric's block totals in a year, keyed by blockKey in the order of the areas (which decides ties). */
export function blockTotals(dataset: Dataset, year: number, raw: ReadonlyMap<string, number>): Map<string, number> {
  const types = dataset.areaTypes.get(year);
  const totals = new Map<string, number>();
  for (const a of dataset.areas) {
    const typ = types?.get(a.regsokod);
    if (typ === undefined) continue;
    const key = blockKey(a.kommunkod, typ);
    totals.set(key, (totals.get(key) ?? 0) + (raw.get(a.regsokod) ?? 0));
  }
  return totals;
}

/** Extra rules for a table whose cells are sums of cells published elsewhere (blocks of areas). */
export interface NestedRules {
  /** Cells to suppress (as complementary) whatever their value. */
  forced: ReadonlySet<string>;
  /** Cells complementary suppression picks first: those whose value is not known from their published parts. */
  prefer: ReadonlySet<string>;
}

/**
 * The rules for block totals given the published areas. A block holding exactly one suppressed area is forced:
 * complementary suppression within the kommun × områdestyp leaves one only where it is the block's single non-zero
 * area, and then the block total is that area's value. Complementary suppression prefers blocks holding suppressed
 * areas: a block whose areas are all published is known from them, so suppressing it protects nothing.
 */
export function blockRules(dataset: Dataset, year: number, areas: PublishedValues): NestedRules {
  const types = dataset.areaTypes.get(year);
  const suppressed = new Map<string, number>();
  for (const a of dataset.areas) {
    const typ = types?.get(a.regsokod);
    if (typ === undefined || areas.values.get(a.regsokod) !== null) continue;
    const key = blockKey(a.kommunkod, typ);
    suppressed.set(key, (suppressed.get(key) ?? 0) + 1);
  }
  return { forced: new Set([...suppressed].filter(([, n]) => n === 1).map(([key]) => key)), prefer: new Set(suppressed.keys()) };
}

/** Groups for kommun cells: their län. */
export const kommunGroups: GroupOf[] = [(kommunkod) => kommunkod.slice(0, 2)];

export type GroupOf = (code: string) => string;

/** The published values of a count metric for one year, at RegSO or kommun level, or of blocks (with `nested`). */
export function publishCounts(raw: ReadonlyMap<string, number>, metric: CatalogEntry, role: Role, groups: GroupOf[], nested?: NestedRules): PublishedValues {
  const values = new Map<string, number | null>();
  const reasons = new Map<string, SuppressionReason>();
  const { minCount, roundTo } = metric.disclosure;
  const control = controlled(metric, role);
  for (const [code, value] of raw) {
    if (control && value > 0 && value < minCount) {
      values.set(code, null);
      reasons.set(code, 'small-count');
    } else if (control && nested?.forced.has(code)) {
      values.set(code, null);
      reasons.set(code, 'complementary');
    } else {
      values.set(code, control && roundTo ? Math.round(value / roundTo) * roundTo : value);
    }
  }
  if (control && reasons.size > 0) suppressComplements(raw, values, reasons, groups, nested?.prefer);
  return { values, reasons };
}

/**
 * Until stable: in every group with exactly one suppressed cell, also suppress the group's smallest published
 * non-zero cell (of the preferred ones, if any). Two suppressed cells only reveal their sum, never each value.
 */
function suppressComplements(
  raw: ReadonlyMap<string, number>,
  values: Map<string, number | null>,
  reasons: Map<string, SuppressionReason>,
  groups: GroupOf[],
  prefer?: ReadonlySet<string>,
): void {
  let changed = true;
  while (changed) {
    changed = false;
    for (const groupOf of groups) {
      const members = new Map<string, string[]>();
      for (const code of raw.keys()) {
        const g = groupOf(code);
        const list = members.get(g);
        if (list) list.push(code);
        else members.set(g, [code]);
      }
      for (const codes of members.values()) {
        const suppressed = codes.filter((c) => values.get(c) === null);
        if (suppressed.length !== 1) continue;
        const published = codes.filter((c) => values.get(c) !== null && raw.get(c)! > 0);
        if (published.length === 0) continue;
        const preferred = prefer ? published.filter((c) => prefer.has(c)) : [];
        const candidates = preferred.length > 0 ? preferred : published;
        const smallest = candidates.reduce((a, b) => (raw.get(a)! < raw.get(b)! || (raw.get(a) === raw.get(b) && a < b) ? a : b));
        values.set(smallest, null);
        reasons.set(smallest, 'complementary');
        changed = true;
      }
    }
  }
}

/** Rate per 1,000 inhabitants, one decimal; null where the count is suppressed or there is no population. */
export function ratePer1000(count: number | null, population: number | undefined): number | null {
  if (count === null || !population) return null;
  return Math.round((count / population) * 10_000) / 10;
}
