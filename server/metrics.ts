/**
 * Prometheus metrics (prom-client), one registry per app so that several apps in one process (tests) never share
 * or collide. Requests are counted once, by the front door when a response finishes, so the tile fast path and
 * Koa are both covered. Figures that live elsewhere — the tile cache, the data version, precompute progress — are
 * read when scraped (collect), never mirrored; tile generation time comes from the store's tile hook.
 *
 * Label values are bounded: the route template (never the raw URL), the method, the status, the client family.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CacheStats } from '../tiles/cache.ts';
import type { PrecomputeProgress } from '../tiles/service.ts';
import type { ClientFamily } from './client-family.ts';
import type { DatasetStore } from './dataset-store.ts';

const PREFIX = 'regso_tiles_';

/** The route label of a request that matched no route (unknown paths, and requests refused at the front door). */
export const UNMATCHED_ROUTE = 'unmatched';

/** Seconds, from a cached tile (about 0.1 ms) to a slow uncached low-zoom tile or a large feature export (10 s). */
const LATENCY_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const PRECOMPUTE_STATES: readonly PrecomputeProgress['state'][] = ['idle', 'running', 'done', 'stopped'];

export interface FinishedRequest {
  /** The route template, or null if none matched. */
  route: string | null;
  method: string;
  status: number;
  client: ClientFamily;
  seconds: number;
}

export class ServerMetrics {
  readonly #registry = new Registry();
  readonly #requests: Counter<'route' | 'method' | 'status' | 'client'>;
  readonly #latency: Histogram<'route'>;

  constructor(store: DatasetStore) {
    const registers = [this.#registry];
    // Unprefixed, under the names the usual Node.js dashboards read (process_cpu_seconds_total, nodejs_heap_size_used_bytes).
    collectDefaultMetrics({ register: this.#registry });
    this.#requests = new Counter({
      name: `${PREFIX}http_requests_total`,
      help: 'HTTP requests answered, by route template, method, status and client family (from the User-Agent)',
      labelNames: ['route', 'method', 'status', 'client'],
      registers,
    });
    this.#latency = new Histogram({
      name: `${PREFIX}http_request_duration_seconds`,
      help: 'Time from receiving a request to the end of its response, by route template',
      labelNames: ['route'],
      buckets: LATENCY_BUCKETS,
      registers,
    });

    const generation = new Histogram({
      name: `${PREFIX}tile_generation_seconds`,
      help: 'Time to make and compress a tile not found in the cache (requests and precompute), by tile grid and zoom level',
      labelNames: ['grid', 'zoom'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    store.onTileMade(({ grid, z, seconds }) => generation.observe({ grid: grid.id, zoom: String(z) }, seconds));

    // The cache's own counters are the source; a scrape copies them (reset + inc keeps them counters).
    const cacheCounter = (name: string, help: string, read: (s: CacheStats) => number) =>
      new Counter({
        name: `${PREFIX}tile_cache_${name}_total`,
        help,
        registers,
        collect() {
          this.reset();
          this.inc(read(store.cache.stats()));
        },
      });
    cacheCounter('hits', 'Tile requests found in the cache', (s) => s.hits);
    cacheCounter('misses', 'Tile requests not found in the cache (made, or outside the matrix); precompute is not counted', (s) => s.misses);
    cacheCounter('evictions', 'Tiles evicted from the cache to stay within its size', (s) => s.evictions);
    const cacheGauge = (name: string, help: string, read: (s: CacheStats) => number) =>
      new Gauge({
        name: `${PREFIX}tile_cache_${name}`,
        help,
        registers,
        collect() {
          this.set(read(store.cache.stats()));
        },
      });
    cacheGauge('bytes', 'Bytes held by the tile cache (compressed tiles and bookkeeping)', (s) => s.bytes);
    cacheGauge('max_bytes', 'The tile cache size limit in bytes', (s) => s.maxBytes);
    cacheGauge('entries', 'Tiles held by the tile cache', (s) => s.entries);

    new Gauge({
      name: `${PREFIX}data_info`,
      help: 'The data version served (the build id), always 1',
      labelNames: ['version'],
      registers,
      collect() {
        this.reset();
        this.set({ version: store.current.dataset.id }, 1);
      },
    });
    new Gauge({
      name: `${PREFIX}data_generation`,
      help: 'Versions served since start-up: 1 for the first, increased by every data swap',
      registers,
      collect() {
        this.set(store.current.generation);
      },
    });

    new Gauge({
      name: `${PREFIX}precompute_ratio`,
      help: 'Share of the current version’s precompute done (0 before it starts or when it is off)',
      registers,
      collect() {
        const p = store.current.tiles.precomputeProgress();
        this.set(p.total > 0 ? p.done / p.total : 0);
      },
    });
    new Gauge({
      name: `${PREFIX}precompute_state`,
      help: 'The current version’s precompute state: 1 for the state it is in (stopped: superseded or shut down)',
      labelNames: ['state'],
      registers,
      collect() {
        const { state } = store.current.tiles.precomputeProgress();
        for (const s of PRECOMPUTE_STATES) this.set({ state: s }, s === state ? 1 : 0);
      },
    });
  }

  /** Counts a finished request (the front door calls this for the fast path and Koa alike). */
  request({ route, method, status, client, seconds }: FinishedRequest): void {
    const template = route ?? UNMATCHED_ROUTE;
    this.#requests.inc({ route: template, method, status: String(status), client });
    this.#latency.observe({ route: template }, seconds);
  }

  /** The exposition text and its content type (text/plain; version=0.0.4). */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.#registry.contentType, body: await this.#registry.metrics() };
  }
}
