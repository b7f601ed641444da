import { sql } from 'kysely';
import type { Actor } from '../../api/audit/audit-actions.ts';
import { appendAudit } from '../../api/audit/audit-writer.ts';
import type { BootGroupPatch, BootGroupView, BootListRequest, NewBootGroupInput } from '../../api/contract/boot-admin.ts';
import { reading } from '../../api/db/transaction.ts';
import { clampPage, toPage, type Page } from '../../api/shared/pagination.ts';
import { bootErrors } from './boot-errors.ts';
import { normaliseBootName, normaliseDescription } from './boot-profile-fields.ts';
import { checkedSort, requireProfile } from './boot-profiles-repository.ts';
import type { BootCtx } from './boot-profiles-service.ts';
import { bootDb, type BootDb } from './boot-tables.ts';
import { bootTransaction } from './boot-transaction.ts';

function groupsQuery(db: BootDb) {
  return db
    .selectFrom('boot_groups')
    .innerJoin('boot_profiles', 'boot_profiles.id', 'boot_groups.profile_id')
    .select([
      'boot_groups.id',
      'boot_groups.name',
      'boot_groups.description',
      'boot_groups.profile_id',
      'boot_profiles.name as profile_name',
      'boot_groups.created_at',
      'boot_groups.updated_at',
      (eb) =>
        eb
          .selectFrom('boot_stations')
          .innerJoin('stations', 'stations.id', 'boot_stations.station_id')
          .select(eb.fn.countAll<number>().as('n'))
          .whereRef('boot_stations.group_id', '=', 'boot_groups.id')
          .where('stations.deleted_at', 'is', null)
          .as('station_count'),
    ]);
}

type GroupRow = Awaited<ReturnType<ReturnType<typeof groupsQuery>['executeTakeFirstOrThrow']>>;

function toGroupView(row: GroupRow): BootGroupView {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    profileId: row.profile_id,
    profileName: row.profile_name,
    stationCount: Number(row.station_count ?? 0),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

async function requireGroupView(db: BootDb, id: number): Promise<BootGroupView> {
  const row = Number.isSafeInteger(id) ? await groupsQuery(db).where('boot_groups.id', '=', id).executeTakeFirst() : undefined;
  if (row === undefined) throw bootErrors.groupNotFound(id);
  return toGroupView(row);
}

async function assertGroupNameFree(db: BootDb, name: string, exceptId?: number): Promise<void> {
  let query = db.selectFrom('boot_groups').select('id').where(sql<string>`lower(name)`, '=', sql<string>`lower(${name})`);
  if (exceptId !== undefined) query = query.where('id', '!=', exceptId);
  if ((await query.executeTakeFirst()) !== undefined) throw bootErrors.nameTaken('group', name);
}

export async function listGroups(ctx: BootCtx, request: BootListRequest): Promise<Page<BootGroupView>> {
  const page = clampPage(request);
  const { column, order } = checkedSort(request);
  return reading(async () => {
    const db = bootDb(ctx.db);
    const total = await db.selectFrom('boot_groups').select(db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const rows = await groupsQuery(db).orderBy(column === 'name' ? sql`lower(boot_groups.name)` : `boot_groups.${column}`, order).orderBy('boot_groups.id', order).limit(page.limit).offset(page.offset).execute();
    return toPage(rows.map(toGroupView), Number(total.n), page);
  });
}

export async function getGroup(ctx: BootCtx, id: number): Promise<BootGroupView> {
  return reading(() => requireGroupView(bootDb(ctx.db), id));
}

export async function createGroup(ctx: BootCtx, actor: Actor, input: NewBootGroupInput): Promise<BootGroupView> {
  const name = normaliseBootName('group', input.name);
  const description = normaliseDescription(input.description);
  const now = ctx.clock.now();
  return bootTransaction(ctx.db, 'group', name, async (trx) => {
    const db = bootDb(trx);
    await assertGroupNameFree(db, name);
    const profile = await requireProfile(db, input.profileId);
    const row = await db.insertInto('boot_groups').values({ name, description, profile_id: profile.id, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
    await appendAudit(trx, ctx.clock, { actor, action: 'boot.group_created', target: { type: 'boot_group', id: row.id }, metadata: { name, profileId: profile.id, profile: profile.name } });
    return requireGroupView(db, row.id);
  });
}

export async function updateGroup(ctx: BootCtx, actor: Actor, id: number, patch: BootGroupPatch): Promise<BootGroupView> {
  const name = patch.name === undefined ? undefined : normaliseBootName('group', patch.name);
  const description = patch.description === undefined ? undefined : normaliseDescription(patch.description);
  const now = ctx.clock.now();
  return bootTransaction(ctx.db, 'group', name ?? '', async (trx) => {
    const db = bootDb(trx);
    const before = await requireGroupView(db, id);
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    if (name !== undefined && name !== before.name) changes.name = { from: before.name, to: name };
    if (description !== undefined && description !== before.description) changes.description = { from: before.description, to: description };
    if (patch.profileId !== undefined && patch.profileId !== before.profileId) changes.profileId = { from: before.profileId, to: (await requireProfile(db, patch.profileId)).id };
    if (Object.keys(changes).length === 0) return before;
    if (changes.name) await assertGroupNameFree(db, name!, id);
    await db
      .updateTable('boot_groups')
      .set({ name: name ?? before.name, description: description === undefined ? before.description : description, profile_id: patch.profileId ?? before.profileId, updated_at: now })
      .where('id', '=', id)
      .execute();
    await appendAudit(trx, ctx.clock, { actor, action: 'boot.group_updated', target: { type: 'boot_group', id }, metadata: { changes } });
    return requireGroupView(db, id);
  });
}

/** Deletes a group; its stations keep their explicit profile, if any, else get the default. */
export async function deleteGroup(ctx: BootCtx, actor: Actor, id: number): Promise<void> {
  await bootTransaction(ctx.db, 'group', '', async (trx) => {
    const db = bootDb(trx);
    const group = await requireGroupView(db, id);
    await db.updateTable('boot_stations').set({ group_id: null }).where('group_id', '=', id).execute();
    await db.deleteFrom('boot_stations').where('group_id', 'is', null).where('profile_id', 'is', null).execute();
    await db.deleteFrom('boot_groups').where('id', '=', id).execute();
    await appendAudit(trx, ctx.clock, { actor, action: 'boot.group_deleted', target: { type: 'boot_group', id }, metadata: { name: group.name, stations: group.stationCount } });
  });
}
