import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { IdParams } from '../../contract/common.ts';
import { Problem } from '../../contract/problem.ts';
import { CommandReceiptWire, MessageBody, commandReceiptToWire } from '../../contract/ws-commands.ts';
import { lockStation, requestReboot, sendStationMessage, type CommandSender } from '../../realtime/station-commands.ts';
import type { DomainContext } from '../../shared/domain-context.ts';
import { actorOf } from '../principal-helpers.ts';

const tags = ['stations'];
const errors = { 400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 503: Problem };
const response = { 202: CommandReceiptWire, ...errors };

/**
 * Operator commands pushed to a connected station over its WebSocket; each is
 * audited, then sent; the agent's ack reaches operators as command_acked.
 * 409 STATION_NOT_CONNECTED when the station has no live connection.
 */
export const stationCommandRoutes: FastifyPluginAsyncTypebox<{ ctx: DomainContext; sender: CommandSender }> = async (app, { ctx, sender }) => {
  app.post('/api/stations/:id/message', {
    config: { access: 'operator' },
    schema: { tags, summary: 'Show a message on the station (new; the seed had broadcast_to_all_sessions)', params: IdParams, body: MessageBody, response },
  }, async (request, reply) => reply.code(202).send(commandReceiptToWire(await sendStationMessage(ctx, sender, actorOf(request), request.params.id, request.body.text))));

  app.post('/api/stations/:id/lock', {
    config: { access: 'operator' },
    schema: { tags, summary: 'Lock the station now; an active session there is suspended, its time kept (new)', params: IdParams, response },
  }, async (request, reply) => reply.code(202).send(commandReceiptToWire(await lockStation(ctx, sender, actorOf(request), request.params.id))));

  app.post('/api/stations/:id/reboot', {
    config: { access: 'operator' },
    schema: { tags, summary: 'Ask the station to reboot; refused while a session runs there (new)', params: IdParams, response },
  }, async (request, reply) => reply.code(202).send(commandReceiptToWire(await requestReboot(ctx, sender, actorOf(request), request.params.id))));
};
