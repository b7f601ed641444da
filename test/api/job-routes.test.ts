import { afterEach, describe, expect, it } from 'vitest';
import { createBrokenDb } from '../../api/testing/broken-db.ts';
import { JOB_CATALOG } from '../../api/jobs/job-catalog.ts';
import type { JobDefinition } from '../../api/jobs/job-types.ts';
import { addSessions, addVisitors } from '../../api/stats/stats-fixtures.ts';
import { createJobsHarness, type JobsHarness } from './job-routes-kit.ts';

const DAY = 86_400_000;

describe('job routes', () => {
  let h: JobsHarness;
  afterEach(async () => {
    await h.close();
  });

  it('GET /api/jobs lists every job with schedule, next run, last run and last error (admin)', async () => {
    h = await createJobsHarness();
    const res = await h.call('GET', '/api/jobs', h.admin);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ total: 6, page: 1, pageSize: 50 });
    expect(body.items.map((j: { name: string }) => j.name)).toEqual(['expireCodes', 'silentStations', 'sessionsReport', 'auditReport', 'purge', 'auditArchive']);
    expect(body.items[4]).toEqual({
      name: 'purge',
      description: JOB_CATALOG.purge.description,
      enabled: true,
      schedule: '0 3 * * *',
      timeZone: 'Indian/Reunion',
      // The harness does not start the timers.
      nextRunAt: null,
      running: false,
      runningSince: null,
      lastRun: null,
      lastSuccessAt: null,
      lastError: null,
      runs: 0,
      failures: 0,
    });
    const page = (await h.call('GET', '/api/jobs?page=2&pageSize=2', h.admin)).json();
    expect(page).toMatchObject({ total: 6, page: 2, pageSize: 2 });
    expect(page.items.map((j: { name: string }) => j.name)).toEqual(['sessionsReport', 'auditReport']);
  });

  it('POST /api/jobs/:name/run runs it now on behalf of the admin; GET then shows the last run', async () => {
    h = await createJobsHarness();
    const now = h.clock.now();
    const [visitor] = await addVisitors(h.db, 1);
    await h.db.updateTable('users').set({ anonymised_at: now - 400 * DAY }).execute();
    await addSessions(h.db, [{ user: visitor!, startedAt: now - 400 * DAY, endedAt: now - 400 * DAY + 3_600_000 }]);

    const res = await h.call('POST', '/api/jobs/purge/run', h.admin);
    expect(res.statusCode).toBe(200);
    const run = res.json();
    expect(run).toMatchObject({ name: 'purge', trigger: 'manual', ok: true, error: null, durationSeconds: 0, startedAt: new Date(now).toISOString() });
    expect(run.result.connectionRecords).toMatchObject({ sessions: 1, visitors: 1, retentionDays: 365 });
    const event = await h.db.selectFrom('audit_events').selectAll().where('action', '=', 'data.purged').executeTakeFirstOrThrow();
    expect(event).toMatchObject({ actor_type: 'operator', actor_id: 1 });

    const job = (await h.call('GET', '/api/jobs', h.admin)).json().items.find((j: { name: string }) => j.name === 'purge');
    expect(job).toMatchObject({ runs: 1, failures: 0, lastSuccessAt: new Date(now).toISOString(), lastError: null, lastRun: { trigger: 'manual', ok: true } });
    expect(job.lastRun.result).toEqual(run.result);
  });

  it('answers 200 with ok: false for a failed run, and keeps the error in the list', async () => {
    const broken: JobDefinition = { ...JOB_CATALOG.auditReport, run: () => Promise.reject(new Error('disk full')) };
    h = await createJobsHarness({ catalog: { ...JOB_CATALOG, auditReport: broken } });
    const run = await h.call('POST', '/api/jobs/auditReport/run', h.admin);
    expect(run.statusCode).toBe(200);
    expect(run.json()).toMatchObject({ ok: false, result: null, error: 'disk full' });
    const job = (await h.call('GET', '/api/jobs', h.admin)).json().items.find((j: { name: string }) => j.name === 'auditReport');
    expect(job).toMatchObject({ failures: 1, lastError: { at: new Date(h.clock.now()).toISOString(), message: 'disk full' }, lastSuccessAt: null });
  });

  it('refuses a malformed name or page (400), an unknown job (404) and a job already running (409)', async () => {
    let release = (): void => {};
    const slow: JobDefinition = { ...JOB_CATALOG.purge, run: () => new Promise((resolve) => (release = () => resolve({}))) };
    h = await createJobsHarness({ catalog: { ...JOB_CATALOG, purge: slow } });
    const bad = await h.call('POST', '/api/jobs/no%20such/run', h.admin);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('params.name');
    const badPage = await h.call('GET', '/api/jobs?pageSize=500', h.admin);
    expect(badPage.statusCode).toBe(400);
    expect(badPage.json().errors[0].field).toBe('querystring.pageSize');
    const unknown = await h.call('POST', '/api/jobs/cleanupOldLogs/run', h.admin);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ code: 'JOB_NOT_FOUND' });

    const running = h.runner!.runNow('purge', { type: 'system', id: null });
    const busy = await h.call('POST', '/api/jobs/purge/run', h.admin);
    expect(busy.statusCode).toBe(409);
    expect(busy.json()).toMatchObject({ code: 'JOB_ALREADY_RUNNING' });
    expect((await h.call('GET', '/api/jobs', h.admin)).json().items.find((j: { name: string }) => j.name === 'purge')).toMatchObject({ running: true });
    release();
    await running;
  });

  it('is for admins only: 401 anonymous, 403 operator and station', async () => {
    h = await createJobsHarness();
    for (const [method, url] of [['GET', '/api/jobs'], ['POST', '/api/jobs/purge/run']] as const) {
      expect((await h.call(method, url)).statusCode).toBe(401);
      expect((await h.call(method, url, h.marie)).statusCode).toBe(403);
      expect((await h.call(method, url, h.station)).statusCode).toBe(403);
    }
    expect(await h.db.selectFrom('job_runs').selectAll().execute()).toEqual([]);
  });

  it('answers 503 when the process runs no scheduler, or when the database fails', async () => {
    h = await createJobsHarness({ withRunner: false });
    for (const [method, url] of [['GET', '/api/jobs'], ['POST', '/api/jobs/purge/run']] as const) {
      const res = await h.call(method, url, h.admin);
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ code: 'JOBS_UNAVAILABLE' });
    }
    await h.close();
    h = await createJobsHarness({ runnerDb: () => createBrokenDb() });
    const res = await h.call('GET', '/api/jobs', h.admin);
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ code: 'STORAGE_FAILURE' });
  });
});
