import { afterEach, describe, expect, it } from 'vitest';
import { operatorActor } from '../../api/audit/audit-actions.ts';
import { issueEnrollmentNonce } from '../../api/enrollment/enrollment-nonces.ts';
import { registerSeenMac } from '../../api/stations/station-enrollment.ts';
import { createStation } from '../../api/stations/stations-service.ts';
import { failingWhen, insertInto } from '../../api/testing/broken-db.ts';
import { createBootApp, type BootApp } from './http-boot-support/boot-app.ts';

let h: BootApp | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const MAC = '52:54:00:12:ab:cd';
const TTL = 15 * 60_000;

async function setup(options: Parameters<typeof createBootApp>[0] = {}): Promise<{ h: BootApp; stationId: number; nonce: () => Promise<string> }> {
  const app = await createBootApp(options);
  const stationId = (await createStation({ ...app.ctx, db: app.db }, operatorActor(1), { name: 'Poste 1', mac: MAC })).id;
  const nonce = async () => (await issueEnrollmentNonce({ db: app.db, clock: app.clock }, { stationId, mac: MAC, ip: '10.0.0.21', ttlMs: TTL })).nonce;
  return { h: app, stationId, nonce };
}

const enroll = (app: BootApp, payload: unknown, remoteAddress = '10.0.0.21') => app.app.inject({ method: 'POST', url: '/api/stations/enroll', payload: payload as object, remoteAddress });
const withoutRequestId = (body: Record<string, unknown>) => ({ ...body, requestId: undefined });

describe('POST /api/stations/enroll (public)', () => {
  it('trades the nonce for a station token, shown once and never cached', async () => {
    const s = await setup();
    h = s.h;
    const res = await enroll(h, { nonce: await s.nonce(), mac: '52-54-00-12-AB-CD' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const iso = new Date(h.clock.now()).toISOString();
    expect(res.json()).toEqual({ stationId: s.stationId, stationName: 'Poste 1', token: expect.stringMatching(/^st_/), issuedAt: iso, serverTime: iso });
    const own = await h.app.inject({ method: 'GET', url: `/api/stations/${s.stationId}/active-session`, headers: { authorization: `Bearer ${res.json().token}` } });
    expect(own.statusCode).toBe(200);
  });

  it('answers replays, expired nonces and another MAC with the same 401 problem, each audited with its reason', async () => {
    const s = await setup();
    h = s.h;
    const used = await s.nonce();
    expect((await enroll(h, { nonce: used, mac: MAC })).statusCode).toBe(200);
    const replay = await enroll(h, { nonce: used, mac: MAC });
    const expiring = await s.nonce();
    h.clock.advance(TTL);
    const expired = await enroll(h, { nonce: expiring, mac: MAC });
    const mismatch = await enroll(h, { nonce: await s.nonce(), mac: '52:54:00:99:99:99' });
    const unknown = await enroll(h, { nonce: `en_${'x'.repeat(43)}`, mac: MAC });
    for (const res of [replay, expired, mismatch, unknown]) {
      expect(res.statusCode).toBe(401);
      expect(withoutRequestId(res.json())).toEqual(withoutRequestId(replay.json()));
    }
    expect(replay.json()).toMatchObject({ code: 'ENROLLMENT_REFUSED', status: 401 });
    expect(replay.json().details).toBeUndefined();
    const reasons = await h.db.selectFrom('audit_events').select('metadata').where('action', '=', 'station.enroll_refused').orderBy('id').execute();
    expect(reasons.map((r) => JSON.parse(r.metadata).reason)).toEqual(['replayed', 'expired', 'mac_mismatch', 'unknown']);
  });

  it('refuses a station still pending approval', async () => {
    h = await createBootApp();
    const pending = (await registerSeenMac(h.ctx, { mac: MAC, autoApprove: false })).station.id;
    const { nonce } = await issueEnrollmentNonce(h.ctx, { stationId: pending, mac: MAC, ip: null, ttlMs: TTL });
    expect((await enroll(h, { nonce, mac: MAC })).statusCode).toBe(401);
  });

  it('validates the body (400 naming the field)', async () => {
    h = await createBootApp();
    const res = await enroll(h, { mac: MAC });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'body.nonce' }] });
    expect((await enroll(h, { nonce: 'x'.repeat(129), mac: MAC })).json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'body.nonce' }] });
    const badMac = await enroll(h, { nonce: `en_${'x'.repeat(43)}`, mac: 'nope' });
    expect(badMac.json()).toMatchObject({ code: 'STATION_MAC_INVALID' });
  });

  it('locks an address out after ten refusals (429, nothing more audited); other addresses still enroll', async () => {
    const s = await setup();
    h = s.h;
    for (let i = 0; i < 10; i++) expect((await enroll(h, { nonce: `en_${String(i).padStart(43, 'y')}`, mac: MAC }, '10.0.0.66')).statusCode).toBe(401);
    const locked = await enroll(h, { nonce: await s.nonce(), mac: MAC }, '10.0.0.66');
    expect(locked.statusCode).toBe(429);
    expect(locked.headers['retry-after']).toBe('60');
    expect(await h.db.selectFrom('audit_events').select('id').where('action', '=', 'station.enroll_refused').execute()).toHaveLength(10);
    expect((await enroll(h, { nonce: await s.nonce(), mac: MAC }, '10.0.0.21')).statusCode).toBe(200);
  });

  it('answers 503 and issues no token when the database fails', async () => {
    const s = await setup({ wrapDb: (db) => failingWhen(db, insertInto('station_tokens')) });
    h = s.h;
    const nonce = await s.nonce();
    const res = await enroll(h, { nonce, mac: MAC });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ code: 'STORAGE_FAILURE' });
    expect(await h.db.selectFrom('enrollment_nonces').select('used_at').execute()).toEqual([{ used_at: null }]);
  });
});
