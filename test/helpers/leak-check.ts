/**
 * What the public may read of one year, worked out here from the raw tables (dataset.metrics, kommunMetrics) by the
 * disclosure rules — independently of data/disclosure.ts — and every published figure held to it. Fed with decoded
 * tiles, OGC features and /stats cells, it collects leaks:
 *
 * - `restricted`: a property whose name holds a restricted metric's id (`skjutning`, `skjutning_per_1000`, …);
 * - `small-count`: a count (or its rate) published although its raw value is 1 … minCount − 1 (primary suppression),
 *   for areas, kommun × områdestyp blocks, kommuner and /stats cells;
 * - `value`: a published count that is not the raw count (rounded where the catalogue says so), a population that
 *   is not the raw one, a figure where the raw table has none;
 * - `rate`: a rate per 1,000 next to a suppressed count, or not the count over the population;
 * - `single-suppressed`: a published total (a block, a /stats cell) over areas of which exactly one is suppressed —
 *   the total minus the published areas would be that area's value (complementary suppression, checked on what the
 *   outputs actually show);
 * - `unseen`: an area no output showed (the check would then be incomplete).
 *
 * A figure absent from a tile or `null` in a feature counts as suppressed; an area counts as published for a metric
 * if any tile or feature showed it. Only the public role is the reference: fed with analyst output, the same check
 * must find restricted metrics and small counts (the national disclosure test's contrast).
 */
import type { CatalogEntry, Dataset } from '../../data/dataset.ts';
import { AREA_LAYER } from '../../tiles/attributes.ts';
import type { TileCheck } from './mvt-check.ts';

export type LeakKind = 'restricted' | 'small-count' | 'value' | 'rate' | 'single-suppressed' | 'unseen';

type Properties = Readonly<Record<string, unknown>>;

/** Leaks listed in a report per kind (all are counted). */
const SAMPLES_PER_KIND = 5;

/** Half the last decimal of a rate per 1,000 (one decimal), and a little for floating point. */
const RATE_TOLERANCE = 0.05 + 1e-9;

export class LeakCheck {
  readonly counts = new Map<LeakKind, number>();
  private readonly samples: string[] = [];
  private readonly restricted: string[];
  private readonly counted: CatalogEntry[];
  private readonly population: CatalogEntry | undefined;
  private readonly kommunCounted: CatalogEntry[];
  /** kommunkod-omradestyp → the year's areas of that kommun and type. */
  private readonly blocks = new Map<string, string[]>();
  /** regsokod → the metrics an output showed for it (present once the area was seen at all). */
  private readonly shown = new Map<string, Set<string>>();
  /** Block totals published, to hold against the areas' suppression once every area was read. */
  private readonly publishedBlocks: { codes: string[]; metric: CatalogEntry; where: string }[] = [];
  /** The kommun tile layer, by name. */
  private readonly kommunTileLayer: string | undefined;

  constructor(
    readonly dataset: Dataset,
    readonly year: number,
  ) {
    this.restricted = dataset.catalog.filter((m) => m.access === 'restricted').map((m) => m.id);
    const open = dataset.catalog.filter((m) => m.access !== 'restricted');
    this.counted = open.filter((m) => m.level === 'regso' && m.kind === 'count' && m.years.includes(year));
    this.population = open.find((m) => m.level === 'regso' && m.kind === 'population' && m.years.includes(year));
    this.kommunCounted = open.filter((m) => m.level === 'kommun' && m.kind === 'count');
    const types = dataset.areaTypes.get(year)!;
    for (const a of dataset.areas) {
      const typ = types.get(a.regsokod);
      if (typ === undefined) continue;
      const key = `${a.kommunkod}-${typ}`;
      this.blocks.set(key, [...(this.blocks.get(key) ?? []), a.regsokod]);
    }
    this.kommunTileLayer = dataset.layers.find((l) => l.id === dataset.kommunLayer?.layer)?.tileLayer;
  }

  /** The features of a decoded tile: areas or blocks in `regso`, kommuner in the kommun layer, names elsewhere. */
  tile(checked: TileCheck, where: string): void {
    for (const [name, layer] of checked.layers) {
      for (const f of layer.features) {
        const at = `${where} ${name} #${f.id}`;
        const p = f.properties;
        if (name === AREA_LAYER && typeof p.regsokod === 'string') this.area(p.regsokod, p, at);
        else if (name === AREA_LAYER) this.block(String(p.kommunkod), Number(p.omradestyp), p, at);
        else if (name === this.kommunTileLayer) this.kommun(String(f.id).padStart(4, '0'), p, at);
        else this.names(p, at);
      }
    }
  }

  /** One area's properties (tile tags at z ≥ 7, or an OGC feature's properties with null where suppressed). */
  area(regsokod: string, properties: Properties, where: string): void {
    this.names(properties, where);
    const shown = this.shown.get(regsokod) ?? new Set<string>();
    this.shown.set(regsokod, shown);
    const people = this.population && this.raw(this.population, regsokod);
    if (this.population) this.populationFigure(this.population, people, properties, where);
    for (const m of this.counted) if (this.figure(m, this.raw(m, regsokod), properties, people, where)) shown.add(m.id);
  }

  /** A dissolved kommun × områdestyp polygon: its totals are figures too, over its areas' raw values. */
  block(kommunkod: string, omradestyp: number, properties: Properties, where: string): void {
    this.names(properties, where);
    const codes = this.blocks.get(`${kommunkod}-${omradestyp}`);
    if (!codes) return this.leak('value', where, `a block ${kommunkod} typ ${omradestyp} that has no areas in ${this.year}`);
    const people = this.population && this.sum(this.population, codes);
    if (this.population) this.populationFigure(this.population, people, properties, where);
    for (const m of this.counted) if (this.figure(m, this.sum(m, codes), properties, people, where)) this.publishedBlocks.push({ codes, metric: m, where });
  }

  /** A kommun's properties: kommun-level counts of every year as `<metric>_<year>`, under the same rules. */
  kommun(kommunkod: string, properties: Properties, where: string): void {
    this.names(properties, where);
    for (const m of this.kommunCounted) {
      for (const year of m.years) {
        const raw = this.dataset.kommunMetrics.get(m.id)?.get(year)?.get(kommunkod);
        this.figure(m, raw, properties, undefined, `${where} (${year})`, `${m.id}_${year}`);
      }
    }
  }

  /** Any other feature or document: no property names a restricted metric. */
  names(properties: Properties, where: string): void {
    for (const key of Object.keys(properties)) if (this.restricted.some((id) => key.includes(id))) this.leak('restricted', where, `property "${key}"`);
  }

  /**
   * A published total over areas (a /stats cell; null: suppressed): the count of its areas' raw values, never small,
   * and never over exactly one suppressed area. Read the year's areas (features or tiles) first.
   */
  total(codes: readonly string[], metric: CatalogEntry, count: number | null, where: string): void {
    if (count === null) return;
    const raw = this.sum(metric, codes);
    if (raw === undefined) return this.leak('value', where, `${metric.id} = ${count} over areas without values`);
    this.countFigure(metric, raw, count, where, metric.id);
    this.isolates(codes, metric, where);
  }

  /** Checks what needs every area read: published blocks over one suppressed area; areas never seen. */
  finish(): void {
    for (const { codes, metric, where } of this.publishedBlocks) this.isolates(codes, metric, where);
    for (const a of this.dataset.areas) if (!this.shown.has(a.regsokod)) this.leak('unseen', a.regsokod, `no output of ${this.year} showed this area`);
  }

  /** The areas of the year whose `metric` no output showed although the raw table has it. */
  private suppressed(codes: readonly string[], metric: CatalogEntry): string[] {
    return codes.filter((c) => this.raw(metric, c) !== undefined && this.shown.has(c) && !this.shown.get(c)!.has(metric.id));
  }

  /** Leaks found, of every kind. */
  get found(): number {
    return [...this.counts.values()].reduce((a, b) => a + b, 0);
  }

  /** Counts per kind and the first leaks of each. */
  report(): string {
    const counts = [...this.counts].map(([kind, n]) => `${kind} ${n}`).join(', ') || 'none';
    return `${this.year}: ${counts}${this.samples.length ? `\n  ${this.samples.join('\n  ')}` : ''}`;
  }

  private isolates(codes: readonly string[], metric: CatalogEntry, where: string): void {
    const hidden = this.suppressed(codes, metric);
    if (hidden.length === 1) this.leak('single-suppressed', where, `the ${metric.id} total is published and ${hidden[0]} is its only suppressed area: the total minus the published areas gives it`);
  }

  /** A count and its rate: primary suppression, the raw (or rounded) value, the rate. Whether the count is shown. */
  private figure(metric: CatalogEntry, raw: number | undefined, properties: Properties, people: number | undefined, where: string, name = metric.id): boolean {
    const value = properties[name];
    const rateName = `${name}_per_1000`;
    const rate = properties[rateName];
    const shown = value !== undefined && value !== null;
    const rateShown = rate !== undefined && rate !== null;
    if (raw === undefined) {
      if (shown || rateShown) this.leak('value', where, `${name} = ${value} where the raw table has no value`);
      return shown;
    }
    if (shown) this.countFigure(metric, raw, value, where, name);
    if (!rateShown) return shown;
    if (isSmall(metric, raw)) this.leak('small-count', where, `${rateName} = ${rate} (raw count ${raw} < ${metric.disclosure.minCount})`);
    else if (!shown) this.leak('rate', where, `${rateName} = ${rate} next to a suppressed count`);
    else if (people && Math.abs(Number(rate) - (Number(value) / people) * 1000) > RATE_TOLERANCE) this.leak('rate', where, `${rateName} = ${rate}, but ${value} per ${people} inhabitants is ${((Number(value) / people) * 1000).toFixed(3)} per 1,000`);
    return shown;
  }

  private countFigure(metric: CatalogEntry, raw: number, value: unknown, where: string, name: string): void {
    const { minCount, roundTo } = metric.disclosure;
    if (isSmall(metric, raw)) this.leak('small-count', where, `${name} = ${value} (raw ${raw} < ${minCount})`);
    else if (value !== (roundTo ? Math.round(raw / roundTo) * roundTo : raw)) this.leak('value', where, `${name} = ${value}, raw ${raw}${roundTo ? ` (rounded to ${roundTo})` : ''}`);
  }

  private populationFigure(metric: CatalogEntry, raw: number | undefined, properties: Properties, where: string): void {
    const value = properties[metric.id];
    if (value !== undefined && value !== null && value !== raw) this.leak('value', where, `${metric.id} = ${value}, raw ${raw}`);
  }

  private raw(metric: CatalogEntry, regsokod: string): number | undefined {
    return this.dataset.metrics.get(metric.id)?.get(this.year)?.get(regsokod);
  }

  /** Sum of the areas' raw values; undefined if none has one. */
  private sum(metric: CatalogEntry, codes: readonly string[]): number | undefined {
    let sum: number | undefined;
    for (const c of codes) {
      const v = this.raw(metric, c);
      if (v !== undefined) sum = (sum ?? 0) + v;
    }
    return sum;
  }

  private leak(kind: LeakKind, where: string, what: string): void {
    const n = (this.counts.get(kind) ?? 0) + 1;
    this.counts.set(kind, n);
    if (n <= SAMPLES_PER_KIND) this.samples.push(`${kind}: ${where}: ${what}`);
  }
}

/** Primary suppression: a count between 1 and the metric's minimum (zero is a figure). */
export function isSmall(metric: CatalogEntry, raw: number): boolean {
  return raw > 0 && raw < metric.disclosure.minCount;
}
