import type { RootOperationNode } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localDay } from '../../api/reports/report-days.ts';
import { generateDailyReport } from '../../api/reports/reports-service.ts';
import { failingWhen } from '../../api/testing/broken-db.ts';
import { addSessions, addVisitors } from '../../api/stats/stats-fixtures.ts';
import { createJobsHarness, type JobsHarness } from './job-routes-kit.ts';

const at = (local: string) => Date.parse(`${local}:00+04:00`);

/** Matches a SELECT from the reports table. */
const selectsReports = (node: RootOperationNode) =>
  node.kind === 'SelectQueryNode' && JSON.stringify((node as { from?: unknown }).from ?? '').includes('"reports"');

describe('report routes', () => {
  let h: JobsHarness;
  beforeEach(async () => {
    h = await createJobsHarness();
    const [visitor] = await addVisitors(h.db, 1);
    const station = (await h.db.selectFrom('stations').select('id').executeTakeFirstOrThrow()).id;
    await addSessions(h.db, [{ user: visitor!, station, startedAt: at('2026-03-01T10:00'), endedAt: at('2026-03-01T10:45') }]);
    // The scheduled runs of 2 March at 06:00 and 06:30: sessions and audit reports of 1 March.
    expect((await h.call('POST', '/api/jobs/sessionsReport/run', h.admin)).json()).toMatchObject({ ok: true, result: { days: ['2026-03-01'] } });
    expect((await h.call('POST', '/api/jobs/auditReport/run', h.admin)).json()).toMatchObject({ ok: true });
    await generateDailyReport(h.ctx, 'sessions', localDay('2026-02-27', 'Indian/Reunion'));
  });
  afterEach(async () => {
    await h.close();
  });

  it('GET /api/reports lists reports, latest day first, filtered by kind and days (operator)', async () => {
    const res = await h.call('GET', '/api/reports', h.marie);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ total: 3, page: 1, pageSize: 50 });
    expect(body.items.map((r: { day: string; kind: string }) => `${r.day}/${r.kind}`)).toEqual(['2026-03-01/audit', '2026-03-01/sessions', '2026-02-27/sessions']);
    const filtered = (await h.call('GET', '/api/reports?kind=sessions&from=2026-02-28&to=2026-03-01&order=asc', h.marie)).json();
    expect(filtered.items.map((r: { day: string }) => r.day)).toEqual(['2026-03-01']);
  });

  it('GET /api/reports/:id gives every figure of the report', async () => {
    const list = (await h.call('GET', '/api/reports?kind=sessions&from=2026-03-01', h.marie)).json();
    const res = await h.call('GET', `/api/reports/${list.items[0].id}`, h.marie);
    expect(res.statusCode).toBe(200);
    const report = res.json();
    expect(report).toEqual({
      id: list.items[0].id,
      kind: 'sessions',
      day: '2026-03-01',
      timeZone: 'Indian/Reunion',
      from: '2026-02-28T20:00:00.000Z',
      to: '2026-03-01T20:00:00.000Z',
      generatedAt: new Date(h.clock.now()).toISOString(),
      totals: {
        sessionsCreated: 1,
        sessionsStarted: 1,
        minutesUsed: 45,
        distinctVisitors: 1,
        stationsUsed: 1,
        byEndReason: { expired: 1, ended_by_operator: 0, ended_by_visitor: 0, cancelled: 0, code_expired: 0 },
      },
      perHour: expect.any(Array),
    });
    expect(report.perHour).toHaveLength(24);
    expect(report.perHour[10]).toEqual({ hour: 10, sessionsStarted: 1, minutesUsed: 45, visitors: 1 });

    const audit = (await h.call('GET', '/api/reports?kind=audit', h.marie)).json().items[0];
    expect(audit.totals).toEqual({ events: expect.any(Number), errors: 0, byAction: expect.any(Object), byActorType: expect.any(Object) });
    expect(audit.perHour[0]).toEqual({ hour: 0, events: 0, errors: 0 });
  });

  it('GET /api/reports/:id/csv exports it as a spreadsheet', async () => {
    const id = (await h.call('GET', '/api/reports?kind=sessions&from=2026-03-01', h.marie)).json().items[0].id;
    const res = await h.call('GET', `/api/reports/${id}/csv`, h.marie);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="epnbox-sessions-report-2026-03-01.csv"');
    const lines = res.body.split('\r\n');
    expect(lines[11]).toBe('2026-03-01,10,1,45,1');
    expect(lines[25]).toBe('2026-03-01,total,1,45,1');
  });

  it('refuses bad filters and ids (400) and answers 404 for an unknown report', async () => {
    const cases: Array<[string, string]> = [
      ['/api/reports?from=2026-02-31', 'querystring.from'],
      ['/api/reports?kind=weekly', 'querystring.kind'],
      ['/api/reports?pageSize=201', 'querystring.pageSize'],
      ['/api/reports/abc', 'params.id'],
      ['/api/reports/0/csv', 'params.id'],
    ];
    for (const [url, field] of cases) {
      const res = await h.call('GET', url, h.marie);
      expect(res.statusCode, url).toBe(400);
      expect(res.json().errors[0].field, url).toBe(field);
    }
    const empty = await h.call('GET', '/api/reports?from=2026-03-02&to=2026-03-01', h.marie);
    expect(empty.statusCode).toBe(400);
    expect(empty.json()).toMatchObject({ code: 'REPORT_PERIOD_INVALID' });
    for (const url of ['/api/reports/999', '/api/reports/999/csv']) {
      const res = await h.call('GET', url, h.marie);
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ code: 'REPORT_NOT_FOUND' });
    }
  });

  it('is for operators: 401 anonymous, 403 station', async () => {
    for (const url of ['/api/reports', '/api/reports/1', '/api/reports/1/csv']) {
      expect((await h.call('GET', url)).statusCode).toBe(401);
      expect((await h.call('GET', url, h.station)).statusCode).toBe(403);
      expect((await h.call('GET', url, h.admin)).statusCode).toBe(200);
    }
  });

  it('answers 503 when the database fails', async () => {
    await h.close();
    h = await createJobsHarness({ appDb: (db) => failingWhen(db, selectsReports) });
    const res = await h.call('GET', '/api/reports', h.marie);
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ code: 'STORAGE_FAILURE' });
  });
});
