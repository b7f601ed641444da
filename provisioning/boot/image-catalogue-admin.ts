import type { Actor } from '../../api/audit/audit-actions.ts';
import { appendAudit } from '../../api/audit/audit-writer.ts';
import type { ImageCheckView, ImageUseView, ImageVersionView } from '../../api/contract/boot-admin.ts';
import { inTransaction, reading } from '../../api/db/transaction.ts';
import { clampPage, toPage, type Page, type PageRequest } from '../../api/shared/pagination.ts';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { bootErrors } from './boot-errors.ts';
import type { BootCtx } from './boot-profiles-service.ts';
import { bootDb, type BootDb } from './boot-tables.ts';
import type { CatalogueEntry, ImageCatalogue, ManifestState } from './image-catalogue.ts';
import { MANIFEST_FILE } from './image-names.ts';

/** Profiles pointing at each image version, as current or previous (rollback) version. */
async function imageUses(db: BootDb, name?: string): Promise<Map<string, ImageUseView[]>> {
  let query = db.selectFrom('boot_profiles').select(['id', 'name', 'image_name', 'image_version', 'previous_version']);
  if (name !== undefined) query = query.where('image_name', '=', name);
  const uses = new Map<string, ImageUseView[]>();
  const add = (key: string, use: ImageUseView) => uses.set(key, [...(uses.get(key) ?? []), use]);
  for (const row of await query.orderBy('name').execute()) {
    add(`${row.image_name}/${row.image_version}`, { profileId: row.id, profileName: row.name, as: 'current' });
    if (row.previous_version !== null) add(`${row.image_name}/${row.previous_version}`, { profileId: row.id, profileName: row.name, as: 'previous' });
  }
  return uses;
}

function toImageView(name: string, version: string, state: ManifestState, usedBy: ImageUseView[]): ImageVersionView {
  const files = state.state === 'sealed' ? Object.entries(state.manifest.files).map(([file, f]) => ({ name: file, size: f.size, sha256: f.sha256 })) : [];
  return {
    name,
    version,
    state: state.state,
    invalidReason: state.state === 'invalid' ? state.reason : null,
    sealedAt: state.state === 'sealed' ? Date.parse(state.manifest.sealedAt) || null : null,
    totalBytes: files.reduce((sum, f) => sum + f.size, 0),
    files,
    usedBy,
  };
}

export async function listImages(ctx: BootCtx, catalogue: ImageCatalogue, request: PageRequest): Promise<Page<ImageVersionView>> {
  const page = clampPage(request);
  const entries: CatalogueEntry[] = await catalogue.list();
  const uses = await reading(() => imageUses(bootDb(ctx.db)));
  const items = entries.slice(page.offset, page.offset + page.limit).map((e) => toImageView(e.name, e.version, e.manifest, uses.get(`${e.name}/${e.version}`) ?? []));
  return toPage(items, entries.length, page);
}

export async function getImage(ctx: BootCtx, catalogue: ImageCatalogue, name: string, version: string): Promise<ImageVersionView> {
  const state = await catalogue.manifestState(name, version);
  if (state === null) throw bootErrors.imageNotFound(name, version);
  const uses = await reading(() => imageUses(bootDb(ctx.db), name));
  return toImageView(name, version, state, uses.get(`${name}/${version}`) ?? []);
}

/** Writes the manifest of a version (sizes, SHA-256), audited; the manifest is removed again if the audit cannot be written. */
export async function sealImage(ctx: BootCtx, catalogue: ImageCatalogue, actor: Actor, name: string, version: string): Promise<ImageVersionView> {
  const manifest = await catalogue.seal(name, version, ctx.clock.now());
  try {
    await inTransaction(ctx.db, (trx) =>
      appendAudit(trx, ctx.clock, {
        actor,
        action: 'boot.image_sealed',
        target: { type: 'boot_image', id: null },
        metadata: { name, version, files: Object.fromEntries(Object.entries(manifest.files).map(([file, f]) => [file, { size: f.size, sha256: f.sha256 }])) },
      }),
    );
  } catch (error) {
    await unlink(join(catalogue.versionDir(name, version), MANIFEST_FILE)).catch(() => undefined);
    throw error;
  }
  return getImage(ctx, catalogue, name, version);
}

export async function verifyImage(catalogue: ImageCatalogue, name: string, version: string): Promise<ImageCheckView> {
  return { name, version, ...(await catalogue.verify(name, version)) };
}

/** Deletes a version no profile uses (as current or rollback version), audited. */
export async function deleteImage(ctx: BootCtx, catalogue: ImageCatalogue, actor: Actor, name: string, version: string): Promise<void> {
  const state = await catalogue.manifestState(name, version);
  if (state === null) throw bootErrors.imageNotFound(name, version);
  const uses = (await reading(() => imageUses(bootDb(ctx.db), name))).get(`${name}/${version}`) ?? [];
  if (uses.length > 0) throw bootErrors.imageInUse(name, version, [...new Set(uses.map((u) => u.profileName))]);
  const detached = await catalogue.detach(name, version);
  try {
    await inTransaction(ctx.db, async (trx) => {
      // Checked again under the write lock: a profile may have switched to it meanwhile.
      const again = (await imageUses(bootDb(trx), name)).get(`${name}/${version}`) ?? [];
      if (again.length > 0) throw bootErrors.imageInUse(name, version, [...new Set(again.map((u) => u.profileName))]);
      await appendAudit(trx, ctx.clock, { actor, action: 'boot.image_deleted', target: { type: 'boot_image', id: null }, metadata: { name, version, state: state.state } });
    });
  } catch (error) {
    await detached.restore();
    throw error;
  }
  await detached.purge();
}
