/** The landing page (`/`) and the conformance declaration (`/conformance`). */
import type { Dataset } from '../../data/dataset.ts';
import { CONFORMANCE_CLASSES, MEDIA_TYPE } from '../../data/features/constants.ts';
import { href, type Link, type LinkBase } from './links.ts';

export interface LandingDocument {
  title: string;
  description: string;
  attribution: string;
  links: Link[];
}

export function landingDocument(dataset: Dataset, base: LinkBase): LandingDocument {
  return {
    title: dataset.title.sv,
    description: `${dataset.title.en}. OGC API – Features (Parts 1, 2 and 3) over Sweden's RegSO areas and the dataset's extra layers; build ${dataset.id}.`,
    attribution: dataset.attribution,
    links: [
      { href: href(base, '/', { f: 'json' }), rel: 'self', type: MEDIA_TYPE.json, title: 'This document' },
      { href: href(base, '/', { f: 'html' }), rel: 'alternate', type: MEDIA_TYPE.html, title: 'This document as HTML' },
      { href: href(base, '/api'), rel: 'service-desc', type: MEDIA_TYPE.openapi, title: 'The API definition (OpenAPI 3.0)' },
      { href: href(base, '/api', { f: 'html' }), rel: 'service-doc', type: MEDIA_TYPE.html, title: 'The API documentation' },
      { href: href(base, '/conformance'), rel: 'conformance', type: MEDIA_TYPE.json, title: 'Conformance classes implemented' },
      { href: href(base, '/conformance'), rel: 'http://www.opengis.net/def/rel/ogc/1.0/conformance', type: MEDIA_TYPE.json, title: 'Conformance classes implemented' },
      { href: href(base, '/collections'), rel: 'data', type: MEDIA_TYPE.json, title: 'The feature collections' },
      { href: href(base, '/collections'), rel: 'http://www.opengis.net/def/rel/ogc/1.0/data', type: MEDIA_TYPE.json, title: 'The feature collections' },
    ],
  };
}

export function conformanceDocument(): { conformsTo: string[] } {
  return { conformsTo: [...CONFORMANCE_CLASSES] };
}
