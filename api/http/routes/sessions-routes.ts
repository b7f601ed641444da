import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AttemptLimiter } from '../../auth/attempt-limiter.ts';
import { isoToEpoch } from '../../contract/common.ts';
import { forSerializer } from '../../contract/serializer-schema.ts';
import { Problem } from '../../contract/problem.ts';
import {
  IssueSessionBody,
  PeriodQuery,
  Session,
  SessionIdParams,
  LiveSessionsQuery,
  SessionListQuery,
  SessionPage,
  SessionStats,
  sessionStatsToWire,
  sessionToWire,
  UpdateSessionBody,
} from '../../contract/session.ts';
import { createCodeLimiter } from '../../sessions/code-attempts.ts';
import { changeBinding } from '../../sessions/session-binding.ts';
import { sessionStats } from '../../sessions/session-stats.ts';
import { cancelSession, createSession, getSession } from '../../sessions/sessions-service.ts';
import { LIVE_STATUSES } from '../../sessions/sessions-table.ts';
import type { SessionSort } from '../../sessions/sessions-list-repository.ts';
import type { ListReader } from '../../lists/list-reader.ts';
import type { DomainContext } from '../../shared/domain-context.ts';
import { sendPage } from '../json-body.ts';
import { actorOf } from '../principal-helpers.ts';
import { sessionActionRoutes } from './session-actions-routes.ts';
import { sessionCodeRoutes } from './session-code-routes.ts';
import { sessionExportRoutes } from './session-export-routes.ts';

export interface SessionRoutesOptions {
  ctx: DomainContext;
  /** Wrong-code limit per station; one per app unless a test hands its own in. */
  codeLimiter?: AttemptLimiter;
  /** Where the sessions pages are read and written (api/lists). */
  lists: ListReader;
}

const tags = ['sessions'];
const errors = { 400: Problem, 401: Problem, 403: Problem, 503: Problem };
// Both lists: type lists instead of anyOf for the serializer (serializer-schema.ts).
const SessionPageOut = forSerializer(SessionPage);
const SORT_COLUMN: Record<string, SessionSort> = { createdAt: 'created_at', startedAt: 'started_at', endedAt: 'ended_at', id: 'id' };

/**
 * The seed's /api/sessions/ (14 endpoints) in English: the collection and one
 * session here, lifecycle actions, typed codes and the CSV export in the
 * plugins registered below.
 */
export const sessionRoutes: FastifyPluginAsyncTypebox<SessionRoutesOptions> = async (app, opts) => {
  const { ctx, lists } = opts;

  app.get('/api/sessions', {
    config: { access: 'operator' },
    schema: { tags, summary: 'List sessions: filters, sort, pages (seed: GET /api/sessions/)', querystring: SessionListQuery, response: { 200: SessionPageOut, ...errors } },
  }, async (request, reply) => {
    const { from, to, sort, ...rest } = request.query;
    const query = { ...rest, from: isoToEpoch(from), to: isoToEpoch(to), sort: sort === undefined ? undefined : SORT_COLUMN[sort] };
    // listSessions, written as the serializer would write SessionPageOut (session-json.ts), on the list worker.
    return sendPage(reply, await lists.read({ list: 'sessions', query }));
  });

  app.post('/api/sessions', {
    config: { access: 'operator' },
    schema: { tags, summary: 'Issue an access code for a visitor (seed: POST /api/sessions/)', body: IssueSessionBody, response: { 201: Session, 404: Problem, 409: Problem, ...errors } },
  }, async (request, reply) => {
    const view = await createSession(ctx, request.body, actorOf(request));
    return reply.code(201).send(sessionToWire(view));
  });

  app.get('/api/sessions/live', {
    config: { access: 'operator' },
    schema: {
      tags,
      summary: 'Pending, active and suspended sessions with their timing, paged like every list (seed: GET /api/sessions/actives/)',
      querystring: LiveSessionsQuery,
      response: { 200: SessionPageOut, ...errors },
    },
  }, async (request, reply) => {
    const { status, ...pageRequest } = request.query;
    // Outstanding codes can run into thousands: the live view is paged too.
    return sendPage(reply, await lists.read({ list: 'sessions', query: { ...pageRequest, status: status ?? [...LIVE_STATUSES], order: 'asc' } }));
  });

  app.get('/api/sessions/stats', {
    config: { access: 'operator' },
    schema: { tags, summary: 'Session statistics over a period, today by default (seed: GET /api/sessions/stats/)', querystring: PeriodQuery, response: { 200: SessionStats, ...errors } },
  }, async (request) => sessionStatsToWire(await sessionStats(ctx, { from: isoToEpoch(request.query.from), to: isoToEpoch(request.query.to) })));

  app.get('/api/sessions/:id', {
    config: { access: 'operator' },
    schema: { tags, summary: 'One session (seed: GET /api/sessions/{id}/)', params: SessionIdParams, response: { 200: Session, 404: Problem, ...errors } },
  }, async (request) => sessionToWire(await getSession(ctx, request.params.id)));

  for (const method of ['PUT', 'PATCH'] as const) {
    app.route({
      method,
      url: '/api/sessions/:id',
      config: { access: 'operator' },
      schema: {
        tags,
        summary: `Reserve an unused code for another station, or for any (seed: ${method === 'PUT' ? 'PUT /api/sessions/{id}/' : 'partial update'})`,
        params: SessionIdParams,
        body: UpdateSessionBody,
        response: { 200: Session, 404: Problem, 409: Problem, ...errors },
      },
      handler: async (request) => sessionToWire(await changeBinding(ctx, request.params.id, request.body.boundStationId, actorOf(request))),
    });
  }

  app.delete('/api/sessions/:id', {
    config: { access: 'operator' },
    schema: { tags, summary: 'Cancel an unused code; records are never deleted (seed: DELETE /api/sessions/{id}/)', params: SessionIdParams, response: { 200: Session, 404: Problem, 409: Problem, ...errors } },
  }, async (request) => sessionToWire(await cancelSession(ctx, request.params.id, actorOf(request))));

  await app.register(sessionActionRoutes, { ctx });
  await app.register(sessionCodeRoutes, { ctx, codeLimiter: opts.codeLimiter ?? createCodeLimiter(ctx.clock) });
  await app.register(sessionExportRoutes, { ctx });
};
