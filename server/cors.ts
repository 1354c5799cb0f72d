/**
 * CORS for every resource: tiles, styles, TileJSON and features are fetched by web maps on other origins (MapLibre
 * apps, ArcGIS Online). The allowed origins come from the configuration: `*`, or a list (the request's Origin is
 * echoed when listed, with `Vary: Origin`). Keys travel in headers (Authorization, X-API-Key), never as cookies, so
 * no credentials mode is needed.
 */
import type { Middleware } from 'koa';

const EXPOSED = ['Content-Crs', 'Link', 'OGC-NumberMatched', 'OGC-NumberReturned', 'ETag', 'X-Data-Version', 'X-Request-Id', 'Retry-After'].join(', ');

export class CorsPolicy {
  readonly #any: boolean;
  readonly #origins: ReadonlySet<string>;
  readonly #wildcard = { 'Access-Control-Allow-Origin': '*', 'Access-Control-Expose-Headers': EXPOSED } as const;
  readonly #wildcardList = Object.entries(this.#wildcard).flat();

  constructor(origins: '*' | readonly string[] = '*') {
    this.#any = origins === '*';
    this.#origins = new Set(origins === '*' ? [] : origins.map((o) => o.toLowerCase()));
  }

  /** Whether answers differ by Origin (then caches must key on it: `Vary: Origin`). */
  get variesByOrigin(): boolean {
    return !this.#any;
  }

  /** The CORS headers of a response to a request from `origin`. */
  headers(origin: string | undefined): Readonly<Record<string, string>> {
    if (this.#any) return this.#wildcard;
    if (origin && this.#origins.has(origin.toLowerCase())) return { 'Access-Control-Allow-Origin': origin, 'Access-Control-Expose-Headers': EXPOSED };
    return {};
  }

  /** The same as name, value, name, value, … (the tile fast path's form; made once for `*`). */
  headerList(origin: string | undefined): readonly string[] {
    return this.#any ? this.#wildcardList : Object.entries(this.headers(origin)).flat();
  }

  readonly middleware: Middleware = async (ctx, next) => {
    ctx.set(this.headers(ctx.get('Origin') || undefined));
    try {
      if (ctx.method === 'OPTIONS' && ctx.get('Access-Control-Request-Method')) {
        ctx.set('Access-Control-Allow-Methods', 'GET, HEAD, POST, OPTIONS');
        ctx.set('Access-Control-Allow-Headers', ctx.get('Access-Control-Request-Headers') || 'Accept, Content-Type, Authorization, X-API-Key');
        ctx.set('Access-Control-Max-Age', '86400');
        ctx.status = 204;
        return;
      }
      await next();
    } finally {
      if (this.variesByOrigin) ctx.vary('Origin');
    }
  };
}
