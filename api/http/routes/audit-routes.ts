import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { auditCsv } from '../../audit/audit-csv.ts';
import { ERROR_ACTIONS, auditStats, getAuditEvent, listAuditEvents, recentAuditEvents, type AuditFilter } from '../../audit/audit-queries.ts';
import type { AuditAction } from '../../audit/audit-actions.ts';
import { recordChainCheck } from '../../audit/audit-chain-check.ts';
import { AuditEvent, AuditListQuery, AuditPage, AuditPeriodQuery, AuditSearchBody, AuditStats, ChainReport } from '../../contract/audit.ts';
import { forSerializer } from '../../contract/serializer-schema.ts';
import { IdParams, PageQuery, isoToEpoch } from '../../contract/common.ts';
import { Problem } from '../../contract/problem.ts';
import type { ListReader } from '../../lists/list-reader.ts';
import type { DomainContext } from '../../shared/domain-context.ts';
import { sendPage } from '../json-body.ts';
import { actorOf } from '../principal-helpers.ts';

const errors = { 400: Problem, 401: Problem, 403: Problem, 503: Problem };
const tags = ['audit'];

interface FilterInput {
  actions?: string[];
  action?: string;
  actorType?: string;
  actorId?: number;
  targetType?: string;
  targetId?: number;
  text?: string;
  from?: string;
  to?: string;
}

// The schema has already restricted every string to its closed set.
function toFilter(input: FilterInput): AuditFilter {
  const { from, to, action, actions, ...rest } = input;
  const all = [...(actions ?? []), ...(action ? [action] : [])] as AuditAction[];
  return { ...(rest as Omit<AuditFilter, 'actions' | 'from' | 'to'>), actions: all.length ? all : undefined, from: isoToEpoch(from), to: isoToEpoch(to) };
}

/** The seed's /api/logs/ (read-only) plus verification and CSV export. */
export const auditRoutes: FastifyPluginAsyncTypebox<{ ctx: DomainContext; lists: ListReader }> = async (app, { ctx, lists }) => {
  app.get('/api/audit', {
    config: { access: 'operator' },
    schema: { tags, summary: 'List audit events, filtered (seed: GET /api/logs/)', querystring: AuditListQuery, response: { 200: forSerializer(AuditPage), ...errors } },
  }, async (request, reply) => {
    const { page, pageSize, sort, ...filter } = request.query;
    // listAuditEvents, written as the serializer would write the page (audit-json.ts), on the list worker.
    return sendPage(reply, await lists.read({ list: 'audit', filter: toFilter(filter), page: { page, pageSize, sort } }));
  });

  app.post('/api/audit/search', {
    config: { access: 'operator' },
    schema: { tags, summary: 'Multi-criteria search: actions, actor, target, period, free text (seed: POST /api/logs/search/)', body: AuditSearchBody, response: { 200: AuditPage, ...errors } },
  }, async (request) => {
    const { page, pageSize, sort, ...filter } = request.body;
    return listAuditEvents(ctx.db, toFilter(filter), { page, pageSize, sort });
  });

  app.get('/api/audit/recent', {
    config: { access: 'operator' },
    schema: { tags, summary: 'Latest events (seed: GET /api/logs/recent/)', querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })) }), response: { 200: Type.Array(AuditEvent), ...errors } },
  }, async (request) => recentAuditEvents(ctx.db, request.query.limit ?? 50));

  app.get('/api/audit/stats', {
    config: { access: 'operator' },
    schema: { tags, summary: 'Counts by action, actor and local day (seed: GET /api/logs/stats/)', querystring: AuditPeriodQuery, response: { 200: AuditStats, ...errors } },
  }, async (request) => auditStats(ctx.db, toFilter(request.query), ctx.policy.timeZone));

  app.get('/api/audit/errors', {
    config: { access: 'operator' },
    schema: { tags, summary: 'Failures: refused logins and codes, token reuse, lockouts, stations gone silent, system errors (seed: GET /api/logs/errors/)', querystring: Type.Object({ ...AuditPeriodQuery.properties, ...PageQuery.properties }, { additionalProperties: false }), response: { 200: AuditPage, ...errors } },
  }, async (request) => {
    const { page, pageSize, ...period } = request.query;
    return listAuditEvents(ctx.db, { ...toFilter(period), actions: [...ERROR_ACTIONS] }, { page, pageSize });
  });

  app.get('/api/audit/by-session/:id', {
    config: { access: 'operator' },
    schema: { tags, summary: "A session's events, oldest first (seed: GET /api/logs/by_session/)", params: IdParams, querystring: PageQuery, response: { 200: AuditPage, ...errors } },
  }, async (request) => listAuditEvents(ctx.db, { targetType: 'session', targetId: request.params.id }, { ...request.query, sort: 'oldest' }));

  app.get('/api/audit/verify', {
    config: { access: 'admin' },
    schema: { tags, summary: 'Verify the whole hash chain; the check itself is audited', response: { 200: ChainReport, ...errors } },
  }, async (request) => recordChainCheck(ctx, actorOf(request)));

  app.get('/api/audit/export.csv', {
    config: { access: 'admin' },
    schema: { tags, summary: 'Audit trail of a period as CSV, hashes included', querystring: AuditPeriodQuery, response: { 200: Type.String({ description: 'text/csv' }), ...errors } },
  }, async (request, reply) => {
    const filter = toFilter(request.query);
    // Validate the period before the first byte is sent.
    await listAuditEvents(ctx.db, filter, { pageSize: 1 });
    void reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="epnbox-audit.csv"');
    // A stream bypasses the response serializer; the schema above documents it.
    return reply.send(Readable.from(auditCsv(ctx.db, filter)) as unknown as string);
  });

  app.get('/api/audit/:id', {
    config: { access: 'operator' },
    schema: { tags, summary: 'One event (seed: GET /api/logs/{id}/)', params: IdParams, response: { 200: AuditEvent, 404: Problem, ...errors } },
  }, async (request) => getAuditEvent(ctx.db, request.params.id));
};
