/**
 * The one module that knows the statistics API's shapes (GET /catalog, GET /stats): everything else in the viewer
 * uses the normalised objects below, so a change of field names is adapted here only.
 *
 * Metric list: /catalog (public metrics mapped at RegSO level); where the server has no /catalog (404), the metric
 * summaries of /dataset, which carry id, label, level, years, synthetic and access. Either way only metrics that
 * have a choropleth style (GET /styles) are offered: what the list offers, the map can draw.
 */
import { getJson } from './http.js';

/**
 * @typedef {{ id: string, label: {sv: string, en: string}, unit: {sv: string, en: string} | null,
 *   definition: {sv: string, en: string} | null, synthetic: boolean, years: number[], kind: string | null }} Metric
 * @typedef {{ group: number, year: number, areas: number | null, population: number | null, count: number | null,
 *   rate: number | null, low: number | null, high: number | null, share: number | null, change: number | null,
 *   reason: string | null }} StatsRow
 */

/** @returns {Promise<Metric[]>} the public metrics that can be mapped, in catalogue order. */
export async function loadMetrics(datasetSummary) {
  const [catalog, styles] = await Promise.all([getJson('catalog'), getJson('styles')]);
  const mapped = new Set((styles?.styles ?? []).map((s) => s.id));
  const entries = catalog ? (Array.isArray(catalog) ? catalog : (catalog.metrics ?? [])) : datasetSummary.metrics;
  return entries
    .filter((m) => mapped.has(m.id) && (m.access ?? 'public') === 'public')
    .map((m) => ({
      id: m.id,
      label: m.label,
      unit: m.unit ?? null,
      definition: m.definition ?? null,
      synthetic: Boolean(m.synthetic),
      years: m.years ?? [],
      kind: m.kind ?? null,
    }));
}

/**
 * The metric by områdestyp for each of `years` (one request per year: works whatever the API's range syntax).
 * @returns {Promise<StatsRow[] | null>} null when the server has no /stats.
 */
export async function loadStatsByType(metric, years) {
  const answers = await Promise.all(years.map((year) => getJson(`stats?${new URLSearchParams({ metric, year: String(year), groupBy: 'omradestyp' })}`)));
  if (answers.some((a) => a === null)) return null;
  return answers.flatMap((answer, i) => rowsOf(answer).map((row) => normaliseRow(row, years[i])));
}

function rowsOf(answer) {
  if (Array.isArray(answer)) return answer;
  return answer.groups ?? answer.rows ?? answer.data ?? [];
}

const num = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** One group × year, from the contract's field names (rate per 1,000 with a 95 % interval, share, change). */
function normaliseRow(row, year) {
  const rate = typeof row.rate === 'object' && row.rate !== null ? row.rate : { value: row.rate, low: row.low ?? row.rateLow, high: row.high ?? row.rateHigh };
  const reason = row.reason ?? row.suppressed ?? rate.reason ?? null;
  return {
    group: Number(row.group ?? row.omradestyp ?? row.key),
    year: Number(row.year ?? year),
    areas: num(row.areas),
    population: num(row.population),
    count: num(row.count),
    rate: num(rate.value ?? rate.rate),
    low: num(rate.low),
    high: num(rate.high),
    share: num(row.share),
    change: num(typeof row.change === 'object' && row.change !== null ? row.change.value : row.change),
    reason: typeof reason === 'string' ? reason : null,
  };
}
