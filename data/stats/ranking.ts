/**
 * /stats/areas: RegSO ranked by a metric within a filter — for planning and direction ("the ten areas with the
 * highest rate of violent crime in Göteborg in 2023"). Counts and rates are the published area figures, the same
 * values as tiles and features; sorting sees only those, suppressed areas last, so the order reveals nothing more.
 */
import type { Dataset } from '../dataset.ts';
import { ratePer1000, type Role, type SuppressionReason } from '../disclosure.ts';
import { cellContext, round } from './cells.ts';
import { poissonInterval } from './poisson.ts';
import { selectAreas, type RankingQuery } from './query.ts';

/** Decimals of an area's rate and interval: one, as in tiles and features (ratePer1000). */
const AREA_RATE_DECIMALS = 1;

export interface RankedArea {
  rank: number;
  regsokod: string;
  regsonamn: string;
  kommunkod: string;
  kommunnamn: string;
  omradestyp: number | null;
  population: number | null;
  count: number | null;
  rate: number | null;
  rateLow: number | null;
  rateHigh: number | null;
  reason: SuppressionReason | null;
}

export interface RankingResponse {
  dataset: { id: string; title: { sv: string; en: string }; attribution: string };
  synthetic: boolean;
  query: { metric: string; year: number; filter: RankingQuery['filter']; sort: string; order: string; limit: number };
  metric: Pick<RankingQuery['metric'], 'id' | 'label' | 'unit' | 'definition' | 'source' | 'synthetic' | 'disclosure'>;
  /** Areas the filter selects (before the limit). */
  numberMatched: number;
  areas: RankedArea[];
}

export function rankingResponse(dataset: Dataset, query: RankingQuery, role: Role): RankingResponse {
  const { metric, year } = query;
  const context = cellContext(dataset, metric, year, role);
  const types = dataset.areaTypes.get(year);
  const population = dataset.catalog.find((m) => m.kind === 'population' && m.years.includes(year));
  const people = population ? dataset.metrics.get(population.id)?.get(year) : undefined;
  const rows = selectAreas(dataset, query.filter, year).map((a) => {
    // null is a suppressed count; an area missing from the table has none.
    const published = context.areas.values.get(a.regsokod);
    const count = published === undefined ? 0 : published;
    const pop = people?.get(a.regsokod) ?? null;
    const rate = ratePer1000(count, pop ?? undefined);
    const [low, high] = rate !== null && count !== null ? poissonInterval(count).map((v) => round((v / pop!) * 1000, AREA_RATE_DECIMALS)) : [null, null];
    return { regsokod: a.regsokod, regsonamn: a.regsonamn, kommunkod: a.kommunkod, kommunnamn: a.kommunnamn, omradestyp: types?.get(a.regsokod) ?? null, population: pop, count, rate, rateLow: low, rateHigh: high, reason: context.areas.reasons.get(a.regsokod) ?? null };
  });
  const key = (r: (typeof rows)[number]) => (query.sort === 'rate' ? r.rate : r.count);
  const sign = query.order === 'desc' ? -1 : 1;
  rows.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    if (ka === null || kb === null) return ka === kb ? cmp(a.regsokod, b.regsokod) : ka === null ? 1 : -1;
    return ka === kb ? cmp(a.regsokod, b.regsokod) : sign * (ka - kb);
  });
  const synthetic = metric.synthetic || population?.synthetic === true;
  return {
    dataset: { id: dataset.id, title: dataset.title, attribution: dataset.attribution },
    synthetic,
    query: { metric: metric.id, year, filter: query.filter, sort: query.sort, order: query.order, limit: query.limit },
    metric: { id: metric.id, label: metric.label, unit: metric.unit, definition: metric.definition, source: metric.source, synthetic: metric.synthetic, disclosure: metric.disclosure },
    numberMatched: rows.length,
    areas: rows.slice(0, query.limit).map((r, i) => ({ rank: i + 1, ...r })),
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
