import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { IdParams } from '../../contract/common.ts';
import { Problem } from '../../contract/problem.ts';
import { Report, ReportListQuery, ReportPage, reportToWire } from '../../contract/reports.ts';
import { getReport, getReportCsv, listReports } from '../../reports/reports-service.ts';
import type { DomainContext } from '../../shared/domain-context.ts';

const errors = { 400: Problem, 401: Problem, 403: Problem, 503: Problem };
const tags = ['reports'];

/** Stored daily reports (the seed's generate_sessions_report and generate_logs_report), as JSON or CSV. */
export const reportRoutes: FastifyPluginAsyncTypebox<{ ctx: DomainContext }> = async (app, { ctx }) => {
  app.get('/api/reports', {
    config: { access: 'operator' },
    schema: {
      tags,
      summary: 'Daily reports, latest day first; filter by kind and local days (seed: sessions-daily-report, logs-daily-report)',
      querystring: ReportListQuery,
      response: { 200: ReportPage, ...errors },
    },
  }, async (request) => {
    const { sort: _sort, ...query } = request.query;
    const page = await listReports(ctx, query);
    return { ...page, items: page.items.map(reportToWire) };
  });

  app.get('/api/reports/:id', {
    config: { access: 'operator' },
    schema: { tags, summary: 'One daily report: totals and per-hour figures', params: IdParams, response: { 200: Report, 404: Problem, ...errors } },
  }, async (request) => reportToWire(await getReport(ctx, request.params.id)));

  app.get('/api/reports/:id/csv', {
    config: { access: 'operator' },
    schema: {
      tags,
      summary: 'One daily report as CSV: a row per local hour and a total row (figures only, no names)',
      params: IdParams,
      response: { 200: Type.String({ description: 'text/csv' }), 404: Problem, ...errors },
    },
  }, async (request, reply) => {
    const { fileName, csv } = await getReportCsv(ctx, request.params.id);
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${fileName}"`).send(csv);
  });
};
