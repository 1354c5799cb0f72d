/**
 * The national server (as `startNationalServer` serves it) with every HTTP request recorded: what a real client
 * asked for — page sizes, `filter=`, `crs=`, `bbox=`, formats, Accept — is part of what the client tests prove.
 */
import { createApp } from '../../server/app.ts';
import { DatasetStore } from '../../server/dataset-store.ts';
import { TileCache } from '../../tiles/cache.ts';
import { nationalDataset, type NationalServer } from './national.ts';
import { listen } from './raw-http.ts';

export interface LoggedRequest {
  method: string;
  /** Path and query as sent (`/collections/regso/items?limit=1000`). */
  url: string;
  accept: string;
  userAgent: string;
  status: number;
  /** Arrival time, epoch milliseconds (Date.now()), to match requests with a client's phases. */
  at: number;
}

export interface LoggedNationalServer extends NationalServer {
  /** Every request answered so far, in arrival order. */
  requests: LoggedRequest[];
}

export async function startLoggedNationalServer(cacheBytes = 64 * 1024 * 1024): Promise<LoggedNationalServer> {
  const dataset = await nationalDataset();
  const store = new DatasetStore(dataset, new TileCache(cacheBytes));
  const handler = createApp(store).callback();
  const requests: LoggedRequest[] = [];
  const { url, close } = await listen((req, res) => {
    const entry: LoggedRequest = {
      method: req.method ?? '',
      url: req.url ?? '',
      accept: req.headers.accept ?? '',
      userAgent: req.headers['user-agent'] ?? '',
      status: 0,
      at: Date.now(),
    };
    requests.push(entry);
    res.on('finish', () => (entry.status = res.statusCode));
    void handler(req, res);
  });
  return { url, store, dataset, close, requests };
}

/** The query parameters of a logged request. */
export function queryOf(r: LoggedRequest): URLSearchParams {
  return new URL(r.url, 'http://x').searchParams;
}

/** The path of a logged request, without the query. */
export function pathOf(r: LoggedRequest): string {
  return new URL(r.url, 'http://x').pathname;
}
