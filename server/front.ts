/**
 * The front door: what every request passes before the tile fast path or Koa — a request id (X-Request-Id in and
 * out), the URL length limit, trusted-proxy headers, the caller's identity, the rate limit, and one structured log
 * line per request (route template, status, time, client family, key id; never the key).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener } from 'node:http';
import type { Logger } from 'pino';
import type { KeyRing } from './auth.ts';
import { clientFamily } from './client-family.ts';
import type { CorsPolicy } from './cors.ts';
import type { DatasetStore } from './dataset-store.ts';
import { sendRawError } from './errors.ts';
import { serveCachedTile, TILE_ROUTE } from './fast-tiles.ts';
import type { TrustedProxies } from './proxy.ts';
import type { RateLimiter } from './rate-limit.ts';

export interface FrontOptions {
  keys: KeyRing;
  proxies: TrustedProxies;
  cors: CorsPolicy;
  limiter: RateLimiter | null;
  maxUrlLength: number;
  log?: Logger;
}

/** The route template each request matched in Koa, for the log line. */
const routes = new WeakMap<IncomingMessage, string>();

export function recordRoute(req: IncomingMessage, route: string): void {
  routes.set(req, route);
}

const REQUEST_ID = /^[\w.:@-]{1,128}$/;

/** The query values of key parameters replaced, so no log line holds a key. */
export function redactKeys(url: string): string {
  return url.replace(/([?&](?:apikey|token)=)[^&]*/g, '$1[redacted]');
}

export function frontDoor(store: DatasetStore, koa: RequestListener, options: FrontOptions): RequestListener {
  const { keys, proxies, cors, limiter, maxUrlLength, log } = options;
  return (req, res) => {
    const started = performance.now();
    const incoming = req.headers['x-request-id'];
    const requestId = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', requestId);
    proxies.forwardedFrom(req);
    const identity = keys.identify(req);
    let fast = false;
    if (log) {
      res.once('finish', () => {
        const fields = {
          requestId,
          method: req.method,
          url: redactKeys(req.url ?? ''),
          route: routes.get(req) ?? null,
          status: res.statusCode,
          ms: Math.round((performance.now() - started) * 10) / 10,
          client: clientFamily(req.headers['user-agent'], req.headers.referer, req.headers.origin),
          ip: proxies.clientAddress(req),
          keyId: identity.keyId,
        };
        // Cached tiles are most of the traffic: logged at debug so that info-level logging keeps the hot path fast.
        if (fast) log.debug(fields, 'request');
        else log.info(fields, 'request');
      });
    }
    const corsHeaders = cors.headers(req.headers.origin);
    if ((req.url?.length ?? 0) > maxUrlLength) return sendRawError(res, 414, `the URL is longer than ${maxUrlLength} characters`, corsHeaders);
    if (limiter) {
      const waitMs = limiter.take(identity.keyId !== null ? `key:${identity.keyId}` : `ip:${proxies.clientAddress(req)}`);
      if (waitMs > 0) {
        const seconds = Math.max(1, Math.ceil(waitMs / 1000));
        return sendRawError(res, 429, `too many requests: at most ${limiter.requests} per ${limiter.windowMs / 1000} s; retry in ${seconds} s`, { ...corsHeaders, 'Retry-After': String(seconds) });
      }
    }
    if (serveCachedTile(store, req, res, identity, cors)) {
      fast = true;
      routes.set(req, TILE_ROUTE);
      return;
    }
    void koa(req, res);
  };
}
