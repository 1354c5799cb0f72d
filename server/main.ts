/**
 * npm start: serve the current build, building the bundled dataset first if there is none.
 * Environment: PORT (8080), HOST (0.0.0.0), MANIFEST (the bundled dataset), BUILD_DIR (./build), LOG_LEVEL (info).
 */
import pino from 'pino';
import { buildAndStore, DEFAULT_BUILD_ROOT, DEFAULT_MANIFEST } from '../data/build/build.ts';
import { currentBuildId, readBuild } from '../data/build/store.ts';
import { createApp } from './app.ts';
import { DatasetStore } from './dataset-store.ts';

const log = pino({ level: process.env.LOG_LEVEL ?? 'info' });
const port = Number(process.env.PORT ?? 8080);
const host = process.env.HOST ?? '0.0.0.0';
const buildRoot = process.env.BUILD_DIR ?? DEFAULT_BUILD_ROOT;
const manifest = process.env.MANIFEST ?? DEFAULT_MANIFEST;

let id = await currentBuildId(buildRoot);
if (id === null) {
  log.info({ manifest, buildRoot }, 'no build yet: building the dataset');
  id = (await buildAndStore(manifest, buildRoot, (step) => log.info({ step }, 'build'))).id;
}
const dataset = await readBuild(buildRoot, id);
log.info({ id, areas: dataset.areas.length, years: dataset.years }, 'dataset loaded');

const app = createApp(new DatasetStore(dataset));
app.on('error', (err) => log.error({ err }, 'request failed'));
app.listen(port, host, () => log.info({ url: `http://localhost:${port}/` }, 'serving'));
