/** The statistics API: /catalog, /stats and /stats/areas over the core in data/stats/. */
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Dataset } from '../../data/dataset.ts';
import type { Role } from '../../data/disclosure.ts';
import { QueryError } from '../../data/features/errors.ts';
import { catalogDocument } from '../../data/stats/catalog.ts';
import { checkSelection, parseRankingQuery, parseStatsQuery } from '../../data/stats/query.ts';
import { rankingResponse } from '../../data/stats/ranking.ts';
import { statsResponse } from '../../data/stats/table.ts';
import type { DatasetStore } from '../dataset-store.ts';
import { roleOf } from '../auth.ts';
import { httpErrorOf } from '../errors.ts';
import { SHORT } from '../tile-response.ts';
import { rankingCsv, statsCsv } from './stats-csv.ts';

export function statsRouter(store: DatasetStore): Router {
  const router = new Router();

  /** Takes the dataset once per request; turns QueryErrors into JSON 4xx naming the parameter. */
  const route = (handler: (ctx: Context, dataset: Dataset, role: Role) => void) => (ctx: Context) => {
    try {
      ctx.set('Cache-Control', SHORT);
      handler(ctx, store.current.dataset, roleOf(ctx));
    } catch (err) {
      throw httpErrorOf(err);
    }
  };

  const sendCsv = (ctx: Context, body: string, filename: string) => {
    ctx.type = 'text/csv; charset=utf-8';
    ctx.set('Content-Disposition', `attachment; filename="${filename}"`);
    ctx.body = body;
  };

  router.get(
    '/catalog',
    route((ctx, dataset, role) => {
      const unknown = Object.keys(ctx.query)[0];
      if (unknown !== undefined) throw new QueryError(`unknown parameter "${unknown}"; /catalog takes none`, 400, unknown);
      ctx.body = catalogDocument(dataset, role);
    }),
  );

  router.get(
    '/stats',
    route((ctx, dataset, role) => {
      const query = parseStatsQuery(dataset, role, ctx.query);
      checkSelection(dataset, query.filter, query.years);
      const response = statsResponse(dataset, query, role);
      if (query.format === 'json') ctx.body = response;
      else sendCsv(ctx, statsCsv(response, query.decimal), `stats-${query.metrics.map((m) => m.id).join('+')}-${query.years[0]}-${query.years[query.years.length - 1]}-${query.groupBy}.csv`);
    }),
  );

  router.get(
    '/stats/areas',
    route((ctx, dataset, role) => {
      const query = parseRankingQuery(dataset, role, ctx.query);
      checkSelection(dataset, query.filter, [query.year]);
      const response = rankingResponse(dataset, query, role);
      if (query.format === 'json') ctx.body = response;
      else sendCsv(ctx, rankingCsv(response, query.decimal), `areas-${query.metric.id}-${query.year}-by-${query.sort}.csv`);
    }),
  );

  return router;
}
