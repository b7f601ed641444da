import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AttemptLimiter } from '../../auth/attempt-limiter.ts';
import { Problem } from '../../contract/problem.ts';
import { forSerializer } from '../../contract/serializer-schema.ts';
import { Session, sessionToWire, StartCodeBody, ValidateCodeBody } from '../../contract/session.ts';
import { startTypedCode, validateCodeFor, type CodeCaller } from '../../sessions/code-attempts.ts';
import type { DomainContext } from '../../shared/domain-context.ts';
import { operatorOf } from '../principal-helpers.ts';

const tags = ['sessions'];
const errors = { 400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 429: Problem, 503: Problem };

/**
 * Codes typed on a station. A wrong code always gets the same CODE_REJECTED,
 * whatever the reason; 5 of them in a minute lock the station out (429 with
 * Retry-After) for a growing delay.
 */
export const sessionCodeRoutes: FastifyPluginAsyncTypebox<{ ctx: DomainContext; codeLimiter: AttemptLimiter }> = async (app, { ctx, codeLimiter }) => {
  app.post('/api/sessions/validate-code', {
    config: { access: 'station_or_operator' },
    schema: {
      tags,
      summary: 'Check a code without starting it: a station for itself, an operator for a named station (seed: POST /api/sessions/validate_code/)',
      body: ValidateCodeBody,
      response: { 200: forSerializer(Session), ...errors },
    },
  }, async (request) => {
    const p = request.principal;
    const caller: CodeCaller = p.kind === 'station' ? { kind: 'station', stationId: p.stationId } : { kind: 'operator', operatorId: operatorOf(request).operatorId };
    return sessionToWire(await validateCodeFor(ctx, codeLimiter, caller, request.body));
  });

  app.post('/api/sessions/start', {
    config: { access: 'station' },
    schema: {
      tags,
      summary: "Start the session of a typed code on the calling station (seed: the WebSocket's start_session)",
      body: StartCodeBody,
      response: { 200: Session, ...errors },
    },
  }, async (request) => {
    // access 'station' guarantees a station principal.
    const { stationId } = request.principal as { stationId: number };
    return sessionToWire(await startTypedCode(ctx, codeLimiter, stationId, request.body.code));
  });
};
