/**
 * The Koa application: a small core of middleware, then one router per protocol, all over one DatasetStore; and the
 * request handler that puts the front door (request ids, limits, identity, the cached-tile fast path) before it.
 */
import type { RequestListener } from 'node:http';
import Koa from 'koa';
import type { Logger } from 'pino';
import { auditTrail, type AuditLog } from './audit.ts';
import { authenticate, KeyRing } from './auth.ts';
import { DEFAULT_LIMITS, type Config } from './config.ts';
import { CorsPolicy } from './cors.ts';
import type { DatasetStore } from './dataset-store.ts';
import { jsonErrors } from './errors.ts';
import { frontDoor, recordRoute } from './front.ts';
import { ServerMetrics } from './metrics.ts';
import { ogcRouter } from './ogc/router.ts';
import { ogcTilesRouter } from './ogc/tiles.ts';
import { TrustedProxies } from './proxy.ts';
import { RateLimiter } from './rate-limit.ts';
import type { Reloader } from './reload.ts';
import { adminRouter } from './routes/admin.ts';
import { esriRouter } from './routes/esri.ts';
import { eventsRouter } from './routes/events.ts';
import { metricsRouter } from './routes/metrics.ts';
import { operationsRouter } from './routes/operations.ts';
import { statsRouter } from './routes/stats.ts';
import { tilesRouter } from './routes/tiles.ts';
import { viewerRouter } from './routes/viewer.ts';
import { securityHeaders } from './security-headers.ts';

/** What the app needs from the configuration (server/config.ts); tests pass only what they vary. */
export interface AppOptions {
  publicUrl?: string;
  trustedProxies?: Config['trustedProxies'];
  keys?: Config['keys'];
  corsOrigins?: Config['cors']['origins'];
  /** Off unless given. */
  rateLimit?: Config['rateLimit'];
  maxUrlLength?: number;
  /** The role `GET /metrics` needs; public (open) unless given. */
  metricsRole?: Config['metrics']['requireRole'];
  audit?: AuditLog;
  log?: Logger;
  /** Hot reload (POST /admin/reload, /ready's last result); without it the server serves one version. */
  reloader?: Reloader;
}

/**
 * The parts the front door and the app share: one KeyRing, so a request is identified once; one metrics registry,
 * which the front door feeds and the app serves.
 */
interface Parts {
  keys: KeyRing;
  proxies: TrustedProxies;
  cors: CorsPolicy;
  metrics: ServerMetrics;
}

function partsOf(store: DatasetStore, options: AppOptions): Parts {
  return {
    keys: new KeyRing(options.keys ?? []),
    proxies: new TrustedProxies(options.trustedProxies ?? ['loopback']),
    cors: new CorsPolicy(options.corsOrigins ?? '*'),
    metrics: new ServerMetrics(store),
  };
}

/** The Koa app alone: without the front door, its /metrics counts no requests (createHandler is what is served). */
export function createApp(store: DatasetStore, options: AppOptions = {}): Koa {
  return buildApp(store, options, partsOf(store, options));
}

function buildApp(store: DatasetStore, options: AppOptions, { keys, proxies, cors, metrics }: Parts): Koa {
  // X-Forwarded-* is trusted here because TrustedProxies strips it from every other peer first.
  const app = new Koa({ proxy: true });
  app.use(async (ctx, next) => {
    try {
      await next();
    } finally {
      const route = (ctx as typeof ctx & { _matchedRoute?: string })._matchedRoute;
      if (route) recordRoute(ctx.req, route);
    }
  });
  if (options.audit) app.use(auditTrail(options.audit));
  app.use(jsonErrors);
  app.use(securityHeaders);
  app.use(cors.middleware);
  app.use(async (ctx, next) => {
    proxies.forwardedFrom(ctx.req);
    await next();
  });
  app.use(authenticate(keys));
  // Every response names the version it was made from. Routers take `store.current` once, in the same synchronous
  // run as this line (koa-compose and the routers call down without awaiting), so no swap can fall in between;
  // test/server/reload.test.ts checks it under swaps.
  app.use(async (ctx, next) => {
    ctx.set('X-Data-Version', store.current.dataset.id);
    await next();
  });
  // OGC tiles before the XYZ tiles: it takes the /tiles/{tileMatrixSetId} paths and leaves the others to them.
  const routers = [
    operationsRouter(store, options.reloader),
    adminRouter(store, options.reloader),
    metricsRouter(metrics, options.metricsRole ?? 'public'),
    eventsRouter(store),
    ogcTilesRouter(store, options.publicUrl),
    tilesRouter(store, options.publicUrl),
    ogcRouter(store, options.publicUrl),
    esriRouter(store, options.publicUrl),
    statsRouter(store),
    viewerRouter(),
  ];
  for (const router of routers) app.use(router.routes()).use(router.allowedMethods());
  if (options.log) {
    const log = options.log;
    app.on('error', (err: unknown, ctx?: Koa.Context) => log.error({ err, requestId: ctx?.response.get('X-Request-Id') }, 'request failed'));
  }
  return app;
}

/** The request handler to serve: the front door, cached tiles straight from node:http, everything else through Koa. */
export function createHandler(store: DatasetStore, options: AppOptions = {}): RequestListener {
  const parts = partsOf(store, options);
  const limit = options.rateLimit;
  return frontDoor(store, buildApp(store, options, parts).callback(), {
    ...parts,
    limiter: limit ? new RateLimiter(limit.requests, limit.windowSeconds * 1000) : null,
    maxUrlLength: options.maxUrlLength ?? DEFAULT_LIMITS.maxUrlLength,
    log: options.log,
  });
}
