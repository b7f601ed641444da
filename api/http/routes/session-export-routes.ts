import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { Problem } from '../../contract/problem.ts';
import { ExportPeriodQuery } from '../../contract/session.ts';
import { exportSessionsCsv } from '../../sessions/sessions-csv.ts';
import type { DomainContext } from '../../shared/domain-context.ts';
import { localDate } from '../../shared/zoned-time.ts';
import { actorOf } from '../principal-helpers.ts';

const errors = { 400: Problem, 401: Problem, 403: Problem, 503: Problem };

/** Connection records of a period for the admin (what French rules on public internet access ask an EPN to keep). */
export const sessionExportRoutes: FastifyPluginAsyncTypebox<{ ctx: DomainContext }> = async (app, { ctx }) => {
  app.get('/api/sessions/export.csv', {
    config: { access: 'admin' },
    schema: {
      tags: ['sessions'],
      summary: 'Sessions issued in a period as CSV: code fingerprint, visitor id, station name and IP, status, times, minutes (seed: none)',
      querystring: ExportPeriodQuery,
      response: {
        200: { description: 'UTF-8 with BOM, CRLF lines, header first', content: { 'text/csv': { schema: Type.String() } } },
        ...errors,
      },
    },
  }, async (request, reply) => {
    const from = Date.parse(request.query.from);
    const to = Date.parse(request.query.to);
    const lines = await exportSessionsCsv(ctx, { from, to }, actorOf(request));
    const name = `epnbox-sessions-${localDate(from, ctx.policy.timeZone)}_${localDate(to, ctx.policy.timeZone)}.csv`;
    void reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}"`);
    // A stream bypasses the response serializer; the schema above documents it.
    return reply.send(Readable.from(lines) as unknown as string);
  });
};
