import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { operatorActor, stationActor } from '../../api/audit/audit-actions.ts';
import { appendAudit } from '../../api/audit/audit-writer.ts';
import { createApiHarness, type ApiHarness } from '../support/api-harness.ts';

let h: ApiHarness;
let admin: { authorization: string };
let marie: { authorization: string };

beforeEach(async () => {
  h = await createApiHarness();
  admin = await h.bearer('admin');
  marie = await h.bearer('marie');
  await appendAudit(h.db, h.clock, { actor: operatorActor(2), action: 'session.code_generated', target: { type: 'session', id: 5 }, metadata: { minutes: 30 } });
  h.clock.advance(60_000);
  await appendAudit(h.db, h.clock, { actor: stationActor(1), action: 'session.code_rejected', target: { type: 'station', id: 1 }, metadata: { reason: 'unknown' } });
  h.clock.advance(60_000);
  await appendAudit(h.db, h.clock, { actor: stationActor(1), action: 'session.started', target: { type: 'session', id: 5 } });
});
afterEach(async () => {
  await h.close();
});

const get = (url: string, headers = marie) => h.app.inject({ method: 'GET', url, headers });

describe('audit routes', () => {
  it('lists with filters in the query string', async () => {
    const res = await get('/api/audit?action=session.started&pageSize=10');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ total: 1, page: 1, pageSize: 10 });
    expect(res.json().items[0]).toMatchObject({ action: 'session.started', actor: { type: 'station', id: 1 }, target: { type: 'session', id: 5 } });
    const bad = await get('/api/audit?action=session.exploded');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toMatch(/^querystring/);
  });

  it('searches on several criteria', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/audit/search',
      headers: marie,
      payload: { actions: ['session.code_generated', 'session.started'], targetType: 'session', targetId: 5, text: 'minutes' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().items.map((e: { action: string }) => e.action)).toEqual(['session.code_generated']);
  });

  it('gives recent events, one event, 404, stats, errors and a session history', async () => {
    expect((await get('/api/audit/recent?limit=2')).json()).toHaveLength(2);
    const one = await get('/api/audit/1');
    expect(one.json()).toMatchObject({ id: 1, metadata: expect.any(Object), hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const missing = await get('/api/audit/9999');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('AUDIT_EVENT_NOT_FOUND');
    const stats = (await get('/api/audit/stats')).json();
    expect(stats.byAction['session.code_rejected']).toBe(1);
    expect(stats.errors).toBe(1);
    const errors = (await get('/api/audit/errors')).json();
    expect(errors.items.map((e: { action: string }) => e.action)).toContain('session.code_rejected');
    expect(errors.items.map((e: { action: string }) => e.action)).not.toContain('session.started');
    const history = (await get('/api/audit/by-session/5')).json();
    expect(history.items.map((e: { action: string }) => e.action)).toEqual(['session.code_generated', 'session.started']);
  });

  it('verifies the chain for admins only, audits the check, and finds tampering', async () => {
    expect((await get('/api/audit/verify')).statusCode).toBe(403);
    const ok = await get('/api/audit/verify', admin);
    expect(ok.json()).toMatchObject({ ok: true });
    expect((await get('/api/audit/recent?limit=1')).json()[0].action).toBe('audit.verified');
  });

  it('reports a tampered row', async () => {
    // The harness database is in memory: tamper through the same connection.
    await sql`drop trigger audit_events_no_update`.execute(h.db);
    await h.db.updateTable('audit_events').set({ metadata: '{"minutes":300}' }).where('id', '=', 4).execute();
    const report = (await get('/api/audit/verify', admin)).json();
    expect(report).toMatchObject({ ok: false, brokenAt: 4, reason: 'hash_mismatch' });
  });

  it('exports CSV for admins', async () => {
    const res = await get('/api/audit/export.csv', admin);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toContain('epnbox-audit.csv');
    expect(res.body.trimEnd().split('\r\n').length).toBeGreaterThanOrEqual(4);
    expect((await get('/api/audit/export.csv')).statusCode).toBe(403);
    const empty = await get('/api/audit/export.csv?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z', admin);
    expect(empty.statusCode).toBe(400);
    expect(empty.json().code).toBe('AUDIT_PERIOD_INVALID');
  });

  it('refuses anonymous callers and stations', async () => {
    expect((await h.app.inject({ method: 'GET', url: '/api/audit' })).statusCode).toBe(401);
  });
});

