/**
 * Rate limiting per API key or client address: a token bucket per client, in memory (per process; behind a load
 * balancer each replica limits on its own). A bucket holds `requests` tokens and refills at `requests` per window,
 * so a client may burst up to the whole window's allowance and then goes at the steady rate.
 */
export class RateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  readonly #perMs: number;
  #pruned = 0;

  constructor(
    readonly requests: number,
    readonly windowMs: number,
  ) {
    this.#perMs = requests / windowMs;
  }

  /** Takes a token for `client`: 0 if allowed, else the milliseconds until the next token. */
  take(client: string, now = performance.now()): number {
    this.#prune(now);
    const bucket = this.#buckets.get(client);
    const tokens = bucket ? Math.min(this.requests, bucket.tokens + (now - bucket.at) * this.#perMs) : this.requests;
    const left = tokens < 1 ? tokens : tokens - 1;
    // Updated in place: every request passes here, a cached tile included.
    if (bucket) {
      bucket.tokens = left;
      bucket.at = now;
    } else this.#buckets.set(client, { tokens: left, at: now });
    return tokens < 1 ? Math.ceil((1 - tokens) / this.#perMs) : 0;
  }

  /** Once per window, forgets the buckets that have refilled: a full bucket is the same as none. */
  #prune(now: number): void {
    if (now - this.#pruned < this.windowMs) return;
    this.#pruned = now;
    for (const [client, b] of this.#buckets) if (b.tokens + (now - b.at) * this.#perMs >= this.requests) this.#buckets.delete(client);
  }

  get clients(): number {
    return this.#buckets.size;
  }
}
