/**
 * Response bodies joined from encoded parts (the features of a page): parts kept between requests, and a stream of
 * byte chunks of about 64 kB — few enough writes to be cheap, small enough that a 10,000-feature page never exists
 * as one buffer.
 */
import { Readable } from 'node:stream';

const CHUNK_BYTES = 65_536;

/** The bytes kept for `key`, made first if missing (copied: an encoder's array may be a view of a larger one). */
export function kept<K extends object>(cache: WeakMap<K, Buffer>, key: K, make: () => string | Uint8Array): Buffer {
  let bytes = cache.get(key);
  if (!bytes) {
    const made = make();
    cache.set(key, (bytes = typeof made === 'string' ? Buffer.from(made, 'utf8') : Buffer.from(made)));
  }
  return bytes;
}

export function chunkedStream(parts: Iterable<Uint8Array>): Readable {
  function* chunks(): Generator<Buffer> {
    let pending: Uint8Array[] = [];
    let size = 0;
    for (const part of parts) {
      pending.push(part);
      size += part.length;
      if (size >= CHUNK_BYTES) {
        yield Buffer.concat(pending, size);
        pending = [];
        size = 0;
      }
    }
    if (pending.length > 0) yield Buffer.concat(pending, size);
  }
  return Readable.from(chunks(), { objectMode: false });
}
