import type { FastifyReply } from 'fastify';

/**
 * Sends a list page's JSON body as it is (api/lists: the domain's page written
 * by the contract's page writers, json-text.ts, in the list worker or the main
 * thread): Fastify sends the Buffer without the response serializer; the
 * route's schema still documents it, and the writers are tested against that
 * schema and the serializer's output (test/api/list-bodies.test.ts).
 */
export function sendPage(reply: FastifyReply, body: Buffer): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(body);
}
