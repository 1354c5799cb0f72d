/**
 * SCB's DeSO→RegSO key (kopplingstabell): which DeSO make up each RegSO, and each RegSO's name and kommun.
 * It lists every RegSO of its vintage, so it is also the national register of codes and names.
 */
import { column, readCsvFile } from './readers/csv.ts';
import { DESO_CODE, KOMMUN_CODE, REGSO_CODE, kommunkodOf } from './codes.ts';
import type { RegsoKeySource } from './manifest.ts';
import type { Report } from './report.ts';

export interface RegsoEntry {
  regsokod: string;
  regsonamn: string;
  kommunkod: string;
  kommunnamn: string;
  /** DeSO codes in the RegSO, in file order. */
  deso: string[];
}

export interface RegsoKey {
  vintage: string;
  /** RegSO code → entry, in file order. */
  regso: Map<string, RegsoEntry>;
  /** DeSO code → RegSO code. */
  desoToRegso: Map<string, string>;
}

export async function readRegsoKey(source: RegsoKeySource, file: string, report: Report): Promise<RegsoKey> {
  const table = await readCsvFile(file);
  const c = source.columns;
  const col = {
    deso: column(table, c.desokod),
    regso: column(table, c.regsokod),
    name: column(table, c.regsonamn),
    kommun: column(table, c.kommunkod),
    kommunName: column(table, c.kommunnamn),
  };
  const key: RegsoKey = { vintage: source.vintage, regso: new Map(), desoToRegso: new Map() };
  for (const { line, values } of table.rows) {
    const at = { file, line };
    const deso = values[col.deso] ?? '';
    const regsokod = values[col.regso] ?? '';
    const kommunkod = values[col.kommun] ?? '';
    if (!DESO_CODE.test(deso)) {
      report.error({ ...at, field: c.desokod }, `expected a DeSO code like 0180C1010, found "${deso}"`);
      continue;
    }
    if (!REGSO_CODE.test(regsokod)) {
      report.error({ ...at, field: c.regsokod }, `expected a RegSO code like 0114R001, found "${regsokod}"`);
      continue;
    }
    if (!KOMMUN_CODE.test(kommunkod) || kommunkodOf(regsokod) !== kommunkod || kommunkodOf(deso) !== kommunkod) {
      report.error({ ...at, field: c.kommunkod }, `expected the kommun code of ${regsokod} and ${deso}, found "${kommunkod}"`);
      continue;
    }
    if (key.desoToRegso.has(deso)) {
      report.error({ ...at, field: c.desokod }, `DeSO ${deso} is listed twice`);
      continue;
    }
    key.desoToRegso.set(deso, regsokod);
    const entry = key.regso.get(regsokod);
    const regsonamn = values[col.name] ?? '';
    if (entry === undefined) {
      key.regso.set(regsokod, { regsokod, regsonamn, kommunkod, kommunnamn: values[col.kommunName] ?? '', deso: [deso] });
    } else if (entry.regsonamn !== regsonamn) {
      report.error({ ...at, field: c.regsonamn }, `RegSO ${regsokod} is named "${entry.regsonamn}" above, "${regsonamn}" here`);
    } else {
      entry.deso.push(deso);
    }
  }
  return key;
}
