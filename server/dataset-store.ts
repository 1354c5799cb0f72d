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
  /** Counts the versions served since start-up (1 for the first): increases with every swap. */
  generation: number;
}

export type SwapListener = (next: ServedVersion, previous: ServedVersion) => void;

export class DatasetStore {
  #current: ServedVersion;
  readonly #listeners = new Set<SwapListener>();

  constructor(
    initial: Dataset,
    readonly cache: TileCache,
  ) {
    this.#current = { dataset: initial, tiles: new TileService(initial, cache), generation: 1 };
  }

  get current(): ServedVersion {
    return this.#current;
  }

  /** The tile service a dataset would be served with: to precompute its tiles before it is swapped in. */
  prepare(next: Dataset): TileService {
    return new TileService(next, this.cache);
  }

  /** Serves `next` from now on, with `tiles` if prepared (and maybe precomputed) beforehand. */
  swap(next: Dataset, tiles: TileService = this.prepare(next)): void {
    if (tiles.dataset !== next) throw new Error('swap: the tile service was prepared for another dataset');
    const previous = this.#current;
    previous.tiles.stop();
    this.#current = { dataset: next, tiles, generation: previous.generation + 1 };
    for (const listener of this.#listeners) listener(this.#current, previous);
  }

  /** Calls `listener` after every swap; returns the function that removes it. */
  onSwap(listener: SwapListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
