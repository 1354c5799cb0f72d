/**
 * Every error leaves as JSON with its status: 4xx for what the client can fix, never a 5xx for bad input.
 */
import type { ServerResponse } from 'node:http';
import type { Middleware } from 'koa';
import { QueryError } from '../data/features/errors.ts';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** A QueryError of the Koa-free core as the HttpError it answers with (naming the parameter); others unchanged. */
export function httpErrorOf(err: unknown): unknown {
  return err instanceof QueryError ? new HttpError(err.status, err.message, err.parameter ? { parameter: err.parameter } : undefined) : err;
}

export const jsonErrors: Middleware = async (ctx, next) => {
  try {
    await next();
    if (ctx.body == null && ctx.status === 404) throw new HttpError(404, `no resource at ${ctx.path}`);
    // The routers answer a method a path does not have with a bare 405, an unknown method with 501: both are the
    // client's mistake, a 405 with the Allow header they set.
    if (ctx.body == null && (ctx.status === 405 || ctx.status === 501)) throw new HttpError(405, `${ctx.method} is not allowed on ${ctx.path}; allowed: ${ctx.response.get('Allow')}`);
  } catch (err) {
    const status = err instanceof HttpError ? err.status : 500;
    ctx.status = status;
    ctx.body = { ...errorBody(status, status >= 500 ? 'internal error' : (err as Error).message), ...(err instanceof HttpError ? err.details : {}) };
    if (status >= 500) ctx.app.emit('error', err, ctx);
  }
};

/** The JSON body of every error response. */
export function errorBody(status: number, error: string): { status: number; error: string } {
  return { status, error };
}

/** An error answered before Koa (the front door): the same JSON body. */
export function sendRawError(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(errorBody(status, message));
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(body)) });
  res.end(body);
}
