// The build worker's entry, in plain JavaScript: Node 20 does not apply `--import tsx` given in a Worker's execArgv
// to the worker's entry module (nodejs/node#47747), so the entry registers tsx itself and imports the TypeScript.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
