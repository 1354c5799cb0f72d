/**
 * Worker-thread entry of `buildInWorker` (build.ts): runs one build off the server's event loop and posts back what
 * became of it. DataError's problems are sent as plain objects (an Error subclass loses its fields when cloned).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { DataError } from '../report.ts';
import { buildAndStore, type BuildMessage, type StoreOptions } from './build.ts';

const { manifest, root, options } = workerData as { manifest: string; root: string; options: StoreOptions };
const post = (message: BuildMessage): void => parentPort!.postMessage(message);

try {
  post({ type: 'done', summary: await buildAndStore(manifest, root, (step) => post({ type: 'step', step }), options) });
} catch (err) {
  if (err instanceof DataError) post({ type: 'failed', problems: err.problems });
  else post({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
}
