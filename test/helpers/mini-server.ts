/** The mini dataset (SYNTHETIC TEST FIXTURE) built and served by the app in-process, for endpoint tests. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildAndStore } from '../../data/build/build.ts';
import { readBuild } from '../../data/build/store.ts';
import type { Dataset } from '../../data/dataset.ts';
import type { RequestListener } from 'node:http';
import { createHandler, type AppOptions } from '../../server/app.ts';
import { DatasetStore } from '../../server/dataset-store.ts';
import { TileCache } from '../../tiles/cache.ts';
import { afterAll, beforeAll } from 'vitest';
import { writeMiniDataset } from './mini-dataset.ts';
import { listen } from './raw-http.ts';

export interface MiniServer {
  handler: RequestListener;
  /** The written sources (to change and reload) and the build root. */
  manifestFile: string;
  buildRoot: string;
  store: DatasetStore;
  dataset: Dataset;
  close(): Promise<void>;
}

/** `options` as the server's configuration would give them (keys, audit, limits); none by default. */
export async function startMiniServer(override: Record<string, string | object> = {}, options: AppOptions = {}): Promise<MiniServer> {
  const mini = await writeMiniDataset(override);
  const root = await mkdtemp(path.join(tmpdir(), 'regso-server-'));
  const id = (await buildAndStore(mini.manifestFile, root)).id;
  const dataset = await readBuild(root, id);
  const store = new DatasetStore(dataset, new TileCache(16 * 1024 * 1024));
  return {
    handler: createHandler(store, options),
    manifestFile: mini.manifestFile,
    buildRoot: root,
    store,
    dataset,
    close: async () => {
      await rm(mini.dir, { recursive: true, force: true });
      await rm(root, { recursive: true, force: true });
    },
  };
}

export interface ServedMini {
  mini: MiniServer;
  /** http://127.0.0.1:PORT of the listening server. */
  base: string;
}

/**
 * A mini server for the enclosing suite: started and listening on 127.0.0.1 before its tests (beforeAll), closed
 * after them. Read the fields inside tests, not at module level.
 */
export function serveMini(start: () => Promise<MiniServer> = () => startMiniServer()): ServedMini {
  const served = {} as ServedMini;
  let stop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    served.mini = await start();
    ({ url: served.base, close: stop } = await listen(served.mini.handler));
  });
  afterAll(async () => {
    await stop?.();
    await served.mini?.close();
  });
  return served;
}
