import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Problem } from '../../contract/problem.ts';
import { forSerializer } from '../../contract/serializer-schema.ts';
import { MinutesBody, Session, SessionIdParams, sessionToWire, StartOnStationBody, TimeRemaining, timeRemainingToWire } from '../../contract/session.ts';
import { addTime, endSession, removeTime, resumeSession, suspendSession, timeRemaining } from '../../sessions/sessions-service.ts';
import { startSessionById } from '../../sessions/start-session-by-id.ts';
import { endSessionOnStation, timeRemainingOnStation } from '../../sessions/station-own-session.ts';
import type { DomainContext } from '../../shared/domain-context.ts';
import { actorOf } from '../principal-helpers.ts';
import { routineLogLevel } from '../routine-log.ts';

const tags = ['sessions'];
const errors = { 400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 503: Problem };
const params = SessionIdParams;

/** The seed's lifecycle actions on one session, plus remove-time. */
export const sessionActionRoutes: FastifyPluginAsyncTypebox<{ ctx: DomainContext }> = async (app, { ctx }) => {
  app.post('/api/sessions/:id/start', {
    config: { access: 'operator' },
    schema: { tags, summary: 'Start an unused code on a chosen station (seed: POST /api/sessions/{id}/start/)', params, body: StartOnStationBody, response: { 200: Session, ...errors } },
  }, async (request) => sessionToWire(await startSessionById(ctx, request.params.id, request.body.stationId, actorOf(request))));

  app.post('/api/sessions/:id/add-time', {
    config: { access: 'operator' },
    schema: { tags, summary: 'Add whole minutes to a live session (seed: POST /api/sessions/{id}/add_time/)', params, body: MinutesBody, response: { 200: Session, ...errors } },
  }, async (request) => sessionToWire(await addTime(ctx, request.params.id, request.body.minutes, actorOf(request))));

  app.post('/api/sessions/:id/remove-time', {
    config: { access: 'operator' },
    schema: { tags, summary: 'Take whole minutes from a live session (seed: none; the model had it)', params, body: MinutesBody, response: { 200: Session, ...errors } },
  }, async (request) => sessionToWire(await removeTime(ctx, request.params.id, request.body.minutes, actorOf(request))));

  app.post('/api/sessions/:id/end', {
    config: { access: 'station_or_operator' },
    schema: {
      tags,
      summary: 'End a running session: by an operator, or by the visitor on its own station (seed: POST /api/sessions/{id}/terminate/)',
      params,
      response: { 200: Session, ...errors },
    },
  }, async (request) => {
    const p = request.principal;
    const view = p.kind === 'station'
      ? await endSessionOnStation(ctx, request.params.id, p.stationId)
      : await endSession(ctx, request.params.id, 'ended_by_operator', actorOf(request));
    return sessionToWire(view);
  });

  app.post('/api/sessions/:id/suspend', {
    config: { access: 'operator' },
    schema: { tags, summary: 'Suspend an active session: its time stops (seed: POST /api/sessions/{id}/suspend/)', params, response: { 200: Session, ...errors } },
  }, async (request) => sessionToWire(await suspendSession(ctx, request.params.id, actorOf(request))));

  app.post('/api/sessions/:id/resume', {
    config: { access: 'operator' },
    schema: { tags, summary: 'Resume a suspended session (seed: POST /api/sessions/{id}/resume/)', params, response: { 200: Session, ...errors } },
  }, async (request) => sessionToWire(await resumeSession(ctx, request.params.id, actorOf(request))));

  app.get('/api/sessions/:id/time-remaining', {
    config: { access: 'station_or_operator' },
    logLevel: routineLogLevel(app),
    schema: {
      tags,
      summary: "Time left and deadline; a station only for its own session (seed: GET /api/sessions/{id}/time_remaining/ and the WebSocket's get_time)",
      params,
      response: { 200: forSerializer(TimeRemaining), ...errors },
    },
  }, async (request) => {
    const p = request.principal;
    const t = p.kind === 'station' ? await timeRemainingOnStation(ctx, request.params.id, p.stationId) : await timeRemaining(ctx, request.params.id);
    return timeRemainingToWire(t);
  });
};
