/**
 * The request mix of the load tests, from what the server lists: tiles (around the cities and anywhere, z0–14),
 * features (single areas, bbox pages, CQL2 filters, the extra layers), statistics (/stats by every grouping, rankings) and
 * metadata (TileJSON, styles, OGC documents, /dataset). Seeded.
 */
import { pointToTile } from '@mapbox/tilebelt';
import { GROUP_BY } from '../../data/stats/query.ts';
import type { Rng } from '../../data/synthetic/random.ts';
import { WEB_MERCATOR_QUAD } from '../../tiles/grid.ts';
import type { LoadRequest } from '../helpers/load.ts';

export interface Catalogue {
  tilesets: string[];
  styles: string[];
  collections: string[];
  codes: string[];
  /** The metrics /stats takes, and their years. */
  statsMetrics: { id: string; years: number[] }[];
}

async function json<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return (await res.json()) as T;
}

export async function discover(url: string): Promise<Catalogue> {
  // The XYZ tilesets (Web Mercator); the list also names the OGC tilesets of other grids.
  const tiles = await json<{ tilesets: { id: string; tileMatrixSetId: string }[] }>(`${url}/tiles`);
  const styles = await json<{ styles: { id: string }[] }>(`${url}/styles`);
  const collections = await json<{ collections: { id: string }[] }>(`${url}/collections`);
  const areas = await json<{ features: { id: string }[] }>(`${url}/collections/regso/items?limit=10000&properties=kommunkod`);
  const catalog = await json<{ metrics: { id: string; years: number[]; stats: boolean }[] }>(`${url}/catalog`);
  return {
    tilesets: tiles.tilesets.filter((t) => t.tileMatrixSetId === WEB_MERCATOR_QUAD.id).map((t) => t.id),
    styles: styles.styles.map((s) => s.id),
    collections: collections.collections.map((c) => c.id),
    codes: areas.features.map((f) => f.id),
    statsMetrics: catalog.metrics.filter((m) => m.stats).map(({ id, years }) => ({ id, years })),
  };
}

/** Where people look: Stockholm, Göteborg, Malmö, Uppsala, Umeå, Luleå (lon, lat). */
const CITIES: [number, number][] = [[18.07, 59.33], [11.97, 57.71], [13.0, 55.6], [17.64, 59.86], [20.26, 63.83], [22.15, 65.58]];
const SWEDEN = [11.0, 55.3, 24.2, 69.1];

const GZIP = { 'Accept-Encoding': 'gzip' };

export function requestMix(c: Catalogue, rng: Rng): () => LoadRequest {
  const pick = <T>(items: readonly T[]): T => items[rng.int(items.length)];
  const near = (): [number, number] => {
    if (rng.next() < 0.2) return [rng.uniform(SWEDEN[0], SWEDEN[2]), rng.uniform(SWEDEN[1], SWEDEN[3])];
    const [lon, lat] = pick(CITIES);
    return [lon + rng.uniform(-0.3, 0.3), lat + rng.uniform(-0.15, 0.15)];
  };
  const tile = (): LoadRequest => {
    const z = Math.min(14, Math.floor(rng.uniform(0, 15)));
    const [x, y] = pointToTile(...near(), z);
    return { category: 'tile', path: `/tiles/${pick(c.tilesets)}/${z}/${x}/${y}.mvt`, headers: GZIP };
  };
  const features = (): LoadRequest => {
    const [lon, lat] = near();
    const other = c.collections.filter((id) => id !== 'regso');
    const path = pick([
      () => `/collections/regso/items/${pick(c.codes)}`,
      () => `/collections/regso/items?limit=50&bbox=${(lon - 0.05).toFixed(3)},${(lat - 0.03).toFixed(3)},${(lon + 0.05).toFixed(3)},${(lat + 0.03).toFixed(3)}`,
      () => `/collections/regso/items?limit=20&datetime=${pick(['2022', '2023'])}&filter=${encodeURIComponent(`omradestyp = ${1 + rng.int(5)} AND befolkning > ${rng.int(3000)}`)}`,
      () => `/collections/regso/items?limit=10&offset=${rng.int(3300)}&f=${pick(['json', 'csv', 'fgb'])}`,
      () => `/collections/${pick(other)}/items?limit=10&offset=${rng.int(50)}`,
    ])();
    return { category: 'features', path, headers: GZIP };
  };
  const metadata = (): LoadRequest => ({
    category: 'metadata',
    path: pick([
      ...c.tilesets.map((t) => `/tiles/${t}.json`),
      `/styles/${pick(c.styles)}.json`,
      '/tiles',
      '/styles',
      '/',
      '/conformance',
      '/collections',
      '/collections/regso',
      '/collections/regso/queryables',
      '/api',
      '/dataset',
      '/ready',
      '/health',
    ]),
  });
  const stats = (): LoadRequest => {
    const metric = pick(c.statsMetrics);
    const kommun = pick(c.codes).slice(0, 4);
    const path = pick([
      () => `/stats?metric=${metric.id}&year=${pick(metric.years)}`,
      () => `/stats?metric=${metric.id}&groupBy=${pick(GROUP_BY)}`,
      () => `/stats?metric=${metric.id}&kommun=${kommun}&f=${pick(['json', 'csv'])}`,
      () => `/stats/areas?metric=${metric.id}&kommun=${kommun}&limit=10`,
      () => '/catalog',
    ])();
    return { category: 'statistics', path, headers: GZIP };
  };
  return () => {
    const r = rng.next();
    if (r < 0.55) return tile();
    if (r < 0.75) return features();
    if (r < 0.82) return stats();
    return metadata();
  };
}

/**
 * The data version a response's body names, where it names one: TileJSON and the tileset list (`?v=`), the OpenAPI
 * document (`info.version`), /ready and /dataset. Undefined for the rest.
 */
export function versionInBody(path: string, body: Buffer): string | undefined {
  const v = (template: string) => new URL(template.replace(/[{}]/g, '')).searchParams.get('v') ?? undefined;
  if (/^\/tiles\/[^/]+\.json$/.test(path)) return v(JSON.parse(String(body)).tiles[0]);
  if (path === '/tiles') return v(JSON.parse(String(body)).tilesets[0].links.find((l: { rel: string }) => l.rel === 'item').href);
  if (path === '/api') return JSON.parse(String(body)).info.version;
  if (path === '/ready') return JSON.parse(String(body)).version;
  if (path === '/dataset') return JSON.parse(String(body)).id;
  return undefined;
}
