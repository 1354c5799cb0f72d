/** Absolute URLs and link objects for OGC API responses. */
import type { Context } from 'koa';
import type { Format } from './negotiate.ts';
import { MEDIA_TYPE } from '../../data/features/constants.ts';
import { carriedParams } from '../auth.ts';
import { baseUrl } from '../urls.ts';

export interface Link {
  href: string;
  rel: string;
  type?: string;
  title?: string;
}

/** The media type each format is served as, for links and Content-Type. */
export const FORMAT_MEDIA_TYPE: Record<Format, string> = {
  json: MEDIA_TYPE.geojson,
  fgb: MEDIA_TYPE.flatgeobuf,
  html: MEDIA_TYPE.html,
  csv: MEDIA_TYPE.csv,
};

export const FORMAT_TITLE: Record<Format, string> = { json: 'GeoJSON', fgb: 'FlatGeobuf', html: 'HTML', csv: 'CSV (attributes)' };

/**
 * Where this client reaches the server: the base URL, and the parameters every link carries (its API key, when it
 * came in the URL: QGIS and GDAL follow links with nothing else to add a key to them).
 */
export interface LinkBase {
  url: string;
  params: Readonly<Record<string, string>>;
}

/** Everything needed to write URLs for one request. */
export interface UrlContext {
  base: LinkBase;
  /** The request's query string, for self/next/prev links that keep every parameter. */
  query: URLSearchParams;
}

export function urlContext(ctx: Context, publicUrl: string | undefined): UrlContext {
  return { base: { url: baseUrl(ctx, publicUrl), params: carriedParams(ctx) }, query: new URLSearchParams(ctx.querystring) };
}

/**
 * An absolute URL: base + path + the parameters (an undefined value removes one) + the carried ones. Commas, colons and slashes stay
 * readable in the query (bbox=…,…; crs=http://…): they need no escaping there.
 */
export function href(base: LinkBase, path: string, params: URLSearchParams | Record<string, string | undefined> = {}): string {
  const q = params instanceof URLSearchParams ? new URLSearchParams(params) : new URLSearchParams();
  if (!(params instanceof URLSearchParams)) for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, v);
  for (const [k, v] of Object.entries(base.params)) q.set(k, v);
  const s = q.toString().replace(/%2C/gi, ',').replace(/%3A/gi, ':').replace(/%2F/gi, '/');
  return `${base.url}${path}${s ? `?${s}` : ''}`;
}

/** The request's parameters with some set (or removed with undefined). */
export function withParams(query: URLSearchParams, changes: Record<string, string | undefined>): URLSearchParams {
  const q = new URLSearchParams(query);
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) q.delete(k);
    else q.set(k, v);
  }
  return q;
}

/** Encodes an id for a path segment. */
export function segment(id: string): string {
  return encodeURIComponent(id);
}
