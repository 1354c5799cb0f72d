/**
 * Hot reload over the mini dataset (SYNTHETIC TEST FIXTURE): rebuild in a worker, swap, queueing, refusal of bad
 * sources, the file watcher, cache purge, and one data version per response while versions swap.
 */
import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pointToTile } from '@mapbox/tilebelt';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildInWorker } from '../../data/build/build.ts';
import { readBuild } from '../../data/build/store.ts';
import { toWgs84 } from '../../data/crs.ts';
import type { Dataset } from '../../data/dataset.ts';
import { createHandler } from '../../server/app.ts';
import { sha256Hex } from '../../server/auth.ts';
import { Reloader } from '../../server/reload.ts';
import { TYPES_CSV } from '../helpers/mini-dataset.ts';
import { startMiniServer, type MiniServer } from '../helpers/mini-server.ts';
import { decodeTile, layerFeatures, uncompressed } from '../helpers/mvt.ts';
import { listen, rawGet } from '../helpers/raw-http.ts';

/** Version B differs from A in one figure: 0114R001's områdestyp 2022 (2 in A). */
const TYPES_B = TYPES_CSV.replace('0114R001,2', '0114R001,1');
const typeOf = (types: string) => Number(/0114R001,(\d)/.exec(types)![1]);

const ADMIN_KEY = 'admin-key-SYNTHETIC-reload-test';

let mini: MiniServer;
let reloader: Reloader;
let base: string;
let stop: () => Promise<void>;
let builds = 0;
let concurrent = 0;
let maxConcurrent = 0;

beforeAll(async () => {
  mini = await startMiniServer();
  reloader = new Reloader(mini.store, {
    manifest: mini.manifestFile,
    buildRoot: mini.buildRoot,
    precompute: [0, 8],
    // The real worker build, counted.
    build: async (manifest, root, progress) => {
      builds++;
      maxConcurrent = Math.max(maxConcurrent, ++concurrent);
      try {
        return await buildInWorker(manifest, root, progress);
      } finally {
        concurrent--;
      }
    },
  });
  const keys = [{ id: 'ops', role: 'admin' as const, sha256: sha256Hex(ADMIN_KEY) }];
  ({ url: base, close: stop } = await listen(createHandler(mini.store, { reloader, keys })));
});
afterAll(async () => {
  await stop();
  await mini.close();
});

const typesFile = () => path.join(path.dirname(mini.manifestFile), 'types.csv');
/** Requests with the admin key (the admin routes need it; the others serve it as they serve anyone). */
const http = () => request.agent(base).set('X-API-Key', ADMIN_KEY);

describe('POST /admin/reload', () => {
  it('swaps in a changed build: new version, generation + 1, precomputed before the swap', async () => {
    const before = mini.store.current;
    await writeFile(typesFile(), TYPES_B);
    const res = await http().post('/admin/reload?wait=1').expect(200);
    expect(res.body).toMatchObject({ state: 'swapped', trigger: 'admin', generation: before.generation + 1 });
    expect(res.body.buildId).not.toBe(before.dataset.id);
    expect(mini.store.current.dataset.id).toBe(res.body.buildId);
    expect(mini.store.current.dataset.areaTypes.get(2022)!.get('0114R001')).toBe(typeOf(TYPES_B));
    // The new version's tiles were made before it served: its z0 tile is a cache hit at once.
    expect(mini.store.current.tiles.precomputeProgress()).toMatchObject({ state: 'done', minzoom: 0, maxzoom: 8 });
    const hits = mini.store.cache.stats().hits;
    const tile = await rawGet(`${base}/tiles/omradestyper/0/0/0.mvt`);
    expect(tile.headers['x-data-version']).toBe(res.body.buildId);
    expect(mini.store.cache.stats().hits).toBe(hits + 1);

    const ready = await http().get('/ready').expect(200);
    expect(ready.body).toMatchObject({ version: res.body.buildId, generation: before.generation + 1, reload: { running: null, queued: false, last: { state: 'swapped' } } });
    expect(ready.body.reload.last.seconds).toBeGreaterThan(0);
    expect(Date.parse(ready.body.reload.last.finishedAt)).toBeGreaterThanOrEqual(Date.parse(ready.body.reload.last.startedAt));
  });

  it('reports unchanged, and does not swap, when the sources build the version served', async () => {
    const { dataset, generation } = mini.store.current;
    const res = await http().post('/admin/reload?wait=1').expect(200);
    expect(res.body).toMatchObject({ state: 'unchanged', buildId: dataset.id, generation });
    expect(mini.store.current.dataset).toBe(dataset);
  });

  it('refuses bad sources with every problem named, and keeps serving the previous version', async () => {
    const { dataset, generation } = mini.store.current;
    await writeFile(typesFile(), TYPES_B.replace('0114R003,4', '0114R003,9'));
    const res = await http().post('/admin/reload?wait=1').expect(422);
    expect(res.body.error).toMatch(/previous version stays served/);
    expect(res.body.reload).toMatchObject({ state: 'failed', buildId: dataset.id, generation });
    expect(res.body.reload.problems.join('\n')).toMatch(/types\.csv, line 4, field "typ_2022": expected områdestyp 1–5, found "9"/);
    expect(mini.store.current.dataset).toBe(dataset);
    const ready = await http().get('/ready').expect(200);
    expect(ready.body.reload.last).toMatchObject({ state: 'failed', problems: res.body.reload.problems });
    await writeFile(typesFile(), TYPES_B);
  });

  it('answers 202 with the status URL, runs one rebuild at a time and queues exactly one more', async () => {
    builds = 0;
    maxConcurrent = 0;
    await writeFile(typesFile(), TYPES_CSV);
    const first = await http().post('/admin/reload').expect(202);
    expect(first.headers.location).toBe('/admin/reload');
    expect(first.body).toMatchObject({ status: '/admin/reload', running: { trigger: 'admin' } });
    // Four more asks during the first rebuild: one queued rebuild covers them all.
    const asks = await Promise.all([1, 2, 3, 4].map(() => http().post('/admin/reload').expect(202)));
    expect(asks.every((r) => r.body.queued === true)).toBe(true);
    const last = await http().post('/admin/reload?wait=1').expect(200);
    expect(builds).toBe(2);
    expect(maxConcurrent).toBe(1);
    // The first rebuild swapped to A's content, the queued one found it unchanged.
    expect(last.body.state).toBe('unchanged');
    expect(mini.store.current.dataset.areaTypes.get(2022)!.get('0114R001')).toBe(typeOf(TYPES_CSV));
    const status = await http().get('/admin/reload').expect(200);
    expect(status.body).toMatchObject({ running: null, queued: false, last: { state: 'unchanged' } });
  });

  it('refuses unknown parameters and methods with JSON errors', async () => {
    expect((await http().post('/admin/reload?wait=maybe').expect(400)).body).toMatchObject({ status: 400, parameter: 'wait' });
    expect((await http().post('/admin/reload?force=1').expect(400)).body).toMatchObject({ status: 400, parameter: 'force' });
    expect((await http().delete('/admin/reload').expect(405)).body).toMatchObject({ status: 405 });
  });
});

describe('the source watcher', () => {
  it('reloads after an editor-style save (write a temp file, rename it over the source)', async () => {
    const stopWatching = await reloader.watchSources(200);
    try {
      const before = mini.store.current.generation;
      const tmp = `${typesFile()}.swp`;
      await writeFile(tmp, TYPES_B);
      await rename(tmp, typesFile());
      await expect.poll(() => reloader.status().last?.trigger, { timeout: 20_000, interval: 100 }).toBe('watch: ' + path.relative(process.cwd(), typesFile()));
      await expect.poll(() => mini.store.current.generation, { timeout: 20_000, interval: 100 }).toBe(before + 1);
      expect(mini.store.current.dataset.areaTypes.get(2022)!.get('0114R001')).toBe(typeOf(TYPES_B));
    } finally {
      stopWatching();
    }
  });
});

describe('POST /admin/cache/purge', () => {
  it('empties the tile cache', async () => {
    await rawGet(`${base}/tiles/omradestyper/1/1/0.mvt`);
    expect(mini.store.cache.stats().entries).toBeGreaterThan(0);
    const { entries, bytes } = mini.store.cache.stats();
    const res = await http().post('/admin/cache/purge').expect(200);
    expect(res.body).toMatchObject({ purged: { entries, bytes }, cache: { entries: 0, bytes: 0 } });
    expect(mini.store.cache.stats()).toMatchObject({ entries: 0, bytes: 0 });
  });
});

describe('one data version per response while versions swap', () => {
  it('every response names the version its body was made from (metadata, features, tiles fast and slow, errors)', async () => {
    // Both versions built; swapped back and forth on every turn of the event loop while requests run.
    const datasets = new Map<string, Dataset>();
    for (const types of [TYPES_CSV, TYPES_B]) {
      await writeFile(typesFile(), types);
      const { id } = await buildInWorker(mini.manifestFile, mini.buildRoot);
      datasets.set(id, await readBuild(mini.buildRoot, id));
    }
    const [a, b] = [...datasets.values()];
    const typeIn = (id: string) => datasets.get(id)!.areaTypes.get(2022)!.get('0114R001');
    expect(typeIn(a.id)).not.toBe(typeIn(b.id));
    let swapping = true;
    let swaps = 0;
    const swapLoop = (): void => {
      if (!swapping) return;
      mini.store.swap(swaps++ % 2 === 0 ? a : b);
      setImmediate(swapLoop);
    };
    swapLoop();

    const [lon, lat] = toWgs84([660_500, 6_600_500]);
    const [x, y] = pointToTile(lon, lat, 12);
    const tilePath = `/tiles/omradestyper-2022/12/${x}/${y}.mvt`;
    const checks: Record<string, (body: Buffer, headers: Record<string, unknown>) => unknown> = {
      '/tiles/omradestyper-2022.json': (body) => new URL(JSON.parse(String(body)).tiles[0].replace(/[{}]/g, '')).searchParams.get('v'),
      '/tiles': (body) => new URL(JSON.parse(String(body)).tilesets[0].links.find((l: { rel: string }) => l.rel === 'item').href.replace(/[{}]/g, '')).searchParams.get('v'),
      '/api': (body) => JSON.parse(String(body)).info.version,
      '/ready': (body) => JSON.parse(String(body)).version,
      '/dataset': (body) => JSON.parse(String(body)).id,
      '/collections/regso/items/0114R001?datetime=2022': (body) => JSON.parse(String(body)).properties.omradestyp,
      [tilePath]: (body, headers) => {
        const tile = decodeTile(uncompressed(body, headers['content-encoding'] as string | undefined));
        return layerFeatures(tile, 'regso').find((f) => f.id === 114001)!.properties.omradestyp;
      },
    };
    let seen = 0;
    const versions = new Set<string>();
    try {
      for (let round = 0; round < 20; round++) {
        await Promise.all(
          Object.entries(checks).map(async ([p, read]) => {
            const res = await rawGet(`${base}${p}`);
            expect(res.status, p).toBe(200);
            const version = res.headers['x-data-version'] as string;
            expect(datasets.has(version), p).toBe(true);
            versions.add(version);
            const value = read(res.body, res.headers);
            // Either the body names the version, or it shows a figure that differs between the two versions.
            expect(value, `${p} answered as ${version}`).toBe(typeof value === 'number' ? typeIn(version) : version);
            seen++;
          }),
        );
        const missing = await rawGet(`${base}/collections/nothing`);
        expect(missing.status).toBe(404);
        expect(datasets.has(missing.headers['x-data-version'] as string)).toBe(true);
      }
    } finally {
      swapping = false;
    }
    expect(seen).toBe(20 * Object.keys(checks).length);
    expect(versions.size).toBe(2);
    expect(swaps).toBeGreaterThan(20);
    // The tile was answered by the fast path too (cached after the first making per version).
    expect(mini.store.cache.stats().hits).toBeGreaterThan(0);
  });
});
