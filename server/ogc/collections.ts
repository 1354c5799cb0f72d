/** The collection documents: `/collections` and `/collections/{collectionId}`. */
import type { CollectionModel } from '../../data/features/collections.ts';
import { CRS_URI, MEDIA_TYPE, STORAGE_CRS, SUPPORTED_CRS, TRS_GREGORIAN } from '../../data/features/constants.ts';
import { temporalExtent } from '../../data/features/datetime.ts';
import { FORMAT_MEDIA_TYPE, FORMAT_TITLE, href, segment, type Link, type LinkBase } from './links.ts';
import type { Format } from './negotiate.ts';

const ITEM_FORMATS: { f: string; format: Format }[] = [
  { f: 'json', format: 'json' },
  { f: 'fgb', format: 'fgb' },
  { f: 'html', format: 'html' },
  { f: 'csv', format: 'csv' },
];

export function collectionPath(c: CollectionModel): string {
  return `/collections/${segment(c.id)}`;
}

export interface CollectionDocument {
  id: string;
  title: string;
  description: string;
  attribution: string;
  itemType: 'feature';
  extent: {
    spatial: { bbox: number[][]; crs: string };
    temporal?: { interval: [string, string][]; trs: string };
  };
  itemCount: number;
  crs: string[];
  storageCrs: string;
  links: Link[];
}

export function collectionDocument(c: CollectionModel, base: LinkBase, self: 'json' | 'html' | null = 'json'): CollectionDocument {
  const path = collectionPath(c);
  const links: Link[] = [];
  if (self) {
    links.push({ href: href(base, path, { f: self }), rel: 'self', type: self === 'json' ? MEDIA_TYPE.json : MEDIA_TYPE.html, title: 'This document' });
    const other = self === 'json' ? 'html' : 'json';
    links.push({ href: href(base, path, { f: other }), rel: 'alternate', type: other === 'json' ? MEDIA_TYPE.json : MEDIA_TYPE.html, title: `This document as ${other.toUpperCase()}` });
  } else {
    links.push({ href: href(base, path, { f: 'json' }), rel: 'collection', type: MEDIA_TYPE.json, title: c.title });
  }
  for (const { f, format } of ITEM_FORMATS) {
    links.push({ href: href(base, `${path}/items`, { f }), rel: 'items', type: FORMAT_MEDIA_TYPE[format], title: `The features as ${FORMAT_TITLE[format]}` });
  }
  links.push({ href: href(base, `${path}/queryables`), rel: 'http://www.opengis.net/def/rel/ogc/1.0/queryables', type: MEDIA_TYPE.jsonSchema, title: 'Queryables for filtering' });
  if (c.license) links.push({ href: c.license.url, rel: 'license', type: MEDIA_TYPE.html, title: c.license.name });
  links.push({ href: href(base, '/dataset'), rel: 'describedby', type: MEDIA_TYPE.json, title: 'The build behind the data: sources, vintages, checksums' });
  const [w, s, e, n] = c.bbox.wgs84;
  return {
    id: c.id,
    title: c.title,
    description: c.description,
    attribution: c.attribution,
    itemType: 'feature',
    extent: {
      spatial: { bbox: [[w, s, e, n]], crs: CRS_URI.CRS84 },
      ...(c.years ? { temporal: { interval: [temporalExtent(c.years)], trs: TRS_GREGORIAN } } : {}),
    },
    itemCount: c.itemCount,
    crs: SUPPORTED_CRS.map((code) => CRS_URI[code]),
    storageCrs: CRS_URI[STORAGE_CRS],
    links,
  };
}

export function collectionsDocument(collections: readonly CollectionModel[], base: LinkBase, self: 'json' | 'html') {
  const other = self === 'json' ? 'html' : 'json';
  return {
    links: [
      { href: href(base, '/collections', { f: self }), rel: 'self', type: self === 'json' ? MEDIA_TYPE.json : MEDIA_TYPE.html, title: 'This document' },
      { href: href(base, '/collections', { f: other }), rel: 'alternate', type: other === 'json' ? MEDIA_TYPE.json : MEDIA_TYPE.html, title: `This document as ${other.toUpperCase()}` },
    ] as Link[],
    crs: SUPPORTED_CRS.map((code) => CRS_URI[code]),
    collections: collections.map((c) => collectionDocument(c, base, null)),
  };
}
