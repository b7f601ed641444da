import type { ProfileSource } from '../../api/contract/boot-admin.ts';
import type { BootDb, BootProfileRow } from './boot-tables.ts';

export interface ProfileCandidates {
  /** The profile named on the station itself. */
  station: BootProfileRow | null;
  /** The profile of the station's group. */
  group: BootProfileRow | null;
  /** The site's default profile. */
  fallback: BootProfileRow | null;
}

export interface ResolvedProfile {
  profile: BootProfileRow;
  source: ProfileSource;
}

/** Most specific wins, as in matchbox: the station's own choice, then its group's, then the default. */
export function pickProfile(candidates: ProfileCandidates): ResolvedProfile | null {
  if (candidates.station !== null) return { profile: candidates.station, source: 'station' };
  if (candidates.group !== null) return { profile: candidates.group, source: 'group' };
  if (candidates.fallback !== null) return { profile: candidates.fallback, source: 'default' };
  return null;
}

async function profileById(db: BootDb, id: number | null | undefined): Promise<BootProfileRow | null> {
  if (id === null || id === undefined) return null;
  return (await db.selectFrom('boot_profiles').selectAll().where('id', '=', id).executeTakeFirst()) ?? null;
}

export async function profileCandidates(db: BootDb, stationId: number): Promise<ProfileCandidates> {
  const choice = await db
    .selectFrom('boot_stations')
    .leftJoin('boot_groups', 'boot_groups.id', 'boot_stations.group_id')
    .select(['boot_stations.profile_id', 'boot_groups.profile_id as group_profile_id'])
    .where('boot_stations.station_id', '=', stationId)
    .executeTakeFirst();
  return {
    station: await profileById(db, choice?.profile_id),
    group: await profileById(db, choice?.group_profile_id),
    fallback: (await db.selectFrom('boot_profiles').selectAll().where('is_default', '=', 1).executeTakeFirst()) ?? null,
  };
}

/** The profile a station boots now, read in one consistent pass; null when none applies. */
export async function resolveStationProfile(db: BootDb, stationId: number): Promise<ResolvedProfile | null> {
  return pickProfile(await profileCandidates(db, stationId));
}
