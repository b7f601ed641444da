import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../appliance/config/load-config.ts';
import { buildApp } from '../../appliance/http/build-app.ts';
import { databasePath, startAppliance } from '../../appliance/start-appliance.ts';
import { FakeClock } from '../../api/shared/clock.ts';
import { defaultPolicy } from '../../api/shared/domain-context.ts';
import { createBrokenDb } from '../../api/testing/broken-db.ts';

const run = promisify(execFile);
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function tempConfig(env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'epnbox-start-'));
  dirs.push(dir);
  return resolveConfig({ env: { EPNBOX_DATA_DIR: join(dir, 'data'), EPNBOX_HTTP_PORT: '0', ...env } });
}

describe('appliance start', () => {
  it('starts on defaults, answers health over a real socket, and creates the admin only once', async () => {
    const config = tempConfig();
    const first = await startAppliance(config);
    try {
      expect(first.firstAdmin?.username).toBe('admin');
      const res = await fetch(`${first.url}/api/health`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: 'ok', database: 'ok', netboot: 'off', version: '0.1.0', listReads: 'in-process' });
      const mode = await first.db.selectFrom('operators').select('must_change_password').executeTakeFirstOrThrow();
      expect(mode.must_change_password).toBe(1);
    } finally {
      await first.close();
    }
    const raw = new BetterSqlite3(databasePath(config), { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();

    const second = await startAppliance(config);
    try {
      expect(second.firstAdmin).toBeNull();
      const started = await second.db.selectFrom('audit_events').select('action').where('action', '=', 'system.started').execute();
      expect(started).toHaveLength(2);
    } finally {
      await second.close();
    }
  });

  it('stops the start when the database holds a migration this version does not know', async () => {
    const config = tempConfig();
    const ok = await startAppliance(config);
    await ok.close();
    // A database written by a newer epnbox lists a migration this one does not know.
    const raw = new BetterSqlite3(databasePath(config));
    raw.prepare("insert into kysely_migration (name, timestamp) values ('999-from-the-future', '2030-01-01')").run();
    raw.close();
    await expect(startAppliance(config)).rejects.toThrow(/database migration .* failed/);
  });

  it('reads the list pages on the worker thread when database.listWorker is on, and stops it on close', async () => {
    const running = await startAppliance(tempConfig({ EPNBOX_DATABASE_LIST_WORKER: 'true' }));
    try {
      // From the TypeScript sources: the worker's boot file finds a loader.
      expect(await (await fetch(`${running.url}/api/health`)).json()).toMatchObject({ status: 'ok', listReads: 'worker' });
    } finally {
      await running.close();
    }
  });

  it('answers 503 on health when the database is gone', async () => {
    const config = resolveConfig({});
    const app = await buildApp({ ctx: { db: createBrokenDb(), clock: new FakeClock(), policy: defaultPolicy }, config, version: 'test', tokenKey: Buffer.alloc(32) });
    const res = await app.inject({ method: 'GET', url: '/api/health' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ status: 'degraded', database: 'unavailable' });
    await app.close();
  });

  it('refuses a bad setting with one line naming key, value and expectation, and exit code 2', async () => {
    const err = await run('npx', ['tsx', 'appliance/main.ts'], {
      env: { ...process.env, EPNBOX_SESSIONS_DAILY_QUOTA: 'trois' },
      cwd: join(import.meta.dirname, '../..'),
    }).catch((e: { code: number; stderr: string }) => e);
    expect(err).toMatchObject({ code: 2 });
    const lines = (err as { stderr: string }).stderr.split('\n').filter((l) => l.startsWith('config:'));
    expect(lines).toEqual(['config: invalid value for sessions.dailyQuota (from EPNBOX_SESSIONS_DAILY_QUOTA): "trois"; expected an integer from 1 to 50']);
  });
});
