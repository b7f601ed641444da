import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { principalForStationToken } from '../auth/auth-service.ts';
import type { FakeClock } from '../shared/clock.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import { failingWhen, insertInto } from '../testing/broken-db.ts';
import { activeSessionOf } from './station-active-session.ts';
import { admin, auditTrail, insertRunningSession, stationsTestContext } from './station-fixtures.ts';
import { recordHeartbeat } from './station-heartbeat.ts';
import { markMaintenance } from './station-state-service.ts';
import { stationFleetStats } from './station-stats.ts';
import { issueStationCredential } from './station-token.ts';
import { createStation, deleteStation } from './stations-service.ts';

describe('station administration', () => {
  let ctx: DomainContext & { clock: FakeClock };
  let id: number;
  beforeEach(async () => {
    ctx = await stationsTestContext();
    id = (await createStation(ctx, admin, { name: 'Poste 1', mac: '52:54:00:aa:00:01' })).id;
  });
  afterEach(async () => {
    await ctx.db.destroy();
  });

  describe('station token', () => {
    it('issues a token that authenticates the station, and a re-issue revokes the old one, audited', async () => {
      const first = await issueStationCredential(ctx, admin, id);
      expect(first).toMatchObject({ stationId: id, issuedAt: ctx.clock.now(), revokedPrevious: 0 });
      expect(first.token).toMatch(/^st_[A-Za-z0-9_-]{43}$/);
      expect(await principalForStationToken(ctx, first.token)).toEqual({ kind: 'station', stationId: id });
      const second = await issueStationCredential(ctx, admin, id);
      expect(second.revokedPrevious).toBe(1);
      expect(await principalForStationToken(ctx, first.token)).toBeNull();
      expect(await principalForStationToken(ctx, second.token)).toEqual({ kind: 'station', stationId: id });
      const events = (await auditTrail(ctx.db)).filter((e) => e.action === 'station.updated');
      expect(events.map((e) => e.metadata)).toEqual([{ token: 'issued', revokedPrevious: 0 }, { token: 'issued', revokedPrevious: 1 }]);
      expect(JSON.stringify(events)).not.toContain(second.token);
    });

    it('refuses an unknown or deleted station, and keeps the old token when the audit fails', async () => {
      await expect(issueStationCredential(ctx, admin, 999)).rejects.toMatchObject({ code: 'STATION_NOT_FOUND' });
      const old = await issueStationCredential(ctx, admin, id);
      await expect(issueStationCredential({ ...ctx, db: failingWhen(ctx.db, insertInto('audit_events')) }, admin, id)).rejects.toMatchObject({ code: 'STORAGE_FAILURE' });
      expect(await principalForStationToken(ctx, old.token)).not.toBeNull();
      await deleteStation(ctx, admin, id);
      await expect(issueStationCredential(ctx, admin, id)).rejects.toMatchObject({ code: 'STATION_NOT_FOUND' });
    });
  });

  describe('active session', () => {
    it('gives the running session, or null when free; 404 for an unknown station', async () => {
      expect(await activeSessionOf(ctx, id)).toBeNull();
      const sessionId = await insertRunningSession(ctx.db, id, ctx.clock.now());
      expect(await activeSessionOf(ctx, id)).toMatchObject({ id: sessionId, stationId: id, status: 'active', remainingMs: 1_800_000 });
      await expect(activeSessionOf(ctx, 999)).rejects.toMatchObject({ code: 'STATION_NOT_FOUND' });
    });
  });

  describe('fleet statistics', () => {
    it('counts states, online and free stations now, with each station’s use over the period', async () => {
      const busy = (await createStation(ctx, admin, { name: 'Poste 2', mac: '52:54:00:aa:00:02' })).id;
      const repair = (await createStation(ctx, admin, { name: 'atelier', mac: '52:54:00:aa:00:03' })).id;
      await markMaintenance(ctx, admin, repair, 'clavier');
      await recordHeartbeat(ctx, id);
      await recordHeartbeat(ctx, busy);
      await insertRunningSession(ctx.db, busy, ctx.clock.now());
      const now = ctx.clock.now();
      const stats = await stationFleetStats(ctx, { from: now - 3_600_000, to: now + 3_600_000 });
      expect(stats).toMatchObject({
        computedAt: now,
        total: 3,
        byState: { available: 2, occupied: 0, maintenance: 1, offline: 0, pending: 0 },
        online: 2,
        offline: 1,
        availableNow: 1,
        inSessionNow: 1,
        period: { from: now - 3_600_000, to: now + 3_600_000, timeZone: 'Indian/Reunion' },
      });
      expect(stats.perStation.map((s) => [s.name, s.state, s.online, s.sessions, s.minutesUsed])).toEqual([
        ['atelier', 'maintenance', false, 0, 0],
        ['Poste 1', 'available', true, 0, 0],
        // The fixture's session started 30 min ago, fully inside the period.
        ['Poste 2', 'available', true, 1, 30],
      ]);
    });

    it('still lists a deleted station used in the period', async () => {
      const now = ctx.clock.now();
      const sessionId = await insertRunningSession(ctx.db, id, now);
      await ctx.db.updateTable('sessions').set({ status: 'ended', end_reason: 'expired', remaining_ms: 1_800_000, ends_at: null, ended_at: now }).where('id', '=', sessionId).execute();
      await deleteStation(ctx, admin, id);
      const stats = await stationFleetStats(ctx, { from: now - 3_600_000, to: now });
      expect(stats.total).toBe(0);
      expect(stats.perStation).toEqual([{ stationId: id, name: 'Poste 1', state: null, online: false, deleted: true, sessions: 1, minutesUsed: 30, occupancy: 0.5 }]);
    });
  });
});
