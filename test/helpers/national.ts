/**
 * The bundled national dataset for tests that need real data (the client tests, the tile sweep): built once and
 * cached on disk under os.tmpdir(), keyed by a hash of the sources AND of the code that builds them (data/**.ts), so
 * test files (and test runs) share one ≈10 s build while any change to a source or to the pipeline rebuilds.
 *
 * Safe when two runs race: each builds into its own temp folder and renames it into place; the loser drops its copy.
 * Per process the dataset is read once (a promise), and `startNationalServer` serves it in-process on 127.0.0.1.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildAndStore, DEFAULT_MANIFEST } from '../../data/build/build.ts';
import { currentBuildId, readBuild } from '../../data/build/store.ts';
import type { Dataset } from '../../data/dataset.ts';
import { createHandler, type AppOptions } from '../../server/app.ts';
import { DatasetStore } from '../../server/dataset-store.ts';
import { TileCache } from '../../tiles/cache.ts';
import { listen } from './raw-http.ts';

const DATA_DIR = path.resolve(import.meta.dirname, '../../data');
const CACHE_ROOT = path.join(tmpdir(), 'regso-tiles-national');
/**
 * Cached builds of other keys older than this are removed when a new one is made (the key changes with every edit
 * of data/**.ts; a run reads its build into memory at the start, so an hour-old folder is no longer in use).
 */
const STALE_MS = 3600 * 1000;

/** Every file under dir (recursively), sorted, relative to DATA_DIR. */
async function filesUnder(dir: string, keep: (name: string) => boolean): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(full, keep)));
    else if (entry.isFile() && keep(entry.name)) out.push(path.relative(DATA_DIR, full));
  }
  return out.sort();
}

/** Hash of the manifest's folder (all its sources) and of the build code under data/. */
export async function nationalBuildKey(): Promise<string> {
  const sourcesDir = path.dirname(DEFAULT_MANIFEST);
  const sources = await filesUnder(sourcesDir, () => true);
  const code = (await filesUnder(DATA_DIR, (n) => n.endsWith('.ts'))).filter((f) => !f.startsWith(path.relative(DATA_DIR, sourcesDir) + path.sep));
  const hash = createHash('sha256');
  for (const file of [...sources, ...code]) hash.update(file).update('\0').update(await readFile(path.join(DATA_DIR, file))).update('\0');
  return hash.digest('hex').slice(0, 16);
}

export interface NationalBuild {
  /** Folder of the build root (holds current.json and the build folder). */
  root: string;
  id: string;
  /** True if this call built it (false: found in the cache). */
  built: boolean;
  seconds: number;
}

let buildPromise: Promise<NationalBuild> | undefined;
let datasetPromise: Promise<Dataset> | undefined;

/** The cached national build, built first if there is none for the current sources and code. */
export function nationalBuild(): Promise<NationalBuild> {
  buildPromise ??= (async () => {
    const started = performance.now();
    const key = await nationalBuildKey();
    const root = path.join(CACHE_ROOT, key);
    const cachedId = existsSync(root) ? await currentBuildId(root) : null;
    if (cachedId && existsSync(path.join(root, cachedId, 'build.json'))) return { root, id: cachedId, built: false, seconds: (performance.now() - started) / 1000 };
    await mkdir(CACHE_ROOT, { recursive: true });
    await removeStale(key);
    const tmp = await mkdtemp(path.join(CACHE_ROOT, `.tmp-${key}-`));
    try {
      const { id } = await buildAndStore(DEFAULT_MANIFEST, tmp);
      await rm(path.join(tmp, '.work'), { recursive: true, force: true });
      try {
        await rename(tmp, root);
      } catch (err) {
        // Another run put the same key in place meanwhile: use theirs.
        if (!(await currentBuildId(root))) throw err;
        await rm(tmp, { recursive: true, force: true });
      }
      return { root, id: (await currentBuildId(root)) ?? id, built: true, seconds: (performance.now() - started) / 1000 };
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      throw err;
    }
  })();
  return buildPromise;
}

async function removeStale(key: string): Promise<void> {
  for (const name of await readdir(CACHE_ROOT)) {
    if (name === key || name.includes(key)) continue;
    const full = path.join(CACHE_ROOT, name);
    try {
      if (Date.now() - (await stat(full)).mtimeMs > STALE_MS) await rm(full, { recursive: true, force: true });
    } catch {
      // raced with another run's cleanup
    }
  }
}

/** The national dataset, read once per process. */
export function nationalDataset(): Promise<Dataset> {
  datasetPromise ??= nationalBuild().then((b) => readBuild(b.root, b.id));
  return datasetPromise;
}

export interface NationalServer {
  /** http://127.0.0.1:PORT */
  url: string;
  store: DatasetStore;
  dataset: Dataset;
  close(): Promise<void>;
}

/** The app over the national dataset, listening on 127.0.0.1 (an ephemeral port); `options` e.g. keys. */
export async function startNationalServer(options: AppOptions = {}, cacheBytes = 256 * 1024 * 1024): Promise<NationalServer> {
  const dataset = await nationalDataset();
  const store = new DatasetStore(dataset, new TileCache(cacheBytes));
  const { url, close } = await listen(createHandler(store, options));
  return { url, store, dataset, close };
}
