import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { BootAdmin } from '../../contract/boot-admin.ts';
import {
  BootListQuery,
  BootProfile,
  BootProfilePage,
  BootProfilePatchBody,
  DefaultProfile,
  DefaultProfileBody,
  NewBootProfileBody,
  SwitchVersionBody,
  bootProfileToWire,
} from '../../contract/boot.ts';
import { IdParams } from '../../contract/common.ts';
import { Problem } from '../../contract/problem.ts';
import { actorOf } from '../principal-helpers.ts';

const errors = { 400: Problem, 401: Problem, 403: Problem, 404: Problem, 503: Problem };
const changeErrors = { 409: Problem, ...errors };
const tags = ['boot'];
const admin = { access: 'admin' as const };

/** Boot profiles (what stations boot), version switch and rollback, the default profile. New in epnbox: the seed had no network boot. */
export const bootProfileRoutes: FastifyPluginAsyncTypebox<{ boot: BootAdmin }> = async (app, { boot }) => {
  app.get('/api/boot/profiles', {
    config: admin,
    schema: { tags, summary: 'Boot profiles, paged', querystring: BootListQuery, response: { 200: BootProfilePage, ...errors } },
  }, async (request) => {
    const page = await boot.listProfiles(request.query);
    return { ...page, items: page.items.map(bootProfileToWire) };
  });

  app.post('/api/boot/profiles', {
    config: admin,
    schema: { tags, summary: 'New profile on a sealed image version (kernel, initrd, squashfs, kernel arguments)', body: NewBootProfileBody, response: { 201: BootProfile, ...changeErrors } },
  }, async (request, reply) => reply.code(201).send(bootProfileToWire(await boot.createProfile(actorOf(request), request.body))));

  app.get('/api/boot/profiles/:id', {
    config: admin,
    schema: { tags, summary: 'One boot profile', params: IdParams, response: { 200: BootProfile, ...errors } },
  }, async (request) => bootProfileToWire(await boot.getProfile(request.params.id)));

  app.patch('/api/boot/profiles/:id', {
    config: admin,
    schema: { tags, summary: 'Rename, describe, change file names or kernel arguments (the version moves by switch/rollback)', params: IdParams, body: BootProfilePatchBody, response: { 200: BootProfile, ...changeErrors } },
  }, async (request) => bootProfileToWire(await boot.updateProfile(actorOf(request), request.params.id, request.body)));

  app.delete('/api/boot/profiles/:id', {
    config: admin,
    schema: { tags, summary: 'Delete a profile no station, group or default uses', params: IdParams, response: { 204: { type: 'null' }, ...changeErrors } },
  }, async (request, reply) => {
    await boot.deleteProfile(actorOf(request), request.params.id);
    return reply.code(204).send();
  });

  app.post('/api/boot/profiles/:id/switch', {
    config: admin,
    schema: {
      tags,
      summary: 'Point the profile at another sealed version of its image, atomically; the old version is kept for rollback',
      params: IdParams,
      body: SwitchVersionBody,
      response: { 200: BootProfile, ...changeErrors },
    },
  }, async (request) => bootProfileToWire(await boot.switchVersion(actorOf(request), request.params.id, request.body.version)));

  app.post('/api/boot/profiles/:id/rollback', {
    config: admin,
    schema: { tags, summary: 'Back to the previous version in one call (a second rollback re-applies the newer one)', params: IdParams, response: { 200: BootProfile, ...changeErrors } },
  }, async (request) => bootProfileToWire(await boot.rollback(actorOf(request), request.params.id)));

  app.get('/api/boot/default-profile', {
    config: admin,
    schema: { tags, summary: 'The profile stations boot when neither they nor their group name one', response: { 200: DefaultProfile, ...errors } },
  }, async () => {
    const profile = await boot.getDefault();
    return { profile: profile === null ? null : bootProfileToWire(profile) };
  });

  app.put('/api/boot/default-profile', {
    config: admin,
    schema: { tags, summary: 'Set the default profile, or clear it with profileId: null', body: DefaultProfileBody, response: { 200: DefaultProfile, ...changeErrors } },
  }, async (request) => {
    const profile = await boot.setDefault(actorOf(request), request.body.profileId);
    return { profile: profile === null ? null : bootProfileToWire(profile) };
  });
};
