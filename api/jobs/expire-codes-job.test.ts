import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addSessions, addStations, addVisitors } from '../stats/stats-fixtures.ts';
import { createBrokenDb } from '../testing/broken-db.ts';
import { expireCodesJob } from './expire-codes-job.ts';
import { HOUR, MIN, makeJobKit, type JobKit } from './jobs-test-kit.ts';

describe('expireCodes job', () => {
  let kit: JobKit;
  beforeEach(async () => {
    kit = await makeJobKit();
  });
  afterEach(async () => {
    await kit.cleanup();
  });

  async function seed() {
    const [visitor] = await addVisitors(kit.db, 1);
    const [station] = await addStations(kit.db, 1);
    const now = kit.clock.now();
    // An unused code issued 25 h ago (expires after 24 h), one issued 1 h ago, and an active session 5 min past its deadline.
    await addSessions(kit.db, [
      { user: visitor!, status: 'pending', createdAt: now - 25 * HOUR, remainingMin: 60 },
      { user: visitor!, status: 'pending', createdAt: now - HOUR, remainingMin: 60 },
      { user: visitor!, station: station!, status: 'active', startedAt: now - 65 * MIN, endsAt: now - 5 * MIN, createdAt: now - 2 * HOUR },
    ]);
  }

  it('ends unused codes past expiry and overdue sessions, dated at their true end, once', async () => {
    await seed();
    const now = kit.clock.now();
    expect(await expireCodesJob(kit.deps())).toEqual({ codesExpired: 1, sessionsExpired: 1 });
    const rows = await kit.db.selectFrom('sessions').select(['id', 'status', 'end_reason', 'ended_at']).orderBy('id').execute();
    expect(rows).toEqual([
      { id: 1, status: 'ended', end_reason: 'code_expired', ended_at: now - HOUR },
      { id: 2, status: 'pending', end_reason: null, ended_at: null },
      { id: 3, status: 'ended', end_reason: 'expired', ended_at: now - 5 * MIN },
    ]);
    const actions = (await kit.db.selectFrom('audit_events').select('action').orderBy('id').execute()).map((r) => r.action);
    expect(actions).toEqual(['session.code_expired', 'session.expired']);
    expect(await expireCodesJob(kit.deps())).toEqual({ codesExpired: 0, sessionsExpired: 0 });
  });

  it('reports a storage failure as a domain error', async () => {
    await expect(expireCodesJob({ ...kit.deps(), ctx: { ...kit.ctx, db: createBrokenDb() } })).rejects.toMatchObject({ code: 'STORAGE_FAILURE' });
  });
});
