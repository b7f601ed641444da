import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_PHOTO_BYTES } from '../../api/users/image-probe.ts';
import { buildJpeg, buildPng, GIF_BYTES, PNG_SIGNATURE_BYTES, pngChunk, TEXT_BYTES } from '../../api/users/image-fixtures.ts';
import { FsPhotoStore } from '../../api/users/fs-photo-store.ts';
import type { MemoryPhotoStore } from '../../api/users/memory-photo-store.ts';
import { seedSession } from '../../api/users/users-test-kit.ts';
import { createUserHarness, multipartBody, type Headers, type UserHarness } from './user-routes-kit.ts';

let h: UserHarness;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await h.close();
  for (const c of cleanups.splice(0)) await c();
});

async function start(photos?: FsPhotoStore): Promise<MemoryPhotoStore> {
  h = await createUserHarness(photos === undefined ? {} : { photos });
  return h.photos as MemoryPhotoStore;
}

function upload(id: number, data: Buffer, headers: Headers = h.marie, part: { filename?: string; type?: string; name?: string } = {}) {
  const body = multipartBody([{ name: part.name ?? 'photo', filename: part.filename ?? 'photo.jpg', type: part.type ?? 'image/jpeg', data }]);
  return h.call('PUT', `/api/users/${id}/photo`, { ...headers, ...body.headers }, body.payload);
}

/** A well-formed PNG of exactly `size` bytes (padding in an ancillary tEXt chunk). */
function pngOfSize(size: number): Buffer {
  const base = buildPng();
  const iend = base.subarray(base.length - 12);
  const head = base.subarray(0, base.length - 12);
  const padding = size - base.length - 12;
  return Buffer.concat([head, pngChunk('tEXt', Buffer.concat([Buffer.from('Comment\0'), Buffer.alloc(padding - 8, 0x61)])), iend]);
}

describe('PUT /api/users/:id/photo', () => {
  it('stores a real JPEG, then a PNG in its place, and serves each back to an operator', async () => {
    const store = await start();
    const v = await h.visitor();
    const jpeg = buildJpeg({ width: 4, height: 3 });
    const res = await upload(v.id, jpeg);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ user: { id: v.id, hasPhoto: true, photoMime: 'image/jpeg' }, previousFileRemoved: true });
    const back = await h.call('GET', `/api/users/${v.id}/photo`, h.marie);
    expect(back.statusCode).toBe(200);
    expect(back.headers['content-type']).toBe('image/jpeg');
    expect(back.headers['cache-control']).toBe('private, no-store');
    expect(back.headers['x-content-type-options']).toBe('nosniff');
    expect(back.rawPayload.equals(jpeg)).toBe(true);

    // The type comes from the bytes: a PNG sent as "photo.jpg, image/jpeg" is a PNG.
    const png = buildPng({ width: 5, height: 5 });
    const replaced = await upload(v.id, png, h.marie, { filename: 'photo.jpg', type: 'image/jpeg' });
    expect(replaced.json()).toMatchObject({ user: { photoMime: 'image/png' }, previousFileRemoved: true });
    const again = await h.call('GET', `/api/users/${v.id}/photo`, h.admin);
    expect(again.headers['content-type']).toBe('image/png');
    expect(again.rawPayload.equals(png)).toBe(true);
    expect(store.size).toBe(1);
  });

  it('accepts a photo of exactly 5 MiB', async () => {
    const store = await start();
    const v = await h.visitor();
    const big = pngOfSize(MAX_PHOTO_BYTES);
    expect(big.length).toBe(MAX_PHOTO_BYTES);
    const res = await upload(v.id, big, h.marie, { type: 'image/png' });
    expect(res.statusCode).toBe(200);
    expect(store.size).toBe(1);
  });

  it('refuses a photo over 5 MiB with USER_PHOTO_TOO_LARGE and stores nothing', async () => {
    const store = await start();
    const v = await h.visitor();
    for (const size of [MAX_PHOTO_BYTES + 1, 7 * 1024 * 1024]) {
      const res = await upload(v.id, pngOfSize(size), h.marie, { type: 'image/png' });
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json()).toMatchObject({ code: 'USER_PHOTO_TOO_LARGE', errors: [{ field: 'photo' }], details: { maxBytes: MAX_PHOTO_BYTES } });
      expect(res.json().detail).toMatch(/5 Mo/);
    }
    expect(store.size).toBe(0);
    expect((await h.call('GET', `/api/users/${v.id}`, h.marie)).json().hasPhoto).toBe(false);
  });

  it('refuses files that are not JPEG or PNG by content, whatever their name, and stores nothing', async () => {
    const store = await start();
    const v = await h.visitor();
    const cases: Array<[Buffer, string]> = [
      [TEXT_BYTES, 'USER_PHOTO_TYPE'],
      [GIF_BYTES, 'USER_PHOTO_TYPE'],
      [buildJpeg().subarray(0, 40), 'USER_PHOTO_TRUNCATED'],
      [Buffer.concat([PNG_SIGNATURE_BYTES, Buffer.from('garbage garbage garbage')]), 'USER_PHOTO_CORRUPT'],
      [Buffer.alloc(0), 'USER_PHOTO_EMPTY'],
    ];
    for (const [data, code] of cases) {
      const res = await upload(v.id, data, h.marie, { filename: 'photo.jpg', type: 'image/jpeg' });
      expect(res.statusCode, code).toBe(400);
      expect(res.json().code).toBe(code);
      expect(res.json().errors[0].field).toBe('photo');
    }
    expect(store.size).toBe(0);
    expect(await h.db.selectFrom('audit_events').select('action').where('action', '=', 'user.photo_updated').execute()).toHaveLength(0);
  });

  it('needs a multipart body with a file part', async () => {
    const store = await start();
    const v = await h.visitor();
    const json = await h.call('PUT', `/api/users/${v.id}/photo`, h.marie, { photo: 'aGVsbG8=' });
    expect(json.statusCode).toBe(415);
    expect(json.json()).toMatchObject({ code: 'USER_PHOTO_MULTIPART_REQUIRED', status: 415 });
    const noFile = multipartBody([{ name: 'comment', data: 'no file here' }]);
    const empty = await h.call('PUT', `/api/users/${v.id}/photo`, { ...h.marie, ...noFile.headers }, noFile.payload);
    expect(empty.statusCode).toBe(400);
    expect(empty.json().code).toBe('USER_PHOTO_EMPTY');
    const two = multipartBody([
      { name: 'photo', filename: 'a.png', type: 'image/png', data: buildPng() },
      { name: 'photo2', filename: 'b.png', type: 'image/png', data: buildPng() },
    ]);
    const twoFiles = await h.call('PUT', `/api/users/${v.id}/photo`, { ...h.marie, ...two.headers }, two.payload);
    expect(twoFiles.statusCode).toBe(413);
    expect(twoFiles.json().code).toBe('FST_FILES_LIMIT');
    expect(store.size).toBe(0);
  });

  it('answers 404 for an unknown visitor, 409 for an anonymised one, 403/401 for others, storing nothing', async () => {
    const store = await start();
    const v = await h.visitor();
    expect((await upload(9999, buildPng())).json()).toMatchObject({ status: 404, code: 'USER_NOT_FOUND' });
    expect((await upload(v.id, buildPng(), h.station)).statusCode).toBe(403);
    expect((await upload(v.id, buildPng(), {})).statusCode).toBe(401);
    await h.call('POST', `/api/users/${v.id}/revoke-consent`, h.marie);
    const anonymised = await upload(v.id, buildPng());
    expect(anonymised.statusCode).toBe(409);
    expect(anonymised.json().code).toBe('USER_ANONYMISED');
    expect(store.size).toBe(0);
  });

  it('answers 503 when the photo storage fails, leaving the previous photo in place', async () => {
    const store = await start();
    const v = await h.visitor();
    const jpeg = buildJpeg();
    await upload(v.id, jpeg);
    store.failOn.add('put');
    const res = await upload(v.id, buildPng());
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ code: 'USER_PHOTO_STORAGE_FAILURE' });
    expect(res.body).not.toContain('simulated');
    store.failOn.clear();
    const back = await h.call('GET', `/api/users/${v.id}/photo`, h.marie);
    expect(back.headers['content-type']).toBe('image/jpeg');
    expect(back.rawPayload.equals(jpeg)).toBe(true);
  });

  it('writes to a directory store: one private file, removed with the photo', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'epnbox-user-photo-routes-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    await start(new FsPhotoStore(join(dir, 'photos')));
    const v = await h.visitor();
    const png = buildPng({ width: 7, height: 9 });
    expect((await upload(v.id, png)).statusCode).toBe(200);
    const files = await readdir(join(dir, 'photos'));
    expect(files).toHaveLength(1);
    expect((await stat(join(dir, 'photos', files[0]!))).mode & 0o777).toBe(0o600);
    expect((await h.call('GET', `/api/users/${v.id}/photo`, h.marie)).rawPayload.equals(png)).toBe(true);
    expect((await h.call('DELETE', `/api/users/${v.id}/photo`, h.marie)).statusCode).toBe(200);
    expect(await readdir(join(dir, 'photos'))).toEqual([]);
  });
});

describe('photo upload over a real socket', () => {
  it('takes a browser-style FormData upload and refuses an oversized one, from a real HTTP client', async () => {
    const store = await start();
    const v = await h.visitor();
    const url = await h.app.listen({ host: '127.0.0.1', port: 0 });
    const send = (data: Buffer, type: string) => {
      const form = new FormData();
      form.append('photo', new Blob([data], { type }), 'photo.png');
      return fetch(`${url}/api/users/${v.id}/photo`, { method: 'PUT', headers: h.marie, body: form });
    };
    const ok = await send(buildPng(), 'image/png');
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { user: { photoMime: string } }).user.photoMime).toBe('image/png');
    const big = await send(pngOfSize(6 * 1024 * 1024), 'image/png');
    expect(big.status).toBe(400);
    expect(((await big.json()) as { code: string }).code).toBe('USER_PHOTO_TOO_LARGE');
    expect(store.size).toBe(1);
  });

  it('accepts multipart on the photo route only', async () => {
    await start();
    const body = multipartBody([{ name: 'firstName', data: 'Marie' }]);
    const res = await h.call('POST', '/api/users', { ...h.marie, ...body.headers }, body.payload);
    expect(res.statusCode).toBe(415);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});

describe('GET and DELETE /api/users/:id/photo', () => {
  it('serves the photo to operators only', async () => {
    await start();
    const v = await h.visitor();
    await upload(v.id, buildJpeg());
    const station = await h.call('GET', `/api/users/${v.id}/photo`, h.station);
    expect(station.statusCode).toBe(403);
    expect(station.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect((await h.call('GET', `/api/users/${v.id}/photo`)).statusCode).toBe(401);
  });

  it('answers 404 PHOTO_NOT_FOUND without a photo, USER_NOT_FOUND for an unknown visitor', async () => {
    await start();
    const v = await h.visitor();
    expect((await h.call('GET', `/api/users/${v.id}/photo`, h.marie)).json()).toMatchObject({ status: 404, code: 'PHOTO_NOT_FOUND' });
    expect((await h.call('GET', '/api/users/9999/photo', h.marie)).json()).toMatchObject({ status: 404, code: 'USER_NOT_FOUND' });
    expect((await h.call('DELETE', `/api/users/${v.id}/photo`, h.marie)).json()).toMatchObject({ status: 404, code: 'PHOTO_NOT_FOUND' });
  });

  it('removes the photo: record first, then the file', async () => {
    const store = await start();
    const v = await h.visitor();
    await upload(v.id, buildJpeg());
    expect((await h.call('DELETE', `/api/users/${v.id}/photo`, h.station)).statusCode).toBe(403);
    const res = await h.call('DELETE', `/api/users/${v.id}/photo`, h.marie);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ user: { hasPhoto: false, photoMime: null }, previousFileRemoved: true });
    expect(store.size).toBe(0);
    expect((await h.call('GET', `/api/users/${v.id}/photo`, h.marie)).statusCode).toBe(404);
  });

  it('still removes the record when the file cannot be deleted, and says the sweep will', async () => {
    const store = await start();
    const v = await h.visitor();
    await upload(v.id, buildJpeg());
    await seedSession(h.db, { userId: v.id, status: 'ended', now: h.clock.now() });
    store.failOn.add('delete');
    const res = await h.call('DELETE', `/api/users/${v.id}/photo`, h.marie);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ user: { hasPhoto: false }, previousFileRemoved: false });
  });
});
