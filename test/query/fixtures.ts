/** Queryables shared by the filter tests: the RegSO collection's (a subset), plus a code, a date and a boolean. */
import type { Queryable } from '../../data/query/queryables.ts';

export const QUERYABLES: Record<string, Queryable> = {
  regsonamn: { type: 'string' },
  kommunnamn: { type: 'string' },
  omradestyp: { type: 'integer' },
  befolkning: { type: 'integer' },
  brott_totalt_per_1000: { type: 'number' },
  utsatt: { type: 'boolean' },
  kod: { type: 'string' },
  uppdaterad: { type: 'string', format: 'date' },
  geometry: { type: 'geometry' },
};
