import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { failingWhen, insertInto } from '../testing/broken-db.ts';
import { FsPhotoStore } from './fs-photo-store.ts';
import { GIF_BYTES, PDF_BYTES, TEXT_BYTES, buildJpeg, buildPng } from './image-fixtures.ts';
import { MAX_PHOTO_BYTES } from './image-probe.ts';
import { MemoryPhotoStore } from './memory-photo-store.ts';
import { revokeConsent } from './user-anonymise.ts';
import { getPhoto, removePhoto, setPhoto, sweepOrphanPhotos } from './user-photo-service.ts';
import { findUserRow } from './users-repository.ts';
import { createUser } from './users-service.ts';
import { auditRows, errorOf, usersKit, visitorInput } from './users-test-kit.ts';

const root = mkdtempSync(join(tmpdir(), 'epnbox-user-photos-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;

async function fsKit() {
  const dir = join(root, `photos-${++dirs}`);
  const k = await usersKit({ photos: new FsPhotoStore(dir) });
  const { id } = await createUser(k.ctx, k.actor, visitorInput());
  const files = () => {
    try {
      return readdirSync(dir).sort();
    } catch {
      return [];
    }
  };
  return { k, id, dir, files };
}

describe('setPhoto', () => {
  it('stores a PNG outside the database and audits the change', async () => {
    const { k, id, dir, files } = await fsKit();
    const png = buildPng({ width: 4, height: 3 });
    const { user } = await setPhoto(k.ctx, k.actor, id, png);
    expect(user).toMatchObject({ hasPhoto: true, photoMime: 'image/png' });
    const row = (await findUserRow(k.db, id))!;
    expect(row.photo_key).toMatch(/^[0-9a-f]{32}$/);
    expect(files()).toEqual([row.photo_key]);
    expect(readFileSync(join(dir, row.photo_key!))).toEqual(png);
    const last = (await auditRows(k.db)).at(-1)!;
    expect(last.action).toBe('user.photo_updated');
    expect(JSON.parse(last.metadata)).toEqual({ change: 'added', mime: 'image/png', width: 4, height: 3, bytes: png.length });
    expect(await getPhoto(k.ctx, id)).toEqual({ bytes: new Uint8Array(png), mime: 'image/png' });
  });

  it('replaces a photo and deletes the old file only after the commit', async () => {
    const { k, id, files } = await fsKit();
    await setPhoto(k.ctx, k.actor, id, buildPng());
    const oldKey = (await findUserRow(k.db, id))!.photo_key;
    const jpeg = buildJpeg({ width: 300, height: 400 });
    const { user, previousFileRemoved } = await setPhoto(k.ctx, k.actor, id, jpeg);
    const newKey = (await findUserRow(k.db, id))!.photo_key;
    expect(user.photoMime).toBe('image/jpeg');
    expect(previousFileRemoved).toBe(true);
    expect(newKey).not.toBe(oldKey);
    expect(files()).toEqual([newKey]);
    expect(JSON.parse((await auditRows(k.db)).at(-1)!.metadata)).toMatchObject({ change: 'replaced', mime: 'image/jpeg' });
  });

  it.each([
    ['a GIF', GIF_BYTES, 'USER_PHOTO_TYPE'],
    ['a PDF', PDF_BYTES, 'USER_PHOTO_TYPE'],
    ['a text file named photo.jpg', TEXT_BYTES, 'USER_PHOTO_TYPE'],
    ['an empty file', Buffer.alloc(0), 'USER_PHOTO_EMPTY'],
    ['a truncated PNG', buildPng().subarray(0, 40), 'USER_PHOTO_TRUNCATED'],
    ['a truncated JPEG', buildJpeg().subarray(0, 60), 'USER_PHOTO_TRUNCATED'],
    ['a PNG with a bad CRC', buildPng({ badIhdrCrc: true }), 'USER_PHOTO_CORRUPT'],
    ['a zero-width PNG', buildPng({ width: 0 }), 'USER_PHOTO_DIMENSIONS'],
    ['a zero-height JPEG', buildJpeg({ height: 0 }), 'USER_PHOTO_DIMENSIONS'],
    ['an oversized file', Buffer.alloc(MAX_PHOTO_BYTES + 1, 0xff), 'USER_PHOTO_TOO_LARGE'],
  ])('refuses %s with %s and stores nothing', async (_name, bytes, code) => {
    const { k, id, files } = await fsKit();
    const e = await errorOf(() => setPhoto(k.ctx, k.actor, id, bytes));
    expect(e).toMatchObject({ code, category: 'invalid' });
    expect(e.fields.map((f) => f.field)).toEqual(['photo']);
    expect(files()).toEqual([]);
    expect((await findUserRow(k.db, id))!.photo_key).toBeNull();
  });

  it('leaves no orphan file and the old photo intact when the transaction fails', async () => {
    const { k, id, dir, files } = await fsKit();
    const oldPng = buildPng({ rgb: [1, 2, 3] });
    await setPhoto(k.ctx, k.actor, id, oldPng);
    const oldKey = (await findUserRow(k.db, id))!.photo_key!;
    const broken = { ...k.ctx, db: failingWhen(k.db, insertInto('audit_events')) };
    const e = await errorOf(() => setPhoto(broken, k.actor, id, buildJpeg()));
    expect(e.code).toBe('STORAGE_FAILURE');
    expect(files()).toEqual([oldKey]);
    expect(readFileSync(join(dir, oldKey))).toEqual(oldPng);
    expect((await findUserRow(k.db, id))!).toMatchObject({ photo_key: oldKey, photo_mime: 'image/png' });
  });

  it('reports a photo storage failure and changes nothing', async () => {
    const photos = new MemoryPhotoStore();
    const k = await usersKit({ photos });
    const { id } = await createUser(k.ctx, k.actor, visitorInput());
    photos.failOn.add('put');
    const e = await errorOf(() => setPhoto(k.ctx, k.actor, id, buildPng()));
    expect(e).toMatchObject({ code: 'USER_PHOTO_STORAGE_FAILURE', category: 'unavailable' });
    expect((await findUserRow(k.db, id))!.photo_key).toBeNull();
    expect(await auditRows(k.db)).toHaveLength(1);
  });

  it('refuses unknown and anonymised visitors without writing a file', async () => {
    const { k, id, files } = await fsKit();
    await revokeConsent(k.ctx, k.actor, id);
    expect((await errorOf(() => setPhoto(k.ctx, k.actor, id, buildPng()))).code).toBe('USER_ANONYMISED');
    expect((await errorOf(() => setPhoto(k.ctx, k.actor, 999, buildPng()))).code).toBe('USER_NOT_FOUND');
    expect(files()).toEqual([]);
  });
});

describe('removePhoto and getPhoto', () => {
  it('removes the row reference, then the file', async () => {
    const { k, id, files } = await fsKit();
    await setPhoto(k.ctx, k.actor, id, buildPng());
    const { user } = await removePhoto(k.ctx, k.actor, id);
    expect(user.hasPhoto).toBe(false);
    expect(files()).toEqual([]);
    expect(JSON.parse((await auditRows(k.db)).at(-1)!.metadata)).toEqual({ change: 'removed' });
    expect((await errorOf(() => getPhoto(k.ctx, id))).code).toBe('PHOTO_NOT_FOUND');
    expect((await errorOf(() => removePhoto(k.ctx, k.actor, id))).code).toBe('PHOTO_NOT_FOUND');
  });

  it('keeps the photo when the removal cannot be audited', async () => {
    const { k, id, files } = await fsKit();
    await setPhoto(k.ctx, k.actor, id, buildPng());
    const broken = { ...k.ctx, db: failingWhen(k.db, insertInto('audit_events')) };
    expect((await errorOf(() => removePhoto(broken, k.actor, id))).code).toBe('STORAGE_FAILURE');
    expect(files()).toHaveLength(1);
    expect((await getPhoto(k.ctx, id)).mime).toBe('image/png');
  });

  it('says when the photo store fails on read', async () => {
    const photos = new MemoryPhotoStore();
    const k = await usersKit({ photos });
    const { id } = await createUser(k.ctx, k.actor, visitorInput());
    await setPhoto(k.ctx, k.actor, id, buildJpeg());
    photos.failOn.add('get');
    expect((await errorOf(() => getPhoto(k.ctx, id))).code).toBe('USER_PHOTO_STORAGE_FAILURE');
  });
});

describe('sweepOrphanPhotos', () => {
  it('removes old unreferenced files only', async () => {
    const k = await usersKit(); // its memory store follows the fake clock
    const photos = k.photos as MemoryPhotoStore;
    const { id } = await createUser(k.ctx, k.actor, visitorInput());
    await setPhoto(k.ctx, k.actor, id, buildPng());
    const kept = (await findUserRow(k.db, id))!.photo_key!;
    // A file left by a crash between the write and the commit:
    const orphan = 'ab'.repeat(16);
    await photos.put(orphan, Uint8Array.of(1));
    k.clock.advance(2 * 3600_000);
    const young = 'cd'.repeat(16);
    await photos.put(young, Uint8Array.of(2));
    const { removed } = await sweepOrphanPhotos(k.ctx);
    expect(removed).toEqual([orphan]);
    expect((await photos.list()).map((e) => e.key).sort()).toEqual([kept, young].sort());
  });
});
