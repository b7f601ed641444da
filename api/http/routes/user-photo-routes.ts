import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { IdParams } from '../../contract/common.ts';
import { Problem } from '../../contract/problem.ts';
import { PhotoChangeResult, photoChangeToWire, PhotoUploadBody } from '../../contract/user.ts';
import { MAX_PHOTO_BYTES } from '../../users/image-probe.ts';
import { getPhoto, removePhoto, setPhoto } from '../../users/user-photo-service.ts';
import type { UsersContext } from '../../users/users-context.ts';
import { actorOf } from '../principal-helpers.ts';

const errors = { 400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 503: Problem };
const tags = ['users'];

/**
 * Busboy stops reading a file at this many bytes and marks it truncated. It is
 * above the domain's limit on purpose: an oversized upload then reaches the
 * domain with more than MAX_PHOTO_BYTES and is refused there as
 * USER_PHOTO_TOO_LARGE, like any other bad photo, and is never stored.
 */
export const UPLOAD_FILE_LIMIT = MAX_PHOTO_BYTES + 1024;

/** A 415 the problem handler turns into problem+json (a transport matter, not a domain one). */
function multipartRequired(): Error {
  return Object.assign(new Error('Send the photo as multipart/form-data with one file part.'), { statusCode: 415, code: 'USER_PHOTO_MULTIPART_REQUIRED' });
}

const Binary = Type.String({ format: 'binary' });

/**
 * The bytes of the one file part. Every part is read to the end first, so a
 * second file is refused (413 FST_FILES_LIMIT) rather than silently dropped.
 * No file part at all gives empty bytes, which the domain refuses as
 * USER_PHOTO_EMPTY.
 */
async function uploadedBytes(request: FastifyRequest): Promise<Uint8Array> {
  let bytes: Uint8Array = new Uint8Array();
  for await (const part of request.parts()) {
    if (part.type === 'file') bytes = await part.toBuffer();
  }
  return bytes;
}

/** The ID photo: upload (multipart), download (operators only, never cached), removal. */
export const userPhotoRoutes: FastifyPluginAsyncTypebox<{ users: UsersContext }> = async (app, { users }) => {
  // In this plugin's scope only: no other route accepts multipart bodies.
  await app.register(multipart, { limits: { fileSize: UPLOAD_FILE_LIMIT, files: 1, fields: 4, fieldSize: 1024, parts: 5 }, throwFileSizeLimit: false });

  app.put('/api/users/:id/photo', {
    config: { access: 'operator' },
    schema: {
      tags,
      summary: 'Set the ID photo: multipart/form-data, one JPEG or PNG file of at most 5 MiB, checked by content',
      consumes: ['multipart/form-data'],
      params: IdParams,
      body: { content: { 'multipart/form-data': { schema: PhotoUploadBody } } },
      response: { 200: PhotoChangeResult, 413: Problem, 415: Problem, ...errors },
    },
  }, async (request) => {
    if (!request.isMultipart()) throw multipartRequired();
    return photoChangeToWire(await setPhoto(users, actorOf(request), request.params.id, await uploadedBytes(request)));
  });

  app.get('/api/users/:id/photo', {
    config: { access: 'operator' },
    schema: {
      tags,
      summary: 'The ID photo bytes (image/jpeg or image/png); never cached',
      params: IdParams,
      response: { 200: { content: { 'image/jpeg': { schema: Binary }, 'image/png': { schema: Binary } } }, ...errors },
    },
  }, async (request, reply) => {
    const photo = await getPhoto(users, request.params.id);
    // A Buffer bypasses the JSON serializer; the schema above documents the bytes.
    return reply.type(photo.mime).header('cache-control', 'private, no-store').send(Buffer.from(photo.bytes) as unknown as string);
  });

  app.delete('/api/users/:id/photo', {
    config: { access: 'operator' },
    schema: { tags, summary: 'Remove the ID photo', params: IdParams, response: { 200: PhotoChangeResult, ...errors } },
  }, async (request) => photoChangeToWire(await removePhoto(users, actorOf(request), request.params.id)));
};
