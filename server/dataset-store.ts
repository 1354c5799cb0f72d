/**
 * The one in-memory version every request reads: a dataset and its tiles. A request takes `current` once and uses
 * that object to the end, so swapping in a new build never mixes two versions within a response.
 */
import type { Dataset } from '../data/dataset.ts';
import type { TileCache } from '../tiles/cache.ts';
import { TileService } from '../tiles/service.ts';

export interface ServedVersion {
  dataset: Dataset;
  tiles: TileService;
}

export class DatasetStore {
  #current: ServedVersion;

  constructor(
    initial: Dataset,
    readonly cache: TileCache,
  ) {
    this.#current = { dataset: initial, tiles: new TileService(initial, cache) };
  }

  get current(): ServedVersion {
    return this.#current;
  }

  swap(next: Dataset): void {
    this.#current.tiles.stop();
    this.#current = { dataset: next, tiles: new TileService(next, this.cache) };
  }
}
