import type { Actor } from '../../api/audit/audit-actions.ts';
import { appendAudit } from '../../api/audit/audit-writer.ts';
import type { BootProfileView } from '../../api/contract/boot-admin.ts';
import { inTransaction, reading } from '../../api/db/transaction.ts';
import { conflict } from '../../api/shared/errors.ts';
import { bootErrors } from './boot-errors.ts';
import { profileView, requireProfile } from './boot-profiles-repository.ts';
import type { BootCtx } from './boot-profiles-service.ts';
import { bootDb, type BootProfileRow } from './boot-tables.ts';
import type { ImageCatalogue } from './image-catalogue.ts';
import { checkImageVersion } from './image-names.ts';
import { requireBootableImage } from './image-requirements.ts';

const filesOf = (row: BootProfileRow) => ({ kernel: row.kernel_file, initrd: row.initrd_file, squashfs: row.squashfs_file });

function changedMeanwhile(id: number) {
  return conflict('BOOT_PROFILE_CHANGED', 'Le profil a changé entre-temps ; rechargez et recommencez.', 'The profile changed meanwhile; reload and try again.', { id });
}

/**
 * Points a profile at another sealed version of its image. The whole change is
 * one UPDATE of the profile row (image_version, with the old value moved to
 * previous_version), guarded by the version read before: every boot sees
 * either the old version or the new one, never a mix, and in-flight downloads
 * of the old version finish (versions are separate folders that never change).
 */
export async function switchVersion(ctx: BootCtx, catalogue: ImageCatalogue, actor: Actor, id: number, version: string): Promise<BootProfileView> {
  checkImageVersion(version);
  const before = await reading(() => requireProfile(bootDb(ctx.db), id));
  if (before.image_version === version) throw bootErrors.sameVersion(id, version);
  await requireBootableImage(catalogue, before.image_name, version, filesOf(before));
  return moveVersion(ctx, actor, before, { to: version, previous: before.image_version, action: 'boot.profile_switched' });
}

/**
 * Goes back to the previous version in one call: the same single UPDATE that
 * swaps image_version and previous_version, so a second rollback re-applies
 * the version just left.
 */
export async function rollback(ctx: BootCtx, catalogue: ImageCatalogue, actor: Actor, id: number): Promise<BootProfileView> {
  const before = await reading(() => requireProfile(bootDb(ctx.db), id));
  if (before.previous_version === null) throw bootErrors.noPreviousVersion(id);
  await requireBootableImage(catalogue, before.image_name, before.previous_version, filesOf(before));
  return moveVersion(ctx, actor, before, { to: before.previous_version, previous: before.image_version, action: 'boot.profile_rolled_back' });
}

async function moveVersion(
  ctx: BootCtx,
  actor: Actor,
  before: BootProfileRow,
  move: { to: string; previous: string; action: 'boot.profile_switched' | 'boot.profile_rolled_back' },
): Promise<BootProfileView> {
  const now = ctx.clock.now();
  return inTransaction(ctx.db, async (trx) => {
    const db = bootDb(trx);
    let query = db
      .updateTable('boot_profiles')
      .set({ image_version: move.to, previous_version: move.previous, updated_at: now })
      .where('id', '=', before.id)
      .where('image_version', '=', before.image_version);
    query = before.previous_version === null ? query.where('previous_version', 'is', null) : query.where('previous_version', '=', before.previous_version);
    const row = await query.returningAll().executeTakeFirst();
    if (row === undefined) throw (await db.selectFrom('boot_profiles').select('id').where('id', '=', before.id).executeTakeFirst()) ? changedMeanwhile(before.id) : bootErrors.profileNotFound(before.id);
    await appendAudit(trx, ctx.clock, {
      actor,
      action: move.action,
      target: { type: 'boot_profile', id: before.id },
      metadata: { name: before.name, image: before.image_name, from: before.image_version, to: move.to },
    });
    return profileView(db, row);
  });
}

export async function getDefaultProfile(ctx: BootCtx): Promise<BootProfileView | null> {
  return reading(async () => {
    const db = bootDb(ctx.db);
    const row = await db.selectFrom('boot_profiles').selectAll().where('is_default', '=', 1).executeTakeFirst();
    return row === undefined ? null : profileView(db, row);
  });
}

/** Makes a profile the default (the one before stops being it), or clears the default with null. */
export async function setDefaultProfile(ctx: BootCtx, actor: Actor, profileId: number | null): Promise<BootProfileView | null> {
  const now = ctx.clock.now();
  return inTransaction(ctx.db, async (trx) => {
    const db = bootDb(trx);
    const previous = await db.selectFrom('boot_profiles').select(['id', 'name']).where('is_default', '=', 1).executeTakeFirst();
    const next = profileId === null ? null : await requireProfile(db, profileId);
    if ((previous?.id ?? null) === (next?.id ?? null)) return next === null ? null : profileView(db, next);
    await db.updateTable('boot_profiles').set({ is_default: 0, updated_at: now }).where('is_default', '=', 1).execute();
    const row = next === null ? null : await db.updateTable('boot_profiles').set({ is_default: 1, updated_at: now }).where('id', '=', next.id).returningAll().executeTakeFirstOrThrow();
    await appendAudit(trx, ctx.clock, {
      actor,
      action: 'boot.default_changed',
      target: row === null ? undefined : { type: 'boot_profile', id: row.id },
      metadata: { from: previous ?? null, to: row === null ? null : { id: row.id, name: row.name } },
    });
    return row === null ? null : profileView(db, row);
  });
}
