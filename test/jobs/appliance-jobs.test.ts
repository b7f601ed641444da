import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../api/audit/audit-actions.ts';
import { createOperator } from '../../api/operators/operators-service.ts';
import { systemClock } from '../../api/shared/clock.ts';
import { resolveConfig } from '../../appliance/config/load-config.ts';
import { startAppliance, type RunningAppliance } from '../../appliance/start-appliance.ts';

const PASSWORD = 'jobs admin password long enough';
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function adminHeaders(running: RunningAppliance): Promise<Record<string, string>> {
  const exists = await running.db.selectFrom('operators').select('id').where('username', '=', 'jobsadmin').executeTakeFirst();
  if (exists === undefined) {
    await createOperator({ db: running.db, clock: systemClock }, systemActor, {
      username: 'jobsadmin',
      displayName: 'Jobs',
      role: 'admin',
      password: PASSWORD,
      mustChangePassword: false,
    });
  }
  const res = await fetch(`${running.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'jobsadmin', password: PASSWORD }),
  });
  expect(res.status).toBe(200);
  return { authorization: `Bearer ${((await res.json()) as { accessToken: string }).accessToken}` };
}

describe('jobs in the running appliance', () => {
  it('schedules the jobs at start, runs one on request over a real socket, and keeps its last run across a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'epnbox-appliance-jobs-'));
    dirs.push(dir);
    const config = resolveConfig({ env: { EPNBOX_DATA_DIR: join(dir, 'data'), EPNBOX_HTTP_PORT: '0', EPNBOX_JOBS_PURGE_ENABLED: 'false' } });

    const first = await startAppliance(config);
    try {
      const headers = await adminHeaders(first);
      const list = (await (await fetch(`${first.url}/api/jobs`, { headers })).json()) as { items: Array<{ name: string; nextRunAt: string | null; enabled: boolean }> };
      for (const job of list.items) {
        if (job.name === 'purge') expect(job).toMatchObject({ enabled: false, nextRunAt: null });
        else expect(Date.parse(job.nextRunAt!)).toBeGreaterThan(Date.now() - 1000);
      }
      const run = await fetch(`${first.url}/api/jobs/auditArchive/run`, { method: 'POST', headers });
      expect(run.status).toBe(200);
      expect(await run.json()).toMatchObject({ name: 'auditArchive', ok: true, result: { archived: 0 } });
    } finally {
      await first.close();
    }
    // Nothing was old enough: no archive directory was even needed.
    expect(existsSync(join(dir, 'data', 'archive'))).toBe(false);

    const second = await startAppliance(config);
    try {
      const headers = await adminHeaders(second);
      const list = (await (await fetch(`${second.url}/api/jobs`, { headers })).json()) as { items: Array<{ name: string; lastRun: unknown; runs: number }> };
      expect(list.items.find((j) => j.name === 'auditArchive')).toMatchObject({ runs: 1, lastRun: { trigger: 'manual', ok: true } });
    } finally {
      await second.close();
    }
  });
});
