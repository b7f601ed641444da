/** The real app with a real (not started) job runner over in-memory SQLite, for the job and report route tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { systemActor } from '../../api/audit/audit-actions.ts';
import { issueStationToken } from '../../api/auth/auth-service.ts';
import type { Db } from '../../api/db/schema.ts';
import type { JobDefinition, JobName } from '../../api/jobs/job-types.ts';
import { createOperator } from '../../api/operators/operators-service.ts';
import { FakeClock } from '../../api/shared/clock.ts';
import { defaultPolicy, type DomainContext } from '../../api/shared/domain-context.ts';
import { addStations } from '../../api/stats/stats-fixtures.ts';
import { createTestDb } from '../../api/testing/test-db.ts';
import { resolveConfig } from '../../appliance/config/load-config.ts';
import { buildApp } from '../../appliance/http/build-app.ts';
import { JobRunner } from '../../appliance/jobs/job-runner.ts';
import { ADMIN_PASSWORD, OPERATOR_PASSWORD } from '../support/api-harness.ts';

export type Headers = Record<string, string>;

export interface JobsHarness {
  app: FastifyInstance;
  db: Db;
  clock: FakeClock;
  ctx: DomainContext;
  runner: JobRunner | undefined;
  admin: Headers;
  marie: Headers;
  station: Headers;
  call(method: 'GET' | 'POST', url: string, headers?: Headers): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export interface JobsHarnessOptions {
  /** Stand-in jobs. */
  catalog?: Record<JobName, JobDefinition>;
  /** false: the app gets no scheduler (as a process without one). */
  withRunner?: boolean;
  /** The database the runner uses (a broken one for storage-failure tests). */
  runnerDb?: (db: Db) => Db;
  /** The database the routes use (auth keeps the real one through the same handle, so wrap narrowly). */
  appDb?: (db: Db) => Db;
}

async function login(app: FastifyInstance, username: 'admin' | 'marie'): Promise<Headers> {
  const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: username === 'admin' ? ADMIN_PASSWORD : OPERATOR_PASSWORD } });
  if (res.statusCode !== 200) throw new Error(`login ${username}: ${res.statusCode} ${res.body}`);
  return { authorization: `Bearer ${res.json<{ accessToken: string }>().accessToken}` };
}

export async function createJobsHarness(options: JobsHarnessOptions = {}): Promise<JobsHarness> {
  const db = await createTestDb();
  const clock = new FakeClock(Date.parse('2026-03-02T02:00:00Z'));
  const ctx: DomainContext = { db, clock, policy: { ...defaultPolicy } };
  await createOperator(ctx, systemActor, { username: 'admin', displayName: 'Admin', role: 'admin', password: ADMIN_PASSWORD, mustChangePassword: false });
  await createOperator(ctx, systemActor, { username: 'marie', displayName: 'Marie', role: 'operator', password: OPERATOR_PASSWORD, mustChangePassword: false });
  const dataDir = mkdtempSync(join(tmpdir(), 'epnbox-job-routes-'));
  const config = resolveConfig({ file: { dataDir } });
  const runner = options.withRunner === false ? undefined : new JobRunner({ ctx: { ...ctx, db: options.runnerDb?.(db) ?? db }, config, catalog: options.catalog });
  const appCtx = { ...ctx, db: options.appDb?.(db) ?? db };
  const app = await buildApp({ ctx: appCtx, config, version: 'test', tokenKey: Buffer.alloc(32, 1), jobs: runner });
  const [stationId] = await addStations(db, 1);
  const station = { authorization: `Bearer ${await issueStationToken(ctx, stationId!)}` };
  const [admin, marie] = [await login(app, 'admin'), await login(app, 'marie')];
  return {
    app,
    db,
    clock,
    ctx,
    runner,
    admin,
    marie,
    station,
    call: (method, url, headers = {}) => app.inject({ method, url, headers }),
    close: async () => {
      await runner?.stop();
      await app.close();
      await db.destroy();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
