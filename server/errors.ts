/**
 * Every error leaves as JSON with its status: 4xx for what the client can fix, never a 5xx for bad input.
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Middleware } from 'koa';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
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
    ctx.body = { status, error: status >= 500 ? 'internal error' : (err as Error).message, ...(err instanceof HttpError ? err.details : {}) };
    if (status >= 500) ctx.app.emit('error', err, ctx);
  }
};

/**
 * node:http's 'clientError' listener: what the parser refuses before any handler runs (headers over the size limit,
 * a malformed request line) is answered with a JSON body too, instead of node's bare 400/431.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
  const body = JSON.stringify({ status, error: status === 431 ? 'the request headers are too large' : 'malformed HTTP request' });
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
