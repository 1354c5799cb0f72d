/**
 * Raw HTTP for tests that must see bytes as sent: supertest and fetch decompress bodies on their own, which would
 * hide a compressed body sent without Content-Encoding.
 */
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { answerClientError } from '../../server/lifecycle.ts';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export async function listen(handler: http.RequestListener): Promise<{ url: string; close: () => Promise<void> }> {
  const { url, stop } = await listenRestartable(handler);
  return { url, close: stop };
}

/** A server that can go away and come back on the same port: for tests of clients that reconnect. */
export interface RestartableServer {
  /** http://127.0.0.1:PORT — the same across restarts */
  url: string;
  /** Stops listening and drops every connection, open streams (server-sent events) included. */
  stop(): Promise<void>;
  /** Listens again on the same port, with the same handler. */
  start(): Promise<void>;
}

export async function listenRestartable(handler: http.RequestListener): Promise<RestartableServer> {
  const server = http.createServer(handler).on('clientError', answerClientError);
  const listenOn = (port: number) => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  await listenOn(0);
  const { port } = server.address() as AddressInfo;
  // Open streams (server-sent events) would keep close() waiting: end them with it.
  const stop = () =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return { url: `http://127.0.0.1:${port}`, stop, start: () => listenOn(port) };
}

export function rawGet(url: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

/**
 * One request as raw bytes on a fresh connection (`Connection: close`), read to the end: for requests no HTTP client
 * would send — raw UTF-8 in the path, malformed request lines, oversized headers. `head` skips the body.
 */
export function rawExchange(url: string, request: Buffer | string, head = false): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      try {
        resolve(parseResponse(Buffer.concat(chunks), head));
      } catch (err) {
        reject(err);
      }
    });
    // write, not end: a half-closed connection may be dropped before a slow response is written.
    socket.setTimeout(30_000, () => socket.destroy(new Error('no response within 30 s')));
    socket.write(request);
  });
}

function parseResponse(bytes: Buffer, head: boolean): RawResponse {
  const end = bytes.indexOf('\r\n\r\n');
  if (end < 0) throw new Error(`no complete response (${bytes.length} bytes): ${JSON.stringify(bytes.subarray(0, 200).toString('latin1'))}`);
  const [statusLine, ...lines] = bytes.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
  const headers: http.IncomingHttpHeaders = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = head ? Buffer.alloc(0) : bytes.subarray(end + 4);
  if (!head && headers['transfer-encoding'] === 'chunked') body = unchunk(body);
  return { status, headers, body };
}

function unchunk(bytes: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = bytes.indexOf('\r\n', at);
    const size = parseInt(bytes.subarray(at, lineEnd).toString('latin1'), 16);
    if (!(size > 0)) return Buffer.concat(parts);
    parts.push(bytes.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}
