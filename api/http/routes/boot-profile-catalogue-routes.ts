import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { BootAdmin } from '../../contract/boot-admin.ts';
import { ImageCheck, ImageParams, ImageVersionPage, ImageVersionSchema, imageCheckToWire, imageVersionToWire } from '../../contract/boot.ts';
import { PageQuery } from '../../contract/common.ts';
import { Problem } from '../../contract/problem.ts';
import { actorOf } from '../principal-helpers.ts';

const errors = { 400: Problem, 401: Problem, 403: Problem, 404: Problem, 503: Problem };
const changeErrors = { 409: Problem, ...errors };
const tags = ['boot'];
const admin = { access: 'admin' as const };

/** The image catalogue: <imagesDir>/<name>/<version>/ folders and their manifests. New in epnbox. */
export const bootProfileCatalogueRoutes: FastifyPluginAsyncTypebox<{ boot: BootAdmin }> = async (app, { boot }) => {
  app.get('/api/boot/images', {
    config: admin,
    schema: { tags, summary: 'Image versions of the catalogue with their state, files and the profiles using them, paged', querystring: PageQuery, response: { 200: ImageVersionPage, ...errors } },
  }, async (request) => {
    const page = await boot.listImages(request.query);
    return { ...page, items: page.items.map(imageVersionToWire) };
  });

  app.get('/api/boot/images/:name/:version', {
    config: admin,
    schema: { tags, summary: 'One image version', params: ImageParams, response: { 200: ImageVersionSchema, ...errors } },
  }, async (request) => imageVersionToWire(await boot.getImage(request.params.name, request.params.version)));

  app.post('/api/boot/images/:name/:version/seal', {
    config: admin,
    schema: {
      tags,
      summary: 'Write the manifest (sizes, SHA-256) of a version copied into the catalogue; a sealed version never changes and is the only kind served',
      params: ImageParams,
      response: { 201: ImageVersionSchema, ...changeErrors },
    },
  }, async (request, reply) => reply.code(201).send(imageVersionToWire(await boot.sealImage(actorOf(request), request.params.name, request.params.version))));

  app.post('/api/boot/images/:name/:version/verify', {
    config: admin,
    schema: { tags, summary: 'Recompute sizes and SHA-256 and compare them with the manifest', params: ImageParams, response: { 200: ImageCheck, ...changeErrors } },
  }, async (request) => imageCheckToWire(await boot.verifyImage(request.params.name, request.params.version)));

  app.delete('/api/boot/images/:name/:version', {
    config: admin,
    schema: { tags, summary: 'Delete a version no profile uses (as current or rollback version)', params: ImageParams, response: { 204: { type: 'null' }, ...changeErrors } },
  }, async (request, reply) => {
    await boot.deleteImage(actorOf(request), request.params.name, request.params.version);
    return reply.code(204).send();
  });
};
