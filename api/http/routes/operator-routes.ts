import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { IdParams } from '../../contract/common.ts';
import { NewOperatorBody, Operator, OperatorListQuery, OperatorPage, OperatorPatchBody, OperatorWithPassword, toOperatorWire } from '../../contract/operator.ts';
import { Problem } from '../../contract/problem.ts';
import { addOperator, resetOperatorPassword, updateOperator, type OperatorWithPassword as WithPassword } from '../../operators/operators-admin.ts';
import { getOperator, listOperators } from '../../operators/operators-list.ts';
import type { DomainContext } from '../../shared/domain-context.ts';
import { actorOf } from '../principal-helpers.ts';

const errors = { 400: Problem, 401: Problem, 403: Problem, 503: Problem };
const tags = ['operators'];

function withPassword(result: WithPassword) {
  return { operator: toOperatorWire(result.operator), oneTimePassword: result.oneTimePassword };
}

/** Operators management (admins only); the seed had it in Django's admin site only. */
export const operatorRoutes: FastifyPluginAsyncTypebox<{ ctx: DomainContext }> = async (app, { ctx }) => {
  app.get('/api/operators', {
    config: { access: 'admin' },
    schema: { tags, summary: 'List operators: role, active, text; sorted and paged', querystring: OperatorListQuery, response: { 200: OperatorPage, ...errors } },
  }, async (request) => {
    const page = await listOperators(ctx, request.query);
    return { ...page, items: page.items.map(toOperatorWire) };
  });

  app.get('/api/operators/:id', {
    config: { access: 'admin' },
    schema: { tags, summary: 'One operator', params: IdParams, response: { 200: Operator, 404: Problem, ...errors } },
  }, async (request) => toOperatorWire(await getOperator(ctx, request.params.id)));

  app.post('/api/operators', {
    config: { access: 'admin' },
    schema: {
      tags,
      summary: 'Add an operator; without a password a one-time password is generated and returned once',
      body: NewOperatorBody,
      response: { 201: OperatorWithPassword, 409: Problem, ...errors },
    },
  }, async (request, reply) => {
    const result = await addOperator(ctx, actorOf(request), request.body);
    // A password in the body must not linger in any cache (RFC 9111 §5.2.2.5).
    return reply.code(201).header('cache-control', 'no-store').send(withPassword(result));
  });

  app.patch('/api/operators/:id', {
    config: { access: 'admin' },
    schema: {
      tags,
      summary: 'Rename, change role, (de)activate; an admin cannot demote or deactivate themselves, nor the last active admin',
      params: IdParams,
      body: OperatorPatchBody,
      response: { 200: Operator, 404: Problem, 409: Problem, ...errors },
    },
  }, async (request) => toOperatorWire(await updateOperator(ctx, actorOf(request), request.params.id, request.body)));

  app.post('/api/operators/:id/reset-password', {
    config: { access: 'admin' },
    schema: {
      tags,
      summary: 'New one-time password (returned once, to change at next login); ends every login of that operator',
      params: IdParams,
      response: { 200: OperatorWithPassword, 404: Problem, ...errors },
    },
  }, async (request, reply) => {
    const result = await resetOperatorPassword(ctx, actorOf(request), request.params.id);
    return reply.header('cache-control', 'no-store').send(withPassword(result));
  });
};
