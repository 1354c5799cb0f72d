/**
 * Build a manifest into a stored, current build: the one entry point for the CLI, the server's first start and
 * hot reload (in a worker thread, so that the server keeps answering while a build runs).
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { DataError, type Problem } from '../report.ts';
import { buildDataset, type BuildOptions, type Progress } from './pipeline.ts';
import { writeBuild } from './store.ts';

/** The bundled national dataset's manifest, and where builds go unless told otherwise. */
export const DEFAULT_MANIFEST = path.resolve(import.meta.dirname, '../sources/manifest.json');
export const DEFAULT_BUILD_ROOT = path.resolve(import.meta.dirname, '../../build');

export interface BuildSummary {
  id: string;
  dir: string;
  areas: number;
  warnings: number;
  seconds: number;
}

/** What a caller may set of a build (the server's configured disclosure default). */
export type StoreOptions = Pick<BuildOptions, 'defaultMinCount'>;

export async function buildAndStore(manifest: string, root: string, progress?: Progress, options: StoreOptions = {}): Promise<BuildSummary> {
  const started = performance.now();
  const { dataset, report } = await buildDataset(manifest, { ...options, workDir: path.join(root, '.work'), progress });
  progress?.('writing the build');
  const { id, dir } = await writeBuild(root, dataset);
  return { id, dir, areas: dataset.areas.length, warnings: report.warnings.length, seconds: (performance.now() - started) / 1000 };
}

/** The entry of a worker thread running a TypeScript module, named in its workerData as `module` (a file URL). */
export const WORKER_ENTRY = new URL('./worker-entry.mjs', import.meta.url);

/** What the build worker (worker.ts) posts: progress steps, then one outcome. */
export type BuildMessage =
  | { type: 'step'; step: string }
  | { type: 'done'; summary: BuildSummary }
  | { type: 'failed'; problems: Problem[] }
  | { type: 'error'; message: string };

/**
 * `buildAndStore` in a worker thread: the build's ~10 s of CPU run off the calling thread's event loop. Rejects with
 * a DataError (every problem) for bad sources, with an Error for anything else.
 */
export function buildInWorker(manifest: string, root: string, progress?: Progress, options: StoreOptions = {}): Promise<BuildSummary> {
  return new Promise((resolve, reject) => {
    // worker-entry.mjs loads worker.ts through tsx, whatever loader the calling thread runs under (tsx, vitest).
    const worker = new Worker(WORKER_ENTRY, { workerData: { module: new URL('./worker.ts', import.meta.url).href, manifest, root, options } });
    let outcome: BuildMessage | undefined;
    worker.on('message', (message: BuildMessage) => {
      if (message.type === 'step') progress?.(message.step);
      else outcome = message;
    });
    worker.on('error', reject);
    worker.on('exit', (code) => {
      if (outcome?.type === 'done') resolve(outcome.summary);
      else if (outcome?.type === 'failed') reject(new DataError(outcome.problems));
      else reject(new Error(outcome?.type === 'error' ? outcome.message : `the build worker exited with code ${code} without a result`));
    });
  });
}
