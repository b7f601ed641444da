import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { isoToEpoch } from '../../contract/common.ts';
import { Problem } from '../../contract/problem.ts';
import { PeriodQuery, StatsExportQuery, StatsReport, statsToWire } from '../../contract/stats.ts';
import type { DomainContext } from '../../shared/domain-context.ts';
import { exportStatsCsv } from '../../stats/stats-csv.ts';
import { statsReport } from '../../stats/stats-report.ts';
import { actorOf } from '../principal-helpers.ts';

const errors = { 400: Problem, 401: Problem, 403: Problem, 503: Problem };
const tags = ['statistics'];

/** Usage statistics over a period (the seed's daily report, on demand) and their CSV export. */
export const statsRoutes: FastifyPluginAsyncTypebox<{ ctx: DomainContext }> = async (app, { ctx }) => {
  app.get('/api/stats', {
    config: { access: 'operator' },
    schema: {
      tags,
      summary: 'Use per visitor, station, local day and hour, and totals, over a period (today by default; two years at most)',
      querystring: PeriodQuery,
      response: { 200: StatsReport, ...errors },
    },
  }, async (request) => statsToWire(await statsReport(ctx, { from: isoToEpoch(request.query.from), to: isoToEpoch(request.query.to) })));

  app.get('/api/stats/export.csv', {
    config: { access: 'admin' },
    schema: {
      tags,
      summary: 'One statistics table of a period as CSV (view=day|hour|station|user); audited',
      querystring: StatsExportQuery,
      response: { 200: Type.String({ description: 'text/csv' }), ...errors },
    },
  }, async (request, reply) => {
    const { from, to, view } = request.query;
    const csv = await exportStatsCsv(ctx, actorOf(request), { from: isoToEpoch(from), to: isoToEpoch(to) }, view ?? 'day');
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="epnbox-stats-${view ?? 'day'}.csv"`)
      .send(csv);
  });
};
