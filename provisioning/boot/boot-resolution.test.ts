import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStation, deleteStation } from '../../api/stations/stations-service.ts';
import { createBrokenDb } from '../../api/testing/broken-db.ts';
import { createGroup, deleteGroup, getGroup, updateGroup } from './boot-groups-service.ts';
import { createProfile } from './boot-profiles-service.ts';
import { pickProfile } from './boot-resolution.ts';
import { getStationBoot, setStationBoot } from './boot-station-choice.ts';
import type { BootProfileRow } from './boot-tables.ts';
import { admin, bootAudit, bootTestKit, type BootTestKit } from './boot-test-kit.ts';
import { setDefaultProfile } from './boot-version-switch.ts';

const row = (id: number) => ({ id, name: `p${id}` }) as BootProfileRow;

describe('pickProfile (pure)', () => {
  it.each([
    [{ station: row(1), group: row(2), fallback: row(3) }, 1, 'station'],
    [{ station: null, group: row(2), fallback: row(3) }, 2, 'group'],
    [{ station: row(1), group: null, fallback: row(3) }, 1, 'station'],
    [{ station: null, group: null, fallback: row(3) }, 3, 'default'],
  ])('most specific wins: %o', (candidates, id, source) => {
    expect(pickProfile(candidates)).toEqual({ profile: row(id), source });
  });

  it('gives null when nothing applies', () => {
    expect(pickProfile({ station: null, group: null, fallback: null })).toBeNull();
  });
});

describe('station boot choice', () => {
  let kit: BootTestKit;
  let p: { fallback: number; group: number; own: number };
  let stationId: number;
  beforeEach(async () => {
    kit = await bootTestKit();
    await kit.image('img', '1');
    const make = async (name: string) => (await createProfile(kit.ctx, kit.catalogue, admin, { name, imageName: 'img', imageVersion: '1' })).id;
    p = { fallback: await make('Défaut'), group: await make('Salle'), own: await make('Poste') };
    stationId = (await createStation(kit.ctx, admin, { name: 'Poste 1', mac: '52:54:00:00:00:01' })).id;
  });
  afterEach(async () => {
    await kit.close();
  });

  const resolved = async () => (await getStationBoot(kit.ctx, stationId)).resolved;

  it('walks from nothing to default, group and station, and back as choices are cleared', async () => {
    expect(await resolved()).toBeNull();
    await setDefaultProfile(kit.ctx, admin, p.fallback);
    expect(await resolved()).toMatchObject({ profileId: p.fallback, source: 'default' });
    const group = await createGroup(kit.ctx, admin, { name: 'Salle 1', profileId: p.group });
    await setStationBoot(kit.ctx, admin, stationId, { groupId: group.id });
    expect(await resolved()).toMatchObject({ profileId: p.group, source: 'group' });
    await setStationBoot(kit.ctx, admin, stationId, { profileId: p.own });
    expect(await getStationBoot(kit.ctx, stationId)).toEqual({
      stationId,
      stationName: 'Poste 1',
      mac: '52:54:00:00:00:01',
      profileId: p.own,
      profileName: 'Poste',
      groupId: group.id,
      groupName: 'Salle 1',
      resolved: { profileId: p.own, profileName: 'Poste', source: 'station', imageName: 'img', imageVersion: '1' },
    });
    await setStationBoot(kit.ctx, admin, stationId, { profileId: null });
    expect(await resolved()).toMatchObject({ source: 'group' });
    await updateGroup(kit.ctx, admin, group.id, { profileId: p.fallback });
    expect(await resolved()).toMatchObject({ profileId: p.fallback, source: 'group' });
    await deleteGroup(kit.ctx, admin, group.id);
    expect(await resolved()).toMatchObject({ profileId: p.fallback, source: 'default' });
    expect(await kit.ctx.db.selectFrom('audit_events').select('id').where('action', '=', 'boot.group_deleted').execute()).toHaveLength(1);
  });

  it('audits each change with before, after and the resulting profile; a no-op writes nothing', async () => {
    await setStationBoot(kit.ctx, admin, stationId, { profileId: p.own });
    await setStationBoot(kit.ctx, admin, stationId, { profileId: p.own });
    await setStationBoot(kit.ctx, admin, stationId, { profileId: null, groupId: null });
    const events = (await bootAudit(kit.ctx.db)).filter((e) => e.action === 'boot.station_changed');
    expect(events).toEqual([
      { action: 'boot.station_changed', target_type: 'station', target_id: stationId, metadata: { profileId: { from: null, to: p.own }, groupId: { from: null, to: null }, resolved: { profileId: p.own, source: 'station' } } },
      { action: 'boot.station_changed', target_type: 'station', target_id: stationId, metadata: { profileId: { from: p.own, to: null }, groupId: { from: null, to: null }, resolved: null } },
    ]);
    expect(await kit.ctx.db.selectFrom('boot_stations' as never).selectAll().execute()).toEqual([]);
  });

  it('refuses unknown stations, profiles and groups', async () => {
    await expect(setStationBoot(kit.ctx, admin, 999, { profileId: p.own })).rejects.toMatchObject({ code: 'STATION_NOT_FOUND' });
    await expect(setStationBoot(kit.ctx, admin, stationId, { profileId: 999 })).rejects.toMatchObject({ code: 'BOOT_PROFILE_NOT_FOUND' });
    await expect(setStationBoot(kit.ctx, admin, stationId, { groupId: 999 })).rejects.toMatchObject({ code: 'BOOT_GROUP_NOT_FOUND' });
    await deleteStation(kit.ctx, admin, stationId);
    await expect(getStationBoot(kit.ctx, stationId)).rejects.toMatchObject({ code: 'STATION_NOT_FOUND' });
    await expect(getStationBoot({ ...kit.ctx, db: createBrokenDb() }, stationId)).rejects.toMatchObject({ code: 'STORAGE_FAILURE' });
  });

  it('counts a group\'s live stations, and refuses group names already taken', async () => {
    const group = await createGroup(kit.ctx, admin, { name: 'Salle 1', profileId: p.group, description: 'Rez-de-chaussée' });
    await setStationBoot(kit.ctx, admin, stationId, { groupId: group.id });
    expect(await getGroup(kit.ctx, group.id)).toMatchObject({ name: 'Salle 1', description: 'Rez-de-chaussée', profileName: 'Salle', stationCount: 1 });
    await deleteStation(kit.ctx, admin, stationId);
    expect((await getGroup(kit.ctx, group.id)).stationCount).toBe(0);
    await expect(createGroup(kit.ctx, admin, { name: 'SALLE 1', profileId: p.group })).rejects.toMatchObject({ code: 'BOOT_GROUP_NAME_TAKEN' });
    await expect(createGroup(kit.ctx, admin, { name: 'Salle 2', profileId: 999 })).rejects.toMatchObject({ code: 'BOOT_PROFILE_NOT_FOUND' });
    await expect(updateGroup(kit.ctx, admin, 999, { name: 'x' })).rejects.toMatchObject({ code: 'BOOT_GROUP_NOT_FOUND' });
  });
});
