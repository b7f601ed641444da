import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { IdParams, epochToIso } from '../../contract/common.ts';
import { Problem } from '../../contract/problem.ts';
import { forSerializer } from '../../contract/serializer-schema.ts';
import { sessionToWire } from '../../contract/session.ts';
import { ActiveSessionResponse, HeartbeatBody, HeartbeatResponse, OptionalReasonBody, ReasonBody, Station, StationToken, liveSessionToWire, stationToWire } from '../../contract/station.ts';
import type { DomainContext } from '../../shared/domain-context.ts';
import { activeSessionOf } from '../../stations/station-active-session.ts';
import { flushHeartbeats } from '../../stations/heartbeat-buffer.ts';
import { recordHeartbeat } from '../../stations/station-heartbeat.ts';
import { approveStation, markAvailable, markMaintenance, markOffline } from '../../stations/station-state-service.ts';
import { issueStationCredential } from '../../stations/station-token.ts';
import { actorOf } from '../principal-helpers.ts';
import { routineLogLevel } from '../routine-log.ts';

const errors = { 400: Problem, 401: Problem, 403: Problem, 404: Problem, 503: Problem };
const tags = ['stations'];
const stateErrors = { 409: Problem, ...errors };

// An agent or a panel button may post no body at all where every field is
// optional; treat it as {} so validation sees an object.
// A callback hook, not an async one: it runs on every heartbeat and needs no promise.
const optionalBody = (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) => {
  request.body ??= {};
  done();
};

/** The seed's custom station actions: heartbeat, marquer_*, session_active; plus approval and manual token issue. */
export const stationActionRoutes: FastifyPluginAsyncTypebox<{ ctx: DomainContext }> = async (app, { ctx }) => {
  // Routine beats wait in memory up to a second (HeartbeatBuffer): write them before the database closes.
  app.addHook('onClose', async () => {
    await flushHeartbeats(ctx.db).catch((error: unknown) => app.log.error({ err: error }, 'heartbeats held in memory could not be written at shutdown'));
  });
  app.post('/api/stations/:id/heartbeat', {
    config: { access: 'station', selfParam: 'id' },
    logLevel: routineLogLevel(app),
    preValidation: optionalBody,
    schema: {
      tags,
      summary: "The agent says it is alive; answers the box's time and the station's state (seed: POST /api/postes/{id}/heartbeat/)",
      params: IdParams,
      body: HeartbeatBody,
      response: { 200: forSerializer(HeartbeatResponse), ...errors },
    },
  }, async (request) => {
    const { id } = request.params;
    const { agentVersion, ip, uptimeSeconds, load } = request.body;
    const result = await recordHeartbeat(ctx, id, { agentVersion, ip });
    if (result.ipConflictWith !== null) {
      request.log.warn({ stationId: id, ip, ipConflictWith: result.ipConflictWith }, 'station reports an IP address held by another station; address not taken over');
    }
    request.log.debug({ stationId: id, uptimeSeconds, load }, 'heartbeat');
    const { station } = result;
    return {
      stationId: id,
      state: station.state,
      stateReason: station.stateReason,
      serverTime: epochToIso(ctx.clock.now())!,
      heartbeatTimeoutSeconds: Math.floor(ctx.policy.heartbeatTimeoutMs / 1000),
      cameOnline: result.cameOnline,
      liveSession: liveSessionToWire(station.liveSession),
    };
  });

  app.post('/api/stations/:id/mark-available', {
    config: { access: 'operator' },
    preValidation: optionalBody,
    schema: { tags, summary: 'Back in service; reason optional (seed: POST /api/postes/{id}/marquer_disponible/)', params: IdParams, body: OptionalReasonBody, response: { 200: Station, ...stateErrors } },
  }, async (request) => stationToWire(await markAvailable(ctx, actorOf(request), request.params.id, request.body.reason ?? null)));

  app.post('/api/stations/:id/mark-maintenance', {
    config: { access: 'operator' },
    schema: {
      tags,
      summary: 'Out of service for repairs; reason required; refused while a session runs (seed: POST /api/postes/{id}/marquer_maintenance/)',
      params: IdParams,
      body: ReasonBody,
      response: { 200: Station, ...stateErrors },
    },
  }, async (request) => stationToWire(await markMaintenance(ctx, actorOf(request), request.params.id, request.body.reason)));

  app.post('/api/stations/:id/mark-offline', {
    config: { access: 'operator' },
    schema: {
      tags,
      summary: 'Declared offline (unplugged, lent out); reason required; a heartbeat does not lift it (seed: POST /api/postes/{id}/marquer_hors_ligne/)',
      params: IdParams,
      body: ReasonBody,
      response: { 200: Station, ...stateErrors },
    },
  }, async (request) => stationToWire(await markOffline(ctx, actorOf(request), request.params.id, request.body.reason)));

  app.post('/api/stations/:id/approve', {
    config: { access: 'admin' },
    schema: { tags, summary: 'Accept an enrolled station: pending -> available', params: IdParams, response: { 200: Station, ...stateErrors } },
  }, async (request) => stationToWire(await approveStation(ctx, actorOf(request), request.params.id)));

  app.get('/api/stations/:id/active-session', {
    config: { access: 'station_or_operator', selfParam: 'id' },
    schema: {
      tags,
      summary: 'The session running on the station, or session: null when it is free (seed: GET /api/postes/{id}/session_active/)',
      params: IdParams,
      response: { 200: ActiveSessionResponse, ...errors },
    },
  }, async (request) => {
    const session = await activeSessionOf(ctx, request.params.id);
    return { stationId: request.params.id, session: session === null ? null : sessionToWire(session), serverTime: epochToIso(ctx.clock.now())! };
  });

  app.post('/api/stations/:id/token', {
    config: { access: 'admin' },
    schema: {
      tags,
      summary: "Issue (or re-issue, revoking the old one) the station's token, shown once; for manual enrollment",
      params: IdParams,
      response: { 201: StationToken, ...errors },
    },
  }, async (request, reply) => {
    const issued = await issueStationCredential(ctx, actorOf(request), request.params.id);
    // A credential in the body must not linger in any cache (RFC 9111 §5.2.2.5).
    return reply.code(201).header('cache-control', 'no-store').send({ ...issued, issuedAt: epochToIso(issued.issuedAt)! });
  });
};
