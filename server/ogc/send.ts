/**
 * Writing a response body: JSON documents, strings and streams, gzip-compressed on the fly when the client accepts
 * gzip (a national GeoJSON page is megabytes and compresses about fourfold); never compressed without
 * Content-Encoding. Level 1: on the national page it costs about half of level 5's time for 16 % more bytes
 * (bench/RESULTS.md), the better trade on police LANs. FlatGeobuf is not compressed: its binary coordinates shrink
 * less than 2× for 80 ms of CPU per national page.
 */
import type { Context } from 'koa';
import { Readable } from 'node:stream';
import { createGzip, constants as zlib } from 'node:zlib';
import { MEDIA_TYPE } from '../../data/features/constants.ts';
import { accepts } from '../encoding.ts';

/** Bodies smaller than this go uncompressed. */
const MIN_COMPRESS_BYTES = 1024;

export function send(ctx: Context, contentType: string, body: string | Buffer | Readable): void {
  ctx.status = 200;
  ctx.set('Content-Type', contentType);
  ctx.set('Vary', 'Accept, Accept-Encoding');
  const small = typeof body === 'string' ? Buffer.byteLength(body) < MIN_COMPRESS_BYTES : Buffer.isBuffer(body) && body.length < MIN_COMPRESS_BYTES;
  if (small || contentType === MEDIA_TYPE.flatgeobuf || !accepts(ctx.get('Accept-Encoding'), 'gzip')) {
    ctx.body = body;
    return;
  }
  ctx.set('Content-Encoding', 'gzip');
  const gzip = createGzip({ level: 1, flush: zlib.Z_NO_FLUSH });
  const source = body instanceof Readable ? body : Readable.from([typeof body === 'string' ? Buffer.from(body) : body]);
  source.on('error', (err) => gzip.destroy(err));
  ctx.body = source.pipe(gzip);
}

export function sendJson(ctx: Context, contentType: string, value: unknown): void {
  send(ctx, contentType, JSON.stringify(value));
}
