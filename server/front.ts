/**
 * The front door: what every request passes before the tile fast path or Koa — a request id (X-Request-Id in and
 * out), the URL length limit, trusted-proxy headers, the caller's identity, the rate limit, and, when the response
 * finishes, one structured log line (route template, status, time, client family, key id; never the key) and the
 * request metrics: the one place that sees every request, fast path and Koa alike. The fast path's answers are
 * written in batches, once per turn of the event loop (response-batch.ts).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Identity, KeyRing } from './auth.ts';
import { clientFamily } from './client-family.ts';
import type { CorsPolicy } from './cors.ts';
import type { DatasetStore } from './dataset-store.ts';
import { sendRawError } from './errors.ts';
import { answerCachedTile, type FastAnswer } from './fast-tiles.ts';
import type { ServerMetrics } from './metrics.ts';
import type { TrustedProxies } from './proxy.ts';
import type { RateLimiter } from './rate-limit.ts';
import { ResponseBatch } from './response-batch.ts';

export interface FrontOptions {
  keys: KeyRing;
  proxies: TrustedProxies;
  cors: CorsPolicy;
  limiter: RateLimiter | null;
  maxUrlLength: number;
  log?: Logger;
  metrics?: ServerMetrics;
}

/** The route template each request matched (in Koa, or the fast path's), for the log line and the metrics. */
const routes = new WeakMap<IncomingMessage, string>();

export function recordRoute(req: IncomingMessage, route: string): void {
  routes.set(req, route);
}

const REQUEST_ID = /^[\w.:@-]{1,128}$/;

/** The query values of key parameters replaced, so no log line holds a key. */
export function redactKeys(url: string): string {
  return url.replace(/([?&](?:apikey|token)=)[^&]*/g, '$1[redacted]');
}

/** What the log line and the metrics need of a request, kept from its start. */
interface Arrival {
  req: IncomingMessage;
  res: ServerResponse;
  started: number;
  requestId: string;
  identity: Identity;
}

/** A cached tile's answer waiting in the batch. */
interface FastReply {
  arrival: Arrival;
  answer: FastAnswer;
}

export function frontDoor(store: DatasetStore, koa: RequestListener, options: FrontOptions): RequestListener {
  const { keys, proxies, cors, limiter, maxUrlLength, log, metrics } = options;
  const recording = log !== undefined || metrics !== undefined;

  /** The log line and metrics of a request once its response is written (fastRoute: the fast path answered it). */
  function record({ req, res, started, requestId, identity }: Arrival, fastRoute?: string): void {
    const ms = performance.now() - started;
    const route = fastRoute ?? routes.get(req) ?? null;
    const client = clientFamily(req.headers['user-agent'], req.headers.referer, req.headers.origin);
    const method = req.method ?? '';
    metrics?.request({ route, method, status: res.statusCode, client, seconds: ms / 1000 });
    // Cached tiles are most of the traffic: logged at debug, and the line is built only when it is written, so
    // that info-level logging keeps the hot path fast.
    const level = fastRoute ? 'debug' : 'info';
    if (!log?.isLevelEnabled(level)) return;
    const fields = {
      requestId,
      method,
      url: redactKeys(req.url ?? ''),
      route,
      status: res.statusCode,
      ms: Math.round(ms * 10) / 10,
      client,
      ip: proxies.clientAddress(req),
      keyId: identity.keyId,
    };
    log[level](fields, 'request');
  }

  /**
   * Writes a cached tile whole in one writeHead and end, with nothing set before (a header set earlier sends
   * node:http down its slow path, which validates and copies every header once more); then records the request at
   * once, without a 'finish' listener.
   */
  function writeFastReply({ arrival, answer }: FastReply): void {
    arrival.res.writeHead(answer.status, answer.headers);
    arrival.res.end(answer.body);
    if (recording) record(arrival, answer.route);
  }
  const fastReplies = new ResponseBatch(writeFastReply);

  /** Records the request when its response finishes: Koa and the refusals below may finish later. */
  function recordOnFinish(arrival: Arrival): void {
    if (recording) arrival.res.once('finish', record.bind(null, arrival, undefined));
  }

  // No closure is made per request: a cached tile costs little more than its write, and under tsx every named
  // closure also costs a defineProperty (its name).
  return function frontDoorRequest(req, res) {
    const started = performance.now();
    const incoming = req.headers['x-request-id'];
    const requestId = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    proxies.forwardedFrom(req);
    const identity = keys.identify(req);
    const arrival: Arrival = { req, res, started, requestId, identity };
    if ((req.url?.length ?? 0) > maxUrlLength) {
      recordOnFinish(arrival);
      res.setHeader('X-Request-Id', requestId);
      return sendRawError(res, 414, `the URL is longer than ${maxUrlLength} characters`, cors.headers(req.headers.origin));
    }
    if (limiter) {
      const waitMs = limiter.take(identity.keyId !== null ? `key:${identity.keyId}` : `ip:${proxies.clientAddress(req)}`);
      if (waitMs > 0) {
        const seconds = Math.max(1, Math.ceil(waitMs / 1000));
        recordOnFinish(arrival);
        res.setHeader('X-Request-Id', requestId);
        return sendRawError(res, 429, `too many requests: at most ${limiter.requests} per ${limiter.windowMs / 1000} s; retry in ${seconds} s`, { ...cors.headers(req.headers.origin), 'Retry-After': String(seconds) });
      }
    }
    // The fast path's answer carries X-Request-Id with its other headers.
    const answer = answerCachedTile(store, req, identity, cors, requestId);
    if (answer !== null) {
      fastReplies.add({ arrival, answer });
      return;
    }
    // Koa's work may be long (a page of features): the answers waiting in the batch go out first.
    fastReplies.flush();
    recordOnFinish(arrival);
    res.setHeader('X-Request-Id', requestId);
    void koa(req, res);
  };
}
