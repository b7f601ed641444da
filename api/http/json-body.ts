import type { FastifyReply } from 'fastify';

/**
 * Sends a JSON document already written as UTF-8 (a list page written by
 * SQLite and the contract's page writers): Fastify sends a Buffer as it is,
 * without the response serializer; the route's schema still documents it, and
 * the writers are tested against that schema and the serializer's output.
 */
export function sendJsonBody(reply: FastifyReply, body: Buffer): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(body);
}
