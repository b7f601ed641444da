import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { BootAdmin } from '../../contract/boot-admin.ts';
import { BootGroup, BootGroupPage, BootGroupPatchBody, BootListQuery, NewBootGroupBody, StationBoot, StationBootBody, bootGroupToWire, stationBootToWire } from '../../contract/boot.ts';
import { IdParams } from '../../contract/common.ts';
import { Problem } from '../../contract/problem.ts';
import { actorOf } from '../principal-helpers.ts';

const errors = { 400: Problem, 401: Problem, 403: Problem, 404: Problem, 503: Problem };
const changeErrors = { 409: Problem, ...errors };
const tags = ['boot'];
const admin = { access: 'admin' as const };

/** Groups of stations sharing a profile, and each station's own choice (most specific wins). New in epnbox. */
export const bootProfileGroupRoutes: FastifyPluginAsyncTypebox<{ boot: BootAdmin }> = async (app, { boot }) => {
  app.get('/api/boot/groups', {
    config: admin,
    schema: { tags, summary: 'Station groups, paged', querystring: BootListQuery, response: { 200: BootGroupPage, ...errors } },
  }, async (request) => {
    const page = await boot.listGroups(request.query);
    return { ...page, items: page.items.map(bootGroupToWire) };
  });

  app.post('/api/boot/groups', {
    config: admin,
    schema: { tags, summary: 'New group with its profile', body: NewBootGroupBody, response: { 201: BootGroup, ...changeErrors } },
  }, async (request, reply) => reply.code(201).send(bootGroupToWire(await boot.createGroup(actorOf(request), request.body))));

  app.get('/api/boot/groups/:id', {
    config: admin,
    schema: { tags, summary: 'One group', params: IdParams, response: { 200: BootGroup, ...errors } },
  }, async (request) => bootGroupToWire(await boot.getGroup(request.params.id)));

  app.patch('/api/boot/groups/:id', {
    config: admin,
    schema: { tags, summary: "Rename a group or change its profile (its stations follow at their next boot)", params: IdParams, body: BootGroupPatchBody, response: { 200: BootGroup, ...changeErrors } },
  }, async (request) => bootGroupToWire(await boot.updateGroup(actorOf(request), request.params.id, request.body)));

  app.delete('/api/boot/groups/:id', {
    config: admin,
    schema: { tags, summary: 'Delete a group; its stations fall back to their own profile or the default', params: IdParams, response: { 204: { type: 'null' }, ...errors } },
  }, async (request, reply) => {
    await boot.deleteGroup(actorOf(request), request.params.id);
    return reply.code(204).send();
  });

  app.get('/api/boot/stations/:id', {
    config: admin,
    schema: { tags, summary: "A station's profile and group, and what it boots now and why", params: IdParams, response: { 200: StationBoot, ...errors } },
  }, async (request) => stationBootToWire(await boot.stationBoot(request.params.id)));

  app.patch('/api/boot/stations/:id', {
    config: admin,
    schema: {
      tags,
      summary: "Set or clear (null) a station's own profile and/or group",
      params: IdParams,
      body: StationBootBody,
      response: { 200: StationBoot, ...errors },
    },
  }, async (request) => stationBootToWire(await boot.setStationBoot(actorOf(request), request.params.id, request.body)));
};
