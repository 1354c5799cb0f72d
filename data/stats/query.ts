/**
 * The query parameters of /stats and /stats/areas: parsed and checked, each mistake a QueryError naming the
 * parameter. Filters combine with AND; a list is comma-separated.
 */
import type { Area } from '../areas.ts';
import { KOMMUN_CODE, REGSO_CODE } from '../codes.ts';
import type { CatalogEntry, Dataset } from '../dataset.ts';
import { canSee, type Role } from '../disclosure.ts';
import { QueryError } from '../features/errors.ts';
import { POLICE_REGIONS, policeRegionOf } from '../police-regions.ts';
import { utsattaLayer } from './overlaps.ts';

export const GROUP_BY = ['omradestyp', 'kommun', 'lan', 'polisregion', 'utsatt-omrade'] as const;
export type GroupBy = (typeof GROUP_BY)[number];

export interface AreaFilter {
  kommun?: string[];
  lan?: string[];
  polisregion?: string[];
  /** Types of the year each figure is for. */
  omradestyp?: number[];
  areas?: string[];
}

export type Format = 'json' | 'csv';
/** CSV number style: `point` (comma-separated, decimal point) or `comma` (semicolon-separated, decimal comma: Swedish Excel). */
export type Decimal = 'point' | 'comma';

export interface StatsQuery {
  metrics: CatalogEntry[];
  years: number[];
  groupBy: GroupBy;
  filter: AreaFilter;
  format: Format;
  decimal: Decimal;
}

export interface RankingQuery {
  metric: CatalogEntry;
  year: number;
  filter: AreaFilter;
  sort: 'rate' | 'count';
  order: 'asc' | 'desc';
  limit: number;
  format: Format;
  decimal: Decimal;
}

export const RANKING_LIMIT = { default: 10, max: 10_000 } as const;

type RawQuery = Record<string, string | string[] | undefined>;

const FILTERS = ['kommun', 'lan', 'polisregion', 'omradestyp', 'areas'] as const;
const STATS_PARAMETERS = ['metric', 'year', 'groupBy', ...FILTERS, 'f', 'decimal'];
const RANKING_PARAMETERS = ['metric', 'year', ...FILTERS, 'sort', 'order', 'limit', 'f', 'decimal'];

export function parseStatsQuery(dataset: Dataset, role: Role, query: RawQuery): StatsQuery {
  const q = single(query, STATS_PARAMETERS);
  const metrics = list(q, 'metric').map((id) => countMetric(dataset, role, id));
  if (metrics.length === 0) throw new QueryError('metric is required: one or more metric ids, comma-separated; see /catalog', 400, 'metric');
  const available = yearsOf(dataset, metrics);
  const groupBy = (q.groupBy ?? 'omradestyp') as GroupBy;
  if (!GROUP_BY.includes(groupBy)) throw new QueryError(`invalid groupBy "${q.groupBy}": expected one of ${GROUP_BY.join(', ')}`, 400, 'groupBy');
  if (groupBy === 'utsatt-omrade' && !utsattaLayer(dataset, role)) throw new QueryError('this dataset has no layer of utsatta områden to group by', 400, 'groupBy');
  return { metrics, years: parseYears(q.year, available), groupBy, filter: parseFilter(dataset, q), ...formatOf(q) };
}

export function parseRankingQuery(dataset: Dataset, role: Role, query: RawQuery): RankingQuery {
  const q = single(query, RANKING_PARAMETERS);
  const ids = list(q, 'metric');
  if (ids.length !== 1) throw new QueryError('metric is required: one metric id; see /catalog', 400, 'metric');
  const metric = countMetric(dataset, role, ids[0]);
  const available = yearsOf(dataset, [metric]);
  const years = q.year === undefined ? [available[available.length - 1]] : parseYears(q.year, available);
  if (years.length !== 1) throw new QueryError(`year must be one year for a ranking, e.g. year=${available[available.length - 1]}`, 400, 'year');
  const sort = q.sort ?? 'rate';
  if (sort !== 'rate' && sort !== 'count') throw new QueryError(`invalid sort "${sort}": expected rate or count`, 400, 'sort');
  const order = q.order ?? 'desc';
  if (order !== 'asc' && order !== 'desc') throw new QueryError(`invalid order "${order}": expected desc or asc`, 400, 'order');
  const limit = q.limit === undefined ? RANKING_LIMIT.default : Number(q.limit);
  if (!/^\d+$/.test(q.limit ?? '1') || limit < 1 || limit > RANKING_LIMIT.max) throw new QueryError(`invalid limit "${q.limit}": expected an integer 1–${RANKING_LIMIT.max}`, 400, 'limit');
  return { metric, year: years[0], filter: parseFilter(dataset, q), sort, order, limit, ...formatOf(q) };
}

/** Rejects unknown and repeated parameters; returns each value as one string. */
function single(query: RawQuery, allowed: readonly string[]): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(query)) {
    if (!allowed.includes(name)) throw new QueryError(`unknown parameter "${name}"; accepted: ${allowed.join(', ')}`, 400, name);
    if (Array.isArray(value)) throw new QueryError(`parameter "${name}" is given more than once; give a comma-separated list instead`, 400, name);
    out[name] = value;
  }
  return out;
}

function list(q: Record<string, string | undefined>, name: string): string[] {
  const value = q[name];
  if (value === undefined) return [];
  const items = value.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw new QueryError(`parameter "${name}" has an empty item: "${value}"`, 400, name);
  return [...new Set(items)];
}

/** A RegSO-level count metric the role may see. */
function countMetric(dataset: Dataset, role: Role, id: string): CatalogEntry {
  const metric = dataset.catalog.find((m) => m.id === id && canSee(role, m));
  if (!metric) throw new QueryError(`no metric "${id}"; see /catalog`, 400, 'metric');
  if (metric.level !== 'regso') throw new QueryError(`"${id}" is a kommun-level metric; /stats sums RegSO-level metrics (see /catalog, level)`, 400, 'metric');
  if (metric.kind !== 'count') throw new QueryError(`"${id}" is the population: every row carries it as population`, 400, 'metric');
  return metric;
}

/** Years with values for every metric and with områdestyp. */
function yearsOf(dataset: Dataset, metrics: CatalogEntry[]): number[] {
  const years = dataset.years.filter((y) => metrics.every((m) => m.years.includes(y)));
  if (years.length === 0) throw new QueryError(`the metrics ${metrics.map((m) => m.id).join(', ')} have no year in common with områdestyp`, 400, 'metric');
  return years;
}

/** `2023`, `2022..2023`, `..2023` or `2022..`; default every year available. */
function parseYears(value: string | undefined, available: number[]): number[] {
  if (value === undefined) return available;
  const m = /^(\d{4})?(\.\.(\d{4})?)?$/.exec(value);
  if (!m || (m[1] === undefined && m[3] === undefined)) throw new QueryError(`invalid year "${value}": expected a year (2023) or a range (2022..2023, ..2023, 2022..)`, 400, 'year');
  const from = m[1] === undefined ? -Infinity : Number(m[1]);
  const to = m[2] === undefined ? from : m[3] === undefined ? Infinity : Number(m[3]);
  const years = available.filter((y) => y >= from && y <= to);
  if (years.length === 0) throw new QueryError(`no data for year ${value}; years with data: ${available.join(', ')}`, 400, 'year');
  return years;
}

function parseFilter(dataset: Dataset, q: Record<string, string | undefined>): AreaFilter {
  const filter: AreaFilter = {};
  const kommuner = new Set(dataset.areas.map((a) => a.kommunkod));
  const lan = new Set(dataset.areas.map((a) => a.lanskod));
  const codes = new Set(dataset.areas.map((a) => a.regsokod));
  const check = (name: string, items: string[], valid: (s: string) => boolean, expected: string) => {
    const bad = items.find((s) => !valid(s));
    if (bad !== undefined) throw new QueryError(`invalid ${name} "${bad}": expected ${expected}`, 400, name);
    return items.length > 0 ? items : undefined;
  };
  filter.kommun = check('kommun', list(q, 'kommun'), (s) => KOMMUN_CODE.test(s) && kommuner.has(s), 'the 4-digit code of a kommun in the dataset, e.g. 1480');
  filter.lan = check('lan', list(q, 'lan'), (s) => /^\d{2}$/.test(s) && lan.has(s), 'the 2-digit code of a län in the dataset, e.g. 14');
  filter.polisregion = check('polisregion', list(q, 'polisregion'), (s) => POLICE_REGIONS.some((r) => r.id === s), POLICE_REGIONS.map((r) => r.id).join(', '));
  filter.areas = check('areas', list(q, 'areas'), (s) => REGSO_CODE.test(s) && codes.has(s), 'RegSO codes of the dataset, e.g. 1480R050');
  const types = check('omradestyp', list(q, 'omradestyp'), (s) => /^[1-5]$/.test(s), 'områdestyp 1–5');
  filter.omradestyp = types?.map(Number);
  for (const name of FILTERS) if (filter[name] === undefined) delete filter[name];
  return filter;
}

function formatOf(q: Record<string, string | undefined>): { format: Format; decimal: Decimal } {
  const format = q.f ?? 'json';
  if (format !== 'json' && format !== 'csv') throw new QueryError(`invalid f "${format}": expected json or csv`, 400, 'f');
  const decimal = q.decimal ?? 'point';
  if (decimal !== 'point' && decimal !== 'comma') throw new QueryError(`invalid decimal "${decimal}": expected point or comma`, 400, 'decimal');
  if (q.decimal !== undefined && format !== 'csv') throw new QueryError('decimal applies to f=csv only', 400, 'decimal');
  return { format, decimal };
}

/** The areas a filter selects in a year (omradestyp is the year's). */
export function selectAreas(dataset: Dataset, filter: AreaFilter, year: number): Area[] {
  const types = dataset.areaTypes.get(year);
  const codes = filter.areas && new Set(filter.areas);
  return dataset.areas.filter(
    (a) =>
      (!filter.kommun || filter.kommun.includes(a.kommunkod)) &&
      (!filter.lan || filter.lan.includes(a.lanskod)) &&
      (!filter.polisregion || filter.polisregion.includes(policeRegionOf(a.lanskod)?.id ?? '')) &&
      (!filter.omradestyp || filter.omradestyp.includes(types?.get(a.regsokod) ?? 0)) &&
      (!codes || codes.has(a.regsokod)),
  );
}

/** Whether a filter selects any area in some year: an empty selection is a mistake worth a 400. */
export function checkSelection(dataset: Dataset, filter: AreaFilter, years: number[]): void {
  if (years.every((y) => selectAreas(dataset, filter, y).length === 0)) throw new QueryError('the filters together select no area', 400, Object.keys(filter)[0] ?? 'areas');
}
