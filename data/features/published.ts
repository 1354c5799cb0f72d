/**
 * The published figures of a year and role: which metrics a role sees, and each area's (or kommun's) counts and
 * rates after disclosure control, with `null` where a value is suppressed. One function for every output — vector
 * tiles leave the nulls out (MVT has no null), OGC API – Features keeps them — so both always show the same values.
 */
import type { CatalogEntry, Dataset } from '../dataset.ts';
import { areaGroups, canSee, kommunGroups, publishCounts, ratePer1000, type GroupOf, type NestedRules, type Role } from '../disclosure.ts';

/** metric id (and `<id>_per_1000`) → published value; null where suppressed or without a rate. */
export type Figures = Record<string, number | null>;

/** Metrics a role sees at RegSO level in a year, with the population denominator first. */
export function areaMetrics(dataset: Dataset, role: Role, year: number): CatalogEntry[] {
  return dataset.catalog
    .filter((m) => m.level === 'regso' && canSee(role, m) && m.years.includes(year))
    .sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'population' ? -1 : 1));
}

/** Kommun-level metrics a role sees. */
export function kommunMetrics(dataset: Dataset, role: Role): CatalogEntry[] {
  return dataset.catalog.filter((m) => m.level === 'kommun' && canSee(role, m));
}

/** The name of a count's rate per 1,000 inhabitants. */
export function rateName(metricId: string): string {
  return `${metricId}_per_1000`;
}

/**
 * Every metric's published value per code of its table: the count (or population) and, for counts, the rate per
 * 1,000 inhabitants. Suppressed values are null, their rates too. Keys are added metric by metric, each count
 * followed by its rate; a population metric must come first in `metrics` to serve as the rates' denominator.
 */
export function publishFigures(
  metrics: readonly CatalogEntry[],
  valuesOf: (metric: CatalogEntry) => ReadonlyMap<string, number> | undefined,
  role: Role,
  groups: GroupOf[],
  nestedOf: (metric: CatalogEntry) => NestedRules | undefined = () => undefined,
): Map<string, Figures> {
  const population = metrics.find((m) => m.kind === 'population');
  const people = population ? valuesOf(population) : undefined;
  const figures = new Map<string, Figures>();
  for (const metric of metrics) {
    const raw = valuesOf(metric);
    if (!raw) continue;
    for (const [code, value] of publishCounts(raw, metric, role, groups, nestedOf(metric)).values) {
      let f = figures.get(code);
      if (!f) figures.set(code, (f = {}));
      f[metric.id] = value;
      if (metric.kind === 'count') f[rateName(metric.id)] = ratePer1000(value, people?.get(code));
    }
  }
  return figures;
}

/** The RegSO figures of a year, keyed by regsokod: exactly what the `regso` tile layer carries at z7+. */
export function areaFigures(dataset: Dataset, year: number, role: Role): Map<string, Figures> {
  return publishFigures(areaMetrics(dataset, role, year), (m) => dataset.metrics.get(m.id)?.get(year), role, areaGroups(dataset, year));
}

/** Kommun-level figures of every year, keyed by kommun code, as `<metric>_<year>`. */
export function kommunFigures(dataset: Dataset, role: Role): Map<string, Figures> {
  const figures = new Map<string, Figures>();
  for (const metric of kommunMetrics(dataset, role)) {
    for (const year of metric.years) {
      const raw = dataset.kommunMetrics.get(metric.id)?.get(year);
      if (!raw) continue;
      for (const [code, value] of publishCounts(raw, metric, role, kommunGroups).values) {
        let f = figures.get(code);
        if (!f) figures.set(code, (f = {}));
        f[`${metric.id}_${year}`] = value;
      }
    }
  }
  return figures;
}
