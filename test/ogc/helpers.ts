/**
 * The mini dataset (SYNTHETIC TEST FIXTURE) served for the OGC API tests, with a second extra layer like Polisen's
 * utsatta områden (numeric ids, renamed properties) besides the kommun layer.
 */
import type { Response } from 'supertest';
import { manifest, square } from '../helpers/mini-dataset.ts';
import { startMiniServer, type MiniServer } from '../helpers/mini-server.ts';

export const CRS84 = 'http://www.opengis.net/def/crs/OGC/1.3/CRS84';
export const EPSG3006 = 'http://www.opengis.net/def/crs/EPSG/0/3006';
export const EPSG3857 = 'http://www.opengis.net/def/crs/EPSG/0/3857';

/** Two "utsatta områden" (SYNTHETIC TEST FIXTURE): one inside area 1, one inside area 4. */
export function usoGeojson(): object {
  return {
    type: 'FeatureCollection',
    crs: { type: 'name', properties: { name: 'EPSG:3006' } },
    features: [
      { type: 'Feature', properties: { OBJECTID: 7, NAMN: 'Östra Testby', KATEGORI: 'Utsatt område', note: 'SYNTHETIC TEST FIXTURE' }, geometry: { type: 'Polygon', coordinates: square([660_100, 6_600_100], 600) } },
      { type: 'Feature', properties: { OBJECTID: 12, NAMN: 'Ängsbacken', KATEGORI: 'Riskområde', note: 'SYNTHETIC TEST FIXTURE' }, geometry: { type: 'Polygon', coordinates: square([661_400, 6_601_400], 200) } },
    ],
  };
}

export function ogcManifest(): Record<string, any> {
  const m = manifest();
  m.layers.push({
    id: 'utsatta-omraden',
    file: 'uso.geojson',
    title: { sv: 'Utsatta områden (test)', en: 'Vulnerable areas (test)' },
    attribution: 'SYNTHETIC TEST FIXTURE',
    license: { name: 'Test licence (synthetic fixture)', url: 'https://example.org/licence/uso' },
    idField: 'OBJECTID',
    nameField: 'NAMN',
    properties: { namn: 'NAMN', kategori: 'KATEGORI' },
  });
  return m;
}

export function startOgcMini(): Promise<MiniServer> {
  return startMiniServer({ 'manifest.json': ogcManifest(), 'uso.geojson': usoGeojson() });
}

/** supertest parser keeping the body as bytes (for FlatGeobuf and CSV). */
export function binary(res: Response, done: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
}

export interface LinkObject {
  href: string;
  rel: string;
  type?: string;
  title?: string;
}

/** The link with a rel (and type), or undefined. */
export function linkOf(links: LinkObject[], rel: string, type?: string): LinkObject | undefined {
  return links.find((l) => l.rel === rel && (type === undefined || l.type === type));
}

/** Path and query of an absolute URL, for supertest. */
export function pathOf(href: string): string {
  const u = new URL(href);
  return u.pathname + u.search;
}

/** Parses a Link header into link objects. */
export function parseLinkHeader(header: string | undefined): LinkObject[] {
  if (!header) return [];
  return [...header.matchAll(/<([^>]*)>((?:\s*;\s*[a-z]+="[^"]*")*)/g)].map((m) => {
    const params = Object.fromEntries([...m[2].matchAll(/([a-z]+)="([^"]*)"/g)].map((p) => [p[1], p[2]]));
    return { href: m[1], rel: params.rel, type: params.type };
  });
}
