/**
 * The practical ceiling for bench/tiles.ts: a bare node:http server answering stored tile bytes from a Map, nothing
 * else (no routing, no negotiation, no ETag). It loads the bytes by fetching every tile of the list once from
 * SOURCE (our server) with Accept-Encoding: gzip, keeping the body exactly as sent, then listens.
 *
 *   node --import tsx bench/ceiling-server.ts PORT LIST SOURCE_PREFIX SUFFIX [batched]
 *
 * Serves GET SOURCE_PREFIX's path + z/x/y + SUFFIX (the same paths as our server) with the stored status, bytes,
 * Content-Type and Content-Encoding; 404 for anything else. `batched` writes the responses once per turn of the event
 * loop, as our server's fast path does (server/response-batch.ts): the same trick in the bare server, for comparison.
 */
import { readFileSync } from 'node:fs';
import { Agent, createServer, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import { ResponseBatch } from '../server/response-batch.ts';
import { httpGet } from './children.ts';

interface Stored {
  status: number;
  headers: OutgoingHttpHeaders;
  body: Buffer;
}

const [port, list, sourcePrefix, suffix, mode] = process.argv.slice(2);
if (!port || !list || !sourcePrefix || suffix === undefined || (mode !== undefined && mode !== 'batched')) throw new Error('usage: ceiling-server.ts PORT LIST SOURCE_PREFIX SUFFIX [batched]');

const tiles = readFileSync(list, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
const pathPrefix = new URL(sourcePrefix).pathname;
const store = new Map<string, Stored>();
const agent = new Agent({ keepAlive: true, maxSockets: 8 });
let next = 0;
await Promise.all(
  Array.from({ length: 8 }, async () => {
    while (next < tiles.length) {
      const tile = tiles[next++];
      const r = await httpGet(`${sourcePrefix}${tile}${suffix}`, { 'Accept-Encoding': 'gzip' }, agent);
      const headers: OutgoingHttpHeaders = { 'Content-Type': r.headers['content-type'] ?? 'application/octet-stream', 'Content-Length': r.body.length };
      if (r.headers['content-encoding']) headers['Content-Encoding'] = r.headers['content-encoding'];
      store.set(`${pathPrefix}${tile}${suffix}`, { status: r.status, headers, body: r.body });
    }
  }),
);
agent.destroy();

const notFound: Stored = { status: 404, headers: { 'Content-Length': 0 }, body: Buffer.alloc(0) };
const lookup = (req: IncomingMessage): Stored => store.get(req.url ?? '') ?? notFound;
function write(res: ServerResponse, t: Stored): void {
  res.writeHead(t.status, t.headers);
  res.end(t.body);
}
// The plain handler stays as bare as it was: no allocation, no batch.
const batch = new ResponseBatch<[ServerResponse, Stored]>(([res, t]) => write(res, t));
createServer(mode === 'batched' ? (req, res) => batch.add([res, lookup(req)]) : (req, res) => write(res, lookup(req))).listen(Number(port), '127.0.0.1', () => console.log(`ceiling server: ${store.size} tiles on 127.0.0.1:${port}`));
