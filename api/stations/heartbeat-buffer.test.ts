import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openSqlite } from '../db/open-sqlite.ts';
import type { FakeClock } from '../shared/clock.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import { createBrokenDb } from '../testing/broken-db.ts';
import { createTestDbFile } from '../testing/test-db.ts';
import { BEATS_PER_TRANSACTION, flushHeartbeats, HeartbeatBuffer, heartbeatBufferOf, isRoutine } from './heartbeat-buffer.ts';
import { admin, stationsTestContext } from './station-fixtures.ts';
import { markSilentStationsOffline, recordHeartbeat } from './station-heartbeat.ts';
import { createStation, deleteStation } from './stations-service.ts';

let ctx: DomainContext & { clock: FakeClock };
let id: number;
beforeEach(async () => {
  ctx = await stationsTestContext();
  id = (await createStation(ctx, admin, { name: 'Poste 1', mac: '52:54:00:aa:00:01' })).id;
});
afterEach(async () => {
  vi.useRealTimers();
  await ctx.db.destroy();
});

const stored = async (station = id) => (await ctx.db.selectFrom('stations').select(['last_heartbeat_at', 'agent_version']).where('id', '=', station).executeTakeFirstOrThrow());
const t0 = () => ctx.clock.now();

describe('routine heartbeats held in memory', () => {
  it('writes a first beat at once, holds the next routine one, and the flush writes it', async () => {
    const first = t0();
    await recordHeartbeat(ctx, id, { agentVersion: '1.0.0' });
    expect(await stored()).toEqual({ last_heartbeat_at: first, agent_version: '1.0.0' });
    ctx.clock.advance(10_000);
    const beat = await recordHeartbeat(ctx, id, { agentVersion: '1.0.0' });
    // The answer already counts the beat; the row follows at the flush.
    expect(beat.station).toMatchObject({ lastHeartbeatAt: t0(), online: true, secondsSinceHeartbeat: 0 });
    expect((await stored()).last_heartbeat_at).toBe(first);
    expect(heartbeatBufferOf(ctx.db).heldFor(id)).toBe(t0());
    await flushHeartbeats(ctx.db);
    expect((await stored()).last_heartbeat_at).toBe(t0());
    expect(heartbeatBufferOf(ctx.db).size).toBe(0);
  });

  it('writes at once a beat after half the timeout or more, and a new agent version', async () => {
    await recordHeartbeat(ctx, id);
    ctx.clock.advance(15_000);
    await recordHeartbeat(ctx, id);
    expect((await stored()).last_heartbeat_at).toBe(t0());
    ctx.clock.advance(1000);
    await recordHeartbeat(ctx, id, { agentVersion: '1.1.0' });
    expect(await stored()).toEqual({ last_heartbeat_at: t0(), agent_version: '1.1.0' });
    expect(heartbeatBufferOf(ctx.db).size).toBe(0);
  });

  it('never lets the silence sweep take a held beat for silence', async () => {
    await recordHeartbeat(ctx, id);
    ctx.clock.advance(14_000);
    await recordHeartbeat(ctx, id);
    ctx.clock.advance(17_000); // 31 s after the written beat, 17 s after the held one.
    expect(await markSilentStationsOffline(ctx, t0())).toEqual([]);
    expect((await stored()).last_heartbeat_at).toBe(t0() - 17_000);
    ctx.clock.advance(14_000);
    expect(await markSilentStationsOffline(ctx, t0())).toEqual([id]);
  });

  it('never moves a stored beat back, and writes nothing for a deleted station', async () => {
    const buffer = new HeartbeatBuffer(ctx.db);
    await ctx.db.updateTable('stations').set({ last_heartbeat_at: t0() }).where('id', '=', id).execute();
    buffer.note(id, t0() - 5000);
    await buffer.flush();
    expect((await stored()).last_heartbeat_at).toBe(t0());
    await deleteStation(ctx, admin, id);
    buffer.note(id, t0() + 5000);
    await buffer.flush();
    expect((await stored()).last_heartbeat_at).toBe(t0());
  });

  it('writes a batch larger than one transaction in full', async () => {
    const ids = [id];
    for (let i = 2; i <= BEATS_PER_TRANSACTION * 2 + 5; i++) ids.push((await createStation(ctx, admin, { name: `Poste ${i}`, mac: `52:54:00:aa:01:${(i % 256).toString(16).padStart(2, '0')}` })).id);
    const buffer = new HeartbeatBuffer(ctx.db);
    for (const station of ids) buffer.note(station, t0() + station);
    await buffer.flush();
    const rows = await ctx.db.selectFrom('stations').select(['id', 'last_heartbeat_at']).orderBy('id').execute();
    expect(rows).toEqual(ids.map((station) => ({ id: station, last_heartbeat_at: t0() + station })));
  });

  it('flushes on its own after the delay', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const buffer = new HeartbeatBuffer(ctx.db, 1000);
    buffer.note(id, t0());
    await vi.advanceTimersByTimeAsync(999);
    expect(buffer.size).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    await buffer.flush(); // waits for the write the timer started
    expect(buffer.size).toBe(0);
    expect((await stored()).last_heartbeat_at).toBe(t0());
  });

  it('a failed write drops the batch with STORAGE_FAILURE; later beats are written', async () => {
    const broken = new HeartbeatBuffer(createBrokenDb());
    broken.note(id, t0());
    await expect(broken.flush()).rejects.toMatchObject({ code: 'STORAGE_FAILURE' });
    expect(broken.size).toBe(0);
    await expect(broken.flush()).resolves.toBeUndefined();
  });

  it('isRoutine: only a stored beat younger than half the timeout', () => {
    expect(isRoutine(null, 10_000, 30_000)).toBe(false);
    expect(isRoutine(0, 14_999, 30_000)).toBe(true);
    expect(isRoutine(0, 15_000, 30_000)).toBe(false);
  });
});

describe('a crash loses only held beats, which never make a beating station look silent', () => {
  it('after a restart the stored beat is at most half the timeout behind, and the next beat is written at once', async () => {
    const file = await createTestDbFile();
    const a = { ...ctx, db: file.db };
    const station = (await createStation(a, admin, { name: 'Poste 9', mac: '52:54:00:aa:00:09' })).id;
    const written = t0();
    await recordHeartbeat(a, station);
    ctx.clock.advance(10_000);
    await recordHeartbeat(a, station); // held
    await file.db.destroy(); // the process dies: the held beat is never written
    const b = { ...ctx, db: openSqlite({ path: file.path }) };
    try {
      const row = await b.db.selectFrom('stations').select('last_heartbeat_at').where('id', '=', station).executeTakeFirstOrThrow();
      expect(row.last_heartbeat_at).toBe(written);
      ctx.clock.advance(10_000);
      await recordHeartbeat(b, station); // 20 s after the stored beat: written at once
      ctx.clock.advance(11_000);
      expect(await markSilentStationsOffline(b, t0())).toEqual([]);
    } finally {
      await b.db.destroy();
      await file.cleanup().catch(() => undefined);
    }
  });
});
