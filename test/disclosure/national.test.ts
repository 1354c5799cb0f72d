/**
 * The national no-leak proof (issue 7, disclosure control) over the bundled national build (SYNTHETIC counts): what
 * the public reads is held to what the disclosure rules allow, worked out from the raw tables independently of
 * data/disclosure.ts by test/helpers/leak-check.ts (no restricted metric, no count of 1 … minCount − 1, every figure
 * the raw one, no published total over exactly one suppressed area).
 *
 * - Tiles: every public tile z0–12 of every year's tileset (Web Mercator) is checked by test/clients/tile-sweep.test.ts,
 *   and SWEREF 99 TM levels 0–10 by test/tiles/grid3006.test.ts: those sweeps already make and decode every tile
 *   (≈ 70,000 a year), and run the check on the same decoded tiles rather than making them twice.
 * - Features (here): every `regso` item of each year and every kommun over HTTP; no restricted metric's name in any
 *   metadata document (/api, /collections/*, queryables, /catalog, /dataset, TileJSON, styles) nor in the CSV and
 *   FlatGeobuf headers.
 * - Statistics (here): /catalog, and /stats of every public count metric and year by områdestyp, kommun, län and
 *   police region: no small cell, every cell its areas' raw sum, no cell over exactly one suppressed area (as the
 *   features show them), no table with a published total next to exactly one suppressed group. The national public
 *   metrics have few small counts, so features and /stats are also checked with `skjutning` opened to the public
 *   (in-process, through the features and statistics cores), where the rules meet many. test/stats/disclosure.test.ts
 *   goes further: it solves hundreds of responses (and the tiles' block totals) as linear equations, as an attacker
 *   would.
 * - Totals (here): a public total counts no restricted metric (the manifest's incident categories): total minus its
 *   public categories is zero in every area, where the restricted category is not.
 * - Contrast (here): the same checks on analyst output (an API key) find the restricted metric and the small counts
 *   in tiles, features, documents and /stats — they do check something.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Area } from '../../data/areas.ts';
import { DEFAULT_MANIFEST } from '../../data/build/build.ts';
import type { CatalogEntry, Dataset } from '../../data/dataset.ts';
import { collectionsOf, type CollectionModel } from '../../data/features/collections.ts';
import { AREAS_COLLECTION, LIMIT } from '../../data/features/constants.ts';
import type { IncidentSource } from '../../data/manifest.ts';
import { POLICE_REGIONS } from '../../data/police-regions.ts';
import { parseStatsQuery } from '../../data/stats/query.ts';
import { statsResponse, type StatsResponse } from '../../data/stats/table.ts';
import { sha256Hex } from '../../server/auth.ts';
import { DISSOLVE_BELOW_ZOOM } from '../../tiles/attributes.ts';
import { TileMaker } from '../../tiles/tilesets.ts';
import { isSmall, LeakCheck, type LeakKind } from '../helpers/leak-check.ts';
import { startNationalServer, type NationalServer } from '../helpers/national.ts';
import { sweepZoom } from '../helpers/tile-sweep.ts';

const ANALYST_KEY = 'analyst-key-SYNTHETIC-0123456789';
type Reader = 'public' | 'analyst';
/** The groupings of /stats over areas (utsatt-område cells are weighted shares: the stats audit test covers them). */
const GROUP_BY = ['omradestyp', 'kommun', 'lan', 'polisregion'] as const;
/** What analyst output must show the public check, and all it may show: restricted metrics and small counts. */
const ANALYST_ONLY: LeakKind[] = ['restricted', 'small-count'];

let server: NationalServer;
let dataset: Dataset;
let restricted: CatalogEntry[];
let outputs: { public: Output; analyst: Output; opened: Output };
beforeAll(async () => {
  server = await startNationalServer({ keys: [{ id: 'analyst', role: 'analyst', sha256: sha256Hex(ANALYST_KEY) }] });
  dataset = server.dataset;
  restricted = dataset.catalog.filter((m) => m.access === 'restricted');
  expect(restricted.map((m) => m.id)).toContain('skjutning');
  outputs = { public: http('public'), analyst: http('analyst'), opened: opened() };
}, 300_000);
afterAll(() => server?.close());

async function get(path: string, as: Reader): Promise<Buffer> {
  const res = await fetch(`${server.url}${path}`, { headers: as === 'analyst' ? { 'X-API-Key': ANALYST_KEY } : {} });
  expect(res.status, `${as} ${path}`).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}
const getJson = async (path: string, as: Reader) => JSON.parse((await get(path, as)).toString('utf8'));

/** The restricted metrics a text names as a word (`skjutning`, `skjutning_per_1000`; not "skjutningar" in prose). */
function mentions(text: string): string[] {
  return restricted.filter((m) => new RegExp(`(?<![\\p{L}\\p{N}_])${m.id}(?![\\p{L}\\p{N}])`, 'u').test(text)).map((m) => m.id);
}

type Item = { id: string | number; properties: Record<string, unknown> };

interface FeaturePages {
  /** year → the `regso` items of that year (every area). */
  areas: Map<number, Item[]>;
  kommuner: Item[];
  /** The other collections' items, by collection. */
  others: Map<string, Item[]>;
}

type StatsTables = Pick<StatsResponse, 'rows' | 'totals' | 'national'>;

/** What one reader gets: the dataset it is served from, every feature, and /stats of the metrics it may ask for. */
interface Output {
  name: string;
  dataset: Dataset;
  /** The RegSO-level counts /stats answers for this reader. */
  counts: CatalogEntry[];
  pages(): Promise<FeaturePages>;
  stats(metrics: CatalogEntry[], groupBy: string): Promise<StatsTables>;
}

const regsoCounts = (d: Dataset, restrictedToo: boolean) => d.catalog.filter((m) => (restrictedToo || m.access !== 'restricted') && m.level === 'regso' && m.kind === 'count');
const once = <T>(f: () => Promise<T>) => {
  let p: Promise<T> | undefined;
  return () => (p ??= f());
};

/** The server's output over HTTP for the public or an analyst: every feature of every collection, read once. */
function http(as: Reader): Output {
  return {
    name: as,
    dataset,
    counts: regsoCounts(dataset, as === 'analyst'),
    pages: once(async () => {
      const areas = new Map<number, Item[]>();
      for (const year of dataset.years) {
        const page = await getJson(`/collections/${AREAS_COLLECTION}/items?datetime=${year}&limit=${LIMIT.maximum}`, as);
        expect(page.numberReturned, `every area of ${year} on one page`).toBe(dataset.areas.length);
        areas.set(year, page.features);
      }
      const others = new Map<string, Item[]>();
      for (const { id } of (await getJson('/collections', as)).collections) {
        if (id !== AREAS_COLLECTION) others.set(id, (await getJson(`/collections/${id}/items?limit=${LIMIT.maximum}`, as)).features);
      }
      return { areas, kommuner: others.get(dataset.kommunLayer!.layer)!, others };
    }),
    stats: (metrics, groupBy) => getJson(`/stats?metric=${metrics.map((m) => m.id).join(',')}&groupBy=${groupBy}`, as),
  };
}

/**
 * The public output of the build with `skjutning` opened to the public, from the features and statistics cores
 * in-process: the national public metrics have few small counts (no kommun total is small), so this is where the
 * /stats rules meet many (as in test/stats/disclosure.test.ts).
 */
function opened(): Output {
  const open: Dataset = { ...dataset, catalog: dataset.catalog.map((m) => (m.access === 'restricted' ? { ...m, access: 'public' as const } : m)) };
  const items = (collection: CollectionModel, year: number | null) => collection.features(year).map((f) => ({ id: f.id, properties: f.properties }));
  return {
    name: 'public, skjutning opened',
    dataset: open,
    counts: regsoCounts(open, false),
    pages: once(async () => {
      const [areas, ...layers] = collectionsOf(open, 'public');
      return {
        areas: new Map(open.years.map((year) => [year, items(areas, year)])),
        kommuner: items(layers.find((c) => c.id === open.kommunLayer!.layer)!, null),
        others: new Map(layers.map((c) => [c.id, items(c, null)])),
      };
    }),
    stats: async (metrics, groupBy) => statsResponse(open, parseStatsQuery(open, 'public', { metric: metrics.map((m) => m.id).join(','), groupBy }), 'public'),
  };
}

/** A leak check of a year, fed with every feature of an output. */
async function featureCheck(output: Output, year: number): Promise<LeakCheck> {
  const { areas, kommuner, others } = await output.pages();
  const check = new LeakCheck(output.dataset, year);
  const kommunLayer = output.dataset.kommunLayer!.layer;
  for (const f of areas.get(year)!) check.area(String(f.id), f.properties, `${output.name} ${AREAS_COLLECTION} ${year} ${f.id}`);
  for (const f of kommuner) check.kommun(String(f.id).padStart(4, '0'), f.properties, `${output.name} ${kommunLayer} ${f.id}`);
  for (const [collection, items] of others) if (collection !== kommunLayer) for (const f of items) check.names(f.properties, `${output.name} ${collection} ${f.id}`);
  check.finish();
  return check;
}

/** The kinds of leaks a check found. */
const kinds = (check: LeakCheck) => [...check.counts.keys()].sort();

const YEARS = [2022, 2023];
const PUBLIC_OUTPUTS = ['public', 'opened'] as const;

describe('OGC API – Features: every feature the public reads', () => {
  it.each(PUBLIC_OUTPUTS.flatMap((o) => YEARS.map((y) => [o, y] as const)))('%s %i: regso and kommuner — no restricted metric, no small count, every figure the raw one', async (name, year) => {
    expect(dataset.years).toEqual(YEARS);
    const check = await featureCheck(outputs[name], year);
    expect(check.found, check.report()).toBe(0);
  });

  // The check above passes on nulls: here the features are shown to hold figures, and suppressed ones for it to check.
  it.each([
    ['public', 'narkotikabrott', 10, 0.9],
    ['opened', 'skjutning', 100, 0.6],
  ] as const)('%s: %s — at least %i small counts null, the areas\' figures mostly shown (at least %d)', async (name, id, smallNulls, shownShare) => {
    const output = outputs[name];
    const { areas } = await output.pages();
    const metric = output.dataset.catalog.find((m) => m.id === id)!;
    for (const year of YEARS) {
      const raw = dataset.metrics.get(id)!.get(year)!;
      const nulls = areas.get(year)!.filter((f) => f.properties[id] === null);
      const small = nulls.filter((f) => isSmall(metric, raw.get(String(f.id))!));
      expect(small.length, `${year}: small counts suppressed`).toBeGreaterThan(smallNulls);
      expect(1 - nulls.length / dataset.areas.length, `${year}: share shown`).toBeGreaterThan(shownShare);
    }
  });
});

describe('metadata and other formats name no restricted metric', () => {
  interface Link {
    href: string;
    type?: string;
    templated?: boolean;
  }

  /**
   * Every metadata document a reader is pointed to: the roots, and every JSON link of our server in /collections
   * (collections, queryables, /dataset), /tiles (TileJSON, OGC tilesets, tile matrix sets, styles) and /styles.
   */
  async function documents(as: Reader): Promise<string[]> {
    const paths = new Set(['/api', '/catalog', '/dataset', '/collections', '/tiles', '/styles']);
    const follow = (links: Link[]) => {
      for (const l of links) if (!l.templated && /json/.test(l.type ?? '') && l.href.startsWith(server.url)) paths.add(l.href.slice(server.url.length));
    };
    const collections = await getJson('/collections', as);
    follow(collections.links);
    for (const c of collections.collections) follow(c.links);
    for (const t of (await getJson('/tiles', as)).tilesets) follow(t.links);
    for (const style of (await getJson('/styles', as)).styles) paths.add(new URL(style.href).pathname);
    return [...paths];
  }

  /** path → the restricted metrics it names, for the documents that name any. */
  async function named(as: Reader): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    for (const path of await documents(as)) {
      const found = mentions((await get(path, as)).toString('utf8'));
      if (found.length > 0) out.set(path, found);
    }
    return out;
  }

  it('not in /api, /collections/*, queryables, /catalog, /dataset, TileJSON or styles; analysts find them there', async () => {
    expect((await documents('public')).length).toBeGreaterThan(40);
    expect([...(await named('public'))]).toEqual([]);
    const analyst = await named('analyst');
    for (const path of ['/api', `/collections/${AREAS_COLLECTION}/queryables`, '/catalog', '/dataset', '/tiles/omradestyper.json']) expect(analyst.get(path), path).toContain('skjutning');
  });

  it('not in the CSV header or the FlatGeobuf header of a page of areas; analysts get them', async () => {
    const path = (f: string) => `/collections/${AREAS_COLLECTION}/items?datetime=${Math.max(...dataset.years)}&limit=10&f=${f}`;
    for (const as of ['public', 'analyst'] as const) {
      const header = (await get(path('csv'), as)).toString('utf8').split(/\r?\n/)[0];
      // FlatGeobuf's header holds the column names as UTF-8 strings: a byte search finds them.
      const fgb = (await get(path('fgb'), as)).toString('latin1');
      for (const text of [header, fgb]) {
        expect(text).toContain('narkotikabrott_per_1000');
        expect(mentions(text), as).toEqual(as === 'public' ? [] : ['skjutning']);
      }
    }
  });
});

describe('/catalog and /stats', () => {
  it('/catalog lists every public metric and no restricted one; /stats refuses a restricted metric', async () => {
    const ids = (await getJson('/catalog', 'public')).metrics.map((m: { id: string }) => m.id);
    expect(ids.sort()).toEqual(dataset.catalog.filter((m) => m.access !== 'restricted').map((m) => m.id).sort());
    const res = await fetch(`${server.url}/stats?metric=skjutning`);
    expect(res.status).toBe(400);
    expect((await getJson('/catalog', 'analyst')).metrics.map((m: { id: string }) => m.id)).toContain('skjutning');
  });

  /** The areas of a /stats group, worked out here from the grouping's meaning. */
  function members(groupBy: (typeof GROUP_BY)[number], group: string, year: number): string[] {
    if (group === 'total' || group === 'national') return dataset.areas.map((a) => a.regsokod);
    const types = dataset.areaTypes.get(year)!;
    const region = POLICE_REGIONS.find((r) => r.id === group);
    const inGroup: Record<typeof groupBy, (a: Area) => boolean> = {
      omradestyp: (a) => String(types.get(a.regsokod)) === group,
      kommun: (a) => a.kommunkod === group,
      lan: (a) => a.lanskod === group,
      polisregion: (a) => region !== undefined && region.lan.includes(a.lanskod),
    };
    return dataset.areas.filter(inGroup[groupBy]).map((a) => a.regsokod);
  }

  interface Row {
    metric: string;
    year: number;
    group: string;
    areas: number;
    count: number | null;
    rate: number | null;
  }

  /**
   * /stats of every count metric of an output, each year, by `groupBy`, through the leak check of each year (fed
   * first with the output's features: they tell which areas are suppressed). `inCells`: the leaks found in cells.
   */
  async function statsCheck(output: Output, groupBy: (typeof GROUP_BY)[number]): Promise<{ checks: LeakCheck[]; inCells: Map<LeakKind, number>; loneSuppressed: string[]; cells: number }> {
    const response = await output.stats(output.counts, groupBy);
    const rows: Row[] = [...response.rows, ...response.totals, ...response.national];
    const loneSuppressed: string[] = [];
    const checks: LeakCheck[] = [];
    const inCells = new Map<LeakKind, number>();
    for (const year of dataset.years) {
      const check = await featureCheck(output, year);
      const before = new Map(check.counts);
      for (const metric of output.counts) {
        const table = rows.filter((r) => r.metric === metric.id && r.year === year);
        expect(table.length, `${metric.id} ${year}`).toBeGreaterThan(2);
        for (const row of table) {
          const where = `${output.name} /stats ${groupBy} ${metric.id} ${year} ${row.group}`;
          const codes = members(groupBy, row.group, year);
          expect(row.areas, where).toBe(codes.length);
          if (row.count === null) expect(row.rate, where).toBeNull();
          check.total(codes, metric, row.count, where);
        }
        // A published total next to exactly one suppressed group would give that group away.
        const total = table.find((r) => r.group === 'total')!;
        const suppressed = table.filter((r) => r.group !== 'total' && r.group !== 'national' && r.count === null);
        if (total.count !== null && suppressed.length === 1) loneSuppressed.push(`${metric.id} ${year} ${groupBy}: ${suppressed[0].group}`);
      }
      for (const [kind, n] of check.counts) inCells.set(kind, (inCells.get(kind) ?? 0) + n - (before.get(kind) ?? 0));
      checks.push(check);
    }
    return { checks, inCells, loneSuppressed, cells: rows.length };
  }

  it.each(PUBLIC_OUTPUTS.flatMap((o) => GROUP_BY.map((g) => [o, g] as const)))(
    '%s /stats by %s: no small cell, every cell its areas\' raw sum, none over exactly one suppressed area, no lone suppressed group',
    async (name, groupBy) => {
      const { checks, inCells, loneSuppressed, cells } = await statsCheck(outputs[name], groupBy);
      console.log(`${name} /stats by ${groupBy}: ${cells} cells, ${[...inCells].map(([k, n]) => `${k} ${n}`).join(', ') || 'no leak'} in them; ${checks.map((c) => c.report()).join('; ')}`);
      expect(checks.filter((c) => c.found > 0).map((c) => c.report())).toEqual([]);
      expect(loneSuppressed).toEqual([]);
    },
  );

  it('analysts read small cells by kommun (of the restricted metric), and nothing else the check objects to', async () => {
    const { checks, inCells } = await statsCheck(outputs.analyst, 'kommun');
    expect([...inCells].filter(([, n]) => n > 0), checks.map((c) => c.report()).join('; ')).toEqual([['small-count', expect.any(Number)]]);
  });
});

describe('a public total counts no restricted metric', () => {
  /** The incident sources of the manifest, as written (categories → metric, otherMetric, totalMetric). */
  async function incidentSources(): Promise<IncidentSource[]> {
    return JSON.parse(await readFile(DEFAULT_MANIFEST, 'utf8')).incidents;
  }

  /** The metrics a source's events are counted in besides its total. */
  function categoriesOf(source: IncidentSource): CatalogEntry[] {
    const ids = new Set([...Object.values(source.categories), ...(source.otherMetric ? [source.otherMetric] : [])]);
    return dataset.catalog.filter((m) => ids.has(m.id));
  }

  it('in every area (and kommun) and year: total − its public categories = 0, where the restricted category is not', async () => {
    const byId = new Map(dataset.catalog.map((m) => [m.id, m]));
    let checkedTotals = 0;
    /** Cells where the restricted categories are not zero: where a total that counted them would differ. */
    let restrictedCells = 0;
    for (const source of await incidentSources()) {
      const total = source.totalMetric && byId.get(source.totalMetric);
      if (!total || total.access === 'restricted') continue;
      const parts = categoriesOf(source);
      const table = total.level === 'kommun' ? dataset.kommunMetrics : dataset.metrics;
      const mismatches: string[] = [];
      for (const year of total.years) {
        for (const [code, value] of table.get(total.id)!.get(year)!) {
          const part = (m: CatalogEntry) => table.get(m.id)?.get(year)?.get(code) ?? 0;
          const open = parts.filter((m) => m.access !== 'restricted').reduce((n, m) => n + part(m), 0);
          if (value !== open) mismatches.push(`${total.id} ${year} ${code}: ${value}, public categories ${open}`);
          if (parts.some((m) => m.access === 'restricted' && part(m) > 0)) restrictedCells++;
          checkedTotals++;
        }
      }
      expect(mismatches.slice(0, 10), `${mismatches.length} mismatches`).toEqual([]);
    }
    expect(checkedTotals).toBeGreaterThan(2 * dataset.areas.length);
    expect(restrictedCells).toBeGreaterThan(200);
  });

  it('as the public reads it: where a total and all its public categories are published, the total is their sum', async () => {
    const sources = await incidentSources();
    const { areas } = await outputs.public.pages();
    let compared = 0;
    for (const source of sources) {
      const total = dataset.catalog.find((m) => m.id === source.totalMetric && m.level === 'regso' && m.access !== 'restricted');
      if (!total) continue;
      const parts = categoriesOf(source).filter((m) => m.access !== 'restricted').map((m) => m.id);
      for (const year of dataset.years) {
        for (const f of areas.get(year)!) {
          const values = [total.id, ...parts].map((id) => f.properties[id]);
          if (values.some((v) => typeof v !== 'number')) continue;
          const [sum, ...rest] = values as number[];
          expect(sum, `${year} ${f.id}`).toBe(rest.reduce((a, b) => a + b, 0));
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(dataset.areas.length);
  });
});

describe('contrast: the same checks on analyst output find what the public must not see', () => {
  it.each([2022, 2023])('features of %i: the restricted metric and small counts, nothing else', async (year) => {
    const check = await featureCheck(outputs.analyst, year);
    expect(kinds(check), check.report()).toEqual(ANALYST_ONLY);
  });

  // The last zoom of blocks and the first of areas (each zoom band costs seconds to index; the full public sweep is elsewhere).
  it(`tiles z${DISSOLVE_BELOW_ZOOM - 1} (blocks) and z${DISSOLVE_BELOW_ZOOM} (areas): the restricted metric and small counts in both`, () => {
    const maker = new TileMaker(dataset);
    const tileset = [...maker.tilesets.values()].find((t) => t.alias)!;
    const [blocks, areas] = [new LeakCheck(dataset, tileset.year), new LeakCheck(dataset, tileset.year)];
    for (const [z, check] of [[DISSOLVE_BELOW_ZOOM - 1, blocks], [DISSOLVE_BELOW_ZOOM, areas]] as const) {
      for (const { where, checked } of sweepZoom(maker, tileset, z, { labels: z >= DISSOLVE_BELOW_ZOOM, role: 'analyst' })) {
        expect(checked.problems, where).toEqual([]);
        check.tile(checked, where);
      }
    }
    areas.finish();
    expect(kinds(blocks), blocks.report()).toEqual(ANALYST_ONLY);
    expect(kinds(areas), areas.report()).toEqual(ANALYST_ONLY);
  });
});
