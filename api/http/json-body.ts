import type { FastifyReply } from 'fastify';
import { pageBody, type JsonText, type ListPage } from '../contract/json-text.ts';

/**
 * Sends a list page written as JSON by the contract's page writer for its items
 * (json-text.ts): Fastify sends the Buffer as it is, without the response
 * serializer; the route's schema still documents it, and the writers are tested
 * against that schema and the serializer's output (test/api/list-bodies.test.ts).
 */
export function sendPage<T>(reply: FastifyReply, page: ListPage<T>, item: (w: JsonText, value: T) => void): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(pageBody(page, item));
}
