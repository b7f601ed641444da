import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { principalForStationToken } from '../auth/auth-service.ts';
import { sha256Hex } from '../auth/tokens.ts';
import type { FakeClock } from '../shared/clock.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import { registerSeenMac } from '../stations/station-enrollment.ts';
import { admin, auditTrail, stationsTestContext } from '../stations/station-fixtures.ts';
import { createStation, deleteStation } from '../stations/stations-service.ts';
import { createBrokenDb, failingWhen, insertInto } from '../testing/broken-db.ts';
import { enrollStation } from './enroll-station.ts';
import { EXPIRED_NONCE_GRACE_MS, issueEnrollmentNonce } from './enrollment-nonces.ts';

const MAC = '52:54:00:12:ab:cd';
const TTL = 15 * 60_000;

let ctx: DomainContext & { clock: FakeClock };
let stationId: number;
beforeEach(async () => {
  ctx = await stationsTestContext();
  stationId = (await createStation(ctx, admin, { name: 'Poste 1', mac: MAC })).id;
});
afterEach(async () => {
  await ctx.db.destroy();
});

const issue = (mac = MAC, id = stationId) => issueEnrollmentNonce(ctx, { stationId: id, mac, ip: '192.168.50.21', ttlMs: TTL });
const refusals = async () => (await auditTrail(ctx.db)).filter((e) => e.action === 'station.enroll_refused');

describe('issueEnrollmentNonce', () => {
  it('stores only the hash, bound to the normalised MAC, expiring after the TTL', async () => {
    const { nonce, expiresAt } = await issueEnrollmentNonce(ctx, { stationId, mac: '52-54-00-12-AB-CD', ip: null, ttlMs: TTL });
    expect(nonce).toMatch(/^en_[A-Za-z0-9_-]{43}$/);
    expect(expiresAt).toBe(ctx.clock.now() + TTL);
    const rows = await ctx.db.selectFrom('enrollment_nonces').selectAll().execute();
    expect(rows).toEqual([{ nonce_hash: sha256Hex(nonce), station_id: stationId, mac: MAC, issued_ip: null, created_at: ctx.clock.now(), expires_at: expiresAt, used_at: null }]);
    expect(JSON.stringify(rows)).not.toContain(nonce);
  });

  it('refuses a zero or negative lifetime and an unreadable MAC', async () => {
    await expect(issueEnrollmentNonce(ctx, { stationId, mac: MAC, ip: null, ttlMs: 0 })).rejects.toMatchObject({ code: 'ENROLLMENT_TTL_INVALID' });
    await expect(issue('not-a-mac')).rejects.toMatchObject({ code: 'STATION_MAC_INVALID' });
  });

  it('purges nonces expired for longer than the grace period', async () => {
    await issue();
    ctx.clock.advance(TTL + EXPIRED_NONCE_GRACE_MS + 1);
    await issue();
    expect(await ctx.db.selectFrom('enrollment_nonces').select('created_at').execute()).toEqual([{ created_at: ctx.clock.now() }]);
  });

  it('fails with STORAGE_FAILURE on a broken database', async () => {
    await expect(issueEnrollmentNonce({ ...ctx, db: createBrokenDb() }, { stationId, mac: MAC, ip: null, ttlMs: TTL })).rejects.toMatchObject({ code: 'STORAGE_FAILURE' });
  });
});

describe('enrollStation', () => {
  it('trades a nonce once for a working station token, audited as station.enrolled', async () => {
    const { nonce } = await issue();
    const enrolled = await enrollStation(ctx, { nonce, mac: '52:54:00:12:AB:CD', ip: '192.168.50.21' });
    expect(enrolled).toMatchObject({ stationId, stationName: 'Poste 1', issuedAt: ctx.clock.now(), revokedPrevious: 0 });
    expect(await principalForStationToken(ctx, enrolled.token)).toEqual({ kind: 'station', stationId });
    expect((await auditTrail(ctx.db)).at(-1)).toEqual({
      action: 'station.enrolled',
      target_id: stationId,
      actor_type: 'station',
      metadata: { step: 'token_issued', mac: MAC, ip: '192.168.50.21', revokedPrevious: 0 },
    });
  });

  it('refuses a replay with the same problem, audits it, and keeps the first token', async () => {
    const { nonce } = await issue();
    const first = await enrollStation(ctx, { nonce, mac: MAC, ip: '10.0.0.5' });
    await expect(enrollStation(ctx, { nonce, mac: MAC, ip: '10.0.0.66' })).rejects.toMatchObject({ code: 'ENROLLMENT_REFUSED', category: 'unauthenticated' });
    expect(await principalForStationToken(ctx, first.token)).toEqual({ kind: 'station', stationId });
    expect(await refusals()).toEqual([{ action: 'station.enroll_refused', target_id: stationId, actor_type: 'system', metadata: { reason: 'replayed', mac: MAC, ip: '10.0.0.66' } }]);
  });

  it('refuses an expired nonce', async () => {
    const { nonce } = await issue();
    ctx.clock.advance(TTL);
    await expect(enrollStation(ctx, { nonce, mac: MAC, ip: null })).rejects.toMatchObject({ code: 'ENROLLMENT_REFUSED' });
    expect((await refusals())[0]!.metadata).toMatchObject({ reason: 'expired' });
  });

  it('accepts a nonce one millisecond before it expires', async () => {
    const { nonce } = await issue();
    ctx.clock.advance(TTL - 1);
    await expect(enrollStation(ctx, { nonce, mac: MAC, ip: null })).resolves.toMatchObject({ stationId });
  });

  it('refuses another MAC and burns the nonce, so the right MAC cannot use it afterwards', async () => {
    const { nonce } = await issue();
    await expect(enrollStation(ctx, { nonce, mac: '52:54:00:99:99:99', ip: '10.0.0.66' })).rejects.toMatchObject({ code: 'ENROLLMENT_REFUSED' });
    await expect(enrollStation(ctx, { nonce, mac: MAC, ip: null })).rejects.toMatchObject({ code: 'ENROLLMENT_REFUSED' });
    expect((await refusals()).map((e) => e.metadata)).toEqual([
      { reason: 'mac_mismatch', mac: '52:54:00:99:99:99', ip: '10.0.0.66', expectedMac: MAC },
      { reason: 'replayed', mac: MAC, ip: null },
    ]);
  });

  it('refuses unknown and malformed nonces without naming a station', async () => {
    await expect(enrollStation(ctx, { nonce: `en_${'A'.repeat(43)}`, mac: MAC, ip: null })).rejects.toMatchObject({ code: 'ENROLLMENT_REFUSED' });
    await expect(enrollStation(ctx, { nonce: 'st_stolen-token', mac: MAC, ip: null })).rejects.toMatchObject({ code: 'ENROLLMENT_REFUSED' });
    expect(await refusals()).toEqual([
      { action: 'station.enroll_refused', target_id: null, actor_type: 'system', metadata: { reason: 'unknown', mac: MAC, ip: null } },
      { action: 'station.enroll_refused', target_id: null, actor_type: 'system', metadata: { reason: 'malformed', mac: MAC, ip: null } },
    ]);
  });

  it('refuses a station that is pending approval or deleted', async () => {
    const pending = (await registerSeenMac(ctx, { mac: '52:54:00:00:00:02', autoApprove: false })).station.id;
    const forPending = await issue('52:54:00:00:00:02', pending);
    await expect(enrollStation(ctx, { nonce: forPending.nonce, mac: '52:54:00:00:00:02', ip: null })).rejects.toMatchObject({ code: 'ENROLLMENT_REFUSED' });
    const forDeleted = await issue();
    await deleteStation(ctx, admin, stationId);
    await expect(enrollStation(ctx, { nonce: forDeleted.nonce, mac: MAC, ip: null })).rejects.toMatchObject({ code: 'ENROLLMENT_REFUSED' });
    expect((await refusals()).map((e) => e.metadata.reason)).toEqual(['not_approved', 'station_gone']);
  });

  it('revokes the previous token and voids the other outstanding nonces of the station', async () => {
    const a = await issue();
    const b = await issue();
    const c = await issue();
    const first = await enrollStation(ctx, { nonce: a.nonce, mac: MAC, ip: null });
    await expect(enrollStation(ctx, { nonce: b.nonce, mac: MAC, ip: null })).rejects.toMatchObject({ code: 'ENROLLMENT_REFUSED' });
    const d = await issue();
    const second = await enrollStation(ctx, { nonce: d.nonce, mac: MAC, ip: null });
    expect(second.revokedPrevious).toBe(1);
    expect(await principalForStationToken(ctx, first.token)).toBeNull();
    expect(await principalForStationToken(ctx, second.token)).toEqual({ kind: 'station', stationId });
    await expect(enrollStation(ctx, { nonce: c.nonce, mac: MAC, ip: null })).rejects.toMatchObject({ code: 'ENROLLMENT_REFUSED' });
  });

  it('rejects an unreadable MAC as a validation error, before touching any nonce', async () => {
    const { nonce } = await issue();
    await expect(enrollStation(ctx, { nonce, mac: 'zz', ip: null })).rejects.toMatchObject({ code: 'STATION_MAC_INVALID' });
    await expect(enrollStation(ctx, { nonce, mac: MAC, ip: null })).resolves.toMatchObject({ stationId });
  });

  it('writes nothing when the audit insert fails: the nonce stays usable and no token exists', async () => {
    const { nonce } = await issue();
    const failing = { ...ctx, db: failingWhen(ctx.db, insertInto('audit_events')) };
    await expect(enrollStation(failing, { nonce, mac: MAC, ip: null })).rejects.toMatchObject({ code: 'STORAGE_FAILURE' });
    expect(await ctx.db.selectFrom('station_tokens').selectAll().execute()).toEqual([]);
    expect(await ctx.db.selectFrom('enrollment_nonces').select('used_at').execute()).toEqual([{ used_at: null }]);
    await expect(enrollStation(ctx, { nonce, mac: MAC, ip: null })).resolves.toMatchObject({ stationId });
  });
});
