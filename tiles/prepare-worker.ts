/**
 * Worker-thread entry of `prepareBandsInWorker` (prepared.ts): reads a build, generalises every band and posts the
 * packed results, their buffers moved. An error ends the worker with it (the caller rejects).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readBuild } from '../data/build/store.ts';
import { TileGeometry } from './geometry.ts';
import { transferList } from './prepared.ts';

const { root, id } = workerData as { root: string; id: string };
const bands = new TileGeometry(await readBuild(root, id)).prepareBands();
parentPort!.postMessage(bands, transferList(bands));
