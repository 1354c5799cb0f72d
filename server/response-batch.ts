/**
 * Writes responses together, once per turn of the event loop, instead of each as soon as its request is read: the
 * tile fast path's answers wait until setImmediate, which runs after the poll phase has read every request that
 * arrived, and are then written back to back.
 *
 * Why: a write to a connection whose reader is asleep wakes it, and on a VM that wake-up (an inter-processor
 * interrupt) is paid inside the writer's syscall. Writes made one by one, with request handling in between, let the
 * reader fall asleep again between them; writes made back to back mostly find it awake. Measured on the bench machine
 * (bench/RESULTS.md, "fifth session"): a bare node:http server answering from a Map, 44 → 27 µs of CPU per request;
 * ours, 74 → 54 µs.
 *
 * The price is latency: an answer waits for the requests read after it in the same turn. So that it never waits
 * behind slower work, the front door flushes the batch before it hands a request to Koa, and the tile precompute
 * holds the event loop only in short slices (tiles/service.ts).
 */
export class ResponseBatch<T> {
  private pending: T[] = [];
  private scheduled = false;

  constructor(private readonly write: (item: T) => void) {}

  add(item: T): void {
    this.pending.push(item);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flushScheduled);
    }
  }

  /** Writes every waiting item now, in the order added. */
  flush(): void {
    if (this.pending.length === 0) return;
    const items = this.pending;
    this.pending = [];
    for (const item of items) this.write(item);
  }

  private readonly flushScheduled = (): void => {
    this.scheduled = false;
    this.flush();
  };
}
