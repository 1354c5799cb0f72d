/**
 * npm start: serve the current build, building the bundled dataset first if there is none; then precompute the
 * hot zooms in the background. Configuration: see server/config.ts (PORT, PUBLIC_URL, TILE_CACHE_MB, …).
 */
import http from 'node:http';
import pino from 'pino';
import { buildAndStore } from '../data/build/build.ts';
import { currentBuildId, readBuild } from '../data/build/store.ts';
import { DataError, formatProblem } from '../data/report.ts';
import { TileCache } from '../tiles/cache.ts';
import { createHandler } from './app.ts';
import { loadConfig } from './config.ts';
import { DatasetStore } from './dataset-store.ts';
import { answerClientError } from './errors.ts';
import { Reloader } from './reload.ts';

const config = loadConfig();
const log = pino({ level: config.LOG_LEVEL });

async function loadOrBuild(): Promise<string> {
  const id = await currentBuildId(config.BUILD_DIR);
  if (id !== null) return id;
  log.info({ manifest: config.MANIFEST, buildDir: config.BUILD_DIR }, 'no build yet: building the dataset');
  try {
    return (await buildAndStore(config.MANIFEST, config.BUILD_DIR, (step) => log.info({ step }, 'build'))).id;
  } catch (err) {
    if (err instanceof DataError) log.fatal({ problems: err.problems.map(formatProblem) }, 'the dataset does not build');
    throw err;
  }
}

const dataset = await readBuild(config.BUILD_DIR, await loadOrBuild());
const store = new DatasetStore(dataset, new TileCache(config.TILE_CACHE_MB * 1024 * 1024));
log.info({ id: dataset.id, areas: dataset.areas.length, years: dataset.years }, 'dataset loaded');

const reloader = new Reloader(store, { manifest: config.MANIFEST, buildRoot: config.BUILD_DIR, precompute: config.PRECOMPUTE_ZOOMS, log });
process.on('SIGHUP', () => void reloader.reload('SIGHUP'));
if (config.WATCH_SOURCES) await reloader.watchSources();

const handler = createHandler(store, { publicUrl: config.PUBLIC_URL, trustProxy: config.TRUST_PROXY, reloader }, (err) => log.error({ err }, 'request failed'));
const server = http.createServer(handler).on('clientError', answerClientError);
// Keep-alive longer than load balancers' idle timeouts (60 s on most), and longer than the event loop can stall while
// a reload indexes the new version's geometry (seconds): a keep-alive timer that fires while a client's next request
// waits unread resets that connection.
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;
server.listen(config.PORT, config.HOST, () => log.info({ url: `http://localhost:${config.PORT}/` }, 'serving'));

if (config.PRECOMPUTE_ZOOMS !== 'off') {
  const [minzoom, maxzoom] = config.PRECOMPUTE_ZOOMS;
  let lastLog = 0;
  store.current.tiles
    .precompute(minzoom, maxzoom, (p) => {
      if (p.seconds - lastLog >= 5) {
        lastLog = p.seconds;
        log.info({ done: p.done, total: p.total, seconds: Math.round(p.seconds) }, 'precomputing tiles');
      }
    })
    .then((p) => log.info({ ...p, cache: store.cache.stats() }, 'precompute finished'));
}
