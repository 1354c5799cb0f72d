/**
 * Writing a response body: JSON documents, strings and streams, gzip-compressed on the fly when the client accepts
 * gzip (a national GeoJSON page is tens of megabytes and compresses about fourfold); never compressed without
 * Content-Encoding.
 */
import type { Context } from 'koa';
import { Readable } from 'node:stream';
import { createGzip, constants as zlib } from 'node:zlib';

/** Bodies smaller than this go uncompressed. */
const MIN_COMPRESS_BYTES = 1024;

function acceptsGzip(header: string): boolean {
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (name !== 'gzip' && name !== '*') continue;
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    if (q === undefined || Number(q) > 0) return true;
  }
  return false;
}

export function send(ctx: Context, contentType: string, body: string | Buffer | Readable): void {
  ctx.status = 200;
  ctx.set('Content-Type', contentType);
  ctx.set('Vary', 'Accept, Accept-Encoding');
  const small = typeof body === 'string' ? Buffer.byteLength(body) < MIN_COMPRESS_BYTES : Buffer.isBuffer(body) && body.length < MIN_COMPRESS_BYTES;
  if (small || !acceptsGzip(ctx.get('Accept-Encoding'))) {
    ctx.body = body;
    return;
  }
  ctx.set('Content-Encoding', 'gzip');
  const gzip = createGzip({ level: 5, flush: zlib.Z_NO_FLUSH });
  const source = body instanceof Readable ? body : Readable.from([typeof body === 'string' ? Buffer.from(body) : body]);
  source.on('error', (err) => gzip.destroy(err));
  ctx.body = source.pipe(gzip);
}

export function sendJson(ctx: Context, contentType: string, value: unknown): void {
  send(ctx, contentType, JSON.stringify(value));
}
