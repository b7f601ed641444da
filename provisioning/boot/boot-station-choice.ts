import type { Actor } from '../../api/audit/audit-actions.ts';
import { appendAudit } from '../../api/audit/audit-writer.ts';
import type { StationBootPatch, StationBootView } from '../../api/contract/boot-admin.ts';
import { inTransaction, reading } from '../../api/db/transaction.ts';
import { requireStation } from '../../api/stations/stations-repository.ts';
import { bootErrors } from './boot-errors.ts';
import { requireProfile } from './boot-profiles-repository.ts';
import type { BootCtx } from './boot-profiles-service.ts';
import { resolveStationProfile } from './boot-resolution.ts';
import type { DbOrTx } from '../../api/db/schema.ts';
import { bootDb } from './boot-tables.ts';

async function stationBootView(base: DbOrTx, stationId: number): Promise<StationBootView> {
  const station = await requireStation(base, stationId);
  const db = bootDb(base);
  const choice = await db
    .selectFrom('boot_stations')
    .leftJoin('boot_profiles', 'boot_profiles.id', 'boot_stations.profile_id')
    .leftJoin('boot_groups', 'boot_groups.id', 'boot_stations.group_id')
    .select(['boot_stations.profile_id', 'boot_profiles.name as profile_name', 'boot_stations.group_id', 'boot_groups.name as group_name'])
    .where('boot_stations.station_id', '=', stationId)
    .executeTakeFirst();
  const resolved = await resolveStationProfile(db, stationId);
  return {
    stationId,
    stationName: station.name,
    mac: station.mac,
    profileId: choice?.profile_id ?? null,
    profileName: choice?.profile_name ?? null,
    groupId: choice?.group_id ?? null,
    groupName: choice?.group_name ?? null,
    resolved:
      resolved === null
        ? null
        : { profileId: resolved.profile.id, profileName: resolved.profile.name, source: resolved.source, imageName: resolved.profile.image_name, imageVersion: resolved.profile.image_version },
  };
}

/** What a station boots and why (its own profile, its group's, or the default). */
export async function getStationBoot(ctx: BootCtx, stationId: number): Promise<StationBootView> {
  return reading(() => stationBootView(ctx.db, stationId));
}

/** Sets or clears a station's explicit profile and/or group; clearing both removes the row. */
export async function setStationBoot(ctx: BootCtx, actor: Actor, stationId: number, patch: StationBootPatch): Promise<StationBootView> {
  const now = ctx.clock.now();
  return inTransaction(ctx.db, async (trx) => {
    const db = bootDb(trx);
    const before = await stationBootView(trx, stationId);
    const profileId = patch.profileId === undefined ? before.profileId : patch.profileId;
    const groupId = patch.groupId === undefined ? before.groupId : patch.groupId;
    if (profileId === before.profileId && groupId === before.groupId) return before;
    if (profileId !== null) await requireProfile(db, profileId);
    if (groupId !== null && (await db.selectFrom('boot_groups').select('id').where('id', '=', groupId).executeTakeFirst()) === undefined) throw bootErrors.groupNotFound(groupId);
    if (profileId === null && groupId === null) await db.deleteFrom('boot_stations').where('station_id', '=', stationId).execute();
    else {
      await db
        .insertInto('boot_stations')
        .values({ station_id: stationId, profile_id: profileId, group_id: groupId, updated_at: now })
        .onConflict((oc) => oc.column('station_id').doUpdateSet({ profile_id: profileId, group_id: groupId, updated_at: now }))
        .execute();
    }
    const after = await stationBootView(trx, stationId);
    await appendAudit(trx, ctx.clock, {
      actor,
      action: 'boot.station_changed',
      target: { type: 'station', id: stationId },
      metadata: {
        profileId: { from: before.profileId, to: profileId },
        groupId: { from: before.groupId, to: groupId },
        resolved: after.resolved === null ? null : { profileId: after.resolved.profileId, source: after.resolved.source },
      },
    });
    return after;
  });
}
