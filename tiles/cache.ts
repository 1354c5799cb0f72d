/**
 * The in-memory tile cache: compressed tiles in an LRU bounded in bytes, with a strong ETag computed from the
 * uncompressed bytes. A cached tile is served with a lookup and a write.
 */
import { createHash } from 'node:crypto';
import { brotliCompressSync, constants, gunzipSync, gzipSync } from 'node:zlib';
import { LRUCache } from 'lru-cache';

const EMPTY = Buffer.alloc(0);
const GZIP = { level: 6 };
/** Quality 6: within a few per cent of 11 on MVT, and an order of magnitude faster. */
const BROTLI = { params: { [constants.BROTLI_PARAM_QUALITY]: 6 } };

/**
 * A tile's compressed bytes. gzip is made with the tile; brotli on the first request that prefers it, then kept.
 * Brotli's encoder costs more to set up than a small tile costs to compress, and only browsers ask for it: made with
 * every tile, it took the precompute of z0–12 from about 40 to 60 s (bench/RESULTS.md, "sixth session").
 */
export class CachedTile {
  #br: Buffer | undefined;

  constructor(
    /** Strong validator, quoted, from the uncompressed MVT bytes. */
    readonly etag: string,
    /** Uncompressed size; 0 for an empty tile. */
    readonly rawLength: number,
    readonly gzip: Buffer,
  ) {}

  get br(): Buffer {
    if (this.#br === undefined) this.#br = this.rawLength === 0 ? EMPTY : copied(brotliCompressSync(gunzipSync(this.gzip), BROTLI));
    return this.#br;
  }
}

export function compressTile(raw: Uint8Array): CachedTile {
  const etag = `"${createHash('sha1').update(raw).digest('base64url')}"`;
  return new CachedTile(etag, raw.length, raw.length === 0 ? EMPTY : copied(gzipSync(raw, GZIP)));
}

/**
 * zlib's sync output is a view into a chunk of at least 16 kB, which the cache would otherwise keep alive for every
 * tile (measured: 300 MB for 9,000 tiles).
 */
function copied(view: Buffer): Buffer {
  return Buffer.from(view);
}

export interface CacheStats {
  hits: number;
  misses: number;
  evictions: number;
  entries: number;
  bytes: number;
  maxBytes: number;
}

export class TileCache {
  private readonly lru: LRUCache<string, CachedTile>;
  private hits = 0;
  private misses = 0;
  private evictions = 0;

  constructor(readonly maxBytes: number) {
    this.lru = new LRUCache<string, CachedTile>({
      maxSize: maxBytes,
      // Key and bookkeeping cost about 100 bytes; an empty tile must not be free or the LRU would never bound them.
      // Room for the brotli bytes is kept from the start, made or not: on MVT they are 0.97–0.98 of gzip's size.
      sizeCalculation: (t) => 2 * t.gzip.length + 100,
      dispose: (_value, _key, reason) => {
        if (reason === 'evict') this.evictions++;
      },
    });
  }

  /** A miss is not counted with `countMiss: false` (a lookup that a full `get` follows on a miss). */
  get(key: string, countMiss = true): CachedTile | undefined {
    const tile = this.lru.get(key);
    if (tile) this.hits++;
    else if (countMiss) this.misses++;
    return tile;
  }

  /** Looks up without counting a hit or miss or refreshing recency (for precompute). */
  has(key: string): boolean {
    return this.lru.has(key);
  }

  set(key: string, tile: CachedTile): void {
    this.lru.set(key, tile);
  }

  clear(): void {
    this.lru.clear();
  }

  stats(): CacheStats {
    return { hits: this.hits, misses: this.misses, evictions: this.evictions, entries: this.lru.size, bytes: this.lru.calculatedSize, maxBytes: this.maxBytes };
  }
}
