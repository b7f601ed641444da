import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { IdParams } from '../../contract/common.ts';
import { Problem } from '../../contract/problem.ts';
import { SessionPage, sessionToWire } from '../../contract/session.ts';
import {
  Anonymisation,
  anonymisationToWire,
  CanCreateSession,
  canCreateToWire,
  GuardianConsentBody,
  User,
  UserExportDocument,
  userExportToWire,
  UserSessionsQuery,
  userToWire,
} from '../../contract/user.ts';
import { canCreateSession } from '../../sessions/session-quota.ts';
import type { SessionSort } from '../../sessions/sessions-list-repository.ts';
import { revokeConsent } from '../../users/user-anonymise.ts';
import { recordConsent, recordGuardianConsent } from '../../users/user-consent-service.ts';
import { exportUserData } from '../../users/user-export.ts';
import { listUserSessions } from '../../users/user-sessions.ts';
import type { UsersContext } from '../../users/users-context.ts';
import { actorOf } from '../principal-helpers.ts';

const errors = { 400: Problem, 401: Problem, 403: Problem, 404: Problem, 503: Problem };
const tags = ['users'];

const SORT_COLUMN: Record<string, SessionSort> = { createdAt: 'created_at', startedAt: 'started_at', endedAt: 'ended_at', id: 'id' };

/** The seed's custom actions on /api/utilisateurs/{id}/, consent recording, and the RGPD export. */
export const userActionRoutes: FastifyPluginAsyncTypebox<{ users: UsersContext }> = async (app, { users }) => {
  app.get('/api/users/:id/sessions', {
    config: { access: 'operator' },
    schema: { tags, summary: "A visitor's sessions, newest first (seed: GET /api/utilisateurs/{id}/sessions/)", params: IdParams, querystring: UserSessionsQuery, response: { 200: SessionPage, ...errors } },
  }, async (request) => {
    const { sort, ...query } = request.query;
    const page = await listUserSessions(users, request.params.id, { ...query, ...(sort && { sort: SORT_COLUMN[sort] }) });
    return { ...page, items: page.items.map(sessionToWire) };
  });

  app.get('/api/users/:id/can-create-session', {
    config: { access: 'operator' },
    schema: { tags, summary: 'Whether a code may be issued now: consent, guardian, daily quota (seed: GET /api/utilisateurs/{id}/can_create_session/)', params: IdParams, response: { 200: CanCreateSession, ...errors } },
  }, async (request) => canCreateToWire(await canCreateSession(users, request.params.id)));

  app.post('/api/users/:id/consent', {
    config: { access: 'operator' },
    schema: { tags, summary: "Record (or renew) the visitor's RGPD consent to the current text", params: IdParams, response: { 200: User, 409: Problem, ...errors } },
  }, async (request) => userToWire(await recordConsent(users, actorOf(request), request.params.id)));

  app.post('/api/users/:id/guardian-consent', {
    config: { access: 'operator' },
    schema: { tags, summary: "Record a legal guardian's consent (naming them, or the guardian on file)", params: IdParams, body: GuardianConsentBody, response: { 200: User, 409: Problem, ...errors } },
  }, async (request) => userToWire(await recordGuardianConsent(users, actorOf(request), request.params.id, request.body ?? {})));

  app.post('/api/users/:id/revoke-consent', {
    config: { access: 'operator' },
    schema: { tags, summary: 'Withdraw consent: anonymise now, cancel unused codes; refused while a session runs (seed: POST /api/utilisateurs/{id}/revoke_consent/)', params: IdParams, response: { 200: Anonymisation, 409: Problem, ...errors } },
  }, async (request) => anonymisationToWire(await revokeConsent(users, actorOf(request), request.params.id)));

  app.get('/api/users/:id/export', {
    config: { access: 'admin' },
    schema: { tags, summary: 'RGPD right of access: everything held about the person, as a JSON download (audited)', params: IdParams, response: { 200: UserExportDocument, ...errors } },
  }, async (request, reply) => {
    const data = userExportToWire(await exportUserData(users, actorOf(request), request.params.id));
    void reply.header('content-disposition', `attachment; filename="epnbox-user-${request.params.id}-export.json"`).header('cache-control', 'private, no-store');
    return data;
  });
};
