/**
 * OGC API – Features (Parts 1, 2 and 3): `/`, `/conformance`, `/api`, `/collections`, `/collections/{id}`,
 * `/collections/{id}/items`, `/collections/{id}/items/{featureId}`, `/collections/{id}/queryables`. Thin: each
 * route takes the dataset once, finds the collection, negotiates the format and hands over to data/features and the
 * encoders. Errors leave as JSON (server/errors.ts): 400 for an invalid or unknown parameter, 404 for an unknown
 * collection or feature. Each request is served as its role (roleOf): restricted metrics and small counts leave only
 * for analyst and above.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import { collectionsOf, findCollection, type CollectionModel } from '../../data/features/collections.ts';
import { MEDIA_TYPE } from '../../data/features/constants.ts';
import { QueryError } from '../../data/features/errors.ts';
import { FORMAT_ONLY_PARAMETERS, checkParameters } from '../../data/features/query.ts';
import type { Dataset } from '../../data/dataset.ts';
import type { Role } from '../../data/disclosure.ts';
import { roleOf } from '../auth.ts';
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

const HTML = `${MEDIA_TYPE.html}; charset=utf-8`;

interface RequestScope {
  dataset: Dataset;
  role: Role;
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
        handler(ctx, { dataset: store.current.dataset, role: roleOf(ctx), urls: urlContext(ctx, publicUrl) });
      } catch (err) {
        throw httpErrorOf(err);
      }
    };

  const collection = (ctx: Context, { dataset, role }: RequestScope): CollectionModel => {
    const c = findCollection(dataset, role, ctx.params.collectionId);
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
    route((ctx, { dataset, role, urls }) => {
      const format = documentFormat(ctx);
      const doc = landingDocument(dataset, urls.base);
      if (format === 'html') send(ctx, HTML, landingHtml(doc, collectionsOf(dataset, role), urls.base));
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
    route((ctx, { dataset, role, urls }) => {
      const format = negotiate(ctx, { json: [MEDIA_TYPE.openapi, MEDIA_TYPE.json, 'application/openapi+json'], html: DOCUMENT_FORMATS.html });
      checkParameters(ctx.query, FORMAT_ONLY_PARAMETERS);
      const doc = openApiDocument(dataset, collectionsOf(dataset, role), urls.base);
      if (format === 'html') send(ctx, HTML, apiHtml(doc));
      else sendJson(ctx, MEDIA_TYPE.openapi, doc);
    }),
  );

  router.get(
    '/collections',
    route((ctx, { dataset, role, urls }) => {
      const format = documentFormat(ctx);
      const collections = collectionsOf(dataset, role);
      if (format === 'html') send(ctx, HTML, collectionsHtml(collections));
      else sendJson(ctx, MEDIA_TYPE.json, collectionsDocument(collections, urls.base, 'json'));
    }),
  );

  router.get(
    '/collections/:collectionId',
    route((ctx, scope) => {
      const c = collection(ctx, scope);
      const format = documentFormat(ctx);
      const doc = collectionDocument(c, scope.urls.base, format === 'html' ? 'html' : 'json');
      if (format === 'html') send(ctx, HTML, collectionHtml(c, doc, scope.urls.base));
      else sendJson(ctx, MEDIA_TYPE.json, doc);
    }),
  );

  router.get(
    '/collections/:collectionId/queryables',
    route((ctx, scope) => {
      const c = collection(ctx, scope);
      const format = negotiate(ctx, { json: [MEDIA_TYPE.jsonSchema, MEDIA_TYPE.json], html: DOCUMENT_FORMATS.html });
      checkParameters(ctx.query, FORMAT_ONLY_PARAMETERS);
      const doc = queryablesDocument(c, scope.urls.base);
      if (format === 'html') send(ctx, HTML, queryablesHtml(c, doc));
      else sendJson(ctx, MEDIA_TYPE.jsonSchema, doc);
    }),
  );

  router.get(
    '/collections/:collectionId/items',
    route((ctx, scope) => itemsResponse(ctx, collection(ctx, scope), scope.urls)),
  );

  router.get(
    '/collections/:collectionId/items/:featureId',
    route((ctx, scope) => featureResponse(ctx, collection(ctx, scope), ctx.params.featureId, scope.urls)),
  );

  return router;
}
