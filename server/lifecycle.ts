/**
 * The HTTP server's life: limits and timeouts at start, JSON answers for requests Node refuses before any handler
 * runs (headers too large, timed out, malformed), and a graceful stop: stop accepting, let in-flight requests
 * finish, close idle keep-alive sockets, then exit 0 — or cut what is left after the shutdown timeout.
 */
import http, { STATUS_CODES, type RequestListener } from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { errorBody } from './errors.ts';

type ServerConfig = Pick<Config, 'port' | 'host' | 'requestTimeoutMs' | 'limits'>;

const KEEP_ALIVE_MS = 65_000;
/** How long an idle keep-alive socket may still bring a request after the stop signal. */
const IDLE_GRACE_MS = 500;

export function createServer(handler: RequestListener, config: ServerConfig): http.Server {
  const server = http.createServer({ maxHeaderSize: config.limits.maxHeaderBytes }, handler);
  server.requestTimeout = config.requestTimeoutMs;
  server.headersTimeout = Math.min(config.requestTimeoutMs, 20_000);
  // Keep-alive longer than load balancers' idle timeouts (60 s on most), and longer than the event loop can stall
  // while a reload indexes the new version's geometry (seconds): a keep-alive timer that fires while a client's next
  // request waits unread resets that connection.
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  // A socket with no traffic for this long is closed: a client that stops reading cannot hold a response forever.
  server.timeout = Math.max(config.requestTimeoutMs, KEEP_ALIVE_MS + 5_000);
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => answerClientError(err, socket));
  return server;
}

/** Node's default answer here has no body; ours is the same JSON error as everywhere else. */
export function answerClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable || err.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const message = status === 431 ? 'the request headers are too large' : status === 408 ? 'the request took too long to arrive' : 'malformed HTTP request';
  const body = JSON.stringify(errorBody(status, message));
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

export function listen(server: http.Server, config: ServerConfig): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/**
 * Stops the server gracefully: no new connections; every response from now on says `Connection: close`, so busy
 * keep-alive sockets close after their response; idle ones are closed after a short grace — a client may have sent
 * its next request on one just before the signal, still unread while the event loop was busy, and closing that
 * socket at once would reset the request (seen under load). Resolves when all are closed; after `timeoutMs` the
 * remaining connections are cut.
 */
export function stopServer(server: http.Server, timeoutMs: number, log?: Logger): Promise<void> {
  return new Promise((resolve) => {
    server.prependListener('request', (_req: http.IncomingMessage, res: http.ServerResponse) => res.setHeader('Connection', 'close'));
    const force = setTimeout(() => {
      log?.warn({ timeoutMs }, 'shutdown timeout: closing the remaining connections');
      server.closeAllConnections();
    }, timeoutMs);
    force.unref();
    // Timers run before libuv polls the sockets: after the event loop was blocked (a national page being encoded),
    // a request sent meanwhile is still unread and its socket looks idle. setImmediate runs after the poll phase has
    // read it, so only sockets that are really idle are closed.
    const idle = setInterval(() => setImmediate(() => server.closeIdleConnections()), IDLE_GRACE_MS);
    // net.Server's close: stop accepting, but leave the open sockets to the steps above (http.Server's own close
    // would close the idle ones at once).
    net.Server.prototype.close.call(server, () => {
      clearTimeout(force);
      clearInterval(idle);
      resolve();
    });
  });
}
