import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { operatorActor } from '../audit/audit-actions.ts';
import { localDay } from '../reports/report-days.ts';
import { generateDailyReport } from '../reports/reports-service.ts';
import { addSessions, addStations, addVisitors } from '../stats/stats-fixtures.ts';
import { failingWhen, insertInto } from '../testing/broken-db.ts';
import { DAY, HOUR, lastEvent, makeJobKit, type JobKit } from './jobs-test-kit.ts';
import { purgeJob } from './purge-job.ts';

describe('purge job', () => {
  let kit: JobKit;
  beforeEach(async () => {
    kit = await makeJobKit();
  });
  afterEach(async () => {
    await kit.cleanup();
  });

  const ids = async (table: 'sessions' | 'users') => (await kit.db.selectFrom(table).select('id').orderBy('id').execute()).map((r) => r.id);

  /** Sessions 1-2 ended more than a year ago; 3 ended 300 days ago; 4 is a forgotten suspension two years old. */
  async function seedConnectionRecords() {
    const now = kit.clock.now();
    const [kept, goneAnon, keptAnon, stillHere, neverCame] = await addVisitors(kit.db, 5);
    const [station] = await addStations(kit.db, 1);
    await kit.db.updateTable('users').set({ anonymised_at: now - 400 * DAY }).where('id', 'in', [goneAnon!, keptAnon!, neverCame!]).execute();
    await addSessions(kit.db, [
      { user: goneAnon!, station: station!, startedAt: now - 500 * DAY, endedAt: now - 500 * DAY + HOUR },
      { user: kept!, station: station!, startedAt: now - 366 * DAY, endedAt: now - 366 * DAY + HOUR },
      { user: keptAnon!, station: station!, startedAt: now - 300 * DAY, endedAt: now - 300 * DAY + HOUR },
      { user: stillHere!, station: station!, status: 'suspended', startedAt: now - 700 * DAY, suspendedAt: now - 700 * DAY + HOUR, remainingMin: 20 },
    ]);
    return { kept, goneAnon, keptAnon, stillHere, neverCame };
  }

  it('deletes connection records past retention, then anonymised visitors left without sessions, with one data.purged event', async () => {
    const v = await seedConnectionRecords();
    const result = await purgeJob(kit.deps());
    expect(result.connectionRecords).toEqual({ retentionDays: 365, cutoff: kit.clock.now() - 365 * DAY, sessions: 2, visitors: 2 });
    expect(await ids('sessions')).toEqual([3, 4]);
    // The never-anonymised visitor stays even without sessions; the anonymised one with a kept session stays.
    expect(await ids('users')).toEqual([v.kept, v.keptAnon, v.stillHere]);
    const event = await lastEvent(kit.db);
    expect(event).toMatchObject({ action: 'data.purged', actor_type: 'system', target_type: 'system' });
    expect(event.meta).toEqual({ dataset: 'connection_records', retentionDays: 365, cutoff: kit.clock.now() - 365 * DAY, sessions: 2, visitors: 2 });
    const again = await purgeJob(kit.deps());
    expect(again.connectionRecords).toMatchObject({ sessions: 0, visitors: 0 });
    expect((await lastEvent(kit.db)).id).toBe(event.id);
  });

  it('uses the admin’s runtime retention setting over the configuration, and records who ran it', async () => {
    await seedConnectionRecords();
    await kit.db.insertInto('settings').values({ key: 'retention.connectionRecordsDays', value: '450', updated_at: 0, updated_by: null }).execute();
    const result = await purgeJob(kit.deps({ actor: operatorActor(7) }));
    expect(result.connectionRecords).toMatchObject({ retentionDays: 450, sessions: 1, visitors: 2 });
    expect(await lastEvent(kit.db)).toMatchObject({ actor_type: 'operator', actor_id: 7 });
  });

  it('deletes ended operator logins with their tokens, revoked station tokens and old reports', async () => {
    const now = kit.clock.now();
    await kit.db.insertInto('operators').values({ id: 1, username: 'a', display_name: 'A', role: 'admin', password_hash: 'x', must_change_password: 0, active: 1, created_at: 0, updated_at: 0 }).execute();
    const login = (id: string, expires: number, revoked: number | null = null) => ({ id, operator_id: 1, created_at: 0, expires_at: expires, last_seen_at: 0, revoked_at: revoked, revoked_reason: null, ip: null, user_agent: null });
    await kit.db.insertInto('auth_sessions').values([login('old', now - 100 * DAY), login('revoked', now + DAY, now - 91 * DAY), login('live', now + DAY)]).execute();
    const token = (hash: string, session: string) => ({ token_hash: hash.padEnd(64, '0'), session_id: session, issued_at: 0, expires_at: 0, used_at: null });
    await kit.db.insertInto('refresh_tokens').values([token('a', 'old'), token('b', 'revoked'), token('c', 'live')]).execute();
    const [station] = await addStations(kit.db, 1);
    await kit.db.insertInto('station_tokens').values([
      { token_hash: 'd'.repeat(64), station_id: station!, created_at: 0, revoked_at: now - 200 * DAY },
      { token_hash: 'e'.repeat(64), station_id: station!, created_at: 0, revoked_at: null },
    ]).execute();
    await generateDailyReport(kit.ctx, 'audit', localDay('2024-01-10', 'Indian/Reunion'));
    await generateDailyReport(kit.ctx, 'audit', localDay('2026-03-01', 'Indian/Reunion'));

    const result = await purgeJob(kit.deps());
    expect(result.authRecords).toMatchObject({ retentionDays: 90, authSessions: 2, refreshTokens: 2, stationTokens: 1 });
    expect(result.reports).toMatchObject({ retentionDays: 730, reports: 1 });
    expect(await kit.db.selectFrom('auth_sessions').select('id').execute()).toEqual([{ id: 'live' }]);
    expect((await kit.db.selectFrom('refresh_tokens').select('session_id').execute()).map((r) => r.session_id)).toEqual(['live']);
    expect(await kit.db.selectFrom('reports').select('day').execute()).toEqual([{ day: '2026-03-01' }]);
    const datasets = (await kit.db.selectFrom('audit_events').select('metadata').where('action', '=', 'data.purged').execute()).map((r) => JSON.parse(r.metadata).dataset);
    expect(datasets).toEqual(['auth_records', 'reports']);
  });

  it('deletes nothing when the audit event cannot be written', async () => {
    await seedConnectionRecords();
    const ctx = { ...kit.ctx, db: failingWhen(kit.db, insertInto('audit_events')) };
    await expect(purgeJob({ ...kit.deps(), ctx })).rejects.toMatchObject({ code: 'STORAGE_FAILURE' });
    expect(await ids('sessions')).toEqual([1, 2, 3, 4]);
    expect(await ids('users')).toHaveLength(5);
  });
});
