/**
 * Metric tables keyed by RegSO or DeSO code × year (× month), one column per metric. DeSO rows are rolled up to
 * their RegSO through the key; months are summed into the year.
 */
import { DESO_CODE, REGSO_CODE } from './codes.ts';
import type { MetricTableSource } from './manifest.ts';
import { column, readCsvFile } from './readers/csv.ts';
import type { Report } from './report.ts';
import type { RegsoKey } from './regso-key.ts';

/** metric id → year → area code (RegSO or kommun) → value */
export type MetricValues = Map<string, Map<number, Map<string, number>>>;

export function addValue(values: MetricValues, metric: string, year: number, code: string, value: number): void {
  let byYear = values.get(metric);
  if (!byYear) values.set(metric, (byYear = new Map()));
  let byCode = byYear.get(year);
  if (!byCode) byYear.set(year, (byCode = new Map()));
  byCode.set(code, (byCode.get(code) ?? 0) + value);
}

export async function readMetricTable(
  source: MetricTableSource,
  file: string,
  key: RegsoKey | undefined,
  areaCodes: ReadonlySet<string>,
  into: MetricValues,
  report: Report,
): Promise<void> {
  const table = await readCsvFile(file);
  const code = column(table, source.codeColumn);
  const year = column(table, source.yearColumn);
  const month = source.monthColumn === undefined ? -1 : column(table, source.monthColumn);
  const metrics = Object.entries(source.columns).map(([id, name]) => [id, column(table, name), name] as const);
  if (source.key === 'deso' && !key) {
    report.error({ file, field: 'key' }, 'a DeSO-keyed table needs the regsoKey in the manifest');
    return;
  }
  const unjoined = new Set<string>();
  // A RegSO-keyed table has one row per area, year (and month); a repeated row would be summed silently.
  const seen = new Map<string, number>();
  for (const { line, values } of table.rows) {
    const at = { file, line };
    const raw = values[code] ?? '';
    const regsokod = source.key === 'deso' ? desoToRegso(raw, key!, at, source.codeColumn, report) : checkRegso(raw, at, source.codeColumn, report);
    if (regsokod === null) continue;
    if (!areaCodes.has(regsokod)) {
      unjoined.add(raw);
      continue;
    }
    const y = values[year]?.trim() ?? '';
    if (!/^\d{4}$/.test(y)) {
      report.error({ ...at, field: source.yearColumn }, `expected a year like 2023, found "${y}"`);
      continue;
    }
    if (month >= 0 && !/^(0?[1-9]|1[0-2])$/.test(values[month]?.trim() ?? '')) {
      report.error({ ...at, field: source.monthColumn }, `expected a month 1–12, found "${values[month] ?? ''}"`);
      continue;
    }
    const rowKey = `${raw}|${y}|${month >= 0 ? Number(values[month]) : ''}`;
    const firstLine = seen.get(rowKey);
    if (firstLine !== undefined) {
      report.error({ ...at, field: source.codeColumn }, `${raw} ${y}${month >= 0 ? `-${values[month]}` : ''} is given on line ${firstLine} already`);
      continue;
    }
    seen.set(rowKey, line);
    for (const [id, index, name] of metrics) {
      const text = values[index]?.trim() ?? '';
      const value = Number(text);
      if (text === '' || !Number.isFinite(value) || value < 0) {
        report.error({ ...at, field: name }, `expected a count (a number ≥ 0), found "${text}"`);
        continue;
      }
      addValue(into, id, Number(y), regsokod, value);
    }
  }
  if (unjoined.size > 0) {
    report.error({ file, field: source.codeColumn }, `${unjoined.size} codes join no area: ${[...unjoined].slice(0, 20).join(', ')}`);
  }
}

function checkRegso(code: string, at: { file: string; line: number }, field: string, report: Report): string | null {
  if (REGSO_CODE.test(code)) return code;
  report.error({ ...at, field }, `expected a RegSO code like 0114R001, found "${code}"`);
  return null;
}

function desoToRegso(code: string, key: RegsoKey, at: { file: string; line: number }, field: string, report: Report): string | null {
  if (!DESO_CODE.test(code)) {
    report.error({ ...at, field }, `expected a DeSO code like 0180C1010, found "${code}"`);
    return null;
  }
  const regsokod = key.desoToRegso.get(code);
  if (regsokod === undefined) report.error({ ...at, field }, `DeSO ${code} is not in the DeSO→RegSO key (${key.vintage})`);
  return regsokod ?? null;
}
