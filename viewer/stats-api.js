/**
 * The one module that knows the statistics API's shapes (GET /catalog, GET /stats): everything else in the viewer
 * uses the normalised objects below.
 *
 * Metric list: the catalogue's metrics (already those the caller may see) that have a choropleth style (GET /styles):
 * what the list offers, the map can draw.
 */
import { getJson } from './http.js';

/**
 * @typedef {{ id: string, label: {sv: string, en: string}, unit: {sv: string, en: string} | null,
 *   definition: {sv: string, en: string} | null, synthetic: boolean, years: number[], kind: string,
 *   stats: boolean }} Metric
 * @typedef {{ group: number, year: number, areas: number, population: number | null, count: number | null,
 *   rate: number | null, low: number | null, high: number | null, share: number | null, change: number | null,
 *   reason: string | null }} StatsRow
 */

/** @returns {Promise<Metric[]>} the metrics that can be mapped, in catalogue order. */
export async function loadMetrics() {
  const [catalog, styles] = await Promise.all([getJson('catalog'), getJson('styles')]);
  const mapped = new Set((styles?.styles ?? []).map((s) => s.id));
  return (catalog?.metrics ?? [])
    .filter((m) => mapped.has(m.id))
    .map((m) => ({ id: m.id, label: m.label, unit: m.unit ?? null, definition: m.definition ?? null, synthetic: m.synthetic, years: m.years, kind: m.kind, stats: m.stats }));
}

/**
 * The metric by områdestyp for every year of `years`, in one request (`year=first..last`).
 * @returns {Promise<StatsRow[] | null>} null when the server has no /stats.
 */
export async function loadStatsByType(metric, years) {
  const span = `${Math.min(...years)}..${Math.max(...years)}`;
  const answer = await getJson(`stats?${new URLSearchParams({ metric, year: span, groupBy: 'omradestyp' })}`);
  if (answer === null) return null;
  return answer.rows.filter((row) => /^[1-5]$/.test(row.group)).map(toStatsRow);
}

/** One områdestyp × year: rate per 1,000 with its 95 % interval, share of the national count, change. */
function toStatsRow(row) {
  return {
    group: Number(row.group),
    year: row.year,
    areas: row.areas,
    population: row.population,
    count: row.count,
    rate: row.rate,
    low: row.rateLow,
    high: row.rateHigh,
    share: row.sharePercent,
    change: row.change,
    reason: row.reason ?? null,
  };
}
