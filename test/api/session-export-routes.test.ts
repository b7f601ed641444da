import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { codeFingerprint, normaliseCode } from '../../api/sessions/access-code.ts';
import { insertInto } from '../../api/testing/broken-db.ts';
import { createSessionHarness, withFailingDb, type SessionHarness } from './session-routes-kit.ts';

let h: SessionHarness;
beforeEach(async () => {
  h = await createSessionHarness();
});
afterEach(async () => {
  await h.close();
});

const MIN = 60_000;
const day = (iso: string) => `from=${encodeURIComponent(iso)}T00:00:00%2B04:00&to=${encodeURIComponent(iso)}T23:59:59%2B04:00`;

describe('GET /api/sessions/export.csv', () => {
  it('streams the connection records of the period as CSV for an admin', async () => {
    const station = await h.station();
    const userId = await h.visitor();
    const s = await h.issue(userId, { durationMinutes: 30 });
    await h.call('POST', '/api/sessions/start', station.headers, { code: s.code });
    h.clock.advance(20 * MIN);
    await h.call('POST', `/api/sessions/${s.id}/end`, station.headers);
    const admin = await h.bearer('admin');
    const res = await h.call('GET', `/api/sessions/export.csv?${day('2026-03-02')}`, admin);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="epnbox-sessions-2026-03-02_2026-03-02.csv"');
    expect(res.body.startsWith('\uFEFF')).toBe(true);
    const lines = res.body.slice(1).trimEnd().split('\r\n');
    expect(lines[0]).toBe('id,code_fingerprint,user_id,station_name,station_ip,status,end_reason,created_at,started_at,ended_at,allotted_minutes,used_minutes');
    const start = new Date(Date.parse(s.createdAt as string)).toISOString();
    const end = new Date(Date.parse(s.createdAt as string) + 20 * MIN).toISOString();
    const fingerprint = codeFingerprint(normaliseCode(s.code, 8));
    expect(lines.slice(1)).toEqual([`${s.id},${fingerprint},${userId},${station.name},${station.ip},ended,ended_by_visitor,${start},${start},${end},30,20`]);
    expect(res.body).not.toContain(normaliseCode(s.code, 8));
    const exported = (await h.actions()).filter((e) => e.action === 'data.exported');
    expect(exported).toMatchObject([{ actor_type: 'operator', actor_id: 1, metadata: { dataset: 'sessions' } }]);
  });

  it('leaves out sessions issued outside the period', async () => {
    await h.issue(await h.visitor());
    const res = await h.call('GET', `/api/sessions/export.csv?${day('2026-03-03')}`, h.admin);
    expect(res.body.slice(1).trimEnd().split('\r\n')).toHaveLength(1);
  });

  it('is for admins: 403 for an operator or a station, 401 anonymous', async () => {
    const station = await h.station();
    const url = `/api/sessions/export.csv?${day('2026-03-02')}`;
    expect((await h.call('GET', url, h.marie)).statusCode).toBe(403);
    expect((await h.call('GET', url, station.headers)).statusCode).toBe(403);
    expect((await h.call('GET', url)).statusCode).toBe(401);
  });

  it('requires a period in the right order (400) and answers 503 before any line when storage fails', async () => {
    const missing = await h.call('GET', '/api/sessions/export.csv?from=2026-03-02T00:00:00Z', h.admin);
    expect(missing.statusCode).toBe(400);
    expect(missing.json().errors[0].field).toBe('querystring.to');
    const reversed = await h.call('GET', '/api/sessions/export.csv?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z', h.admin);
    expect(reversed.statusCode).toBe(400);
    expect(reversed.json()).toMatchObject({ code: 'PERIOD_INVALID', errors: [{ field: 'to' }] });
    const res = await withFailingDb(h, insertInto('audit_events'), () => h.call('GET', `/api/sessions/export.csv?${day('2026-03-02')}`, h.admin));
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});
