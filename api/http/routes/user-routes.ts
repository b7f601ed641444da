import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { IdParams, isoToEpoch } from '../../contract/common.ts';
import { Problem } from '../../contract/problem.ts';
import { forSerializer } from '../../contract/serializer-schema.ts';
import {
  Anonymisation,
  anonymisationToWire,
  CreateUserBody,
  PatchUserBody,
  ReplaceUserBody,
  User,
  UserListQuery,
  UserPage,
  UserStats,
  UserStatsQuery,
  userStatsToWire,
  userToWire,
} from '../../contract/user.ts';
import type { ListReader } from '../../lists/list-reader.ts';
import type { DomainContext } from '../../shared/domain-context.ts';
import type { PhotoStore } from '../../users/photo-store.ts';
import { deleteUser } from '../../users/user-anonymise.ts';
import type { UpdateUserInput } from '../../users/user-input.ts';
import { userStats } from '../../users/user-stats.ts';
import type { UsersContext } from '../../users/users-context.ts';
import { createUser, getUser, updateUser } from '../../users/users-service.ts';
import { sendPage } from '../json-body.ts';
import { actorOf } from '../principal-helpers.ts';
import { userActionRoutes } from './user-actions-routes.ts';
import { userPhotoRoutes } from './user-photo-routes.ts';

export interface UserRoutesOptions {
  ctx: DomainContext;
  /** Where ID photos live (a directory under dataDir on the appliance). */
  photos: PhotoStore;
  /** Where the visitors page is read and written (api/lists). */
  lists: ListReader;
}

const errors = { 400: Problem, 401: Problem, 403: Problem, 503: Problem };
const tags = ['users'];
const UserPageOut = forSerializer(UserPage);

/**
 * The services' context plus the photo store. A live view, not a copy:
 * `ctx.policy` is replaced when an admin changes a setting (live-policy.ts).
 */
function usersContextOf(ctx: DomainContext, photos: PhotoStore): UsersContext {
  return {
    get db() {
      return ctx.db;
    },
    get clock() {
      return ctx.clock;
    },
    get policy() {
      return ctx.policy;
    },
    photos,
  };
}

/** PUT replaces the editable record: an optional field left out is cleared (RFC 9110 §9.3.4). */
function replacement(body: ReplaceUserBody): UpdateUserInput {
  return { ...body, email: body.email ?? null, notes: body.notes ?? null, guardianName: body.guardianName ?? null };
}

/**
 * Visitors ("usagers"): the seed's /api/utilisateurs/ CRUD and stats here,
 * custom actions in user-actions-routes.ts, the ID photo in user-photo-routes.ts.
 */
export const userRoutes: FastifyPluginAsyncTypebox<UserRoutesOptions> = async (app, { ctx, photos, lists }) => {
  const users = usersContextOf(ctx, photos);

  app.get('/api/users', {
    config: { access: 'operator' },
    schema: { tags, summary: 'List visitors: search, consent status, paging (seed: GET /api/utilisateurs/)', querystring: UserListQuery, response: { 200: UserPageOut, ...errors } },
  }, async (request, reply) => {
    const { sort, ...query } = request.query;
    const options = { ...query, ...(sort && { sort: sort === 'createdAt' ? ('created_at' as const) : ('name' as const) }) };
    // listUsers, written as the serializer would write UserPageOut (user-json.ts), on the list worker.
    return sendPage(reply, await lists.read({ list: 'users', options }));
  });

  app.post('/api/users', {
    config: { access: 'operator' },
    schema: { tags, summary: 'Register a visitor, consent included (seed: POST /api/utilisateurs/)', body: CreateUserBody, response: { 201: User, ...errors } },
  }, async (request, reply) => {
    const user = await createUser(ctx, actorOf(request), request.body);
    return reply.code(201).header('location', `/api/users/${user.id}`).send(userToWire(user));
  });

  app.get('/api/users/stats', {
    config: { access: 'operator' },
    schema: { tags, summary: 'Visitor counts, and station use per visitor over a period (seed: GET /api/utilisateurs/stats/)', querystring: UserStatsQuery, response: { 200: UserStats, ...errors } },
  }, async (request) => {
    const { from, to, top } = request.query;
    return userStatsToWire(await userStats(ctx, { from: isoToEpoch(from), to: isoToEpoch(to), top }));
  });

  app.get('/api/users/:id', {
    config: { access: 'operator' },
    schema: { tags, summary: 'One visitor (seed: GET /api/utilisateurs/{id}/)', params: IdParams, response: { 200: User, 404: Problem, ...errors } },
  }, async (request) => userToWire(await getUser(ctx, request.params.id)));

  app.put('/api/users/:id', {
    config: { access: 'operator' },
    schema: { tags, summary: 'Replace the editable record; optional fields left out are cleared (seed: PUT /api/utilisateurs/{id}/)', params: IdParams, body: ReplaceUserBody, response: { 200: User, 404: Problem, 409: Problem, ...errors } },
  }, async (request) => userToWire(await updateUser(ctx, actorOf(request), request.params.id, replacement(request.body))));

  app.patch('/api/users/:id', {
    config: { access: 'operator' },
    schema: { tags, summary: 'Change some fields; null clears an optional one', params: IdParams, body: PatchUserBody, response: { 200: User, 404: Problem, 409: Problem, ...errors } },
  }, async (request) => userToWire(await updateUser(ctx, actorOf(request), request.params.id, request.body)));

  app.delete('/api/users/:id', {
    config: { access: 'admin' },
    schema: { tags, summary: 'Delete: anonymise, cancel unused codes, keep connection records (seed: DELETE /api/utilisateurs/{id}/)', params: IdParams, response: { 200: Anonymisation, 404: Problem, 409: Problem, ...errors } },
  }, async (request) => anonymisationToWire(await deleteUser(users, actorOf(request), request.params.id)));

  await app.register(userActionRoutes, { users });
  await app.register(userPhotoRoutes, { users });
};
