/**
 * The dataset manifest: one small JSON file naming every source of a dataset, validated with zod.
 * Paths in a manifest are relative to the manifest file. See README § "Dataset manifest" for a full example.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { DataError, fail, type Problem } from './report.ts';

const vintage = z.string().regex(/^(RegSO|DeSO) \d{4}$/, 'a boundary vintage such as "RegSO 2020"');
const year = z.int().min(1990).max(2100);
const crs = z.string().min(1);
const metricId = z.string().regex(/^[a-z][a-z0-9_]*$/, 'a metric id of lower-case letters, digits and _');
const bilingual = z.object({ sv: z.string().min(1), en: z.string().min(1) });

/** SCB's field names are the defaults: a GeoPackage downloaded from SCB needs no mapping. */
export const DEFAULT_AREA_FIELDS = {
  regsokod: 'regsokod',
  regsonamn: 'regsonamn',
  kommunkod: 'kommunkod',
  kommunnamn: 'kommunnamn',
  lanskod: 'lanskod',
} as const;

const areaFile = z.object({
  file: z.string(),
  layer: z.string().optional(),
  /** Only needed when the file does not say (GeoJSON without a crs member is read as CRS84 unless this says otherwise). */
  crs: crs.optional(),
  vintage,
  geomSource: z.enum(['scb', 'derived']).describe('scb: SCB boundaries as published; derived: computed from SCB data'),
  fields: z
    .object({ regsokod: z.string(), regsonamn: z.string(), kommunkod: z.string(), kommunnamn: z.string(), lanskod: z.string() })
    .partial()
    .optional(),
});

/** Areas the key lists but no file covers, drawn by splitting their kommun polygon (bundled dataset only). */
const areaSynthetic = z.object({
  synthetic: z.literal('split-kommuner'),
  kommunLayer: z.string(),
  vintage,
});

const regsoKey = z.object({
  file: z.string(),
  vintage,
  columns: z.object({
    desokod: z.string(),
    regsokod: z.string(),
    regsonamn: z.string(),
    kommunkod: z.string(),
    kommunnamn: z.string(),
  }),
});

const areaTypeCsv = z.object({
  file: z.string(),
  format: z.literal('csv'),
  vintage,
  codeColumn: z.string(),
  /** Year → column holding områdestyp 1–5 for that year. */
  years: z.record(z.string().regex(/^\d{4}$/), z.string()),
});

/** SCB's Statistikdatabasen export as it comes: "Kommunnamn (RegSO-namn)" labels, one year column, footnotes. */
const areaTypeScb = z.object({
  file: z.string(),
  format: z.literal('scb-export'),
  vintage,
  year,
});

const metricTable = z.object({
  file: z.string(),
  key: z.enum(['regso', 'deso']),
  vintage,
  codeColumn: z.string(),
  yearColumn: z.string(),
  monthColumn: z.string().optional(),
  /** Metric id → column. */
  columns: z.record(metricId, z.string()),
});

const metricSynthetic = z.object({
  synthetic: z.literal('population'),
  metric: metricId,
  years: z.array(year).min(1),
});

const categories = {
  /** Category value in the source → metric id. Values not listed go to `otherMetric`, or are reported. */
  categories: z.record(z.string(), metricId),
  otherMetric: metricId.optional(),
  /** A metric counting every incident, whatever its category. */
  totalMetric: metricId.optional(),
};

const incidentCsv = z.object({
  file: z.string(),
  format: z.literal('csv'),
  crs: z.enum(['EPSG:3006', 'EPSG:4326']),
  columns: z.object({ x: z.string(), y: z.string(), date: z.string(), category: z.string() }),
  ...categories,
});

const incidentGeojson = z.object({
  file: z.string(),
  format: z.literal('geojson'),
  crs: crs.optional(),
  properties: z.object({ date: z.string(), category: z.string() }),
  ...categories,
});

/** Polisen's public events API (`/api/events`): located by kommun or län name only, so counted per kommun. */
const incidentPolisenEvents = z.object({
  file: z.string(),
  format: z.literal('polisen-events'),
  ...categories,
});

const incidentSynthetic = z.object({
  synthetic: z.literal('incidents'),
  years: z.array(year).min(1),
  ...categories,
});

const metricDefinition = z.object({
  label: bilingual,
  unit: bilingual,
  definition: bilingual,
  source: z.string().min(1),
  synthetic: z.boolean(),
  access: z.enum(['public', 'restricted']).default('public'),
  /**
   * Counts below minCount are suppressed for users without clearance; optional rounding to a base. Without a
   * minCount the build applies the server's configured default (5 unless configured).
   */
  disclosure: z.object({ minCount: z.int().min(0).optional(), roundTo: z.int().min(1).optional() }).default({}),
  /** regso: one value per RegSO; kommun: one per kommun. */
  level: z.enum(['regso', 'kommun']).default('regso'),
  /** count: events, with a rate per 1,000 inhabitants; population: the denominator itself. */
  kind: z.enum(['count', 'population']).default('count'),
});

/** The licence data is published under: its name and a link to its text (OGC API `license` links). */
const license = z.object({ name: z.string().min(1), url: z.url() });

const layer = z.object({
  id: z.string().regex(/^[a-z][a-z0-9-]*$/),
  file: z.string(),
  layer: z.string().optional(),
  crs: crs.optional(),
  title: bilingual,
  attribution: z.string().min(1),
  license: license.optional(),
  /** Restricted layers exist only for analysts and admins, in every output (tiles, styles, collections, …). */
  access: z.enum(['public', 'restricted']).default('public'),
  /** Property holding a unique id per feature. */
  idField: z.string(),
  /** Property holding a human-readable name. */
  nameField: z.string(),
  /** Name of the layer in vector tiles (default: the id with - as _). */
  tileLayer: z.string().regex(/^[a-z][a-z0-9_]*$/).optional(),
  /** Published name → source property; default: every property as it is. */
  properties: z.record(z.string(), z.string()).optional(),
});

export const manifestSchema = z.object({
  name: z.string().regex(/^[a-z][a-z0-9-]*$/),
  title: bilingual,
  attribution: z.string().min(1),
  license: license.optional(),
  synthetic: z.object({ seed: z.int() }).optional(),
  regsoKey: regsoKey.optional(),
  areas: z.array(z.union([areaFile, areaSynthetic])).min(1),
  areaTypes: z.array(z.discriminatedUnion('format', [areaTypeCsv, areaTypeScb])).min(1),
  metrics: z.array(z.union([metricTable, metricSynthetic])).default([]),
  incidents: z
    .array(z.union([incidentCsv, incidentGeojson, incidentPolisenEvents, incidentSynthetic]))
    .default([]),
  catalog: z.record(metricId, metricDefinition),
  layers: z.array(layer).default([]),
  /** Which layer holds kommun polygons, and its code and name fields (for kommun-level metrics). */
  kommunLayer: z.object({ layer: z.string(), codeField: z.string(), nameField: z.string() }).optional(),
  /**
   * Boundaries of another vintage explicitly accepted for statistics of a vintage, e.g. RegSO 2025 polygons
   * for RegSO 2020 statistics where SCB kept the codes. Each use is reported in the build manifest.
   */
  vintageSubstitutes: z
    .array(z.object({ statistics: vintage, boundaries: vintage, reason: z.string().min(1) }))
    .default([]),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type AreaFileSource = z.infer<typeof areaFile>;
export type AreaSyntheticSource = z.infer<typeof areaSynthetic>;
export type RegsoKeySource = z.infer<typeof regsoKey>;
export type AreaTypeSource = Manifest['areaTypes'][number];
export type MetricSource = Manifest['metrics'][number];
export type MetricTableSource = z.infer<typeof metricTable>;
export type IncidentSource = Manifest['incidents'][number];
export type MetricDefinition = z.infer<typeof metricDefinition>;
export type LayerSource = z.infer<typeof layer>;
export type License = z.infer<typeof license>;

export interface LoadedManifest {
  /** Absolute path of the manifest file. */
  file: string;
  manifest: Manifest;
  /** Resolves a path written in the manifest, relative to the working directory (so messages stay short). */
  resolve(relative: string): string;
}

export async function loadManifest(file: string): Promise<LoadedManifest> {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (err) {
    fail({ file }, `cannot read the manifest: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    fail({ file }, `the manifest is not valid JSON: ${(err as Error).message}`);
  }
  return { file: absolute, manifest: parseManifest(json, file), resolve: (p) => path.relative(process.cwd(), path.resolve(path.dirname(absolute), p)) || '.' };
}

/** Absolute paths of every source file the manifest names (synthetic parts have none), in manifest order. */
export function sourceFiles(loaded: LoadedManifest): string[] {
  const m = loaded.manifest;
  const entries: object[] = [...(m.regsoKey ? [m.regsoKey] : []), ...m.areas, ...m.areaTypes, ...m.metrics, ...m.incidents, ...m.layers];
  const files = entries.flatMap((e) => ('file' in e && typeof e.file === 'string' ? [e.file] : []));
  return [...new Set(files.map((f) => path.resolve(path.dirname(loaded.file), f)))];
}

export function parseManifest(json: unknown, file: string): Manifest {
  const result = manifestSchema.safeParse(json);
  if (!result.success) {
    const problems: Problem[] = result.error.issues.map((issue) => ({
      file,
      field: issue.path.join('.') || '(root)',
      severity: 'error',
      message: issue.message,
    }));
    throw new DataError(problems);
  }
  checkReferences(result.data, file);
  return result.data;
}

/** Cross-references zod cannot see: every metric an input names must be in the catalogue, layers must exist. */
function checkReferences(m: Manifest, file: string): void {
  const problems: Problem[] = [];
  const metricRefs: [string, string][] = [];
  m.metrics.forEach((s, i) => {
    if ('synthetic' in s) metricRefs.push([`metrics.${i}.metric`, s.metric]);
    else for (const id of Object.keys(s.columns)) metricRefs.push([`metrics.${i}.columns.${id}`, id]);
  });
  m.incidents.forEach((s, i) => {
    for (const [value, id] of Object.entries(s.categories)) metricRefs.push([`incidents.${i}.categories.${value}`, id]);
    if (s.otherMetric) metricRefs.push([`incidents.${i}.otherMetric`, s.otherMetric]);
    if (s.totalMetric) metricRefs.push([`incidents.${i}.totalMetric`, s.totalMetric]);
  });
  for (const [field, id] of metricRefs) {
    if (!(id in m.catalog)) {
      problems.push({ file, field, severity: 'error', message: `metric "${id}" is not in the catalog` });
    }
  }
  const layerIds = new Set(m.layers.map((l) => l.id));
  const layerRefs: [string, string][] = [];
  if (m.kommunLayer) layerRefs.push(['kommunLayer.layer', m.kommunLayer.layer]);
  m.areas.forEach((a, i) => 'synthetic' in a && layerRefs.push([`areas.${i}.kommunLayer`, a.kommunLayer]));
  for (const [field, id] of layerRefs) {
    if (!layerIds.has(id)) problems.push({ file, field, severity: 'error', message: `no layer with id "${id}"` });
  }
  const needsSeed = [...m.areas, ...m.metrics, ...m.incidents].some((s) => 'synthetic' in s);
  if (needsSeed && !m.synthetic) {
    problems.push({ file, field: 'synthetic.seed', severity: 'error', message: 'synthetic sources need a seed' });
  }
  m.incidents.forEach((s, i) => {
    if ('format' in s && s.format === 'polisen-events' && !m.kommunLayer) {
      problems.push({ file, field: `incidents.${i}`, severity: 'error', message: 'polisen-events need a kommunLayer' });
    }
  });
  if (problems.length > 0) throw new DataError(problems);
}
