/**
 * /events (server-sent events) over the mini dataset (SYNTHETIC TEST FIXTURE), read with a raw HTTP client so the
 * bytes are seen as they arrive: the current version on connect, a new `version` event when the store swaps builds,
 * heartbeats, the retry hint, headers that keep proxies from buffering, and the swap listener removed on disconnect.
 */
import http from 'node:http';
import Koa from 'koa';
import { describe, expect, it, vi } from 'vitest';
import { eventsRouter, RETRY_MS, type VersionEvent } from '../../server/routes/events.ts';
import { serveMini } from '../helpers/mini-server.ts';
import { listen } from '../helpers/raw-http.ts';

interface ServerEvent {
  event?: string;
  data?: string;
  id?: string;
  retry?: string;
  comment?: string;
}

/** An open event stream: the response headers and the events parsed so far (per the SSE wire format). */
class EventStream {
  readonly events: ServerEvent[] = [];
  headers: http.IncomingHttpHeaders = {};
  private buffer = '';
  private waiters: (() => void)[] = [];
  private req: http.ClientRequest | undefined;

  open(url: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.req = http.get(url, { headers: { Accept: 'text/event-stream', 'Accept-Encoding': 'gzip, br' } }, (res) => {
        this.headers = res.headers;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => this.receive(chunk));
        resolve();
      });
      this.req.on('error', (err) => ((err as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(err)));
    });
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const event: ServerEvent = {};
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) event.comment = line.slice(1).trim();
        else {
          const [field, ...rest] = line.split(':');
          (event as Record<string, string>)[field] = rest.join(':').replace(/^ /, '');
        }
      }
      this.events.push(event);
    }
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Resolves with the first event (from the start) that matches, waiting for it if needed. */
  async next(match: (e: ServerEvent) => boolean, timeoutMs = 5000): Promise<ServerEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(this.events)}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }

  close(): void {
    this.req?.destroy();
  }
}

const versionOf = (e: ServerEvent) => JSON.parse(e.data!) as VersionEvent;

describe('/events', () => {
  const served = serveMini();

  it('sends the current version on connect and the new one after a swap, unbuffered and uncompressed', async () => {
    const stream = new EventStream();
    await stream.open(`${served.base}/events`);
    expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(stream.headers['cache-control']).toBe('no-cache, no-transform');
    expect(stream.headers['x-accel-buffering']).toBe('no');
    expect(stream.headers['content-encoding']).toBeUndefined();
    expect(stream.headers['access-control-allow-origin']).toBe('*');

    const before = served.mini.store.current;
    const first = await stream.next((e) => e.event === 'version');
    expect(versionOf(first)).toEqual({ id: before.dataset.id, generation: before.generation });
    expect(first.id).toBe(String(before.generation));
    expect((await stream.next((e) => e.retry !== undefined)).retry).toBe(String(RETRY_MS));

    const other = { ...served.mini.dataset, id: 'test-events-swap' };
    served.mini.store.swap(other);
    const second = await stream.next((e) => e.event === 'version' && versionOf(e).id === other.id);
    expect(versionOf(second)).toEqual({ id: 'test-events-swap', generation: before.generation + 1 });
    stream.close();
  });

  it('stops listening to the store when the client goes away', async () => {
    // Count the route's subscriptions and their removals through the store's own onSwap.
    let subscribed = 0;
    let removed = 0;
    const onSwap = served.mini.store.onSwap.bind(served.mini.store);
    const spy = vi.spyOn(served.mini.store, 'onSwap').mockImplementation((listener) => {
      subscribed++;
      const remove = onSwap(listener);
      return () => {
        removed++;
        return remove();
      };
    });
    try {
      const streams = [new EventStream(), new EventStream()];
      for (const s of streams) await s.open(`${served.base}/events`);
      for (const s of streams) await s.next((e) => e.event === 'version');
      expect([subscribed, removed]).toEqual([2, 0]);
      for (const s of streams) s.close();
      for (let i = 0; i < 50 && removed < 2; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(removed).toBe(2);
    } finally {
      spy.mockRestore();
    }
  });

  it('sends heartbeat comments while idle', async () => {
    const app = new Koa();
    const router = eventsRouter(served.mini.store, 50);
    app.use(router.routes());
    const small = await listen(app.callback());
    const stream = new EventStream();
    await stream.open(`${small.url}/events`);
    const beat = await stream.next((e) => e.comment?.startsWith('heartbeat') === true, 2000);
    expect(beat.comment).toMatch(/^heartbeat \d{4}-\d\d-\d\dT/);
    stream.close();
    await small.close();
  });
});
