/**
 * The one in-memory dataset every request reads. A request takes `current` once and uses that object to the
 * end, so swapping in a new build never mixes two versions within a response.
 */
import type { Dataset } from '../data/dataset.ts';

export class DatasetStore {
  #current: Dataset;

  constructor(initial: Dataset) {
    this.#current = initial;
  }

  get current(): Dataset {
    return this.#current;
  }

  swap(next: Dataset): void {
    this.#current = next;
  }
}
