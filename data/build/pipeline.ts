/**
 * manifest → Dataset: read every source, validate, join, aggregate. Collects every problem of the whole run and
 * fails with all of them at once; nothing is written here (see store.ts), so a failed build changes nothing.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { mergeAreas, readAreaFile, type Area } from '../areas.ts';
import { readAreaTypes, type AreaTypes } from '../area-types.ts';
import type { CatalogEntry, Dataset, IncidentSummary, Provenance, SourceRecord } from '../dataset.ts';
import { AreaIndex } from '../incidents/area-index.ts';
import { IncidentAggregator } from '../incidents/aggregate.ts';
import { readCsvIncidents, readGeojsonIncidents, readPolisenEvents, type PointSink } from '../incidents/sources.ts';
import { readLayer, type Layer } from '../layers.ts';
import { loadManifest, type IncidentSource, type LoadedManifest, type Manifest } from '../manifest.ts';
import { addValue, readMetricTable, type MetricValues } from '../metric-tables.ts';
import { readRegsoKey, type RegsoKey } from '../regso-key.ts';
import { Report } from '../report.ts';
import { SYNTHETIC_INCIDENT_COLUMNS, syntheticAreas, syntheticPopulation, writeSyntheticIncidents } from '../synthetic/sverige.ts';
import { BUILD_FORMAT } from './store.ts';

export type Progress = (step: string) => void;

export interface BuildOptions {
  /** Scratch folder for generated intermediate files (synthetic incidents). */
  workDir: string;
  progress?: Progress;
  /** The minimum count of metrics whose catalogue entry states none (default 5). */
  defaultMinCount?: number;
}

export const DEFAULT_MIN_COUNT = 5;

export interface BuildOutcome {
  dataset: Omit<Dataset, 'id'>;
  report: Report;
}

/** Builds the dataset a manifest describes. Throws a DataError listing every error found. */
export async function buildDataset(manifestFile: string, options: BuildOptions): Promise<BuildOutcome> {
  const progress = options.progress ?? (() => {});
  const loaded = await loadManifest(manifestFile);
  const run = new BuildRun(loaded, options.workDir, progress, options.defaultMinCount ?? DEFAULT_MIN_COUNT);
  const dataset = await run.execute();
  return { dataset, report: run.report };
}

class BuildRun {
  readonly report = new Report();
  private readonly m: Manifest;
  private readonly sources: SourceRecord[] = [];
  private readonly incidents: IncidentSummary[] = [];
  private readonly metrics: MetricValues = new Map();
  private readonly kommunMetrics: MetricValues = new Map();
  /** Source × metric pairs left out of a public total (reported once each). */
  private readonly excludedFromTotal = new Set<string>();

  constructor(
    private readonly loaded: LoadedManifest,
    private readonly workDir: string,
    private readonly progress: Progress,
    private readonly defaultMinCount: number,
  ) {
    this.m = loaded.manifest;
  }

  async execute(): Promise<Omit<Dataset, 'id'>> {
    const { report } = this;
    this.progress('reading the DeSO→RegSO key');
    const key = this.m.regsoKey ? await this.step('regsoKey', this.m.regsoKey.file, this.m.regsoKey.vintage, (f) => readRegsoKey(this.m.regsoKey!, f, report)) : undefined;
    this.progress(`reading ${this.m.layers.length} extra layers`);
    // One after another, not in parallel: the order of sources and warnings in the build must not depend on I/O timing.
    const layers: Layer[] = [];
    for (const l of this.m.layers) {
      const layer = await this.step('layer', l.file, undefined, (f) => readLayer(l, f, report));
      if (layer) layers.push(layer);
    }
    const areas = await this.readAreas(key, layers);
    this.progress(`${areas.length} areas; reading områdestyp`);
    const areaTypes = await this.readAreaTypes(key, areas);
    const vintageSubstitutes = this.checkVintages(areas);
    this.progress('reading metric tables');
    await this.readMetrics(key, areas);
    await this.readIncidents(areas, areaTypes, layers);
    report.throwIfErrors();
    const years = [...areaTypes.keys()].sort((a, b) => a - b);
    // Paths in the build are relative to the manifest, so the same sources give the same bytes from any directory.
    const warnings = report.warnings.map((p) => ({ ...p, file: this.relativeToManifest(p.file) }));
    const provenance: Provenance = { format: BUILD_FORMAT, sources: this.sources, warnings, incidents: this.incidents, vintageSubstitutes };
    return { name: this.m.name, title: this.m.title, attribution: this.m.attribution, license: this.m.license ?? null, areas, years, areaTypes, metrics: this.metrics, kommunMetrics: this.kommunMetrics, catalog: this.catalog(), layers, kommunLayer: this.m.kommunLayer ?? null, provenance };
  }

  /** A source path relative to the manifest; labels of generated sources are kept as they are. */
  private relativeToManifest(file: string): string {
    return existsSync(file) ? path.relative(path.dirname(this.loaded.file), path.resolve(file)) || file : file;
  }

  /** Reads one source file, recording its checksum; a DataError becomes recorded problems. */
  private async step<T>(role: string, relative: string, vintage: string | undefined, read: (file: string) => Promise<T>): Promise<T | undefined> {
    const file = this.loaded.resolve(relative);
    const bytes = await readFile(file).catch(() => undefined);
    if (bytes) this.sources.push({ role, file: relative, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length, ...(vintage ? { vintage } : {}) });
    return this.report.collect(() => read(file));
  }

  private async readAreas(key: RegsoKey | undefined, layers: Layer[]): Promise<Area[]> {
    const read: { file: string; areas: Area[] }[] = [];
    for (const source of this.m.areas) {
      if ('synthetic' in source) continue;
      this.progress(`reading areas ${source.file}`);
      const areas = await this.step('areas', source.file, source.vintage, (f) => readAreaFile(source, f, key, this.report));
      read.push({ file: source.file, areas: areas ?? [] });
    }
    let merged = mergeAreas(read, this.report);
    for (const source of this.m.areas) {
      if (!('synthetic' in source)) continue;
      const kommuner = layers.find((l) => l.id === source.kommunLayer);
      if (!key || !kommuner) {
        this.report.error({ file: this.loaded.file, field: 'areas' }, 'synthetic areas need the regsoKey and a readable kommun layer');
        continue;
      }
      this.progress('drawing synthetic areas for kommuner without RegSO polygons');
      merged = mergeAreas([{ file: 'areas', areas: merged }, { file: 'synthetic areas', areas: syntheticAreas(this.m.synthetic!.seed, key, merged, kommuner, source.vintage, this.report) }], this.report);
    }
    if (key) this.reportMissingAreas(key, merged);
    return merged;
  }

  /** Key codes without a polygon are allowed (a regional dataset) but listed. */
  private reportMissingAreas(key: RegsoKey, areas: Area[]): void {
    const have = new Set(areas.map((a) => a.regsokod));
    const missing = [...key.regso.keys()].filter((c) => !have.has(c));
    if (missing.length > 0) {
      this.report.warn({ file: this.loaded.resolve(this.m.regsoKey!.file), field: 'regsokod' }, `${missing.length} RegSO of the key have no polygon: ${missing.slice(0, 20).join(', ')}${missing.length > 20 ? ', …' : ''}`);
    }
  }

  private async readAreaTypes(key: RegsoKey | undefined, areas: Area[]): Promise<AreaTypes> {
    const named = key ? [...key.regso.values()] : areas;
    const codes = new Set(areas.map((a) => a.regsokod));
    const all: AreaTypes = new Map();
    for (const source of this.m.areaTypes) {
      const types = await this.step('areaTypes', source.file, source.vintage, (f) => readAreaTypes(source, f, named, this.report));
      for (const [year, byCode] of types ?? []) {
        if (all.has(year)) this.report.error({ file: this.loaded.resolve(source.file), field: String(year) }, `områdestyp for ${year} is given by another source too`);
        const unjoined = [...byCode.keys()].filter((c) => !codes.has(c));
        if (unjoined.length > 0) this.report.error({ file: this.loaded.resolve(source.file), field: 'regsokod' }, `${unjoined.length} codes join no area: ${unjoined.slice(0, 20).join(', ')}`);
        const untyped = [...codes].filter((c) => !byCode.has(c));
        if (untyped.length > 0) this.report.warn({ file: this.loaded.resolve(source.file), field: String(year) }, `${untyped.length} areas have no områdestyp for ${year}: ${untyped.slice(0, 20).join(', ')}`);
        all.set(year, byCode);
      }
    }
    return all;
  }

  /**
   * Statistics of a boundary vintage must sit on boundaries of that vintage, unless the manifest accepts a
   * substitute explicitly; each accepted use is recorded with its count of areas.
   */
  private checkVintages(areas: Area[]): Provenance['vintageSubstitutes'] {
    const used = new Map<string, number>();
    const statVintages = new Set([...this.m.areaTypes.map((s) => s.vintage), ...this.m.metrics.flatMap((s) => ('vintage' in s ? [s.vintage] : []))]);
    for (const stat of statVintages) {
      const wrong = new Map<string, number>();
      for (const a of areas) {
        if (a.vintage === stat) continue;
        const substitute = this.m.vintageSubstitutes.find((s) => s.statistics === stat && s.boundaries === a.vintage);
        const k = substitute ? `${stat}|${a.vintage}` : a.vintage;
        (substitute ? used : wrong).set(k, ((substitute ? used : wrong).get(k) ?? 0) + 1);
      }
      for (const [vintage, n] of wrong) {
        this.report.error({ file: this.loaded.file, field: 'vintageSubstitutes' }, `statistics of ${stat} would be joined to ${n} areas with ${vintage} boundaries: add a vintageSubstitutes entry if that is intended`);
      }
    }
    return [...used].map(([k, areasCount]) => {
      const [statistics, boundaries] = k.split('|');
      const s = this.m.vintageSubstitutes.find((v) => v.statistics === statistics && v.boundaries === boundaries)!;
      return { ...s, areas: areasCount };
    });
  }

  private async readMetrics(key: RegsoKey | undefined, areas: Area[]): Promise<void> {
    const codes = new Set(areas.map((a) => a.regsokod));
    for (const source of this.m.metrics) {
      if ('synthetic' in source) {
        if (!key) this.report.error({ file: this.loaded.file, field: 'metrics' }, 'synthetic population needs the regsoKey');
        else syntheticPopulation(this.m.synthetic!.seed, key, areas, source.metric, source.years, this.metrics);
        continue;
      }
      await this.step('metrics', source.file, source.vintage, (f) => readMetricTable(source, f, key, codes, this.metrics, this.report));
    }
  }

  private async readIncidents(areas: Area[], areaTypes: AreaTypes, layers: Layer[]): Promise<void> {
    if (this.m.incidents.length === 0) return;
    let index: AreaIndex | undefined;
    for (const source of this.m.incidents) {
      if ('format' in source && source.format === 'polisen-events') {
        await this.countPolisenEvents(source, layers);
        continue;
      }
      index ??= new AreaIndex(areas.map((a) => ({ geometry: a.sweref99tm })));
      await this.aggregatePoints(source, areas, areaTypes, index);
    }
  }

  private async aggregatePoints(source: IncidentSource, areas: Area[], areaTypes: AreaTypes, index: AreaIndex): Promise<void> {
    const aggregator = new IncidentAggregator(index);
    const sink: PointSink = (x, y, year, category, at) => aggregator.add(x, y, year, category, at.line ?? at.feature);
    let file: string;
    if ('synthetic' in source) {
      const csv = await this.syntheticIncidentFile(source.years, areas, areaTypes);
      this.progress('aggregating synthetic incidents into areas');
      await this.report.collect(() => readCsvIncidents(csv, { crs: 'EPSG:3006', columns: SYNTHETIC_INCIDENT_COLUMNS }, this.report, sink));
      await rm(csv, { force: true });
      file = `synthetic incidents (seed ${this.m.synthetic!.seed})`;
    } else {
      this.progress(`aggregating incidents ${source.file}`);
      file = this.loaded.resolve(source.file);
      if (source.format === 'csv') await this.step('incidents', source.file, undefined, (f) => readCsvIncidents(f, source, this.report, sink));
      else if (source.format === 'geojson') await this.step('incidents', source.file, undefined, (f) => readGeojsonIncidents(f, source.crs, source.properties, this.report, sink));
    }
    const result = aggregator.result();
    let unmapped = 0;
    for (const [category, byYear] of result.counts) {
      const metric = source.categories[category] ?? source.otherMetric;
      for (const [year, counts] of byYear) {
        const inTotal = this.countsInTotal(source, metric, file);
        counts.forEach((n, i) => {
          if (metric) addValue(this.metrics, metric, year, areas[i].regsokod, n);
          if (inTotal) addValue(this.metrics, source.totalMetric!, year, areas[i].regsokod, n);
          if (!metric) unmapped += n;
        });
      }
    }
    this.fillZeros(source, areas, result.counts);
    if (result.outside > 0) {
      const samples = result.outsideSamples.map((s) => `[${s.x}, ${s.y}]${s.line !== undefined ? ` (line ${s.line})` : ''}`).join(', ');
      this.report.warn({ file }, `${result.outside} of ${result.total} incidents lie in no area, e.g. ${samples}`);
    }
    if (result.ambiguous > 0) {
      this.report.warn({ file }, `${result.ambiguous} incidents lie in two or more overlapping areas; each is counted once, in the area with the lowest code`);
    }
    if (unmapped > 0) this.report.warn({ file, field: 'category' }, `${unmapped} incidents have a category that maps to no metric`);
    this.incidents.push({ file, total: result.total, outside: result.outside, ambiguous: result.ambiguous, unmapped });
  }

  /** An area without incidents has the count 0, not no value: zero is a figure. */
  private fillZeros(source: IncidentSource, areas: Area[], counts: Map<string, Map<number, unknown>>): void {
    const years = new Set([...counts.values()].flatMap((byYear) => [...byYear.keys()]));
    const metrics = new Set([...Object.values(source.categories), source.otherMetric, source.totalMetric].filter((m): m is string => m !== undefined));
    for (const metric of metrics) for (const year of years) for (const a of areas) addValue(this.metrics, metric, year, a.regsokod, 0);
  }

  private async syntheticIncidentFile(years: number[], areas: Area[], areaTypes: AreaTypes): Promise<string> {
    this.progress('generating synthetic incidents');
    const population = this.metrics.get(Object.keys(this.m.catalog).find((id) => this.m.catalog[id].kind === 'population') ?? '');
    if (!population) {
      this.report.error({ file: this.loaded.file, field: 'incidents' }, 'synthetic incidents need a population metric');
      return '';
    }
    await mkdir(this.workDir, { recursive: true });
    const file = path.join(this.workDir, `synthetic-incidents-${this.m.synthetic!.seed}.csv`);
    const input = areas.map((a) => ({
      regsokod: a.regsokod,
      geometry: a.sweref99tm,
      populationByYear: new Map(years.map((y) => [y, population.get(y)?.get(a.regsokod) ?? 0])),
      omradestypByYear: new Map(years.map((y) => [y, areaTypes.get(y)?.get(a.regsokod) ?? 3])),
    }));
    const n = await writeSyntheticIncidents(file, this.m.synthetic!.seed, input, years);
    this.progress(`wrote ${n} synthetic incidents to ${file}`);
    return file;
  }

  /** Polisen's events carry a place name: a kommun (counted there) or a län (reported, not attributed). */
  private async countPolisenEvents(source: Extract<IncidentSource, { format: 'polisen-events' }>, layers: Layer[]): Promise<void> {
    this.progress(`counting Polisen events ${source.file} per kommun`);
    const events = (await this.step('incidents', source.file, undefined, (f) => readPolisenEvents(f, this.report))) ?? [];
    const file = this.loaded.resolve(source.file);
    const kl = this.m.kommunLayer!;
    const kommuner = layers.find((l) => l.id === kl.layer);
    if (!kommuner) return;
    // Polisen writes some names in other case ("Upplands väsby", "Dals-ed"): match case-insensitively.
    const byName = new Map(kommuner.features.map((f) => [String(f.properties[kl.nameField]).toLocaleLowerCase('sv'), String(f.properties[kl.codeField])]));
    let lanOnly = 0;
    let unmapped = 0;
    const unknown = new Map<string, number>();
    for (const e of events) {
      const kommunkod = byName.get(e.place.toLocaleLowerCase('sv'));
      if (kommunkod === undefined) {
        if (/ län$/.test(e.place)) lanOnly++;
        else unknown.set(e.place, (unknown.get(e.place) ?? 0) + 1);
        continue;
      }
      const metric = source.categories[e.type] ?? source.otherMetric;
      if (metric) addValue(this.kommunMetrics, metric, e.year, kommunkod, 1);
      else unmapped++;
      if (this.countsInTotal(source, metric, source.file)) addValue(this.kommunMetrics, source.totalMetric!, e.year, kommunkod, 1);
    }
    const years = new Set(events.map((e) => e.year));
    const metrics = [...new Set([...Object.values(source.categories), source.otherMetric, source.totalMetric])].filter((m): m is string => m !== undefined);
    for (const metric of metrics) for (const year of years) for (const code of byName.values()) addValue(this.kommunMetrics, metric, year, code, 0);
    const unknownEvents = [...unknown.values()].reduce((a, b) => a + b, 0);
    if (unknownEvents > 0) this.report.warn({ file, field: 'location.name' }, `${unknownEvents} events name a place that is no kommun or län: ${[...unknown.keys()].slice(0, 10).join(', ')}`);
    if (lanOnly > 0) this.report.warn({ file, field: 'location.name' }, `${lanOnly} of ${events.length} events are located by län only and not counted in any kommun`);
    this.incidents.push({ file: source.file, total: events.length, outside: unknownEvents, ambiguous: 0, unmapped, lanOnly });
  }

  /** The catalogue with the years each metric has values for. */
  /**
   * Whether events of a metric count in the source's total. A public total never counts a restricted metric: the
   * total minus the public categories would give the restricted figure away. The exclusion is reported once per source.
   */
  private countsInTotal(source: IncidentSource, metric: string | undefined, file: string): boolean {
    if (!source.totalMetric) return false;
    const total = this.m.catalog[source.totalMetric];
    if (metric === undefined || total.access === 'restricted' || this.m.catalog[metric].access !== 'restricted') return true;
    const key = `${file}\0${metric}`;
    if (!this.excludedFromTotal.has(key)) {
      this.excludedFromTotal.add(key);
      this.report.warn({ file, field: 'totalMetric' }, `"${source.totalMetric}" is public and does not count "${metric}", which is restricted: the total minus the public categories would disclose it`);
    }
    return false;
  }

  private catalog(): CatalogEntry[] {
    return Object.entries(this.m.catalog).map(([id, def]) => {
      const values = (def.level === 'kommun' ? this.kommunMetrics : this.metrics).get(id);
      const { minCount = this.defaultMinCount, ...rest } = def.disclosure;
      const disclosure = { minCount, ...rest };
      return { id, ...def, disclosure, years: [...(values?.keys() ?? [])].sort((a, b) => a - b) };
    });
  }
}

