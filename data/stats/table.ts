/**
 * /stats: figures of one or more metrics per group and year over a filter — areas, population, count, rate per
 * 1,000 inhabitants with its exact 95 % Poisson interval, share of the national count, change since the year
 * before — plus the filter's total, the national figures and the rate ratios analysts quote. Every count passes
 * through cells.ts; rates, shares, changes and ratios are computed from published counts only.
 */
import type { CatalogEntry, Dataset } from '../dataset.ts';
import { DISCLOSURE_METHOD, controlled, type Role, type SuppressionReason } from '../disclosure.ts';
import { TABLE_DISCLOSURE_RULE, cellContext, protectTable, publishCell, round, type Cell, type Members } from './cells.ts';
import { groupAreas, groupInfo, totalMembers, type Group, type GroupInfo } from './groupings.ts';
import { poissonInterval } from './poisson.ts';
import { selectAreas, type AreaFilter, type GroupBy, type StatsQuery } from './query.ts';

/** Decimals of rates and their intervals per 1,000 inhabitants in /stats (group rates: finer than one area's). */
export const RATE_DECIMALS = 2;

/** One figure row: a group's, the filter's total (`group: "total"`) or the country's (`group: "national"`). */
export interface StatsRow {
  metric: string;
  year: number;
  group: string;
  /** Number of RegSO in the group (for an utsatt område: those overlapping it). */
  areas: number;
  population: number | null;
  /** null when suppressed: see reason. */
  count: number | null;
  /** Per 1,000 inhabitants, with the exact 95 % Poisson interval of the count divided by the population. */
  rate: number | null;
  rateLow: number | null;
  rateHigh: number | null;
  /** Percent of the national count of the metric and year. */
  sharePercent: number | null;
  /** Since the year before (same group, that year's areas), absolute and in percent. */
  change: number | null;
  changePercent: number | null;
  reason: SuppressionReason | null;
}

export interface RateRatio {
  value: number;
  /** Approximate 95 % interval (log method: exp(ln RR ± 1.96 √(1/a + 1/b))); null if a count is 0. */
  low: number | null;
  high: number | null;
}

export interface RatioRow {
  metric: string;
  year: number;
  /** Rate in områdestyp 1 over the rate in områdestyp 5, within the filter. */
  type1VsType5: RateRatio | null;
  /** Rate in types 1–2 together over the rate in types 3–5 together, within the filter. */
  types12VsTypes345: RateRatio | null;
}

export interface StatsResponse {
  dataset: { id: string; title: { sv: string; en: string }; attribution: string };
  /** True if any figure rests on synthetic data. */
  synthetic: boolean;
  query: { metric: string[]; years: number[]; groupBy: GroupBy; filter: AreaFilter };
  metrics: Pick<CatalogEntry, 'id' | 'label' | 'unit' | 'definition' | 'source' | 'synthetic' | 'disclosure'>[];
  groups: GroupInfo[];
  rows: StatsRow[];
  totals: StatsRow[];
  national: StatsRow[];
  ratios: RatioRow[];
  disclosure: { applied: boolean; method: typeof DISCLOSURE_METHOD; tables: typeof TABLE_DISCLOSURE_RULE };
}

/** A published table: a metric's cells per group and the total, for one year. */
interface Table {
  groups: Group[];
  cells: Cell[];
  total: Cell;
  totalMembers: Members;
}

export function statsResponse(dataset: Dataset, query: StatsQuery, role: Role): StatsResponse {
  const tables = new Map<string, Table>();
  const tableOf = (metric: CatalogEntry, year: number, groupBy: GroupBy): Table => {
    const key = `${metric.id}|${year}|${groupBy}`;
    let table = tables.get(key);
    if (!table) tables.set(key, (table = buildTable(dataset, metric, year, groupBy, query.filter, role)));
    return table;
  };
  const rows: StatsRow[] = [];
  const totals: StatsRow[] = [];
  const national: StatsRow[] = [];
  const ratios: RatioRow[] = [];
  const groups = new Map<string, GroupInfo>();
  for (const metric of query.metrics) {
    for (const year of query.years) {
      const table = tableOf(metric, year, query.groupBy);
      const previousYear = metric.years.includes(year - 1) && dataset.years.includes(year - 1) ? year - 1 : undefined;
      const previous = previousYear === undefined ? undefined : tableOf(metric, previousYear, query.groupBy);
      const nation = nationalCell(dataset, metric, year, role);
      const nationBefore = previousYear === undefined ? undefined : nationalCell(dataset, metric, previousYear, role);
      const row = (group: string, cell: Cell, members: Members, before: Cell | undefined) =>
        figureRow(dataset, metric, year, group, cell, members, nation.cell.value, before);
      table.groups.forEach((g, i) => {
        if (!groups.has(g.id)) groups.set(g.id, groupInfo(dataset, query.groupBy, g));
        const j = previous?.groups.findIndex((p) => p.id === g.id) ?? -1;
        rows.push(row(g.id, table.cells[i], g.members, j >= 0 ? previous!.cells[j] : undefined));
      });
      totals.push(row('total', table.total, table.totalMembers, previous?.total));
      national.push(row('national', nation.cell, nation.members, nationBefore?.cell));
      const byType = query.groupBy === 'omradestyp' ? table : tableOf(metric, year, 'omradestyp');
      ratios.push(ratioRow(dataset, metric, year, byType));
    }
  }
  return {
    dataset: { id: dataset.id, title: dataset.title, attribution: dataset.attribution },
    synthetic: query.metrics.some((m) => m.synthetic) || dataset.catalog.some((m) => m.kind === 'population' && m.synthetic),
    query: { metric: query.metrics.map((m) => m.id), years: query.years, groupBy: query.groupBy, filter: query.filter },
    metrics: query.metrics.map(({ id, label, unit, definition, source, synthetic, disclosure }) => ({ id, label, unit, definition, source, synthetic, disclosure })),
    groups: [...groups.values()],
    rows,
    totals,
    national,
    ratios,
    disclosure: { applied: query.metrics.some((m) => controlled(m, role)), method: DISCLOSURE_METHOD, tables: TABLE_DISCLOSURE_RULE },
  };
}

function buildTable(dataset: Dataset, metric: CatalogEntry, year: number, groupBy: GroupBy, filter: AreaFilter, role: Role): Table {
  const context = cellContext(dataset, metric, year, role);
  const groups = groupAreas(dataset, year, groupBy, selectAreas(dataset, filter, year));
  const members = groupBy === 'utsatt-omrade' ? totalMembers(groups) : new Map(selectAreas(dataset, filter, year).map((a) => [a.regsokod, 1]));
  const cells = groups.map((g) => publishCell(context, g.members));
  const total = publishCell(context, members);
  protectTable(cells, total);
  return { groups, cells, total, totalMembers: members };
}

function nationalCell(dataset: Dataset, metric: CatalogEntry, year: number, role: Role): { cell: Cell; members: Members } {
  const members = new Map(dataset.areas.map((a) => [a.regsokod, 1]));
  return { cell: publishCell(cellContext(dataset, metric, year, role), members), members };
}

/** The population of the members in a year (weighted), or null if the dataset has none. */
function populationOf(dataset: Dataset, year: number, members: Members): number | null {
  const metric = dataset.catalog.find((m) => m.kind === 'population' && m.years.includes(year));
  const values = metric && dataset.metrics.get(metric.id)?.get(year);
  if (!values) return null;
  let sum = 0;
  for (const [code, w] of members) sum += w * (values.get(code) ?? 0);
  return Math.round(sum);
}

function figureRow(dataset: Dataset, metric: CatalogEntry, year: number, group: string, cell: Cell, members: Members, nationalCount: number | null, before: Cell | undefined): StatsRow {
  const population = populationOf(dataset, year, members);
  const count = cell.value;
  const rated = count !== null && population !== null && population > 0;
  const [low, high] = rated ? poissonInterval(count) : [null, null];
  const per1000 = (v: number | null) => (rated && v !== null ? round((v / population) * 1000, RATE_DECIMALS) : null);
  const previous = before?.value ?? null;
  const change = count !== null && previous !== null ? round(count - previous, 1) : null;
  return {
    metric: metric.id,
    year,
    group,
    areas: [...members.values()].filter((w) => w > 0).length,
    population,
    count,
    rate: per1000(count),
    rateLow: per1000(low),
    rateHigh: per1000(high),
    sharePercent: count !== null && nationalCount ? round((count / nationalCount) * 100, 2) : null,
    change,
    changePercent: change !== null && previous ? round((change / previous) * 100, 1) : null,
    reason: cell.reason ?? null,
  };
}

/** Rate ratios from the områdestyp table over the same filter: published type counts only. */
function ratioRow(dataset: Dataset, metric: CatalogEntry, year: number, byType: Table): RatioRow {
  const part = (types: string[]) => {
    let count = 0;
    const members = new Map<string, number>();
    for (const t of types) {
      const i = byType.groups.findIndex((g) => g.id === t);
      const value = byType.cells[i].value;
      if (value === null) return null;
      count += value;
      for (const [code, w] of byType.groups[i].members) members.set(code, w);
    }
    const population = populationOf(dataset, year, members);
    return population ? { count, population } : null;
  };
  return { metric: metric.id, year, type1VsType5: rateRatio(part(['1']), part(['5'])), types12VsTypes345: rateRatio(part(['1', '2']), part(['3', '4', '5'])) };
}

type Part = { count: number; population: number } | null;

function rateRatio(a: Part, b: Part): RateRatio | null {
  if (!a || !b || b.count === 0) return null;
  const value = a.count / a.population / (b.count / b.population);
  if (a.count === 0) return { value: 0, low: null, high: null };
  const spread = 1.96 * Math.sqrt(1 / a.count + 1 / b.count);
  return { value: round(value, 3), low: round(value * Math.exp(-spread), 3), high: round(value * Math.exp(spread), 3) };
}
