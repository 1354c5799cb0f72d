/**
 * CSV of /stats and /stats/areas for spreadsheets: UTF-8 with a byte order mark (Excel then reads å, ä, ö), CRLF,
 * one row per group × year × metric (then the filter's total and the national row). Numbers as `decimal` says:
 * `point` — comma-separated with a decimal point, as other tools and scripts read (the default); `comma` —
 * semicolon-separated with a decimal comma, as Excel with Swedish regional settings opens by double-click.
 * Suppressed figures are empty, with the reason in column `suppressed`.
 */
import type { Decimal } from '../../data/stats/query.ts';
import type { RankingResponse } from '../../data/stats/ranking.ts';
import type { StatsResponse, StatsRow } from '../../data/stats/table.ts';
import { csvField } from '../ogc/csv.ts';

type Value = string | number | boolean | null;
type Column<T> = [header: string, value: (row: T) => Value];

function csv<T>(columns: Column<T>[], rows: readonly T[], decimal: Decimal): string {
  const separator = decimal === 'comma' ? ';' : ',';
  const format = (v: Value) => csvField(typeof v === 'number' && decimal === 'comma' ? String(v).replace('.', ',') : v, separator);
  const lines = [columns.map(([header]) => format(header)).join(separator), ...rows.map((row) => columns.map(([, value]) => format(value(row))).join(separator))];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

const SPECIAL_GROUPS: Record<string, string> = { total: 'Totalt (urvalet)', national: 'Riket' };

export function statsCsv(response: StatsResponse, decimal: Decimal): string {
  const label = new Map(response.metrics.map((m) => [m.id, m.label.sv]));
  const synthetic = new Map(response.metrics.map((m) => [m.id, m.synthetic]));
  const groupName = new Map(response.groups.map((g) => [g.id, g.name.sv]));
  const columns: Column<StatsRow>[] = [
    ['metric', (r) => r.metric],
    ['metric_label', (r) => label.get(r.metric) ?? r.metric],
    ['year', (r) => r.year],
    ['group_by', (r) => (r.group in SPECIAL_GROUPS ? r.group : response.query.groupBy)],
    ['group', (r) => r.group],
    ['group_name', (r) => SPECIAL_GROUPS[r.group] ?? groupName.get(r.group) ?? r.group],
    ['areas', (r) => r.areas],
    ['population', (r) => r.population],
    ['count', (r) => r.count],
    ['rate_per_1000', (r) => r.rate],
    ['rate_low', (r) => r.rateLow],
    ['rate_high', (r) => r.rateHigh],
    ['share_of_national_pct', (r) => r.sharePercent],
    ['change', (r) => r.change],
    ['change_pct', (r) => r.changePercent],
    ['suppressed', (r) => r.reason],
    ['synthetic', (r) => synthetic.get(r.metric) ?? false],
  ];
  return csv(columns, [...response.rows, ...response.totals, ...response.national], decimal);
}

export function rankingCsv(response: RankingResponse, decimal: Decimal): string {
  type Row = RankingResponse['areas'][number];
  const columns: Column<Row>[] = [
    ['rank', (r) => r.rank],
    ['regsokod', (r) => r.regsokod],
    ['regsonamn', (r) => r.regsonamn],
    ['kommunkod', (r) => r.kommunkod],
    ['kommunnamn', (r) => r.kommunnamn],
    ['omradestyp', (r) => r.omradestyp],
    ['metric', () => response.metric.id],
    ['year', () => response.query.year],
    ['population', (r) => r.population],
    ['count', (r) => r.count],
    ['rate_per_1000', (r) => r.rate],
    ['rate_low', (r) => r.rateLow],
    ['rate_high', (r) => r.rateHigh],
    ['suppressed', (r) => r.reason],
    ['synthetic', () => response.synthetic],
  ];
  return csv(columns, response.areas, decimal);
}
