/** /stats over the mini dataset (SYNTHETIC TEST FIXTURE: four squares, a handful of incidents): small counts. */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseStatsQuery } from '../../data/stats/query.ts';
import { statsResponse } from '../../data/stats/table.ts';
import { startMiniServer, type MiniServer } from '../helpers/mini-server.ts';

let mini: MiniServer;
beforeAll(async () => {
  mini = await startMiniServer();
});
afterAll(() => mini.close());

describe('/stats on small counts', () => {
  it('suppresses small group counts with their rates, and says why', async () => {
    const { body } = await request(mini.handler).get('/stats?metric=stold&year=2023').expect(200);
    const raw = mini.dataset.metrics.get('stold')!.get(2023)!;
    const types = mini.dataset.areaTypes.get(2023)!;
    expect(body.synthetic).toBe(true);
    for (const row of [...body.rows, ...body.totals, ...body.national]) {
      const inGroup = [...raw].filter(([code]) => ['total', 'national'].includes(row.group) || String(types.get(code)) === row.group);
      const count = inGroup.reduce((n, [, v]) => n + v, 0);
      if (count > 0 && count < 5) expect(row).toMatchObject({ count: null, rate: null, rateLow: null, rateHigh: null, sharePercent: null, reason: 'small-count' });
      else expect(row.count).toBe(count);
    }
    expect(body.rows.some((r: any) => r.reason === 'small-count')).toBe(true);
    expect(body.ratios[0]).toMatchObject({ type1VsType5: null, types12VsTypes345: null });
    expect(body.disclosure.applied).toBe(true);
  });

  it('shows cleared roles every count', () => {
    const query = parseStatsQuery(mini.dataset, 'analyst', { metric: 'stold', year: '2023' });
    const response = statsResponse(mini.dataset, query, 'analyst');
    const raw = mini.dataset.metrics.get('stold')!.get(2023)!;
    expect(response.totals[0]).toMatchObject({ count: [...raw.values()].reduce((a, b) => a + b, 0), reason: null });
    expect(response.disclosure.applied).toBe(false);
  });

  it('refuses to group by utsatt område without such a layer', async () => {
    const { body } = await request(mini.handler).get('/stats?metric=stold&groupBy=utsatt-omrade').expect(400);
    expect(body.parameter).toBe('groupBy');
    const catalog = await request(mini.handler).get('/catalog').expect(200);
    expect(catalog.body.groupBy).not.toContain('utsatt-omrade');
  });
});
