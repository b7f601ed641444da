import type { Actor } from '../audit/audit-actions.ts';
import { inTransaction, reading } from '../db/transaction.ts';
import { notFound } from '../shared/errors.ts';
import { probeImage, type ImageMime } from './image-probe.ts';
import { photoRejected } from './photo-errors.ts';
import { newPhotoKey } from './photo-store.ts';
import { auditUser, loadChangeableUser, loadVisibleUser } from './user-access.ts';
import { photoStorageFailure } from './user-errors.ts';
import { toUserView, type UserView } from './user-view.ts';
import { removePhotoFileAfterCommit, type UsersContext } from './users-context.ts';
import { referencedPhotoKeys, updateUserRow } from './users-repository.ts';

export interface PhotoChange {
  user: UserView;
  /** False when the previous file could not be removed after the commit (the sweep will). */
  previousFileRemoved: boolean;
}

/**
 * Sets the visitor's ID photo. The bytes are checked by content (size first,
 * then structure), written under a new random key, and only then is the row
 * changed in a transaction with its audit event. If that transaction fails the
 * new file is deleted; the old file is deleted only after the commit. So a
 * failure at any step leaves the old photo in place and no orphan (a crash
 * between the two leaves a file the orphan sweep removes).
 */
export async function setPhoto(ctx: UsersContext, actor: Actor, id: number, bytes: Uint8Array): Promise<PhotoChange> {
  const probe = probeImage(bytes);
  if (!probe.ok) throw photoRejected(probe.failure, probe.reason);
  // Cheap early refusal, so an unknown or anonymised visitor costs no file write.
  await reading(() => loadChangeableUser(ctx.db, id));
  const key = newPhotoKey();
  try {
    await ctx.photos.put(key, bytes);
  } catch (error) {
    throw photoStorageFailure(error);
  }
  const now = ctx.clock.now();
  let committed;
  try {
    committed = await inTransaction(ctx.db, async (trx) => {
      const user = await loadChangeableUser(trx, id);
      const row = await updateUserRow(trx, id, { photo_key: key, photo_mime: probe.image.mime, updated_at: now });
      await auditUser(trx, ctx.clock, actor, 'user.photo_updated', id, {
        change: user.photo_key === null ? 'added' : 'replaced',
        mime: probe.image.mime,
        width: probe.image.width,
        height: probe.image.height,
        bytes: bytes.length,
      });
      return { row, oldKey: user.photo_key };
    });
  } catch (error) {
    await ctx.photos.delete(key).catch(() => undefined);
    throw error;
  }
  const previousFileRemoved = await removePhotoFileAfterCommit(ctx, committed.oldKey);
  return { user: toUserView(committed.row, now, ctx.policy), previousFileRemoved };
}

/** Removes the ID photo: row first (with its audit event), file after the commit. */
export async function removePhoto(ctx: UsersContext, actor: Actor, id: number): Promise<PhotoChange> {
  const now = ctx.clock.now();
  const { row, oldKey } = await inTransaction(ctx.db, async (trx) => {
    const user = await loadChangeableUser(trx, id);
    if (user.photo_key === null) throw notFound('photo', id);
    const updated = await updateUserRow(trx, id, { photo_key: null, photo_mime: null, updated_at: now });
    await auditUser(trx, ctx.clock, actor, 'user.photo_updated', id, { change: 'removed' });
    return { row: updated, oldKey: user.photo_key };
  });
  const previousFileRemoved = await removePhotoFileAfterCommit(ctx, oldKey);
  return { user: toUserView(row, now, ctx.policy), previousFileRemoved };
}

/** The photo bytes and their checked type; PHOTO_NOT_FOUND when there is none. */
export async function getPhoto(ctx: UsersContext, id: number): Promise<{ bytes: Uint8Array; mime: ImageMime }> {
  const user = await reading(() => loadVisibleUser(ctx.db, id));
  if (user.photo_key === null || user.photo_mime === null) throw notFound('photo', id);
  let bytes: Uint8Array | undefined;
  try {
    bytes = await ctx.photos.get(user.photo_key);
  } catch (error) {
    throw photoStorageFailure(error);
  }
  if (bytes === undefined) throw notFound('photo', id);
  return { bytes, mime: user.photo_mime as ImageMime };
}

/**
 * Deletes stored files no visitor points at (left by a crash between the
 * file write and the commit, or a failed delete after one). Only files older
 * than `olderThanMs` are touched, so an upload in flight is never removed.
 */
export async function sweepOrphanPhotos(ctx: UsersContext, options: { olderThanMs?: number } = {}): Promise<{ removed: string[] }> {
  const threshold = ctx.clock.now() - (options.olderThanMs ?? 3600_000);
  let entries;
  try {
    entries = (await ctx.photos.list()).filter((e) => e.storedAt < threshold);
  } catch (error) {
    throw photoStorageFailure(error);
  }
  const referenced = await reading(() => referencedPhotoKeys(ctx.db, entries.map((e) => e.key)));
  const removed: string[] = [];
  for (const { key } of entries) {
    if (referenced.has(key)) continue;
    if (await removePhotoFileAfterCommit(ctx, key)) removed.push(key);
  }
  return { removed };
}
