/**
 * npm start: serve the current build, building the dataset first if there is none; then precompute the hot zooms in
 * the background. Configuration: a JSON file (CONFIG, default ./regso-tiles.json) and the environment, see
 * server/config.ts. SIGTERM/SIGINT stop gracefully (in-flight requests finish) and exit 0.
 */
import { setFlagsFromString } from 'node:v8';
import pino from 'pino';
import { buildAndStore } from '../data/build/build.ts';
import { currentBuildId, readBuild } from '../data/build/store.ts';
import { DataError, formatProblem } from '../data/report.ts';
import { TileCache } from '../tiles/cache.ts';
import { prepareBandsInWorker } from '../tiles/prepared.ts';
import { createHandler } from './app.ts';
import { auditFile, auditToLog } from './audit.ts';
import { loadConfigOrExit } from './config.ts';
import { DatasetStore } from './dataset-store.ts';
import { createServer, listen, stopServer } from './lifecycle.ts';
import { Reloader } from './reload.ts';

/**
 * V8 lets the old generation grow to up to 4 times what survived the last full GC before collecting again (with
 * Node's default heap limit of several GB). Precompute keeps each zoom band's geojson-vt indexes until the band is
 * done and then drops them, so garbage comes in large batches: the live heap stays near 110 MB, yet RSS reached
 * 575–712 MB (bench/RESULTS.md). At most 1.5 times is a few more full GCs during precompute and ~420 MB peak. Set
 * here, not as a command-line flag, so that npm start, the Docker image and the tests' server processes all have it
 * (Node accepts no such flag in NODE_OPTIONS); it is read at every GC, so setting it before the data load suffices.
 */
setFlagsFromString('--heap-growing-percent=50');

const config = loadConfigOrExit();
const log = pino({ level: config.logLevel });

async function loadOrBuild(): Promise<string> {
  const id = await currentBuildId(config.buildDir);
  if (id !== null) return id;
  log.info({ manifest: config.manifest, buildDir: config.buildDir }, 'no build yet: building the dataset');
  try {
    return (await buildAndStore(config.manifest, config.buildDir, (step) => log.info({ step }, 'build'), { defaultMinCount: config.disclosure.minCount })).id;
  } catch (err) {
    if (err instanceof DataError) log.fatal({ problems: err.problems.map(formatProblem) }, 'the dataset does not build');
    throw err;
  }
}

const buildId = await loadOrBuild();
// The tile geometry is generalised in a worker while this thread reads the build (tiles/prepared.ts).
const [dataset, bands] = await Promise.all([readBuild(config.buildDir, buildId), prepareBandsInWorker(config.buildDir, buildId)]);
const store = new DatasetStore(dataset, new TileCache(config.cacheMb * 1024 * 1024), bands);
log.info({ id: dataset.id, areas: dataset.areas.length, years: dataset.years }, 'dataset loaded');

const reloader = new Reloader(store, {
  manifest: config.manifest,
  buildRoot: config.buildDir,
  precompute: config.precomputeZooms,
  buildOptions: { defaultMinCount: config.disclosure.minCount },
  log,
});
process.on('SIGHUP', () => void reloader.reload('SIGHUP'));
if (config.watchSources) await reloader.watchSources();

const audit = config.auditLog ? auditFile(config.auditLog) : auditToLog(log);
const handler = createHandler(store, {
  reloader,
  publicUrl: config.publicUrl,
  trustedProxies: config.trustedProxies,
  keys: config.keys,
  corsOrigins: config.cors.origins,
  rateLimit: config.rateLimit,
  maxUrlLength: config.limits.maxUrlLength,
  metricsRole: config.metrics.requireRole,
  audit,
  log,
});
const server = createServer(handler, config);
const address = await listen(server, config);
log.info({ url: `http://localhost:${address.port}/`, keys: config.keys.length, auditLog: config.auditLog }, 'serving');

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'shutting down: finishing in-flight requests');
  store.current.tiles.stop();
  await stopServer(server, config.shutdownTimeoutMs, log);
  await audit.flush();
  log.info('stopped');
  log.flush();
  process.exit(0);
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));

if (config.precomputeZooms !== 'off') {
  const [minzoom, maxzoom] = config.precomputeZooms;
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
