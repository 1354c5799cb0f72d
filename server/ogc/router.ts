/**
 * OGC API – Features (Parts 1, 2 and 3): `/`, `/conformance`, `/api`, `/collections`, `/collections/{id}`,
 * `/collections/{id}/items`, `/collections/{id}/items/{featureId}`, `/collections/{id}/queryables`. Thin: each
 * route takes the dataset once, finds the collection, negotiates the format and hands over to data/features and the
 * encoders. Errors leave as JSON (server/errors.ts): 400 for an invalid or unknown parameter, 404 for an unknown
 * collection or feature. Public role: restricted metrics and small counts never leave.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import { collectionsOf, findCollection, type CollectionModel } from '../../data/features/collections.ts';
import { MEDIA_TYPE } from '../../data/features/constants.ts';
import { QueryError } from '../../data/features/errors.ts';
import { FORMAT_ONLY_PARAMETERS, checkParameters } from '../../data/features/query.ts';
import type { Dataset } from '../../data/dataset.ts';
import type { Role } from '../../data/disclosure.ts';
import type { DatasetStore } from '../dataset-store.ts';
import { httpErrorOf } from '../errors.ts';
import { openApiDocument } from './api.ts';
import { collectionDocument, collectionsDocument } from './collections.ts';
import { apiHtml, collectionHtml, collectionsHtml, conformanceHtml, landingHtml, queryablesHtml } from './html.ts';
import { featureResponse, itemsResponse } from './items.ts';
import { conformanceDocument, landingDocument } from './landing.ts';
import { urlContext, type UrlContext } from './links.ts';
import { DOCUMENT_FORMATS, negotiate } from './negotiate.ts';
import { queryablesDocument } from './queryables.ts';
import { send, sendJson } from './send.ts';

/** The server has no sign-in: every OGC API response is what the public may see. */
const ROLE: Role = 'public';

const HTML = `${MEDIA_TYPE.html}; charset=utf-8`;

interface RequestScope {
  dataset: Dataset;
  urls: UrlContext;
}

type Handler = (ctx: Context, scope: RequestScope) => void;

export function ogcRouter(store: DatasetStore, publicUrl: string | undefined): Router {
  const router = new Router();

  /** Takes the dataset once per request; turns QueryErrors into JSON 4xx. */
  const route =
    (handler: Handler) =>
    (ctx: Context): void => {
      try {
        handler(ctx, { dataset: store.current.dataset, urls: urlContext(ctx, publicUrl) });
      } catch (err) {
        throw httpErrorOf(err);
      }
    };

  const collection = (ctx: Context, dataset: Dataset): CollectionModel => {
    const c = findCollection(dataset, ROLE, ctx.params.collectionId);
    if (!c) throw new QueryError(`no collection "${ctx.params.collectionId}"; see /collections`, 404);
    return c;
  };

  /** The plain documents accept `f` only. */
  const documentFormat = (ctx: Context) => {
    const format = negotiate(ctx, DOCUMENT_FORMATS);
    checkParameters(ctx.query, FORMAT_ONLY_PARAMETERS);
    return format;
  };

  router.get(
    '/',
    route((ctx, { dataset, urls }) => {
      const format = documentFormat(ctx);
      const doc = landingDocument(dataset, urls.base);
      if (format === 'html') send(ctx, HTML, landingHtml(doc, collectionsOf(dataset, ROLE), urls.base));
      else sendJson(ctx, MEDIA_TYPE.json, doc);
    }),
  );

  router.get(
    '/conformance',
    route((ctx) => {
      const format = documentFormat(ctx);
      const doc = conformanceDocument();
      if (format === 'html') send(ctx, HTML, conformanceHtml(doc.conformsTo));
      else sendJson(ctx, MEDIA_TYPE.json, doc);
    }),
  );

  router.get(
    '/api',
    route((ctx, { dataset, urls }) => {
      const format = negotiate(ctx, { json: [MEDIA_TYPE.openapi, MEDIA_TYPE.json, 'application/openapi+json'], html: DOCUMENT_FORMATS.html });
      checkParameters(ctx.query, FORMAT_ONLY_PARAMETERS);
      const doc = openApiDocument(dataset, collectionsOf(dataset, ROLE), urls.base);
      if (format === 'html') send(ctx, HTML, apiHtml(doc));
      else sendJson(ctx, MEDIA_TYPE.openapi, doc);
    }),
  );

  router.get(
    '/collections',
    route((ctx, { dataset, urls }) => {
      const format = documentFormat(ctx);
      const collections = collectionsOf(dataset, ROLE);
      if (format === 'html') send(ctx, HTML, collectionsHtml(collections));
      else sendJson(ctx, MEDIA_TYPE.json, collectionsDocument(collections, urls.base, 'json'));
    }),
  );

  router.get(
    '/collections/:collectionId',
    route((ctx, { dataset, urls }) => {
      const c = collection(ctx, dataset);
      const format = documentFormat(ctx);
      const doc = collectionDocument(c, urls.base, format === 'html' ? 'html' : 'json');
      if (format === 'html') send(ctx, HTML, collectionHtml(c, doc, urls.base));
      else sendJson(ctx, MEDIA_TYPE.json, doc);
    }),
  );

  router.get(
    '/collections/:collectionId/queryables',
    route((ctx, { dataset, urls }) => {
      const c = collection(ctx, dataset);
      const format = negotiate(ctx, { json: [MEDIA_TYPE.jsonSchema, MEDIA_TYPE.json], html: DOCUMENT_FORMATS.html });
      checkParameters(ctx.query, FORMAT_ONLY_PARAMETERS);
      const doc = queryablesDocument(c, urls.base);
      if (format === 'html') send(ctx, HTML, queryablesHtml(c, doc));
      else sendJson(ctx, MEDIA_TYPE.jsonSchema, doc);
    }),
  );

  router.get(
    '/collections/:collectionId/items',
    route((ctx, { dataset, urls }) => itemsResponse(ctx, collection(ctx, dataset), urls)),
  );

  router.get(
    '/collections/:collectionId/items/:featureId',
    route((ctx, { dataset, urls }) => featureResponse(ctx, collection(ctx, dataset), ctx.params.featureId, urls)),
  );

  return router;
}
