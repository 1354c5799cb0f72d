/**
 * The one in-memory version every request reads: a dataset and its tiles. A request takes `current` once and uses
 * that object to the end, so swapping in a new build never mixes two versions within a response.
 */
import type { Dataset } from '../data/dataset.ts';
import type { TileCache } from '../tiles/cache.ts';
import type { PreparedBands } from '../tiles/prepared.ts';
import { TileService, type TileMadeListener } from '../tiles/service.ts';

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
  readonly #tileListeners = new Set<TileMadeListener>();

  /** `prepared`: the initial dataset's generalised tile geometry, made off this thread (tiles/prepared.ts). */
  constructor(
    initial: Dataset,
    readonly cache: TileCache,
    prepared?: PreparedBands,
  ) {
    this.#current = { dataset: initial, tiles: this.#tileService(initial, prepared), generation: 1 };
  }

  /** Every version's TileService reports the tiles it makes to the listeners of the store, which outlive it. */
  #tileService(dataset: Dataset, prepared?: PreparedBands): TileService {
    return new TileService(
      dataset,
      this.cache,
      (made) => {
        for (const listener of this.#tileListeners) listener(made);
      },
      prepared,
    );
  }

  get current(): ServedVersion {
    return this.#current;
  }

  /** The tile service a dataset would be served with: to precompute its tiles before it is swapped in. */
  prepare(next: Dataset, prepared?: PreparedBands): TileService {
    return this.#tileService(next, prepared);
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

  /** Calls `listener` for every tile made (not found in the cache) by any version; returns the function that removes it. */
  onTileMade(listener: TileMadeListener): () => void {
    this.#tileListeners.add(listener);
    return () => this.#tileListeners.delete(listener);
  }
}
