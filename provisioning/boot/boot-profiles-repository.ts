import { sql } from 'kysely';
import type { BootListRequest, BootProfileView } from '../../api/contract/boot-admin.ts';
import { invalid } from '../../api/shared/errors.ts';
import { clampPage, toPage, type Page } from '../../api/shared/pagination.ts';
import { bootErrors } from './boot-errors.ts';
import type { BootDb, BootProfileRow } from './boot-tables.ts';

const SORT_COLUMNS = { name: 'name', createdAt: 'created_at', updatedAt: 'updated_at' } as const;

/** Sort and order of a boot list, or BOOT_SORT_INVALID. */
export function checkedSort(request: BootListRequest): { column: 'name' | 'created_at' | 'updated_at'; order: 'asc' | 'desc' } {
  const sort = request.sort ?? 'name';
  const order = request.order ?? 'asc';
  if (!Object.hasOwn(SORT_COLUMNS, sort) || (order !== 'asc' && order !== 'desc')) {
    throw invalid('BOOT_SORT_INVALID', 'Tri inconnu (name, createdAt, updatedAt ; asc ou desc).', 'Unknown sort (name, createdAt, updatedAt; asc or desc).', [
      { field: 'sort', fr: 'name, createdAt ou updatedAt', en: 'name, createdAt or updatedAt' },
    ]);
  }
  return { column: SORT_COLUMNS[sort], order };
}

export async function findProfile(db: BootDb, id: number): Promise<BootProfileRow | undefined> {
  return Number.isSafeInteger(id) ? db.selectFrom('boot_profiles').selectAll().where('id', '=', id).executeTakeFirst() : undefined;
}

export async function requireProfile(db: BootDb, id: number): Promise<BootProfileRow> {
  const row = await findProfile(db, id);
  if (row === undefined) throw bootErrors.profileNotFound(id);
  return row;
}

/** Throws BOOT_PROFILE_NAME_TAKEN when another profile has the name (case-insensitive). */
export async function assertProfileNameFree(db: BootDb, name: string, exceptId?: number): Promise<void> {
  let query = db.selectFrom('boot_profiles').select('id').where(sql<string>`lower(name)`, '=', sql<string>`lower(${name})`);
  if (exceptId !== undefined) query = query.where('id', '!=', exceptId);
  if ((await query.executeTakeFirst()) !== undefined) throw bootErrors.nameTaken('profile', name);
}

export interface ProfileUsage {
  stations: number;
  groups: number;
}

/** Stations naming each profile explicitly, and groups using it. */
export async function profileUsage(db: BootDb, ids: number[]): Promise<Map<number, ProfileUsage>> {
  const usage = new Map<number, ProfileUsage>(ids.map((id) => [id, { stations: 0, groups: 0 }]));
  if (ids.length === 0) return usage;
  const stations = await db
    .selectFrom('boot_stations')
    .innerJoin('stations', 'stations.id', 'boot_stations.station_id')
    .select(['boot_stations.profile_id as id', db.fn.countAll<number>().as('n')])
    .where('boot_stations.profile_id', 'in', ids)
    .where('stations.deleted_at', 'is', null)
    .groupBy('boot_stations.profile_id')
    .execute();
  const groups = await db.selectFrom('boot_groups').select(['profile_id as id', db.fn.countAll<number>().as('n')]).where('profile_id', 'in', ids).groupBy('profile_id').execute();
  for (const row of stations) usage.get(row.id!)!.stations = Number(row.n);
  for (const row of groups) usage.get(row.id)!.groups = Number(row.n);
  return usage;
}

export function toProfileView(row: BootProfileRow, usage: ProfileUsage): BootProfileView {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    imageName: row.image_name,
    imageVersion: row.image_version,
    previousVersion: row.previous_version,
    kernel: row.kernel_file,
    initrd: row.initrd_file,
    squashfs: row.squashfs_file,
    kernelArgs: row.kernel_args,
    isDefault: row.is_default === 1,
    stationCount: usage.stations,
    groupCount: usage.groups,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function profileView(db: BootDb, row: BootProfileRow): Promise<BootProfileView> {
  return toProfileView(row, (await profileUsage(db, [row.id])).get(row.id)!);
}

export async function listProfileRows(db: BootDb, request: BootListRequest): Promise<Page<BootProfileView>> {
  const page = clampPage(request);
  const { column, order } = checkedSort(request);
  const total = await db.selectFrom('boot_profiles').select(db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const rows = await db.selectFrom('boot_profiles').selectAll().orderBy(column === 'name' ? sql`lower(name)` : column, order).orderBy('id', order).limit(page.limit).offset(page.offset).execute();
  const usage = await profileUsage(db, rows.map((r) => r.id));
  return toPage(rows.map((row) => toProfileView(row, usage.get(row.id)!)), Number(total.n), page);
}
