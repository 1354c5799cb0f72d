/**
 * Statistical disclosure control: which published figures a role may see. A count below the metric's minimum
 * (but above zero: zero is a figure) is suppressed for users without clearance, its rate with it; counts may be
 * rounded to a base; and complementary suppression makes sure no suppressed cell can be recovered by subtracting
 * the published cells of a group (a kommun, an områdestyp, a kommun × områdestyp) from the group's total.
 */
import type { CatalogEntry, Dataset } from './dataset.ts';

export type Role = 'public' | 'analyst' | 'admin';

export type SuppressionReason = 'small-count' | 'complementary';

/** A metric's values for one year after disclosure control: value, or null with the reason. */
export interface PublishedValues {
  values: Map<string, number | null>;
  reasons: Map<string, SuppressionReason>;
}

export const DISCLOSURE_METHOD = {
  sv: 'Antal under tröskeln (standard 5, per mått) döljs, liksom deras andelar per 1 000 invånare; noll visas. Sekundär röjandekontroll: i varje kommun, varje områdestyp och varje kommun × områdestyp döljs ytterligare minst ett värde när endast ett är dolt, så att inget dolt värde kan räknas fram ur summor.',
  en: 'Counts below the threshold (default 5, per metric) are suppressed, with their rates per 1,000 inhabitants; zero is shown. Complementary suppression: in every kommun, every områdestyp and every kommun × områdestyp at least one more value is suppressed where only one is, so that no suppressed value can be derived from totals.',
} as const;

/** Whether a role may see a metric at all (restricted metrics need clearance). */
export function canSee(role: Role, metric: CatalogEntry): boolean {
  return metric.access === 'public' || role !== 'public';
}

/** Whether a role sees the metric's values unsuppressed. */
function cleared(role: Role): boolean {
  return role !== 'public';
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

/** Groups for kommun cells: their län. */
export const kommunGroups: GroupOf[] = [(kommunkod) => kommunkod.slice(0, 2)];

export type GroupOf = (code: string) => string;

/** The published values of a count metric for one year, at RegSO or kommun level. */
export function publishCounts(raw: ReadonlyMap<string, number>, metric: CatalogEntry, role: Role, groups: GroupOf[]): PublishedValues {
  const values = new Map<string, number | null>();
  const reasons = new Map<string, SuppressionReason>();
  const { minCount, roundTo } = metric.disclosure;
  const control = controlled(metric, role);
  for (const [code, value] of raw) {
    if (control && value > 0 && value < minCount) {
      values.set(code, null);
      reasons.set(code, 'small-count');
    } else {
      values.set(code, control && roundTo ? Math.round(value / roundTo) * roundTo : value);
    }
  }
  if (control && reasons.size > 0) suppressComplements(raw, values, reasons, groups);
  return { values, reasons };
}

/**
 * Until stable: in every group with exactly one suppressed cell, also suppress the group's smallest published
 * non-zero cell. Two suppressed cells only reveal their sum, never each value.
 */
function suppressComplements(
  raw: ReadonlyMap<string, number>,
  values: Map<string, number | null>,
  reasons: Map<string, SuppressionReason>,
  groups: GroupOf[],
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
        const candidates = codes.filter((c) => values.get(c) !== null && raw.get(c)! > 0);
        if (candidates.length === 0) continue;
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
