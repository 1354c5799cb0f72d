/**
 * Områdestyp (1–5) per RegSO per year, from a code-keyed CSV or from SCB's own Statistikdatabasen export, whose
 * rows are labelled "Kommunnamn (RegSO-namn)" and end with footnote rows. Labels are resolved to codes through
 * the names of the key (or of the areas, without a key).
 */
import { REGSO_CODE, scbAreaLabel } from './codes.ts';
import type { AreaTypeSource } from './manifest.ts';
import { column, readCsvFile, type CsvTable } from './readers/csv.ts';
import type { Report } from './report.ts';

/** SCB's and Delmos' names of the five områdestyper. */
export const OMRADESTYP_NAMES: Record<1 | 2 | 3 | 4 | 5, { sv: string; en: string }> = {
  1: { sv: 'Områden med stora socioekonomiska utmaningar', en: 'Areas with major socioeconomic challenges' },
  2: { sv: 'Områden med socioekonomiska utmaningar', en: 'Areas with socioeconomic challenges' },
  3: { sv: 'Socioekonomiskt blandade områden', en: 'Socioeconomically mixed areas' },
  4: { sv: 'Områden med goda socioekonomiska förutsättningar', en: 'Areas with good socioeconomic conditions' },
  5: { sv: 'Områden med mycket goda socioekonomiska förutsättningar', en: 'Areas with very good socioeconomic conditions' },
};

/** year → RegSO code → områdestyp */
export type AreaTypes = Map<number, Map<string, number>>;

export interface NamedArea {
  regsokod: string;
  regsonamn: string;
  kommunnamn: string;
}

export async function readAreaTypes(
  source: AreaTypeSource,
  file: string,
  named: Iterable<NamedArea>,
  report: Report,
): Promise<AreaTypes> {
  const table = await readCsvFile(file);
  return source.format === 'csv' ? fromCodeCsv(table, source, report) : fromScbExport(table, source.year, labelIndex(named), report);
}

function fromCodeCsv(table: CsvTable, source: Extract<AreaTypeSource, { format: 'csv' }>, report: Report): AreaTypes {
  const code = column(table, source.codeColumn);
  const years = Object.entries(source.years).map(([year, name]) => [Number(year), column(table, name), name] as const);
  const types: AreaTypes = new Map(years.map(([year]) => [year, new Map()]));
  for (const { line, values } of table.rows) {
    const regsokod = values[code] ?? '';
    if (!REGSO_CODE.test(regsokod)) {
      report.error({ file: table.file, line, field: source.codeColumn }, `expected a RegSO code like 0114R001, found "${regsokod}"`);
      continue;
    }
    for (const [year, index, name] of years) {
      const typ = parseType(values[index]);
      if (typ === null) report.error({ file: table.file, line, field: name }, `expected områdestyp 1–5, found "${values[index] ?? ''}"`);
      else setOnce(types.get(year)!, regsokod, typ, { file: table.file, line, field: source.codeColumn }, report);
    }
  }
  return types;
}

/**
 * SCB's export: a header row whose second cell is the year, data rows "label,typ", then footnotes (rows whose
 * second cell is not an integer). A data row after a footnote is an error: the file is not what we think it is.
 */
function fromScbExport(table: CsvTable, year: number, labels: Map<string, string | null>, report: Report): AreaTypes {
  const file = table.file;
  if (table.columns[1]?.trim() !== String(year)) {
    report.error({ file, line: 1, field: 'year' }, `expected the year ${year} in the header's second column, found "${table.columns[1] ?? ''}"`);
    return new Map();
  }
  const types = new Map<string, number>();
  let footnotesFrom: number | null = null;
  for (const { line, values } of table.rows) {
    const [label = '', value = ''] = values;
    const isData = /^-?\d+$/.test(value.trim());
    if (!isData) {
      footnotesFrom ??= line;
      continue;
    }
    const at = { file, line, field: String(year) };
    if (footnotesFrom !== null) {
      report.error(at, `a data row after the footnotes that start on line ${footnotesFrom}`);
      continue;
    }
    const typ = parseType(value);
    if (typ === null) {
      report.error(at, `expected områdestyp 1–5, found "${value}"`);
      continue;
    }
    const regsokod = labels.get(label.trim());
    if (regsokod === undefined) report.error({ ...at, field: 'Område' }, `"${label}" matches no "Kommunnamn (RegSO-namn)" of the key`);
    else if (regsokod === null) report.error({ ...at, field: 'Område' }, `"${label}" matches several RegSO: use a code-keyed file`);
    else setOnce(types, regsokod, typ, at, report);
  }
  return new Map([[year, types]]);
}

/** "Kommunnamn (RegSO-namn)" → code; null where two areas share a label. */
function labelIndex(named: Iterable<NamedArea>): Map<string, string | null> {
  const index = new Map<string, string | null>();
  for (const a of named) {
    const label = scbAreaLabel(a.kommunnamn, a.regsonamn);
    const existing = index.get(label);
    index.set(label, existing === undefined || existing === a.regsokod ? a.regsokod : null);
  }
  return index;
}

function parseType(value: string | undefined): number | null {
  const t = value?.trim() ?? '';
  return /^[1-5]$/.test(t) ? Number(t) : null;
}

function setOnce(types: Map<string, number>, regsokod: string, typ: number, at: { file: string; line: number; field: string }, report: Report): void {
  if (types.has(regsokod)) report.error(at, `RegSO ${regsokod} has a type already`);
  else types.set(regsokod, typ);
}
