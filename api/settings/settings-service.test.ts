import { Value } from '@sinclair/typebox/value';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { operatorActor } from '../audit/audit-actions.ts';
import type { Db } from '../db/schema.ts';
import { FakeClock } from '../shared/clock.ts';
import { defaultPolicy } from '../shared/domain-context.ts';
import { DomainError } from '../shared/errors.ts';
import { createBrokenDb, failingWhen, insertInto } from '../testing/broken-db.ts';
import { createTestDb } from '../testing/test-db.ts';
import { policyWithSettings, settingsDefaultsFrom } from './settings-policy.ts';
import { SettingsSchema } from './settings-schema.ts';
import { getSettings, listSettings, resetSetting, setSetting } from './settings-service.ts';

const defaults = settingsDefaultsFrom(defaultPolicy);

describe('runtime settings', () => {
  let db: Db;
  let clock: FakeClock;
  let admin: ReturnType<typeof operatorActor>;
  beforeEach(async () => {
    db = await createTestDb();
    clock = new FakeClock();
    const op = await db
      .insertInto('operators')
      .values({ username: 'admin', display_name: 'Admin', role: 'admin', password_hash: 'x', must_change_password: 0, active: 1, created_at: 0, updated_at: 0, last_login_at: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    admin = operatorActor(op.id);
  });
  afterEach(async () => {
    await db.destroy();
  });

  const audit = async () =>
    (await db.selectFrom('audit_events').select(['action', 'actor_id', 'target_type', 'metadata']).orderBy('id').execute()).map((e) => ({ ...e, metadata: JSON.parse(e.metadata) as unknown }));

  async function refusal(key: string, value: unknown): Promise<DomainError> {
    const error = await setSetting({ db, clock }, admin, key, value, defaults).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    return error as DomainError;
  }

  it('builds valid defaults from the policy, and a policy back from settings', () => {
    expect(Value.Check(SettingsSchema, defaults)).toBe(true);
    expect(defaults).toMatchObject({ 'sessions.dailyQuota': 3, 'stations.heartbeatTimeoutSeconds': 30, 'sessions.unusedCodeExpiryHours': 24, 'consent.textVersion': '2026-01' });
    const policy = policyWithSettings(defaultPolicy, { ...defaults, 'sessions.dailyQuota': 5, 'stations.heartbeatTimeoutSeconds': 45 });
    expect(policy).toMatchObject({ dailyQuota: 5, heartbeatTimeoutMs: 45_000, timeZone: 'Indian/Reunion' });
  });

  it('returns the defaults when nothing is stored, without sharing them', async () => {
    const settings = await getSettings({ db }, defaults);
    expect(settings).toEqual(defaults);
    settings['sessions.addTimePresetsMinutes'].push(99);
    expect(defaults['sessions.addTimePresetsMinutes']).toEqual([15, 30]);
  });

  it('stores a change over the defaults and audits {key, from, to}', async () => {
    clock.advance(500);
    const after = await setSetting({ db, clock }, admin, 'sessions.dailyQuota', 5, defaults);
    await setSetting({ db, clock }, admin, 'sessions.addTimePresetsMinutes', [10, 20, 45], defaults);
    await setSetting({ db, clock }, admin, 'sessions.dailyQuota', 4, defaults);
    expect(after['sessions.dailyQuota']).toBe(5);
    expect(await getSettings({ db }, defaults)).toEqual({ ...defaults, 'sessions.dailyQuota': 4, 'sessions.addTimePresetsMinutes': [10, 20, 45] });
    expect(await audit()).toEqual([
      { action: 'settings.changed', actor_id: admin.id, target_type: 'settings', metadata: { key: 'sessions.dailyQuota', from: 3, to: 5 } },
      { action: 'settings.changed', actor_id: admin.id, target_type: 'settings', metadata: { key: 'sessions.addTimePresetsMinutes', from: [15, 30], to: [10, 20, 45] } },
      { action: 'settings.changed', actor_id: admin.id, target_type: 'settings', metadata: { key: 'sessions.dailyQuota', from: 5, to: 4 } },
    ]);
    const row = await db.selectFrom('settings').selectAll().where('key', '=', 'sessions.dailyQuota').executeTakeFirstOrThrow();
    expect(row).toEqual({ key: 'sessions.dailyQuota', value: '4', updated_at: clock.now(), updated_by: admin.id });
  });

  it('writes nothing when the value is already in force', async () => {
    await setSetting({ db, clock }, admin, 'stations.autoApprove', false, defaults);
    expect(await db.selectFrom('settings').selectAll().execute()).toEqual([]);
    expect(await audit()).toEqual([]);
  });

  it('refuses an unknown key, naming it and the known ones', async () => {
    const e = await refusal('sessions.dailyQuotas', 3);
    expect(e).toMatchObject({ code: 'SETTING_UNKNOWN', category: 'invalid', details: { key: 'sessions.dailyQuotas' } });
    expect(e.fr).toContain('sessions.dailyQuota,');
  });

  it.each([
    ['sessions.dailyQuota', 51, 'un entier de 1 à 50'],
    ['sessions.dailyQuota', '3', 'un entier de 1 à 50'],
    ['sessions.dailyQuota', 2.5, 'un entier de 1 à 50'],
    ['sessions.addTimePresetsMinutes', [15, 15], 'différentes'],
    ['sessions.addTimePresetsMinutes', [], '1 à 6'],
    ['stations.autoApprove', 'yes', 'true ou false'],
    ['consent.textVersion', 'version 2026 !', 'lettres, chiffres'],
    ['retention.connectionRecordsDays', 30, 'un an au moins'],
    ['sessions.defaultDurationMinutes', null, '5 à 480'],
  ])('refuses %s = %j, saying what is expected', async (key, value, expected) => {
    const e = await refusal(key, value);
    expect(e.code).toBe('SETTING_INVALID');
    expect(e.fr).toContain(key);
    expect(e.fr).toContain(JSON.stringify(value));
    expect(e.fr).toContain(expected);
    expect(e.en).toContain('expected');
    expect(e.fields[0]!.field).toBe(key);
    expect(await db.selectFrom('settings').selectAll().execute()).toEqual([]);
  });

  it('ignores stored values that no longer pass the schema, and says so in the list', async () => {
    await db.insertInto('settings').values([
      { key: 'sessions.dailyQuota', value: '500', updated_at: 1, updated_by: null },
      { key: 'stations.autoApprove', value: 'not json', updated_at: 1, updated_by: null },
      { key: 'legacy.removed', value: '1', updated_at: 1, updated_by: null },
      { key: 'sessions.defaultDurationMinutes', value: '90', updated_at: 2, updated_by: admin.id },
    ]).execute();
    expect(await getSettings({ db }, defaults)).toEqual({ ...defaults, 'sessions.defaultDurationMinutes': 90 });
    const list = await listSettings({ db }, defaults);
    expect(list.map((e) => e.key)).toEqual(Object.keys(defaults));
    expect(list.find((e) => e.key === 'sessions.dailyQuota')).toMatchObject({ value: 3, isDefault: true, storedValueRejected: true });
    expect(list.find((e) => e.key === 'sessions.defaultDurationMinutes')).toEqual({
      key: 'sessions.defaultDurationMinutes', value: 90, defaultValue: 60, isDefault: false, updatedAt: 2, updatedBy: admin.id, storedValueRejected: false,
    });
    // Writing a valid value over a rejected one records the default as "from".
    await setSetting({ db, clock }, admin, 'sessions.dailyQuota', 4, defaults);
    expect((await audit())[0]!.metadata).toEqual({ key: 'sessions.dailyQuota', from: 3, to: 4 });
  });

  it('resets to the default with one event, and does nothing when already default', async () => {
    await setSetting({ db, clock }, admin, 'stations.autoApprove', true, defaults);
    expect((await resetSetting({ db, clock }, admin, 'stations.autoApprove', defaults))['stations.autoApprove']).toBe(false);
    await resetSetting({ db, clock }, admin, 'stations.autoApprove', defaults);
    expect((await audit()).map((e) => e.metadata)).toEqual([
      { key: 'stations.autoApprove', from: false, to: true },
      { key: 'stations.autoApprove', from: true, to: false, reset: true },
    ]);
    await expect(resetSetting({ db, clock }, admin, 'nope', defaults)).rejects.toMatchObject({ code: 'SETTING_UNKNOWN' });
  });

  it('reports storage failures and keeps the old value when the audit insert fails', async () => {
    const broken = createBrokenDb();
    await expect(getSettings({ db: broken }, defaults)).rejects.toMatchObject({ code: 'STORAGE_FAILURE' });
    await expect(setSetting({ db: broken, clock }, admin, 'sessions.dailyQuota', 5, defaults)).rejects.toMatchObject({ code: 'STORAGE_FAILURE' });
    await setSetting({ db, clock }, admin, 'sessions.dailyQuota', 5, defaults);
    const failing = failingWhen(db, insertInto('audit_events'));
    await expect(setSetting({ db: failing, clock }, admin, 'sessions.dailyQuota', 6, defaults)).rejects.toMatchObject({ code: 'STORAGE_FAILURE' });
    await expect(resetSetting({ db: failing, clock }, admin, 'sessions.dailyQuota', defaults)).rejects.toMatchObject({ code: 'STORAGE_FAILURE' });
    expect((await getSettings({ db }, defaults))['sessions.dailyQuota']).toBe(5);
    expect(await audit()).toHaveLength(1);
  });
});
