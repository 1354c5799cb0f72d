// The entry of every worker thread that runs TypeScript (the build, tiles/prepared.ts), in plain JavaScript: Node 20
// does not apply `--import tsx` given in a Worker's execArgv to the worker's entry module (nodejs/node#47747), so the
// entry registers tsx itself and imports the module named in workerData.module.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.module);
