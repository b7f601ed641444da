import type { Actor } from '../../api/audit/audit-actions.ts';
import { appendAudit } from '../../api/audit/audit-writer.ts';
import type { BootListRequest, BootProfilePatch, BootProfileView, NewBootProfileInput } from '../../api/contract/boot-admin.ts';
import { reading } from '../../api/db/transaction.ts';
import type { DomainContext } from '../../api/shared/domain-context.ts';
import type { Page } from '../../api/shared/pagination.ts';
import { bootErrors } from './boot-errors.ts';
import { DEFAULT_FILES, DEFAULT_KERNEL_ARGS, normaliseBootName, normaliseDescription, normaliseKernelArgs } from './boot-profile-fields.ts';
import { assertProfileNameFree, listProfileRows, profileUsage, profileView, requireProfile } from './boot-profiles-repository.ts';
import { bootDb } from './boot-tables.ts';
import { bootTransaction } from './boot-transaction.ts';
import type { ImageCatalogue } from './image-catalogue.ts';
import { requireBootableImage } from './image-requirements.ts';

export type BootCtx = Pick<DomainContext, 'db' | 'clock'>;

export async function listProfiles(ctx: BootCtx, request: BootListRequest): Promise<Page<BootProfileView>> {
  return reading(() => listProfileRows(bootDb(ctx.db), request));
}

export async function getProfile(ctx: BootCtx, id: number): Promise<BootProfileView> {
  return reading(async () => profileView(bootDb(ctx.db), await requireProfile(bootDb(ctx.db), id)));
}

/** A new profile on a sealed image version that holds its kernel, initrd and squashfs. */
export async function createProfile(ctx: BootCtx, catalogue: ImageCatalogue, actor: Actor, input: NewBootProfileInput): Promise<BootProfileView> {
  const name = normaliseBootName('profile', input.name);
  const description = normaliseDescription(input.description);
  const files = { kernel: input.kernel ?? DEFAULT_FILES.kernel, initrd: input.initrd ?? DEFAULT_FILES.initrd, squashfs: input.squashfs ?? DEFAULT_FILES.squashfs };
  const kernelArgs = normaliseKernelArgs(input.kernelArgs ?? DEFAULT_KERNEL_ARGS);
  await requireBootableImage(catalogue, input.imageName, input.imageVersion, files);
  const now = ctx.clock.now();
  return bootTransaction(ctx.db, 'profile', name, async (trx) => {
    const db = bootDb(trx);
    await assertProfileNameFree(db, name);
    const row = await db
      .insertInto('boot_profiles')
      .values({
        name,
        description,
        image_name: input.imageName,
        image_version: input.imageVersion,
        previous_version: null,
        kernel_file: files.kernel,
        initrd_file: files.initrd,
        squashfs_file: files.squashfs,
        kernel_args: kernelArgs,
        is_default: 0,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendAudit(trx, ctx.clock, {
      actor,
      action: 'boot.profile_created',
      target: { type: 'boot_profile', id: row.id },
      metadata: { name, image: input.imageName, version: input.imageVersion, ...files, kernelArgs },
    });
    return profileView(db, row);
  });
}

type Changes = Record<string, { from: string | null; to: string | null }>;

/** Renames, re-describes, changes file names or kernel arguments; the version moves only by switch/rollback. */
export async function updateProfile(ctx: BootCtx, catalogue: ImageCatalogue, actor: Actor, id: number, patch: BootProfilePatch): Promise<BootProfileView> {
  const clean = {
    name: patch.name === undefined ? undefined : normaliseBootName('profile', patch.name),
    description: patch.description === undefined ? undefined : normaliseDescription(patch.description),
    kernel_file: patch.kernel,
    initrd_file: patch.initrd,
    squashfs_file: patch.squashfs,
    kernel_args: patch.kernelArgs === undefined ? undefined : normaliseKernelArgs(patch.kernelArgs),
  };
  const current = await reading(() => requireProfile(bootDb(ctx.db), id));
  const changes: Changes = {};
  for (const [field, to] of Object.entries(clean) as Array<[keyof typeof clean, string | null | undefined]>) {
    if (to !== undefined && to !== current[field]) changes[field] = { from: current[field], to };
  }
  if (Object.keys(changes).length === 0) return getProfile(ctx, id);
  if (changes.kernel_file || changes.initrd_file || changes.squashfs_file) {
    const files = { kernel: clean.kernel_file ?? current.kernel_file, initrd: clean.initrd_file ?? current.initrd_file, squashfs: clean.squashfs_file ?? current.squashfs_file };
    await requireBootableImage(catalogue, current.image_name, current.image_version, files);
  }
  const now = ctx.clock.now();
  return bootTransaction(ctx.db, 'profile', clean.name ?? current.name, async (trx) => {
    const db = bootDb(trx);
    if (changes.name) await assertProfileNameFree(db, changes.name.to!, id);
    const values = Object.fromEntries(Object.entries(changes).map(([field, change]) => [field, change.to]));
    const row = await db.updateTable('boot_profiles').set({ ...values, updated_at: now }).where('id', '=', id).returningAll().executeTakeFirst();
    if (row === undefined) throw bootErrors.profileNotFound(id);
    await appendAudit(trx, ctx.clock, { actor, action: 'boot.profile_updated', target: { type: 'boot_profile', id }, metadata: { changes } });
    return profileView(db, row);
  });
}

/** Refused while the profile is the default or used by a group or a station (BOOT_PROFILE_IN_USE). */
export async function deleteProfile(ctx: BootCtx, actor: Actor, id: number): Promise<void> {
  await bootTransaction(ctx.db, 'profile', '', async (trx) => {
    const db = bootDb(trx);
    const row = await requireProfile(db, id);
    const usage = (await profileUsage(db, [id])).get(id)!;
    if (row.is_default === 1 || usage.groups > 0 || usage.stations > 0) throw bootErrors.profileInUse(id, { isDefault: row.is_default === 1, ...usage });
    // Rows of deleted stations may still name the profile; they let go of it.
    await db.updateTable('boot_stations').set({ profile_id: null }).where('profile_id', '=', id).execute();
    await db.deleteFrom('boot_profiles').where('id', '=', id).execute();
    await appendAudit(trx, ctx.clock, {
      actor,
      action: 'boot.profile_deleted',
      target: { type: 'boot_profile', id },
      metadata: { name: row.name, image: row.image_name, version: row.image_version },
    });
  });
}
