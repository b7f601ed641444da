import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stationActor, systemActor } from '../audit/audit-actions.ts';
import { appendAudit } from '../audit/audit-writer.ts';
import { inTransaction } from '../db/transaction.ts';
import { enrollStation } from '../enrollment/enroll-station.ts';
import { issueEnrollmentNonce } from '../enrollment/enrollment-nonces.ts';
import type { FakeClock } from '../shared/clock.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import { admin, stationsTestContext } from '../stations/station-fixtures.ts';
import { issueStationCredential } from '../stations/station-token.ts';
import { createStation, deleteStation } from '../stations/stations-service.ts';
import { createBrokenDb } from '../testing/broken-db.ts';
import { issueStationToken, principalForStationToken } from './auth-service.ts';
import { StationTokenCache } from './station-token-cache.ts';

const MAC = '52:54:00:12:ab:cd';

let ctx: DomainContext & { clock: FakeClock };
let cache: StationTokenCache;
let stationId: number;
let token: string;
beforeEach(async () => {
  ctx = await stationsTestContext();
  cache = new StationTokenCache(ctx.db, ctx.clock, { ttlMs: 60_000 });
  stationId = (await createStation(ctx, admin, { name: 'Poste 1', mac: MAC })).id;
  token = await issueStationToken(ctx, stationId);
});
afterEach(async () => {
  cache.close();
  await ctx.db.destroy();
});

const resolve = (t = token) => principalForStationToken(ctx, t, cache);
const asStation = (id = stationId) => ({ kind: 'station', stationId: id });
/** Revokes behind the cache's back (no audit event): only what the cache remembers still answers. */
const revokeSilently = () => ctx.db.updateTable('station_tokens').set({ revoked_at: ctx.clock.now() }).execute();

describe('StationTokenCache with principalForStationToken', () => {
  it('answers a confirmed token from memory until its lifetime ends, then asks the database again', async () => {
    expect(await resolve()).toEqual(asStation());
    expect(cache.size).toBe(1);
    await revokeSilently();
    expect(await resolve()).toEqual(asStation());
    ctx.clock.advance(60_000);
    expect(await resolve()).toBeNull();
    expect(cache.size).toBe(0);
  });

  it('never keeps an unknown or a revoked token', async () => {
    expect(await resolve('st_unknown')).toBeNull();
    await revokeSilently();
    expect(await resolve()).toBeNull();
    expect(cache.size).toBe(0);
  });

  it('drops the old token at once when an admin issues a new one', async () => {
    expect(await resolve()).toEqual(asStation());
    const issued = await issueStationCredential(ctx, admin, stationId);
    expect(await resolve()).toBeNull();
    expect(await resolve(issued.token)).toEqual(asStation());
  });

  it('drops the old token at once when the station enrolls again', async () => {
    expect(await resolve()).toEqual(asStation());
    const { nonce } = await issueEnrollmentNonce(ctx, { stationId, mac: MAC, ip: null, ttlMs: 60_000 });
    const enrolled = await enrollStation(ctx, { nonce, mac: MAC, ip: '192.168.50.21' });
    expect(await resolve()).toBeNull();
    expect(await resolve(enrolled.token)).toEqual(asStation());
  });

  it('drops the token at once when the station is deleted', async () => {
    expect(await resolve()).toEqual(asStation());
    await deleteStation(ctx, admin, stationId);
    expect(await resolve()).toBeNull();
  });

  it('keeps other stations’ tokens when one station changes, and ignores events about other targets', async () => {
    const other = (await createStation(ctx, admin, { name: 'Poste 2', mac: '52:54:00:12:ab:ce' })).id;
    const otherToken = await issueStationToken(ctx, other);
    await resolve();
    await resolve(otherToken);
    await appendAudit(ctx.db, ctx.clock, { actor: systemActor, action: 'session.started', target: { type: 'session', id: stationId } });
    expect(cache.size).toBe(2);
    await issueStationCredential(ctx, admin, stationId);
    expect(cache.size).toBe(1);
    await revokeSilently();
    expect(await resolve(otherToken)).toEqual(asStation(other));
  });

  it('does not drop anything for a transaction that rolled back', async () => {
    await resolve();
    await expect(
      inTransaction(ctx.db, async (trx) => {
        await appendAudit(trx, ctx.clock, { actor: stationActor(stationId), action: 'station.deleted', target: { type: 'station', id: stationId } });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow();
    expect(cache.size).toBe(1);
  });

  it('does not store what a lookup read before an invalidation that landed meanwhile', async () => {
    const before = cache.generation;
    cache.forgetStation(stationId);
    cache.remember(token, stationId, before);
    expect(cache.lookup(token)).toBeUndefined();
    cache.remember(token, stationId, cache.generation);
    expect(cache.lookup(token)).toBe(stationId);
  });

  it('keeps at most maxEntries, dropping the oldest first', () => {
    const small = new StationTokenCache(ctx.db, ctx.clock, { maxEntries: 2 });
    try {
      for (const id of [1, 2, 3]) small.remember(`h${id}`, id, small.generation);
      expect([small.lookup('h1'), small.lookup('h2'), small.lookup('h3')]).toEqual([undefined, 2, 3]);
    } finally {
      small.close();
    }
  });

  it('stops listening once closed', async () => {
    await resolve();
    cache.close();
    await resolve();
    await issueStationCredential(ctx, admin, stationId);
    // A closed cache is not consulted by anyone; it simply no longer follows the feed.
    expect(cache.size).toBe(1);
  });

  it('surfaces a storage failure as STORAGE_FAILURE and remembers nothing', async () => {
    await expect(principalForStationToken({ db: createBrokenDb() }, token, cache)).rejects.toMatchObject({ code: 'STORAGE_FAILURE' });
    expect(cache.size).toBe(0);
  });
});
